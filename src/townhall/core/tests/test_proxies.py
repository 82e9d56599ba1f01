"""Which proxy headers are believed, and who the client is (ADR 0017)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest
from django.test import RequestFactory

from townhall.core.middleware import ProxyHeadersMiddleware
from townhall.core.proxies import forwarded_client, peer_is_trusted
from townhall.core.throttle import client_key


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    settings.TRUSTED_PROXY_COUNT = 1
    return settings


def _key_seen_by_the_app(**meta: str) -> str:
    """The rate-limit key for a request once it has been through the middleware."""
    keys = []

    def view(request):
        keys.append(client_key(request, "track"))

    ProxyHeadersMiddleware(view)(RequestFactory().get("/", **meta))  # type: ignore[arg-type]
    return keys[0]


def _key_of(address: str) -> str:
    return client_key(RequestFactory().get("/", REMOTE_ADDR=address), "track")


# ---- the client's address in X-Forwarded-For -------------------------------------


@pytest.mark.parametrize(
    ("header", "count", "client"),
    [
        ("203.0.113.7", 1, "203.0.113.7"),
        ("198.51.100.99, 203.0.113.7", 1, "203.0.113.7"),  # the first entry is the client's
        ("198.51.100.99, 203.0.113.7, 10.0.0.2", 2, "203.0.113.7"),
        ("203.0.113.7", 2, "203.0.113.7"),  # fewer proxies than counted: a proxy wrote it
        ("203.0.113.7:51234", 1, "203.0.113.7"),
        ("[2001:db8::1]:443", 1, "2001:db8::1"),
        ("2001:db8::1", 1, "2001:db8::1"),
        ("::ffff:203.0.113.7", 1, "203.0.113.7"),
        ("unknown", 1, None),
        ("", 1, None),
        (" , ", 1, None),
    ],
)
def test_the_client_is_counted_from_the_right(header, count, client):
    assert forwarded_client(header, count=count) == client


@pytest.mark.parametrize(
    ("peer", "trusted", "expected"),
    [
        ("127.0.0.1", ["127.0.0.1", "::1"], True),
        ("::1", ["127.0.0.1", "::1"], True),
        ("10.1.2.3", ["10.0.0.0/8"], True),
        ("::ffff:10.1.2.3", ["10.0.0.0/8"], True),
        ("192.0.2.1", ["10.0.0.0/8"], False),
        ("192.0.2.1", ["*"], True),
        ("", ["127.0.0.1"], False),
        ("not-an-address", ["127.0.0.1"], False),
    ],
)
def test_only_listed_peers_are_trusted(peer, trusted, expected):
    assert peer_is_trusted(peer, trusted) is expected


# ---- the HTTPS redirect --------------------------------------------------------------


def test_behind_a_trusted_proxy_an_https_request_is_served_not_redirected(client, behind_proxy):
    response = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


def test_behind_a_proxy_a_plain_http_request_is_redirected_to_https(client, behind_proxy):
    response = client.get("/healthz")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/healthz"


def test_a_peer_that_is_not_a_trusted_proxy_cannot_claim_https(client, behind_proxy, caplog):
    with caplog.at_level(logging.WARNING, logger="townhall.core.middleware"):
        ProxyHeadersMiddleware.warned = False
        response = client.get(
            "/healthz", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="198.51.100.20"
        )
    assert response.status_code == 301
    assert "not in TRUSTED_PROXIES" in caplog.text
    assert "198.51.100.20" not in caplog.text  # it may be a resident's address


def test_without_behind_proxy_forwarded_proto_is_not_believed(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301


# ---- rate-limit keys -----------------------------------------------------------------


def test_behind_a_proxy_each_resident_has_their_own_key(behind_proxy):
    one = _key_seen_by_the_app(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    two = _key_seen_by_the_app(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert one == _key_of("203.0.113.7")
    assert two == _key_of("203.0.113.8")
    assert one != two


def test_behind_a_proxy_a_forged_first_entry_does_not_change_the_key(behind_proxy):
    forged = _key_seen_by_the_app(
        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"
    )
    assert forged == _key_of("203.0.113.7")


def test_behind_two_proxies_the_client_is_second_from_the_right(behind_proxy):
    behind_proxy.TRUSTED_PROXY_COUNT = 2
    key = _key_seen_by_the_app(
        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7, 10.0.0.2"
    )
    assert key == _key_of("203.0.113.7")


def test_a_peer_that_is_not_a_trusted_proxy_is_known_by_its_own_address(behind_proxy):
    key = _key_seen_by_the_app(REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert key == _key_of("198.51.100.20")


def test_without_behind_proxy_x_forwarded_for_is_ignored(settings):
    assert settings.BEHIND_PROXY is False
    key = _key_seen_by_the_app(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert key == _key_of("127.0.0.1")


# ---- settings ------------------------------------------------------------------------


def _settings_import(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"TRUSTED_PROXIES", "BEHIND_PROXY"}}
    return subprocess.run(
        [sys.executable, "-c", "import townhall.settings as s; print(s.TRUSTED_PROXY_COUNT)"],
        env={**clean, "TOWNHALL_ENV": "test", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_refuse_a_trusted_proxy_that_is_not_an_address():
    result = _settings_import({"TRUSTED_PROXIES": "10.0.0.1,proxy.internal"})
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.internal' is not an IP address" in result.stderr


def test_settings_refuse_a_proxy_count_below_one():
    result = _settings_import({"TRUSTED_PROXY_COUNT": "0"})
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be 1 or more" in result.stderr


def test_settings_refuse_the_proxys_queue_time_without_a_proxy():
    result = _settings_import({"WEB_PROXY_QUEUE_TIME": "true"})
    assert result.returncode != 0
    assert "WEB_PROXY_QUEUE_TIME reads X-Request-Start from a trusted proxy" in result.stderr
