"""The one-shot `case_create`, called as an API would call it: a JSON answers
document in, a case out, or every problem named by its field path."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from townhall.cases.journey import AnswersRefused, JourneyUnavailable, case_create
from townhall.cases.models import Case, CaseEvent, Channel, Draft
from townhall.cases.services import SubmissionRefused
from townhall.catalogue.factories import (
    definition_data,
    options_data,
    page_data,
    question_data,
    service_create,
)
from townhall.catalogue.services import service_import
from townhall.notifications.models import Delivery
from townhall.tenancy.models import Team

pytestmark = pytest.mark.django_db


def help_definition(**extra: Any) -> dict[str, Any]:
    return definition_data(
        page_data(
            "eligibility",
            question_data("in_area", "yes_no", "Do you live in Example?"),
            goto=[{"when": {"question": "in_area", "equals": False}, "page": "outside"}],
        ),
        page_data(
            "where",
            question_data("home", "address", "Home address"),
            question_data("since", "date", "When did you move in", date="past"),
        ),
        page_data(
            "household",
            question_data(
                "members",
                "group",
                "Who else lives with you?",
                item_label="household member",
                required=False,
                max_items=3,
                questions=[
                    question_data("name", "name", "Name"),
                    question_data("age", "number", "Age", min=0, max=120),
                ],
            ),
        ),
        page_data(
            "needs",
            question_data(
                "needs",
                "checkboxes",
                "What do you need help with?",
                summary=True,
                options=options_data("heating", "food"),
            ),
            question_data(
                "heating",
                "radios",
                "How is your home heated?",
                options=options_data("gas", "electric"),
                when={"question": "needs", "contains": "heating"},
            ),
        ),
        page_data("photo", question_data("photos", "file", "Photo of a bill", required=False)),
        page_data(
            "contact",
            question_data("phone", "phone", "Phone number", required=False),
            question_data("email", "email", "Email address", contact="email"),
        ),
        page_data(
            "outside",
            title="Contact your own council",
            when={"question": "in_area", "equals": False},
            exit={"body": "Only residents of Example can apply."},
        ),
        slug="household-help",
        name="Apply for household help",
        declaration="The information I have given is correct.",
        sla_days=10,
        routing={
            "team": "benefits",
            "rules": [{"when": {"question": "needs", "contains": "food"}, "team": "food-bank"}],
        },
        **extra,
    )


GOOD: dict[str, Any] = {
    "in_area": True,
    "home": {"line1": "1 High Street", "line2": "", "town": "Example", "postcode": "EX1 1AA"},
    "since": "2020-02-01",
    "members": [{"name": "Bob", "age": 12}],
    "needs": ["heating"],
    "heating": "gas",
    "phone": "01632960001",
    "email": "ada@example.com",
}


@pytest.fixture
def service(council):
    return service_create(organisation=council, definition=help_definition())


def send(service, answers: Any, *, declaration: Any = True, **kwargs: Any) -> Case:
    """What an API view would do: the body parsed from JSON, passed on."""
    body = json.loads(json.dumps({"answers": answers, "declaration": declaration}))
    return case_create(
        service_version=service.published_version,
        answers=body["answers"],
        declaration=body["declaration"],
        channel=kwargs.pop("channel", Channel.API),
        **kwargs,
    )


def refused(service, answers: Any, **kwargs: Any) -> list[str]:
    with pytest.raises(AnswersRefused) as caught:
        send(service, answers, **kwargs)
    assert not Case.objects.exists()
    return caught.value.problems


def with_(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(GOOD)
    document.update(changes)
    return document


def test_an_acceptable_document_makes_a_case_like_the_web_journey(
    service, django_capture_on_commit_callbacks
):
    benefits = Team.objects.create(organisation=service.organisation, slug="benefits", name="B")
    with django_capture_on_commit_callbacks(execute=True):
        case = send(service, GOOD)

    assert case.reference.startswith(f"EXA-{timezone.localdate().year}-")
    assert (case.service_version, case.channel, case.status) == (
        service.published_version,
        Channel.API,
        "received",
    )
    assert case.answers == GOOD
    assert (case.summary, case.contact_email, case.team) == ("Heating", "ada@example.com", benefits)
    # Due at the end of the tenth day after (calendar days), in the council's time.
    due = timezone.localtime(case.due_at)
    assert due.date() == timezone.localtime(case.created_at).date() + timedelta(days=10)
    assert (due.hour, due.minute) == (23, 59)
    (event,) = case.events.all()
    assert (event.kind, event.to_status, event.actor) == (
        CaseEvent.Kind.SUBMITTED,
        "received",
        None,
    )
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert case.reference in mail.outbox[0].body
    assert Delivery.objects.get().case == case
    assert not Draft.objects.exists()


def test_a_taken_reference_rolls_back_and_is_drawn_again(service):
    # Drawn before the transaction (no savepoint around the case's INSERT):
    # a clash undoes the attempt and the next draw makes the case, once.
    first = send(service, GOOD)
    with mock.patch(
        "townhall.cases.journey.new_reference", side_effect=[first.reference, "EXA-2026-00000042"]
    ):
        second = send(service, GOOD)
    assert second.reference == "EXA-2026-00000042"
    assert Case.objects.count() == 2
    assert second.events.count() == 1
    assert second.contacts.count() == 1


def test_a_reference_always_taken_gives_up_after_ten_draws(service):
    first = send(service, GOOD)
    with (
        mock.patch("townhall.cases.journey.new_reference", return_value=first.reference) as draw,
        pytest.raises(RuntimeError, match="could not find a free case reference"),
    ):
        send(service, GOOD)
    assert draw.call_count == 10
    assert Case.objects.count() == 1


def test_an_integrity_error_that_is_not_a_clash_is_not_retried(service):
    from django.db import IntegrityError

    with (
        mock.patch(
            "townhall.cases.services.insert_rows", side_effect=IntegrityError("other")
        ) as written,
        pytest.raises(IntegrityError, match="other"),
    ):
        send(service, GOOD)
    assert written.call_count == 1
    assert not Case.objects.exists()


def test_routing_rules_and_staff_actors_apply(service, staff_user):
    food = Team.objects.create(organisation=service.organisation, slug="food-bank", name="Food")
    case = send(
        service,
        with_(needs=["food"], heating=None, email=""),
        channel=Channel.PHONE,
        actor=staff_user,
        contact_required=False,
    )
    assert (case.team, case.channel, case.created_by) == (food, Channel.PHONE, staff_user)
    assert case.events.get().actor == staff_user
    assert "heating" not in case.answers  # an empty answer to a question not asked is dropped


def test_answers_are_tidied_as_the_web_form_tidies_them(service):
    case = send(
        service,
        with_(
            home={"line1": " 1 High\x00 Street ", "town": "Example", "postcode": "ex11aa"},
            phone="01632 960 001",
            email=" Ada@Example.COM ",
            members=[{"name": "  Bob\x1b", "age": 12}],
        ),
    )
    assert case.answers["home"] == {
        "line1": "1 High Street",
        "line2": "",
        "town": "Example",
        "postcode": "EX1 1AA",
    }
    assert case.answers["phone"] == "01632960001"
    assert case.answers["email"] == case.contact_email == "ada@example.com"
    assert case.answers["members"] == [{"name": "Bob", "age": 12}]


def test_every_problem_is_named_by_its_field_path(service):
    problems = refused(
        service,
        with_(
            home={"line1": "", "line2": "", "town": "Example", "postcode": "NOWHERE"},
            since="2999-01-01",
            members=[{"name": "Bob", "age": 12}, {"name": "", "age": 200, "shoe_size": 9}],
            needs=["heating", "jetpack"],
            phone="12345",
            email="not an email",
            favourite_colour="blue",
        ),
        declaration=None,
    )
    assert problems == [
        "home.line1: Enter the first line of the address",
        "home.postcode: Enter a full UK postcode, like SW1A 2AA",
        "since: The date must be today or in the past",
        "members[1].shoe_size: This question is not in the group",
        "members[1].name: Enter a name",
        "members[1].age: The number must be 120 or less",
        "needs: Select at least one option",
        "phone: Enter a UK phone number, like 01632 960 001 or 07700 900 982",
        "email: Enter an email address in the correct format, like name@example.com",
        "favourite_colour: This service does not ask this question",
        "declaration: Confirm the declaration to send your application",
    ]


def test_required_answers_and_same_page_conditions_are_checked(service):
    document = with_()
    del document["heating"]  # asked, because the needs include heating
    del document["email"]
    assert refused(service, document) == [
        "heating: Select an option",
        "email: Enter an email address",
    ]


def test_answers_off_the_route_are_refused_unless_empty(service):
    assert refused(service, with_(needs=["food"])) == [
        "heating: This question is not asked when the other answers are these"
    ]
    assert send(service, with_(needs=["food"], heating=None)).answers["needs"] == ["food"]


def test_an_exit_page_refuses_the_answers_that_lead_to_it(service):
    assert refused(service, {"in_area": False}) == [
        "outside: These answers lead to an exit page: the service cannot be used"
    ]
    problems = refused(service, with_(in_area=False))
    assert problems[0].startswith("outside: ")
    assert "home: This question is not asked when the other answers are these" in problems


@pytest.mark.parametrize("declaration", [None, False, "yes", 1, "true"])
def test_the_declaration_must_be_an_explicit_true(service, declaration):
    problems = refused(service, GOOD, declaration=declaration)
    assert len(problems) == 1 and problems[0].startswith("declaration: ")


def test_a_service_without_a_declaration_needs_none(council):
    definition = help_definition()
    del definition["declaration"]
    service = service_create(organisation=council, definition=definition)
    assert refused(service, GOOD, declaration="yes") == [
        "declaration: Give the declaration as true or false"
    ]
    assert send(service, GOOD, declaration=None).reference


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"in_area": "yes"}, "in_area: Select yes or no"),
        ({"members": [{"name": "Bob", "age": "12"}]},
         "members[0].age: The answer must be a number"),
        ({"members": {"name": "Bob"}}, "members: Add at least 1 item"),
        ({"members": [{"name": "Bob", "age": 1}] * 4},
         "members: You can add up to 3 items"),
        ({"since": 2020}, "since: The date must be a real date"),
        ({"needs": "heating", "heating": None},
         "needs: Select at least one option"),
        ({"home": "1 High Street"}, "home: Enter the address"),
        ({"home": {"line1": "1 High Street", "town": "X", "postcode": "EX1 1AA", "flat": "2"}},
         "home.flat: An address has no such part"),
        ({"email": ["ada@example.com"]},
         "email: Enter an email address in the correct format, like name@example.com"),
    ],
)  # fmt: skip
def test_answers_of_the_wrong_json_type_are_refused(service, changes, problem):
    assert refused(service, with_(**changes)) == [problem]


def test_a_group_with_too_many_items_is_refused_beside_its_items_problems(service):
    members = [{"name": "Bob", "age": 1}] * 3 + [{"name": "", "age": 1}]
    assert refused(service, with_(members=members)) == [
        "members: You can add up to 3 items",
        "members[3].name: Enter a name",
    ]


def test_files_cannot_be_sent_in_a_document(service):
    record = {"id": "00000000-0000-0000-0000-000000000000", "name": "a.png", "size": 9,
              "type": "image/png"}  # fmt: skip
    assert refused(service, with_(photos=[record])) == [
        "photos: Files cannot be sent with the answers yet; use the online form"
    ]


@pytest.mark.parametrize("answers", [[], "in_area=yes", None, {1: True}])
def test_a_document_that_is_not_an_object_of_answers_is_refused(service, answers):
    with pytest.raises(SubmissionRefused) as caught:
        case_create(
            service_version=service.published_version,
            answers=answers,
            channel=Channel.API,
            declaration=True,
        )
    assert list(caught.value.errors) == ["answers"]
    assert not Case.objects.exists()


def test_only_the_published_version_of_an_active_service_takes_cases(service, council):
    old = service.published_version
    service_import(organisation=council, definition=help_definition(description="Newer"))
    with pytest.raises(JourneyUnavailable):
        case_create(service_version=old, answers=GOOD, channel=Channel.API, declaration=True)
    service.refresh_from_db()
    service.is_active = False
    service.save()
    with pytest.raises(JourneyUnavailable):
        send(service, GOOD)
    assert not Case.objects.exists()


def test_a_staff_only_service_takes_cases_only_from_staff(council, staff_user):
    service = service_create(organisation=council, definition=help_definition(audience="staff"))
    with pytest.raises(JourneyUnavailable):
        send(service, GOOD)
    assert send(service, GOOD, channel=Channel.PHONE, actor=staff_user).created_by == staff_user


def test_an_unknown_channel_is_a_programming_error(service):
    with pytest.raises(ValueError, match="unknown channel"):
        send(service, GOOD, channel="pigeon")


def test_a_retired_version_is_unavailable_whatever_its_answers(service, council):
    """Answers checked against a version retired since are not refused for
    that version's rules: the version itself is unavailable."""
    old = service.published_version
    service_import(organisation=council, definition=help_definition(description="Newer"))
    with pytest.raises(JourneyUnavailable):
        case_create(service_version=old, answers={}, channel=Channel.API, declaration=True)
    assert not Case.objects.exists()
