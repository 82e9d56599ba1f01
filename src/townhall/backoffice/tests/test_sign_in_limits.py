"""Failed sign-ins are limited per account and per client, on the back office's
sign-in page and the admin site's alike; a locked-out person gets the
council's page saying when to try again, and the right password does not
work until then."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone

from townhall.tenancy.factories import UserFactory

PASSWORD = "correct horse battery staple"
STAFF_LOGIN = "/staff/login/"
ADMIN_LOGIN = "/admin/login/"
LOGIN_PAGES = [STAFF_LOGIN, ADMIN_LOGIN]


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT = 3
    settings.SIGN_IN_CLIENT_FAILURE_LIMIT = 5
    settings.SIGN_IN_LOCKOUT = timedelta(minutes=15)


@pytest.fixture
def admin_user(council):
    return UserFactory(email="admin@example.gov.uk", is_staff=True, is_superuser=True)


@pytest.fixture(params=LOGIN_PAGES)
def page_and_user(request, staff_user, admin_user):
    """Each sign-in page, with someone who may sign in there."""
    page = request.param
    return page, admin_user if page == ADMIN_LOGIN else staff_user


def _sign_in(client, page, email, password, address="192.0.2.1"):
    return client.post(page, {"username": email, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, page, email, times, address="192.0.2.1"):
    for _ in range(times):
        response = _sign_in(client, page, email, "wrong password", address)
    return response


def test_failures_below_the_limit_are_ordinary_wrong_passwords(client, page_and_user):
    page, user = page_and_user
    response = _fail(client, page, user.email, 2)
    assert response.status_code == 200
    assert "Please enter" in response.content.decode()
    assert _sign_in(client, page, user.email, PASSWORD).status_code == 302
    assert _signed_in(client)


def test_the_failure_that_reaches_the_limit_locks_the_account(client, page_and_user):
    page, user = page_and_user
    response = _fail(client, page, user.email, 3)
    body = response.content.decode()
    assert response.status_code == 429
    assert "Too many attempts to sign in" in body
    assert "Example Council" in body  # the council's own page
    assert "You can try again from " in body and "(in 15 minutes)." in body
    assert "even with the right password" in body
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert "no-store" in response["Cache-Control"]


def test_the_right_password_does_not_work_while_locked_out(client, page_and_user):
    page, user = page_and_user
    _fail(client, page, user.email, 3)
    response = _sign_in(client, page, user.email, PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)
    # A refused attempt does not count, so the lockout still ends when it said.
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 3


def test_the_account_is_locked_from_every_client_and_on_both_sign_in_pages(client, admin_user):
    _fail(client, STAFF_LOGIN, admin_user.email, 2, address="192.0.2.1")
    _fail(client, ADMIN_LOGIN, admin_user.email, 1, address="198.51.100.7")
    for page in LOGIN_PAGES:
        response = _sign_in(client, page, admin_user.email, PASSWORD, address="203.0.113.9")
        assert response.status_code == 429
    assert not _signed_in(client)


def test_the_account_is_the_email_address_in_any_case(client, staff_user):
    _fail(client, STAFF_LOGIN, "CASEWORKER@example.gov.uk", 2)
    _fail(client, STAFF_LOGIN, " Caseworker@Example.gov.uk ", 1)
    response = _sign_in(client, STAFF_LOGIN, staff_user.email, PASSWORD, address="203.0.113.9")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {staff_user.email}


def test_one_client_trying_many_accounts_is_locked_at_the_client_limit(
    client, staff_user, admin_user
):
    for number in range(4):
        response = _sign_in(client, STAFF_LOGIN, f"guess{number}@example.gov.uk", "x")
        assert response.status_code == 200
    assert _sign_in(client, STAFF_LOGIN, "guess4@example.gov.uk", "x").status_code == 429
    # Every account, from that client, even with the right password.
    assert _sign_in(client, ADMIN_LOGIN, admin_user.email, PASSWORD).status_code == 429
    assert _sign_in(client, STAFF_LOGIN, staff_user.email, PASSWORD).status_code == 429
    assert not _signed_in(client)
    # Another client is not held back by it.
    response = _sign_in(client, STAFF_LOGIN, staff_user.email, PASSWORD, address="203.0.113.9")
    assert response.status_code == 302
    assert _signed_in(client)


def test_a_locked_account_does_not_lock_other_accounts(client, staff_user, admin_user):
    _fail(client, STAFF_LOGIN, staff_user.email, 3, address="192.0.2.1")
    response = _sign_in(client, ADMIN_LOGIN, admin_user.email, PASSWORD, address="198.51.100.7")
    assert response.status_code == 302
    assert _signed_in(client)


def test_the_lockout_ends_after_the_lockout_period(client, staff_user):
    _fail(client, STAFF_LOGIN, staff_user.email, 3)
    assert _sign_in(client, STAFF_LOGIN, staff_user.email, PASSWORD).status_code == 429
    # The failures happened 15 minutes and a second ago.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    response = _sign_in(client, STAFF_LOGIN, staff_user.email, PASSWORD)
    # On to the second step: setting up an authenticator, which they have not.
    assert response["Location"] == "/staff/account/two-factor/?next=%2Fstaff%2F"
    assert _signed_in(client)
    # Expired failures are deleted, not kept.
    assert not AccessAttempt.objects.exists()


def test_an_administrator_can_let_someone_in_sooner(client, staff_user):
    _fail(client, STAFF_LOGIN, staff_user.email.upper(), 3)
    call_command("axes_reset_username", staff_user.email, stdout=io.StringIO())
    assert _sign_in(client, STAFF_LOGIN, staff_user.email, PASSWORD).status_code == 302


def test_the_page_says_when_the_lockout_ends(client, staff_user, settings):
    settings.SIGN_IN_LOCKOUT = timedelta(minutes=1)
    response = _fail(client, STAFF_LOGIN, staff_user.email, 3)
    assert "(in 1 minute)." in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_lockout_ends_when_the_failures_that_made_it_expire(client, staff_user):
    _fail(client, STAFF_LOGIN, staff_user.email, 2, address="192.0.2.1")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))
    response = _fail(client, STAFF_LOGIN, staff_user.email, 1, address="198.51.100.7")
    assert response.status_code == 429
    # The older two failures expire in 5 minutes; then only one is left.
    assert 4 * 60 < int(response["Retry-After"]) <= 5 * 60
    assert "(in 5 minutes)." in response.content.decode()


def test_failures_store_no_password(client, staff_user):
    _fail(client, STAFF_LOGIN, staff_user.email, 1)
    attempt = AccessAttempt.objects.get()
    assert "wrong password" not in attempt.post_data
    assert attempt.ip_address == "192.0.2.1"


@pytest.mark.parametrize("page", LOGIN_PAGES)
@pytest.mark.parametrize("bad", ["\x00", "a\x00@example.gov.uk", "\x01\x1f\x7f", "x" * 300])
def test_control_characters_and_long_values_in_the_form_are_refused_clearly(
    client, staff_user, page, bad
):
    for data in ({"username": bad, "password": PASSWORD}, {"username": "a@b", "password": bad}):
        response = client.post(page, data)
        assert response.status_code == 200
        assert not _signed_in(client)


def test_control_characters_in_the_email_address_count_for_the_account_without_them(
    client, staff_user
):
    _fail(client, STAFF_LOGIN, "caseworker@example.gov.uk\x01", 3)
    assert _sign_in(client, STAFF_LOGIN, staff_user.email, PASSWORD).status_code == 429


def _settings_from(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Settings read afresh from these environment variables, in a new process."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import townhall.settings as s; print(s.SIGN_IN_ACCOUNT_FAILURE_LIMIT,"
            " s.SIGN_IN_CLIENT_FAILURE_LIMIT, s.SIGN_IN_LOCKOUT.total_seconds())",
        ],
        env={**os.environ, "TOWNHALL_ENV": "test", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_limits_are_read_from_the_environment():
    result = _settings_from(
        {
            "SIGN_IN_ACCOUNT_FAILURE_LIMIT": "4",
            "SIGN_IN_CLIENT_FAILURE_LIMIT": "40",
            "SIGN_IN_LOCKOUT_MINUTES": "30",
        }
    )
    assert result.stdout.split() == ["4", "40", "1800.0"], result.stderr


def test_the_client_is_the_connecting_address_never_a_header(client, staff_user):
    """Behind trusted proxies, the address they name is put in REMOTE_ADDR
    before any view runs (ADR 0017); headers a client sends change nothing."""
    for number in range(5):
        client.post(
            STAFF_LOGIN,
            {"username": f"guess{number}@example.gov.uk", "password": "x"},
            REMOTE_ADDR="192.0.2.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
            HTTP_X_REAL_IP=f"198.51.100.{number}",
            HTTP_CLIENT_IP=f"198.51.100.{number}",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.1"}
    locked = _sign_in(client, STAFF_LOGIN, staff_user.email, PASSWORD, address="192.0.2.1")
    assert locked.status_code == 429


def test_behind_a_trusted_proxy_the_client_is_the_one_it_names(client, staff_user, settings):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(5):
        client.post(
            STAFF_LOGIN,
            {"username": f"guess{number}@example.gov.uk", "password": "x"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}, 192.0.2.1",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.1"}
    # The proxy's other clients are not held back; the one it named is.
    for address, status in [("203.0.113.9", 302), ("192.0.2.1", 429)]:
        client.logout()
        response = client.post(
            STAFF_LOGIN,
            {"username": staff_user.email, "password": PASSWORD},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=address,
        )
        assert response.status_code == status, address
    # A peer that is not a trusted proxy cannot name another client.
    client.post(
        STAFF_LOGIN,
        {"username": "guess@example.gov.uk", "password": "x"},
        REMOTE_ADDR="198.51.100.50",
        HTTP_X_FORWARDED_FOR="192.0.2.77",
    )
    assert AccessAttempt.objects.filter(ip_address="198.51.100.50").exists()
    assert not AccessAttempt.objects.filter(ip_address="192.0.2.77").exists()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SIGN_IN_LOCKOUT_MINUTES": "0"}, "SIGN_IN_LOCKOUT_MINUTES must be at least 1"),
        (
            {"SIGN_IN_ACCOUNT_FAILURE_LIMIT": "20", "SIGN_IN_CLIENT_FAILURE_LIMIT": "10"},
            "no more than SIGN_IN_CLIENT_FAILURE_LIMIT",
        ),
    ],
)
def test_settings_that_cannot_work_are_refused_at_start(env, message):
    result = _settings_from(env)
    assert result.returncode != 0
    assert message in result.stderr
