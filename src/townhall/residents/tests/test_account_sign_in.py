"""Signing in with a password or an emailed code: the same answers whether
or not an address has an account, limits on failures on every path, codes
that expire and work once, a new session key, and only this site's pages
after signing in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from townhall.accounts.models import User
from townhall.notifications.models import Delivery
from townhall.residents.models import OneTimeCode, ResidentSession
from townhall.residents.tests.conftest import PASSWORD, code_in, last_email, signed_in_as
from townhall.tenancy.factories import MembershipFactory

pytestmark = pytest.mark.django_db
SIGN_IN = "/account/sign-in/"


def _password(client, email, password, **extra):
    return client.post(SIGN_IN, {"username": email, "password": password, **extra})


def _ask_code(client, email, **extra):
    return client.post("/account/sign-in/code/", {"email": email, **extra})


def _enter_code(client, code, **extra):
    return client.post("/account/sign-in/code/enter/", {"code": code, **extra})


def test_the_right_password_signs_in_with_a_new_session_key(client, resident):
    client.get(SIGN_IN)
    client.session.save()
    before = client.session.session_key

    response = _password(client, "ANN@example.org", PASSWORD)

    assert response["Location"] == "/account/"
    assert signed_in_as(client) == resident.pk
    assert client.session.session_key != before
    assert ResidentSession.objects.get(user=resident).session_key == client.session.session_key


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client, resident):
    wrong = _password(client, "ann@example.org", "not the password at all")
    unknown = _password(client, "nobody@example.org", "not the password at all")

    assert wrong.status_code == unknown.status_code == 400
    message = "The email address or password is not right"
    assert message in wrong.content.decode() and message in unknown.content.decode()
    assert signed_in_as(client) is None


def test_the_password_path_locks_out_after_the_limit(client, resident):
    for _ in range(3):
        _password(client, "ann@example.org", "not the password at all")

    locked = _password(client, "ann@example.org", PASSWORD)

    assert locked.status_code == 429
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    "wanted",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_never_leaves_the_site(client, resident, wanted):
    response = _password(client, "ann@example.org", PASSWORD, next=wanted)
    assert response["Location"] == "/account/"


def test_next_on_the_site_is_followed(client, resident):
    response = _password(client, "ann@example.org", PASSWORD, next="/services/")
    assert response["Location"] == "/services/"


def test_an_emailed_code_signs_in_once(client, resident):
    assert _ask_code(client, "ann@example.org", next="/services/").status_code == 302
    code = code_in(last_email("ann@example.org"))

    response = _enter_code(client, code, next="/services/")

    assert response["Location"] == "/services/"
    assert signed_in_as(client) == resident.pk
    client.post("/account/sign-out/")
    _ask_code(client, "ann@example.org")
    OneTimeCode.objects.filter(used_at__isnull=True).delete()  # only the used code is left
    assert _enter_code(client, code).status_code == 400
    assert signed_in_as(client) is None


def test_a_code_is_stored_only_hashed(client, resident):
    _ask_code(client, "ann@example.org")
    code = code_in(last_email("ann@example.org"))
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64


def test_a_code_for_an_address_without_an_account_makes_one_confirmed(client, council):
    known = _ask_code(client, "someone@example.org")
    assert known["Location"].startswith("/account/sign-in/code/enter/")
    code = code_in(last_email("someone@example.org"))

    _enter_code(client, code)

    user = User.objects.get(email="someone@example.org")
    assert signed_in_as(client) == user.pk
    assert user.resident_profile.email_verified
    assert not user.has_usable_password()


def test_asking_for_a_code_says_the_same_whoever_asks(client, resident):
    known = _ask_code(client, "ann@example.org")
    unknown = _ask_code(client, "nobody@example.org")
    assert known["Location"] == unknown["Location"]


def test_an_expired_code_does_not_sign_in(client, resident):
    _ask_code(client, "ann@example.org")
    code = code_in(last_email("ann@example.org"))
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = _enter_code(client, code)

    assert response.status_code == 400
    assert "has expired" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_new_code_replaces_the_old_one(client, resident):
    _ask_code(client, "ann@example.org")
    first = code_in(last_email("ann@example.org"))
    _ask_code(client, "ann@example.org")
    second = code_in(last_email("ann@example.org"))
    if first == second:
        pytest.skip("the same code was drawn twice")
    assert _enter_code(client, first).status_code == 400
    assert _enter_code(client, second).status_code == 302


def test_a_code_stops_working_after_too_many_wrong_guesses(client, resident, settings):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 50  # the code's own limit first
    settings.SIGN_IN_CLIENT_FAILURE_LIMIT = 50
    _ask_code(client, "ann@example.org")
    code = code_in(last_email("ann@example.org"))
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        _enter_code(client, wrong)

    assert _enter_code(client, code).status_code == 400
    assert signed_in_as(client) is None


def test_wrong_codes_lock_the_address_out(client, resident):
    _ask_code(client, "ann@example.org")
    code = code_in(last_email("ann@example.org"))
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        _enter_code(client, wrong)

    assert _enter_code(client, code).status_code == 429
    assert signed_in_as(client) is None
    # The password path shares the lockout.
    assert _password(client, "ann@example.org", PASSWORD).status_code == 429


def test_codes_emailed_are_limited_per_address(client, resident):
    for _ in range(7):
        _ask_code(client, "ann@example.org")
    assert Delivery.objects.filter(recipient="ann@example.org").count() == 5


def test_a_staff_address_gets_no_code(client, council):
    MembershipFactory(organisation=council, user__email="officer@example.gov.uk")

    response = _ask_code(client, "officer@example.gov.uk")

    assert response["Location"].startswith("/account/sign-in/code/enter/")
    assert not OneTimeCode.objects.exists()
    assert "/staff/login/" in last_email("officer@example.gov.uk").body


def test_signing_out_ends_the_session(client, resident):
    _password(client, "ann@example.org", PASSWORD)
    assert client.post("/account/sign-out/")["Location"] == SIGN_IN
    assert signed_in_as(client) is None
    assert not ResidentSession.objects.exists()
    assert client.get("/account/")["Location"] == "/account/sign-in/?next=%2Faccount%2F"
