"""The journey service with plain data, as any front end would drive it: no
request, no session; form fields as a plain dict."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from townhall.cases import journey as journeys
from townhall.cases.models import Case, Channel, Draft
from townhall.cases.services import SubmissionRefused
from townhall.catalogue.engine.definition import Page
from townhall.catalogue.factories import definition_data, page_data, question_data, service_create
from townhall.catalogue.services import service_import

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def same_page_definition(**extra):
    """One page whose second question shows only when the first says yes,
    then a contact page."""
    return definition_data(
        page_data(
            "one",
            question_data("by_phone", "yes_no", "Can we phone you?"),
            question_data(
                "phone",
                "phone",
                "Phone number",
                required_message="Enter a phone number we can call",
                when={"question": "by_phone", "equals": True},
            ),
            title="Your contact",
        ),
        page_data("photo", question_data("photos", "file", "Photo", required=False)),
        page_data("contact", question_data("email", "email", "Email", contact="email")),
        **extra,
    )


@pytest.fixture
def service(council):
    return service_create(organisation=council, definition=same_page_definition())


def page_of(journey: journeys.Journey, page_id: str) -> Page:
    page = journey.definition.page(page_id)
    assert page is not None
    return page


def answered(service, *pages):
    """A resident's journey with these pages' form fields read and saved."""
    journey = journeys.journey_open(service=service)
    for page_id, data in pages:
        page = page_of(journey, page_id)
        reading = journeys.page_read(journey=journey, page=page, data=data, files={})
        assert reading.complete, reading.errors
        journey = journeys.page_save(journey=journey, reading=reading)
    return journey


# ---- starting ------------------------------------------------------------------------


def test_a_resident_starts_on_the_published_version_online(service):
    journey = journeys.journey_open(service=service)
    assert (journey.version, journey.channel, journey.draft) == (
        service.published_version,
        Channel.WEB,
        None,
    )
    assert journey.answers == {}
    assert not Draft.objects.exists()  # nothing is written until a page is complete


@pytest.mark.parametrize("channel", [None, Channel.WEB, Channel.API, "pigeon"])
def test_staff_say_how_the_contact_came_first(service, channel):
    with pytest.raises(journeys.ChannelNeeded):
        journeys.journey_open(service=service, channel=channel, assisted=True)


def test_staff_journeys_make_the_contact_email_optional(service):
    journey = journeys.journey_open(service=service, channel=Channel.PHONE, assisted=True)
    assert journey.definition.question("email").required is False
    assert journeys.journey_open(service=service).definition.question("email").required


def test_a_service_with_nothing_published_cannot_be_started(service):
    service.published_version = None
    with pytest.raises(journeys.JourneyUnavailable):
        journeys.journey_open(service=service)
    with pytest.raises(journeys.JourneyUnavailable):
        journeys.start_definition(service)


def test_only_staff_go_through_a_staff_only_service(council):
    service = service_create(
        organisation=council, definition=same_page_definition(audience="staff")
    )
    with pytest.raises(journeys.JourneyUnavailable):
        journeys.journey_open(service=service)
    journey = journeys.journey_open(service=service, channel=Channel.PHONE, assisted=True)
    assert journey.version == service.published_version


def test_a_journey_keeps_the_version_and_channel_of_its_draft(council, service):
    journey = journeys.journey_open(service=service, channel=Channel.PHONE, assisted=True)
    page = page_of(journey, "one")
    reading = journeys.page_read(journey=journey, page=page, data={"by_phone": "no"}, files={})
    draft = journeys.page_save(journey=journey, reading=reading).draft
    service_import(organisation=council, definition=same_page_definition(name="Newer"))
    service.refresh_from_db()

    resumed = journeys.journey_open(service=service, draft=draft, assisted=True)
    assert resumed.version == draft.service_version != service.published_version
    assert resumed.channel == Channel.PHONE
    assert resumed.answers == {"by_phone": False}


# ---- one page ----------------------------------------------------------------------


def test_an_answer_that_reveals_a_question_shows_the_page_again_without_errors(service):
    journey = journeys.journey_open(service=service)
    page = page_of(journey, "one")
    assert [q.id for q in journeys.page_show(journey, page).questions] == ["by_phone"]

    data = {"by_phone": "yes", "shown": "by_phone"}
    reading = journeys.page_read(journey=journey, page=page, data=data, files={})
    assert (reading.complete, reading.errors) == (False, {})
    assert [q.id for q in reading.questions] == ["by_phone", "phone"]

    data = {"by_phone": "yes", "shown": "by_phone,phone"}
    reading = journeys.page_read(journey=journey, page=page, data=data, files={})
    assert reading.errors == {"phone": "Enter a phone number we can call"}

    data = {"by_phone": "yes", "phone": "01632 960001", "shown": "by_phone,phone"}
    reading = journeys.page_read(journey=journey, page=page, data=data, files={})
    assert reading.complete
    assert reading.answers == {"by_phone": True, "phone": "01632960001"}


def test_without_a_shown_field_the_page_counts_what_it_showed_before(service):
    journey = journeys.journey_open(service=service)
    page = page_of(journey, "one")
    reading = journeys.page_read(journey=journey, page=page, data={"by_phone": "yes"}, files={})
    assert (reading.complete, reading.errors) == (False, {})


def test_a_page_with_errors_is_not_saved(service):
    journey = journeys.journey_open(service=service)
    page = page_of(journey, "contact")
    data = {"email": "not an email"}
    reading = journeys.page_read(journey=journey, page=page, data=data, files={})
    assert reading.errors == {
        "email": "Enter an email address in the correct format, like name@example.com"
    }
    with pytest.raises(ValueError, match="only a complete page"):
        journeys.page_save(journey=journey, reading=reading)
    assert not Draft.objects.exists()


def test_the_first_complete_page_starts_the_draft_and_later_ones_add_to_it(service):
    journey = answered(service, ("one", {"by_phone": "no"}))
    assert journey.draft.service_version == service.published_version
    assert journey.draft.channel == Channel.WEB
    journey = answered(service, ("one", {"by_phone": "no"}), ("contact", {"email": "A@B.com"}))
    assert journey.answers == {"by_phone": False, "email": "a@b.com"}


def test_a_page_sent_without_a_new_file_keeps_the_one_uploaded(service):
    journey = answered(service, ("one", {"by_phone": "no"}))
    page = page_of(journey, "photo")
    files = MultiValueDict({"photos": [SimpleUploadedFile("a.png", PNG)]})
    reading = journeys.page_read(journey=journey, page=page, data={}, files=files)
    journey = journeys.page_save(journey=journey, reading=reading)
    (record,) = journey.answers["photos"]

    reading = journeys.page_read(journey=journey, page=page, data={}, files={})
    assert reading.answers == {"photos": [record]}


# ---- where next ------------------------------------------------------------------


def test_each_page_leads_to_the_next_then_check_answers(service):
    journey = answered(service, ("one", {"by_phone": "no"}))
    one, photo, contact = journey.definition.pages
    assert journeys.page_after(journey=journey, page=one) == photo
    assert journeys.page_after(journey=journey, page=contact) is None
    assert journeys.first_gap(journey) == photo
    assert journeys.page_before(journey, photo) == one


def test_a_change_goes_back_to_check_answers_unless_it_opens_a_page(street_service):
    journey = answered(
        street_service,
        ("problem", {"problem": "pothole"}),
        ("depth", {"depth": "5"}),
        ("contact", {"email": ""}),
    )
    problem = page_of(journey, "problem")
    assert journeys.page_after(journey=journey, page=problem, change=True) is None
    journey = answered(
        street_service,
        ("problem", {"problem": "pothole"}),
        ("depth", {"depth": "5"}),
        ("contact", {"email": ""}),
        ("problem", {"problem": "street_light"}),
    )
    light = page_of(journey, "light")
    assert journeys.page_after(journey=journey, page=problem, change=True) == light
    assert journeys.page_after(journey=journey, page=problem) == light


def test_check_answers_has_a_row_per_answer_on_the_route(street_service):
    journey = answered(
        street_service,
        ("problem", {"problem": "pothole"}),
        ("depth", {"depth": "5"}),
        ("contact", {"email": ""}),
    )
    rows = journeys.check_answers_rows(journey)
    assert [(row.page.id, row.question.id, row.text) for row in rows] == [
        ("problem", "problem", "Pothole"),
        ("depth", "depth", "5"),
        ("contact", "email", "Not provided"),
    ]
    assert journeys.last_page(journey).id == "contact"


# ---- sending -----------------------------------------------------------------------


def test_a_declaration_is_needed_on_every_journey(council, staff_user):
    service = service_create(
        organisation=council, definition=same_page_definition(declaration="It is true.")
    )
    journey = answered(
        service,
        ("one", {"by_phone": "no"}),
        ("photo", {}),
        ("contact", {"email": "a@example.com"}),
    )
    with pytest.raises(SubmissionRefused) as caught:
        journeys.journey_submit(journey=journey, declaration=False, actor=None)
    assert caught.value.errors == {
        "declaration": "Confirm the declaration to send your application"
    }
    assert journeys.first_gap(journey) is None  # nothing to fix but the declaration
    assert not Case.objects.exists()
    case = journeys.journey_submit(journey=journey, declaration=True, actor=None)
    assert case.contact_email == "a@example.com"


def test_staff_send_without_the_contact_email_but_with_the_declaration(council, staff_user):
    service = service_create(
        organisation=council, definition=same_page_definition(declaration="It is true.")
    )
    journey = journeys.journey_open(service=service, channel=Channel.PHONE, assisted=True)
    for page_id, data in (("one", {"by_phone": "no"}), ("contact", {"email": ""})):
        page = page_of(journey, page_id)
        reading = journeys.page_read(journey=journey, page=page, data=data, files={})
        journey = journeys.page_save(journey=journey, reading=reading)
    with pytest.raises(SubmissionRefused, match="1 answers need attention"):
        journeys.journey_submit(journey=journey, declaration=False, actor=staff_user)
    case = journeys.journey_submit(journey=journey, declaration=True, actor=staff_user)
    assert (case.channel, case.created_by, case.contact_email) == (Channel.PHONE, staff_user, "")


def test_a_journey_with_nothing_answered_cannot_be_sent(service):
    with pytest.raises(SubmissionRefused):
        journeys.journey_submit(
            journey=journeys.journey_open(service=service), declaration=True, actor=None
        )
    assert not Case.objects.exists()


def test_a_sent_journey_names_its_case_to_whoever_sent_it(council, service, staff_user):
    journey = answered(
        service, ("one", {"by_phone": "no"}), ("photo", {}), ("contact", {"email": "a@b.com"})
    )
    draft_id = str(journey.draft.pk)
    assert journeys.journey_sent(service=service, draft_id=draft_id) is None  # not sent yet
    case = journeys.journey_submit(journey=journey, declaration=False, actor=None)
    assert journeys.journey_sent(service=service, draft_id=draft_id) == case
    assert journeys.journey_sent(service=service, draft_id=draft_id, actor=staff_user) is None
    other = service_create(
        organisation=council, definition=same_page_definition(slug="other-service")
    )
    assert journeys.journey_sent(service=other, draft_id=draft_id) is None
    assert journeys.journey_sent(service=service, draft_id="not-a-draft") is None
