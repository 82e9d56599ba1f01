"""What a sign-in record keeps: the browser's family and the client's network,
never the user agent or the full address; failures are recorded only for
accounts that exist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from townhall.accounts.models import SignIn
from townhall.accounts.sign_ins import browser_family, client_network, sign_in_record
from townhall.tenancy.factories import UserFactory

AGENTS = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36": "Chrome on Windows",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0": "Edge on Windows",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1": "Safari on iOS",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0": (
        "Firefox on macOS"
    ),
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36": "Samsung Internet on Android",
    "curl/8.5.0": "",
    "": "",
}


@pytest.mark.parametrize(("agent", "family"), AGENTS.items())
def test_browser_families(agent, family):
    assert browser_family(agent) == family


@given(st.text(max_size=300))
def test_any_user_agent_gives_a_short_family(agent):
    assert len(browser_family(agent)) <= 60


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.123", "192.0.2.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("not an address", ""),
        (None, ""),
    ],
)
def test_client_networks(address, network):
    assert client_network(address) == network


def test_a_wrong_password_for_an_account_is_recorded(client, staff_user):
    client.post(
        "/staff/login/",
        {"username": staff_user.email.upper(), "password": "wrong"},
        REMOTE_ADDR="203.0.113.77",
    )
    record = SignIn.objects.get()
    assert record.user == staff_user
    assert record.outcome == "wrong_password"
    assert record.client_network == "203.0.113.0/24"
    assert "203.0.113.77" not in str(SignIn.objects.values_list())


def test_a_wrong_password_for_nobody_is_not_recorded(client, staff_user):
    client.post("/staff/login/", {"username": "nobody@example.gov.uk", "password": "wrong"})
    assert not SignIn.objects.exists()


@pytest.mark.django_db
def test_records_past_the_retention_period_are_removed(settings):
    settings.SIGN_IN_RECORD_DAYS = 90
    user = UserFactory.create()
    old = SignIn.objects.create(user=user, outcome="verified")
    SignIn.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=91))
    sign_in_record(user=user, outcome="signed_in", request=RequestFactory().get("/"))
    assert list(SignIn.objects.values_list("outcome", flat=True)) == ["signed_in"]
