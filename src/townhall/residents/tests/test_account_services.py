"""Services for signed-in residents: offered online with a "sign in to
apply" hint; someone not signed in, or without a confirmed address, is sent
to sign in or confirm and then back; the draft and case are the resident's,
with the account's email as the contact."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from townhall.accounts.models import User
from townhall.cases.models import Case, Draft
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.residents.identity import resident_for_verified_email
from townhall.residents.tests.conftest import PASSWORD
from townhall.web.tests.test_journey import page, seen_yesterday

pytestmark = pytest.mark.django_db
FIRST = page("what")


@pytest.fixture
def for_residents(council):
    """Fly-tipping, published for signed-in residents only."""
    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    definition["audience"] = "signed_in"
    return service_import(organisation=council, definition=definition).service


def _signed_in(email="ann@example.org", *, verified=True):
    if verified:
        user = resident_for_verified_email(email)
        user.set_password(PASSWORD)
        user.save()
    else:
        user = User.objects.create_user(email=email, password=PASSWORD)
    browser = Client()
    browser.post("/account/sign-in/", {"username": email, "password": PASSWORD})
    return browser, user


def _answer(browser):
    steps = [
        ("what", {"waste_type": "furniture"}),
        ("how-much", {"size": "small_van"}),
        ("where", {"location": "Behind the shops on Castle Street"}),
        ("when", seen_yesterday()),
        ("details", {"description": "A sofa and two mattresses"}),
        ("photo", {}),
        ("contact", {"email": ""}),
    ]
    for name, data in steps:
        response = browser.post(page(name), data)
        assert response.status_code == 302, (name, response.content.decode()[:1500])


def test_the_list_offers_it_with_a_hint(client, for_residents):
    listing = client.get("/services/").content.decode()
    assert "Report fly-tipping" in listing
    assert "Sign in to apply" in listing
    start = client.get("/services/report-fly-tipping/").content.decode()
    assert "You need to sign in to apply" in start


def test_someone_not_signed_in_is_sent_to_sign_in_and_back(client, for_residents):
    response = client.get(FIRST)
    assert response["Location"] == f"/account/sign-in/?{urlencode({'next': FIRST})}"
    user = resident_for_verified_email("ann@example.org")
    user.set_password(PASSWORD)
    user.save()
    signed = client.post(
        "/account/sign-in/", {"username": user.email, "password": PASSWORD, "next": FIRST}
    )
    assert signed["Location"] == FIRST
    assert client.get(FIRST).status_code == 200


def test_a_resident_without_a_confirmed_address_is_sent_to_confirm_it(for_residents):
    browser, _user = _signed_in(verified=False)
    response = browser.get(FIRST)
    assert response["Location"].startswith("/account/verify/?next=")
    assert not Draft.objects.exists()


def test_a_verified_resident_applies_and_the_case_is_theirs(for_residents):
    browser, user = _signed_in()
    _answer(browser)

    draft = Draft.objects.get()
    assert draft.resident == user
    response = browser.post("/services/report-fly-tipping/check/", {})
    assert response["Location"] == "/services/report-fly-tipping/done/"
    case = Case.objects.get()
    assert case.resident == user
    assert case.contact_email == "ann@example.org"


def test_another_residents_draft_never_opens(for_residents):
    ann, _ann = _signed_in()
    ann.post(page("what"), {"waste_type": "furniture"})
    draft = Draft.objects.get()
    bob, _bob = _signed_in("bob@example.org")
    session = bob.session
    session["townhall_drafts"] = {str(for_residents.pk): str(draft.pk)}
    session.save()

    response = bob.get(page("how-much"))

    assert response["Location"] == "/services/report-fly-tipping/"
    assert bob.post("/services/report-fly-tipping/check/", {}).status_code == 302
    assert not Case.objects.exists()


def test_the_apis_still_refuse_it_without_a_resident(for_residents):
    from townhall.cases.journey import JourneyUnavailable, case_create

    with pytest.raises(JourneyUnavailable):
        case_create(
            service_version=for_residents.published_version,
            answers={},
            channel="api",
        )


def test_a_service_for_anyone_still_works_without_signing_in(client, fly_tipping):
    assert client.get(FIRST).status_code == 200
