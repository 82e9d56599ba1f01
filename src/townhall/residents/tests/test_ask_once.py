"""Ask once: questions marked `prefill` are filled from a signed-in
resident's profile, only after they agree; check answers says which; they
can change an answer for this request only, or for their profile too."""

import copy

import pytest
from django.urls import reverse

from townhall.cases.factories import FLY_TIPPING_ANSWERS
from townhall.catalogue.services import service_import
from townhall.residents.consents import reuse_agree
from townhall.residents.identity import profile_for, resident_for_verified_email
from townhall.residents.models import Consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(fly_tipping):
    definition = copy.deepcopy(fly_tipping.published_version.definition)
    contact = next(p for p in definition["pages"] if p["id"] == "contact")
    contact["questions"] = [
        {"id": "name", "type": "name", "label": "Your name", "prefill": "profile.name"},
        {
            "id": "phone",
            "type": "phone",
            "label": "Your phone",
            "prefill": "profile.phone",
            "required": False,
        },
        {"id": "home", "type": "address", "label": "Your address", "prefill": "profile.address"},
        {**contact["questions"][0], "prefill": "profile.email"},
    ]
    definition["privacy_notice"] = "We keep **your report** for two years."
    return service_import(organisation=fly_tipping.organisation, definition=definition).service


@pytest.fixture
def ada(client, council):
    user = resident_for_verified_email("ada@example.org")
    user.first_name, user.last_name = "Ada", "Lovelace"
    user.save()
    profile = profile_for(user)
    profile.phone = "07700900982"
    profile.address = "1 Castle Street\nOxford"
    profile.postcode = "OX1 1AA"
    profile.save()
    client.force_login(user)
    return user


def _answer_all_but_contact(client, service):
    answers = dict(FLY_TIPPING_ANSWERS)
    steps = [
        ("what", {"waste_type": answers["waste_type"]}),
        ("how-much", {"size": answers["size"]}),
        ("where", {"location": answers["location"]}),
        ("when", {"seen_on-day": "5", "seen_on-month": "1", "seen_on-year": "2026"}),
        ("details", {"description": ""}),
        ("photo", {}),
    ]
    for page, data in steps:
        response = client.post(
            reverse("web:page", args=[service.slug, page]), {**data, "action": "continue"}
        )
        assert response.status_code == 302, (page, response.content.decode()[:3000])


def test_nothing_is_filled_in_before_the_resident_agrees(client, ada, service):
    start = client.get(reverse("web:start", args=[service.slug])).content.decode()
    assert "Fill in this form from your profile?" in start

    _answer_all_but_contact(client, service)
    page = client.get(reverse("web:page", args=[service.slug, "contact"])).content.decode()

    assert "Lovelace" not in page
    assert "07700900982" not in page


def test_after_agreeing_the_page_is_filled_in_and_check_answers_says_so(client, ada, service):
    first = reverse("web:page", args=[service.slug, "what"])
    response = client.post(
        reverse("profile:reuse"), {"agree": "on", "service": service.slug, "next": first}
    )
    assert response["Location"] == first
    consent = Consent.objects.get(user=ada)
    assert (consent.action, consent.service_slug) == ("given", service.slug)
    assert profile_for(ada).reuse_agreed_at is not None

    _answer_all_but_contact(client, service)
    page = client.get(reverse("web:page", args=[service.slug, "contact"])).content.decode()
    assert "We have filled in answers from your profile" in page
    assert 'value="Ada Lovelace"' in page
    assert 'value="1 Castle Street"' in page
    assert 'value="ada@example.org"' in page
    assert "Also update my profile with my answer to “Your phone”" in page
    assert "update-profile-email" not in page  # the sign-in address is not changed here

    # What the resident sends is what they saw: the page's fields as filled in.
    response = client.post(
        reverse("web:page", args=[service.slug, "contact"]),
        {
            "name": "Ada Lovelace",
            "phone": "07700 900982",
            "home-line1": "1 Castle Street",
            "home-line2": "",
            "home-town": "Oxford",
            "home-postcode": "OX1 1AA",
            "email": "ada@example.org",
            "action": "continue",
        },
    )
    assert response.status_code == 302
    check = client.get(reverse("web:check", args=[service.slug])).content.decode()
    assert check.count("From your profile</strong>") == 4
    assert "How Example Council uses your information" in check


def test_an_answer_changed_for_this_request_only_leaves_the_profile(client, ada, service):
    reuse_agree(user=ada, service_slug=service.slug)
    _answer_all_but_contact(client, service)

    client.post(
        reverse("web:page", args=[service.slug, "contact"]),
        {
            "name": "Ada King",
            "phone": "",
            "home-line1": "1 Castle Street",
            "home-town": "Oxford",
            "home-postcode": "OX1 1AA",
            "email": "ada@example.org",
            "action": "continue",
        },
    )

    ada.refresh_from_db()
    assert ada.last_name == "Lovelace"
    check = client.get(reverse("web:check", args=[service.slug])).content.decode()
    assert "Ada King" in check
    assert check.count("From your profile</strong>") == 2  # the address and email


def test_also_update_my_profile_changes_it(client, ada, service):
    reuse_agree(user=ada, service_slug=service.slug)
    _answer_all_but_contact(client, service)

    client.post(
        reverse("web:page", args=[service.slug, "contact"]),
        {
            "name": "Ada King",
            "phone": "07700 900123",
            "home-line1": "2 New Road",
            "home-town": "Oxford",
            "home-postcode": "OX1 1BX",
            "email": "ada@example.org",
            "update_profile": ["name", "home", "email"],
            "action": "continue",
        },
    )

    ada.refresh_from_db()
    profile = profile_for(ada)
    assert (ada.first_name, ada.last_name) == ("Ada", "King")
    assert profile.address == "2 New Road\nOxford"
    assert profile.postcode == "OX1 1BX"
    assert profile.phone == "07700900982"  # not ticked
    assert ada.email == "ada@example.org"


def test_staff_recording_a_contact_get_no_profile(client, staff_user, service):
    from townhall.testing.sign_in import sign_in

    sign_in(client, staff_user)
    page = client.get(reverse("web:start", args=[service.slug])).content.decode()

    assert "Fill in this form from your profile?" not in page


def test_the_privacy_notice_is_linked_from_the_start_page(client, service):
    start = client.get(reverse("web:start", args=[service.slug])).content.decode()
    assert reverse("web:privacy", args=[service.slug]) in start

    page = client.get(reverse("web:privacy", args=[service.slug])).content.decode()
    assert "How Example Council uses your information" in page
    assert "<strong>your report</strong>" in page


def test_a_service_without_a_privacy_notice_has_no_page(client, fly_tipping):
    assert client.get(reverse("web:privacy", args=[fly_tipping.slug])).status_code == 404
