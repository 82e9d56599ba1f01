"""Change once: a resident's new address or contact details reach their open
cases (the staff timeline) and the council's back-office systems (webhooks)."""

import jsonschema
import pytest
from django.urls import reverse

from townhall.cases.factories import submitted_case
from townhall.cases.models import Case, CaseEvent
from townhall.cases.services import case_transition
from townhall.residents.details import Details, profile_details_update
from townhall.residents.identity import resident_for_verified_email
from townhall.testing.http_receiver import Receiver
from townhall.testing.sign_in import sign_in
from townhall.webhooks.payloads import payload_schema

pytestmark = pytest.mark.django_db

NEW = Details(
    first_name="Ada",
    last_name="Lovelace",
    date_of_birth=None,
    phone="07700900982",
    address="2 New Road\nOxford",
    postcode="OX1 1BX",
    updates_by="email",
    language="en",
)


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _short_timeouts(settings):
    settings.WEBHOOKS_READ_TIMEOUT = 1
    settings.WEBHOOKS_CONNECT_TIMEOUT = 1


def _resident_case(service, user, capture=None):
    case = submitted_case(service)
    Case.objects.filter(pk=case.pk).update(resident=user)
    case.refresh_from_db()
    return case


def test_changed_details_reach_open_cases_and_the_staff_timeline(client, fly_tipping, staff_user):
    ada = resident_for_verified_email("ada@example.org")
    open_case = _resident_case(fly_tipping, ada)
    closed_case = _resident_case(fly_tipping, ada)
    case_transition(case=closed_case, to_status="cleared", actor=staff_user)
    someone_elses = submitted_case(fly_tipping)

    changed = profile_details_update(user=ada, details=NEW)

    assert sorted(changed) == ["address", "phone", "postcode"]
    (event,) = CaseEvent.objects.filter(kind=CaseEvent.Kind.DETAILS_CHANGED)
    assert event.case == open_case
    assert event.actor is None  # the resident, not staff
    assert event.payload["details"]["postcode"] == "OX1 1BX"
    open_case.refresh_from_db()
    assert open_case.contact_postcode == "OX1 1BX"
    assert open_case.contact_phone == "07700900982"
    assert not someone_elses.events.filter(kind=CaseEvent.Kind.DETAILS_CHANGED).exists()

    sign_in(client, staff_user)
    page = client.get(reverse("backoffice:case", args=[open_case.reference])).content.decode()
    assert "Resident changed their contact details" in page
    assert "OX1 1BX" in page


def test_saving_the_same_details_again_tells_no_case(fly_tipping):
    ada = resident_for_verified_email("ada@example.org")
    _resident_case(fly_tipping, ada)
    profile_details_update(user=ada, details=NEW)

    assert profile_details_update(user=ada, details=NEW) == []
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.DETAILS_CHANGED).count() == 1


def test_a_subscribed_endpoint_hears_of_the_change_with_only_the_new_details(
    council, fly_tipping, receiver, django_capture_on_commit_callbacks
):
    from townhall.webhooks.services import endpoint_add

    endpoint_add(organisation=council, url=receiver.url, events=["resident.details_changed"])
    ada = resident_for_verified_email("ada@example.org")
    case = _resident_case(fly_tipping, ada)

    with django_capture_on_commit_callbacks(execute=True):
        profile_details_update(
            user=ada, details=Details(**{**NEW.__dict__, "phone": "", "address": ""})
        )

    (request,) = receiver.wait_for(1)
    payload = request.json()
    jsonschema.validate(payload, payload_schema(), format_checker=jsonschema.FormatChecker())
    assert payload["type"] == "resident.details_changed"
    assert payload["actor"] == "resident"
    assert payload["case"]["reference"] == case.reference
    assert payload["case"]["answers"] == {}
    assert payload["case"]["summary"] == ""
    assert payload["change"] == {
        "type": "resident.details_changed",
        "fields": ["postcode"],
        "details": {"postcode": "OX1 1BX"},
    }
    assert "ada@example.org" not in request.body.decode()


def test_an_endpoint_that_did_not_ask_hears_nothing(
    council, fly_tipping, receiver, django_capture_on_commit_callbacks
):
    from townhall.notifications.models import Delivery
    from townhall.webhooks.services import endpoint_add

    endpoint_add(organisation=council, url=receiver.url, events=["case.updated"])
    ada = resident_for_verified_email("ada@example.org")
    _resident_case(fly_tipping, ada)

    with django_capture_on_commit_callbacks(execute=True):
        profile_details_update(user=ada, details=NEW)

    assert not Delivery.objects.filter(channel=Delivery.Channel.WEBHOOK).exists()
