"""An optional second factor for residents (an authenticator app, with
recovery codes), and resetting a forgotten password by email."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from townhall.accounts import two_factor
from townhall.accounts.models import User
from townhall.notifications.models import Delivery
from townhall.residents.models import ResidentSession
from townhall.residents.tests.conftest import (
    PASSWORD,
    code_in,
    last_email,
    link_in,
    signed_in_as,
)
from townhall.testing.sign_in import authenticator_for, current_code

pytestmark = pytest.mark.django_db


def _password(client, password=PASSWORD, **extra):
    data = {"username": "ann@example.org", "password": password, **extra}
    return client.post("/account/sign-in/", data)


def test_setting_up_an_authenticator_shows_recovery_codes(client, resident):
    _password(client)
    page = client.get("/account/two-factor/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=resident, confirmed=False)

    response = client.post("/account/two-factor/", {"code": current_code(device)})

    assert response.status_code == 200
    assert two_factor.has_authenticator(resident)
    assert two_factor.recovery_codes_left(resident) == 10
    assert len(re.findall(r"<code>[a-z0-9]{10}</code>", response.content.decode())) == 10


@pytest.fixture
def with_authenticator(resident):
    return authenticator_for(resident)


def test_with_an_authenticator_the_password_alone_does_not_sign_in(
    client, resident, with_authenticator
):
    response = _password(client, next="/services/")

    assert response["Location"] == "/account/sign-in/second-step/"
    assert signed_in_as(client) is None
    assert client.get("/account/")["Location"].startswith("/account/sign-in/")
    done = client.post(response["Location"], {"code": current_code(with_authenticator)})
    assert done["Location"] == "/services/"
    assert signed_in_as(client) == resident.pk


def test_an_emailed_code_also_needs_the_second_step(client, resident, with_authenticator):
    client.post("/account/sign-in/code/", {"email": "ann@example.org"})
    response = client.post(
        "/account/sign-in/code/enter/", {"code": code_in(last_email("ann@example.org"))}
    )
    assert response["Location"] == "/account/sign-in/second-step/"
    assert signed_in_as(client) is None


def test_a_recovery_code_works_once(client, resident, with_authenticator):
    codes = two_factor.recovery_codes_replace(user=resident)
    _password(client)
    assert client.post("/account/sign-in/second-step/", {"code": codes[0]}).status_code == 302
    assert signed_in_as(client) == resident.pk
    client.post("/account/sign-out/")
    _password(client)

    again = client.post("/account/sign-in/second-step/", {"code": codes[0]})

    assert again.status_code == 400
    assert signed_in_as(client) is None


def test_wrong_second_step_codes_lock_out(client, resident, with_authenticator):
    _password(client)
    for _ in range(2):  # with nothing else failed, the third failure reaches the limit
        client.post("/account/sign-in/second-step/", {"code": "000000"})
    client.post("/account/sign-in/second-step/", {"code": "000000"})

    locked = client.post(
        "/account/sign-in/second-step/", {"code": current_code(with_authenticator)}
    )

    assert locked.status_code == 429
    assert signed_in_as(client) is None


def test_the_second_step_without_a_first_goes_to_sign_in(client, resident):
    assert client.get("/account/sign-in/second-step/")["Location"] == "/account/sign-in/"


def test_a_reset_link_sets_a_new_password_once(client, resident):
    _password(client)
    other_browser_sessions = ResidentSession.objects.count()
    assert other_browser_sessions == 1
    fresh = client.__class__()

    assert fresh.post("/account/password-reset/", {"email": "ann@example.org"}).status_code == 302
    link = link_in(last_email("ann@example.org"))
    form = fresh.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    short = fresh.post(set_url, {"new_password1": "too short", "new_password2": "too short"})
    assert short.status_code == 200
    assert "at least 12 characters" in short.content.decode()
    new = "a brand new long password"
    done = fresh.post(set_url, {"new_password1": new, "new_password2": new})

    assert done["Location"] == "/account/password-reset/done/"
    assert User.objects.get(pk=resident.pk).check_password(new)
    assert not ResidentSession.objects.exists()
    assert client.get("/account/").status_code == 302  # the other browser is signed out
    again = fresh.get(link, follow=True)
    assert "expired or been used" in again.content.decode()


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, resident):
    known = client.post("/account/password-reset/", {"email": "ann@example.org"})
    unknown = client.post("/account/password-reset/", {"email": "nobody@example.org"})

    assert known["Location"] == unknown["Location"] == "/account/password-reset/sent/"
    assert Delivery.objects.filter(recipient="nobody@example.org").count() == 0
    assert Delivery.objects.filter(recipient="ann@example.org").count() == 1


def test_reset_emails_are_limited(client, resident):
    for _ in range(7):
        client.post("/account/password-reset/", {"email": "ann@example.org"})
    assert Delivery.objects.count() == 5
