"""Rights: downloading my data, closing my account; and that no resident
reaches another's profile, household or data, and every form needs its CSRF token."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from townhall.accounts.models import User
from townhall.cases.contacts import contact_log
from townhall.cases.factories import submitted_case
from townhall.cases.models import Case, CaseEvent, Contact, Draft
from townhall.cases.services import case_transition, draft_start
from townhall.catalogue.services import service_import
from townhall.residents.consents import reuse_agree
from townhall.residents.details import household_member_save
from townhall.residents.identity import profile_for, resident_for_verified_email
from townhall.residents.models import Consent, HouseholdMember, Profile
from townhall.testing.sign_in import sign_in

pytestmark = pytest.mark.django_db


def _resident_case(service, user):
    case = submitted_case(service)
    Case.objects.filter(pk=case.pk).update(resident=user)
    case.refresh_from_db()
    return case


@pytest.fixture
def ada(client, council):
    user = resident_for_verified_email("ada@example.org")
    user.first_name = "Ada"
    user.save()
    profile = profile_for(user)
    profile.phone = "07700900982"
    profile.save()
    household_member_save(user=user, name="Byron", relationship="son", date_of_birth=None)
    reuse_agree(user=user, service_slug="report-fly-tipping")
    client.force_login(user)
    return user


def test_my_data_as_json_holds_profile_household_cases_contacts_and_consents(
    client, ada, fly_tipping, staff_user
):
    case = _resident_case(fly_tipping, ada)
    case_transition(
        case=case, to_status="inspecting", actor=staff_user, public_message="On our way"
    )
    contact_log(
        organisation=fly_tipping.organisation,
        channel="phone",
        reason=Contact.Reason.PROGRESS_CHASING,
        outcome=Contact.Outcome.CASE_UPDATED,
        case=case,
        note="Staff's own note",
        actor=staff_user,
    )

    response = client.get(reverse("profile:data_json"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(response.content)
    assert data["profile"]["email"] == "ada@example.org"
    assert data["profile"]["phone"] == "07700900982"
    assert data["household"] == [{"name": "Byron", "relationship": "son", "date_of_birth": None}]
    (request,) = data["requests"]
    assert request["reference"] == case.reference
    assert {"question": "What has been dumped?", "answer": "Furniture or white goods"} in request[
        "answers"
    ]
    assert [(c["channel"], c["reason"], c["request"]) for c in data["contacts"]] == [
        ("Online", "New request", case.reference),
        ("Phone", "Chasing progress", case.reference),
    ]
    assert "Staff's own note" not in response.content.decode()
    assert [step["message"] for step in request["timeline"]][-1] == "On our way"
    assert data["consents"][0]["action"] == "Given"


def test_my_data_as_a_page(client, ada, fly_tipping):
    case = _resident_case(fly_tipping, ada)

    page = client.get(reverse("profile:data")).content.decode()

    assert case.reference in page
    assert "Byron" in page
    assert "Fill in requests from my profile" in page


def test_closing_the_account(client, ada, fly_tipping, staff_user):
    definition = dict(fly_tipping.published_version.definition, retention_days=365)
    service = service_import(organisation=fly_tipping.organisation, definition=definition).service
    finished = _resident_case(service, ada)
    case_transition(case=finished, to_status="cleared", actor=staff_user)
    still_open = _resident_case(service, ada)
    assert service.published_version is not None
    draft = draft_start(service_version=service.published_version, channel="web")
    Draft.objects.filter(pk=draft.pk).update(resident=ada)

    page = client.get(reverse("profile:close")).content.decode()
    assert "You have 1 request still open" in page
    refused = client.post(reverse("profile:close"), {})
    assert refused.status_code == 400
    assert "Confirm that you understand closing your account" in refused.content.decode()

    response = client.post(reverse("profile:close"), {"confirm": "on"})

    assert response["Location"] == reverse("profile:closed")
    assert SESSION_KEY not in client.session
    ada.refresh_from_db()
    assert not ada.is_active
    assert "ada" not in ada.email
    assert not ada.has_usable_password()
    assert ada.first_name == ""
    assert not Profile.objects.filter(user=ada).exists()
    assert not HouseholdMember.objects.exists()
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert list(Consent.objects.filter(user=ada).values_list("action", flat=True)) == [
        "given",
        "withdrawn",
    ]
    finished.refresh_from_db()
    assert finished.redacted_at is not None
    assert finished.answers == {}
    assert finished.status == "cleared"  # the record is kept, for the council's figures
    still_open.refresh_from_db()
    assert still_open.redacted_at is None  # kept to be finished
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.ACCOUNT_CLOSED).count() == 2
    # Signed out, and no way back in to the closed account.
    assert client.get(reverse("profile:show")).status_code == 302
    again = Client()
    assert not again.login(email="ada@example.org", password="")

    sign_in(client, staff_user)
    page = client.get(reverse("backoffice:case", args=[finished.reference])).content.decode()
    assert "when the resident closed their account" in page
    page = client.get(reverse("backoffice:case", args=[still_open.reference])).content.decode()
    assert "The resident closed their account. This case is kept until it is finished" in page


def test_a_closed_case_of_a_service_that_keeps_its_records_is_kept(
    client, ada, fly_tipping, staff_user
):
    definition = dict(fly_tipping.published_version.definition)
    definition.pop("retention_days")
    service = service_import(organisation=fly_tipping.organisation, definition=definition).service
    case = _resident_case(service, ada)
    case_transition(case=case, to_status="cleared", actor=staff_user)

    client.post(reverse("profile:close"), {"confirm": "on"})

    case.refresh_from_db()
    assert case.redacted_at is None
    assert case.answers["waste_type"] == "furniture"
    assert case.events.filter(kind=CaseEvent.Kind.ACCOUNT_CLOSED).exists()


def test_a_session_signed_in_elsewhere_ends_when_the_account_closes(client, ada, council):
    other_browser = Client()
    other_browser.force_login(ada)

    client.post(reverse("profile:close"), {"confirm": "on"})

    assert other_browser.get(reverse("profile:show")).status_code == 302


# ---- one resident never reaches another's --------------------------------


@pytest.fixture
def bob_member(council):
    bob = resident_for_verified_email("bob@example.org")
    return household_member_save(
        user=bob, name="Bob's daughter", relationship="daughter", date_of_birth=None
    )


def test_no_resident_reaches_another_household_member_by_its_id(client, ada, bob_member):
    for name in ("household_edit", "household_remove"):
        url = reverse(f"profile:{name}", args=[bob_member.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"name": "Mine now", "relationship": "x"}).status_code == 404
    bob_member.refresh_from_db()
    assert bob_member.name == "Bob's daughter"


def test_no_resident_sees_another_profile_or_data(client, ada, bob_member, fly_tipping):
    bob = bob_member.profile.user
    bobs_case = _resident_case(fly_tipping, bob)

    for name in ("show", "data", "data_json"):
        body = client.get(reverse(f"profile:{name}")).content.decode()
        assert "bob@example.org" not in body, name
        assert "Bob's daughter" not in body, name
        assert bobs_case.reference not in body, name
    # The pages take no id, so there is none to change: ?user= is ignored.
    body = client.get(reverse("profile:data_json") + f"?user={bob.pk}").content.decode()
    assert "bob@example.org" not in body


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("edit", []),
        ("household_add", []),
        ("household_edit", ["member"]),
        ("household_remove", ["member"]),
        ("reuse", []),
        ("close", []),
    ],
)
def test_every_form_needs_its_csrf_token(ada, name, args):
    member = HouseholdMember.objects.get(profile__user=ada)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    url = reverse(f"profile:{name}", args=[member.pk if a == "member" else a for a in args])

    assert client.post(url, {"confirm": "on", "name": "x", "relationship": "y"}).status_code == 403
    assert User.objects.get(pk=ada.pk).is_active
    assert HouseholdMember.objects.filter(pk=member.pk).exists()


def test_the_export_is_not_cached(client, ada):
    response = client.get(reverse("profile:data_json"))
    assert "no-store" in response["Cache-Control"]
