"""Signing in with a password and a second factor: setting up an authenticator
app (QR code and the secret as text), recovery codes shown once that each work
once, wrong codes counted towards the sign-in lockout, the council's rule, and
the admin site asking for the second factor too."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from townhall.accounts.models import SignIn
from townhall.audit.models import AuditEntry
from townhall.tenancy.factories import MembershipFactory, UserFactory
from townhall.testing.sign_in import authenticator_for, current_code, sign_in

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 3
    settings.SIGN_IN_CLIENT_FAILURE_LIMIT = 5
    settings.SIGN_IN_LOCKOUT = timedelta(minutes=15)


def _password(client, user, next_url=""):
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/staff/login/", data)


def _code_from_page(body: str) -> tuple[str, str]:
    """The secret the setup page shows as text, and the code an app makes from it."""
    secret = re.search(r'<code [^>]*id="secret">([A-Z2-7 ]+)</code>', body).group(1)
    import base64

    key = base64.b32decode(secret.replace(" ", ""))
    return secret, f"{totp(key):06d}"


def test_a_password_alone_leads_to_setting_up_an_authenticator(client, staff_user):
    response = _password(client, staff_user)
    assert response["Location"] == "/staff/account/two-factor/?next=%2Fstaff%2F"
    assert client.get("/staff/")["Location"].startswith("/staff/account/two-factor/")
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "Set up your authenticator app" in body
    assert "<svg" in body and "<title>QR code for your authenticator app</title>" in body
    assert "<script" not in body.split("<main", 1)[1].split("</main>")[0]  # no script needed
    secret, _code = _code_from_page(body)
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    assert secret.replace(" ", "") in device.config_url  # the QR code's otpauth:// URI


def test_setting_up_with_a_right_code_shows_recovery_codes_once(client, staff_user):
    _password(client, staff_user)
    body = client.get("/staff/account/two-factor/?next=/staff/").content.decode()
    _secret, code = _code_from_page(body)
    wrong = client.post("/staff/account/two-factor/?next=/staff/", {"code": "123456"})
    assert wrong.status_code == 400
    assert "The code is not right" in wrong.content.decode()
    # django-otp slows the next try after a failure by a second; the person takes longer.
    TOTPDevice.objects.filter(user=staff_user).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    done = client.post("/staff/account/two-factor/?next=/staff/", {"code": code})
    body = done.content.decode()
    assert "Your recovery codes" in body and "shown only once" in body
    codes = re.findall(r'<code class="govuk-!-font-size-24">([a-z2-9]{10})</code>', body)
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=staff_user).confirmed
    assert client.get("/staff/").status_code == 200  # verified now
    # Shown once: the account page says how many, never which.
    account = client.get("/staff/account/").content.decode()
    assert not any(c in account for c in codes)
    assert "Recovery codes left" in account


def test_each_recovery_code_works_once(client, staff_user):
    sign_in(client, staff_user)
    body = client.post("/staff/account/recovery-codes/").content.decode()
    codes = re.findall(r'<code class="govuk-!-font-size-24">([a-z2-9]{10})</code>', body)
    client.logout()
    _password(client, staff_user)
    response = client.post("/staff/login/code/?next=/staff/", {"code": codes[0].upper()})
    assert response["Location"] == "/staff/"
    assert "You used a recovery code. You have 9 left." in client.get("/staff/").content.decode()
    client.logout()
    _password(client, staff_user)
    again = client.post("/staff/login/code/?next=/staff/", {"code": codes[0]})
    assert again.status_code == 200
    assert "The code is not right" in again.content.decode()
    assert client.get("/staff/").status_code == 302


def test_the_code_from_the_app_signs_in_and_is_recorded(client, staff_user):
    device = authenticator_for(staff_user)
    response = _password(client, staff_user, next_url="/staff/contacts/")
    assert response["Location"] == "/staff/login/code/?next=%2Fstaff%2Fcontacts%2F"
    response = client.post(
        response["Location"],
        {"code": current_code(device)},
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    )
    assert response["Location"] == "/staff/contacts/"
    outcomes = list(SignIn.objects.filter(user=staff_user).order_by("at", "id"))
    assert [s.outcome for s in outcomes] == ["signed_in", "verified"]
    assert outcomes[-1].browser == "Firefox on Linux"
    assert outcomes[-1].client_network == "127.0.0.0/24"


def test_a_next_elsewhere_is_not_followed(client, staff_user):
    device = authenticator_for(staff_user)
    _password(client, staff_user)
    response = client.post(
        "/staff/login/code/?next=https://evil.example/", {"code": current_code(device)}
    )
    assert response["Location"] == "/staff/"


def test_wrong_codes_count_towards_the_lockout(client, staff_user):
    device = authenticator_for(staff_user)
    _password(client, staff_user)
    for _ in range(2):
        response = client.post("/staff/login/code/", {"code": "000000"})
        assert response.status_code == 200
        assert "The code is not right" in response.content.decode()
    response = client.post("/staff/login/code/", {"code": "000000"})
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    # Even the right code is refused until the lockout ends.
    response = client.post("/staff/login/code/", {"code": current_code(device)})
    assert response.status_code == 429
    assert client.get("/staff/").status_code == 302
    outcomes = set(SignIn.objects.filter(user=staff_user).values_list("outcome", flat=True))
    assert {"wrong_code", "locked_out"} <= outcomes


def test_a_council_may_switch_the_second_factor_off_and_it_is_audited(
    manager_client, council, staff_user
):
    client = Client()
    response = manager_client.post("/staff/council/security/", {})
    assert response["Location"] == "/staff/council/security/"
    council.refresh_from_db()
    assert not council.require_two_factor
    entry = AuditEntry.objects.get(action="changed_setting")
    assert entry.detail == "require_two_factor: off"
    assert entry.organisation == council
    # Staff without an authenticator now sign in with their password alone...
    assert _password(client, staff_user)["Location"] == "/staff/"
    client.logout()
    # ...but whoever set one up still gives it.
    authenticator_for(staff_user)
    assert _password(client, staff_user)["Location"].startswith("/staff/login/code/")


def test_the_admin_site_asks_for_the_second_factor(client, council):
    admin = UserFactory(email="admin@example.gov.uk", is_staff=True, is_superuser=True)
    device = authenticator_for(admin)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    # The password alone does not open it: on to the back office's second step.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/staff/login/code/?next=%2Fadmin%2F"
    response = client.post("/staff/login/code/?next=%2Fadmin%2F", {"code": current_code(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_admin_without_an_authenticator_is_sent_to_set_one_up(client, council):
    admin = UserFactory(email="admin@example.gov.uk", is_staff=True, is_superuser=True)
    client.post("/admin/login/?next=/admin/", {"username": admin.email, "password": PASSWORD})
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/staff/account/two-factor/")


def test_sign_ins_are_shown_to_the_person_and_to_their_councils_admins(
    client, council, other_council, staff_user
):
    SignIn.objects.create(
        user=staff_user,
        outcome="wrong_password",
        browser="Chrome on Windows",
        client_network="192.0.2.0/24",
    )
    sign_in(client, staff_user)
    mine = client.get("/staff/account/").content.decode()
    assert "Your recent sign-ins" in mine
    assert "Wrong password" in mine and "Chrome on Windows" in mine and "192.0.2.0/24" in mine
    admin = MembershipFactory(organisation=council, role="organisation_admin").user
    sign_in(client, admin)
    page = client.get("/staff/council/sign-ins/").content.decode()
    assert staff_user.email in page and "Wrong password" in page
    elsewhere = MembershipFactory(organisation=other_council, role="organisation_admin").user
    sign_in(client, elsewhere)
    assert staff_user.email not in client.get("/staff/council/sign-ins/").content.decode()


def test_the_councils_sign_ins_page_costs_the_same_for_more_staff(manager_client, council):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count: int) -> None:
        for _ in range(count):
            user = MembershipFactory.create(organisation=council).user
            SignIn.objects.create(user=user, outcome="verified")

    add(2)
    with CaptureQueriesContext(connection) as few:
        manager_client.get("/staff/council/sign-ins/")
    add(20)
    with CaptureQueriesContext(connection) as many:
        body = manager_client.get("/staff/council/sign-ins/").content.decode()
    assert len(few) == len(many)
    assert body.count("Second step passed") >= 22
