"""Staff record phone and face-to-face contacts through the same service pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from townhall.backoffice import assisted
from townhall.cases.models import Case, Channel
from townhall.catalogue.factories import branching_definition
from townhall.catalogue.services import service_import
from townhall.web.tests.test_engine_journeys import DEFINITION as HOUSEHOLD_HELP


def seen_yesterday() -> dict[str, str]:
    """The fly-tipping date boxes filled in with yesterday (within its date rules)."""
    day = timezone.localdate() - dt.timedelta(days=1)
    return {
        "seen_on-day": str(day.day),
        "seen_on-month": str(day.month),
        "seen_on-year": str(day.year),
    }


START = "/staff/assisted/report-fly-tipping/"


def page(name: str) -> str:
    return f"{START}questions/{name}/"


def _answer(client, email: str = "") -> None:
    for name, data in [
        ("what", {"waste_type": "tyres"}),
        ("how-much", {"size": "single"}),
        ("where", {"location": "Layby on the A40"}),
        ("when", seen_yesterday()),
        ("details", {"description": ""}),
        ("photo", {}),
        ("contact", {"email": email}),
    ]:
        response = client.post(page(name), data)
        assert response.status_code == 302, (name, response.content.decode()[:1500])


def test_staff_record_a_phone_contact_without_an_email(
    staff_client, staff_user, fly_tipping, django_capture_on_commit_callbacks
):
    index = staff_client.get("/staff/assisted/").content.decode()
    assert "Report fly-tipping" in index
    body = staff_client.post(START, {}).content.decode()  # no channel chosen
    assert "Select how the resident got in touch" in body
    response = staff_client.post(START, {"channel": "phone"})
    assert response["Location"] == page("what")
    _answer(staff_client)
    check = staff_client.get(f"{START}check/").content.decode()
    assert "Record the case" in check
    assert f'href="{page("what")}?change=1"' in check
    with django_capture_on_commit_callbacks(execute=True):
        done = staff_client.post(f"{START}check/")
    assert done["Location"] == f"{START}done/"
    case = Case.objects.get()
    assert (case.channel, case.created_by, case.contact_email) == (
        Channel.PHONE,
        staff_user,
        "",
    )
    assert mail.outbox == []
    confirmation = staff_client.get(f"{START}done/").content.decode()
    assert case.reference in confirmation and "Read the reference to the resident" in confirmation
    timeline = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Submitted (phone)" in timeline
    assert staff_user.email in timeline


def test_an_email_given_on_the_phone_gets_the_acknowledgement(
    staff_client, fly_tipping, django_capture_on_commit_callbacks
):
    staff_client.post(START, {"channel": "face_to_face"})
    _answer(staff_client, email="caller@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"{START}check/")
    assert Case.objects.get().channel == Channel.FACE_TO_FACE
    assert [m.to for m in mail.outbox] == [["caller@example.com"]]


def test_online_the_contact_email_is_still_required(client, fly_tipping):
    response = client.post("/services/report-fly-tipping/questions/contact/", {"email": ""})
    assert "Enter your email address" in response.content.decode()


def test_the_channel_comes_first(staff_client, fly_tipping):
    assert staff_client.get(page("what"))["Location"] == START


def test_staff_only_services_are_recorded_by_staff_not_residents(staff_client, client, council):
    definition = dict(HOUSEHOLD_HELP, audience="staff")
    service_import(organisation=council, definition=definition)
    assert client.get("/services/household-help/").status_code == 404
    index = staff_client.get("/staff/assisted/").content.decode()
    assert "Apply for household help" in index and "Staff only" in index
    assert staff_client.get("/staff/assisted/household-help/").status_code == 200


ASSISTED_URLS = [p for p in assisted.urlpatterns if "slug" in p.pattern.converters]


@pytest.mark.parametrize("pattern", ASSISTED_URLS, ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_councils_service_cannot_be_recorded(
    staff_client, fly_tipping, other_council, pattern, method
):
    service_import(organisation=other_council, definition=branching_definition())
    kwargs = {"slug": "report-street-problem"}
    if "page_id" in pattern.pattern.converters:
        kwargs["page_id"] = "problem"
    url = reverse(f"assisted:{pattern.name}", kwargs=kwargs)
    response = getattr(staff_client, method)(url, {"channel": "phone"})
    assert response.status_code == 404
    assert not Case.objects.exists()


@pytest.mark.parametrize("pattern", assisted.urlpatterns, ids=lambda p: p.name)
def test_assisted_pages_need_a_staff_sign_in(client, fly_tipping, pattern):
    kwargs = dict.fromkeys(pattern.pattern.converters, "what")
    kwargs.update({"slug": fly_tipping.slug} if "slug" in kwargs else {})
    response = client.get(reverse(f"assisted:{pattern.name}", kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_the_channels_staff_can_choose_are_the_ones_the_journey_takes():
    from townhall.backoffice.forms import ChannelForm
    from townhall.cases.journey import ASSISTED_CHANNELS

    choices = ChannelForm().fields["channel"].choices  # type: ignore[attr-defined]
    assert {value for value, _label in choices} == ASSISTED_CHANNELS
