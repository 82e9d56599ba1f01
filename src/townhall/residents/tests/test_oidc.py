"""Signing in with OpenID Connect, end to end: Django's test client follows
the redirects to a real provider started by the test (testing.oidc_provider),
and Townhall talks to it over HTTP for discovery, keys, tokens and userinfo."""

from __future__ import annotations

import json
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.template import Context, Template

from townhall.accounts.models import User
from townhall.residents import oidc, oidc_views
from townhall.residents.models import OidcIdentity
from townhall.tenancy.factories import MembershipFactory
from townhall.testing.oidc_provider import LocalProvider, signing_key

pytestmark = pytest.mark.django_db

CLIENT_ID = "townhall-test-client"
REDIRECT_URI = "http://testserver/account/oidc/callback/"


@pytest.fixture(params=["ES256", "RS256"])
def provider(request, settings):
    """A provider signing id tokens with the parameter's algorithm; the client
    signs its assertions with the same family of key."""
    alg = request.param
    client_key = signing_key(alg, f"client-{alg}")
    local = LocalProvider(
        client_id=CLIENT_ID,
        client_key=client_key,
        client_alg=alg,
        redirect_uri=REDIRECT_URI,
        id_token_alg=alg,
    ).start()
    settings.OIDC_ISSUER = local.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_PRIVATE_KEY = client_key.as_pem(private=True).decode()
    settings.OIDC_PRIVATE_KEY_ID = client_key.kid
    settings.OIDC_CLIENT_ASSERTION_ALG = alg
    settings.OIDC_REDIRECT_URI = REDIRECT_URI
    yield local
    local.stop()


def to_provider(client, next_url="/services/"):
    """Start signing in; the provider's redirect back to Townhall."""
    start = client.get("/account/oidc/start/", {"next": next_url})
    assert start.status_code == 302, start.content
    answer = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return urlsplit(answer.headers["Location"])


def sign_in(client, next_url="/services/"):
    back = to_provider(client, next_url)
    return client.get(f"{back.path}?{back.query}")


def signed_in_user(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def test_a_resident_signs_in_and_their_account_is_made(client, provider):
    response = sign_in(client, next_url="/services/")

    assert response.status_code == 302
    assert response["Location"] == "/services/"
    user = signed_in_user(client)
    assert user.email == "ann@example.org"
    assert not user.has_usable_password()
    assert user.resident_profile.email_verified
    assert user.resident_profile.phone == "+447700900123"
    identity = OidcIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (provider.issuer, provider.person.sub)
    assert provider.rejected == []


def test_signing_in_gives_the_session_a_new_key(client, provider):
    back = to_provider(client)
    before = client.session.session_key

    client.get(f"{back.path}?{back.query}")

    assert signed_in_user(client) is not None
    assert client.session.session_key != before


def test_starting_too_often_from_one_client_is_refused(client, provider):
    for _ in range(oidc_views.ATTEMPTS_PER_CLIENT):
        assert client.get("/account/oidc/start/").status_code == 302

    response = client.get("/account/oidc/start/")

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_the_authorize_request_is_as_gov_uk_one_login_documents(client, provider):
    to_provider(client)

    (asked,) = provider.authorize_requests
    assert asked["response_type"] == "code"
    assert asked["client_id"] == CLIENT_ID
    assert asked["scope"] == "openid email phone"
    assert asked["redirect_uri"] == REDIRECT_URI
    assert json.loads(asked["vtr"]) == ["Cl.Cm"]
    assert asked["ui_locales"] == "en"
    assert len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32
    assert asked["code_challenge_method"] == "S256"


def test_the_token_request_carries_a_signed_client_assertion_and_no_secret(client, provider):
    sign_in(client)

    (form,) = provider.token_requests
    assert form["client_assertion_type"].endswith(":jwt-bearer")
    assert "client_secret" not in form
    assert form["code_verifier"]


def test_a_welsh_reader_is_asked_in_welsh(client, provider):
    client.cookies["django_language"] = "cy"

    to_provider(client)

    assert provider.authorize_requests[0]["ui_locales"] == "cy"


def test_an_existing_account_with_the_verified_email_is_signed_in(client, provider):
    existing = User.objects.create_user(email="Ann@Example.org", password="a long enough one")

    sign_in(client)

    assert signed_in_user(client) == existing
    assert User.objects.count() == 1


def test_a_changed_email_at_the_provider_still_finds_the_account(client, provider):
    sign_in(client)
    first = signed_in_user(client)
    client.logout()
    provider.person.email = "ann.new@example.org"

    sign_in(client)

    assert signed_in_user(client) == first
    assert User.objects.count() == 1


def test_an_outside_next_page_is_not_followed(client, provider):
    response = sign_in(client, next_url="https://evil.example/")

    assert response.status_code == 302
    assert response["Location"] == "/account/"  # the account home, not the outside page
    assert signed_in_user(client) is not None


def test_a_state_that_does_not_match_signs_no_one_in(client, provider):
    back = to_provider(client)
    query = parse_qs(back.query)

    response = client.get(back.path, {"code": query["code"][0], "state": "forged"})

    assert response.status_code == 400
    assert "could not be finished" in response.content.decode()
    assert signed_in_user(client) is None
    assert provider.token_requests == []
    assert not User.objects.exists()


def test_a_return_without_starting_signs_no_one_in(client, provider):
    response = client.get("/account/oidc/callback/", {"code": "x", "state": "y"})

    assert response.status_code == 400
    assert "Your sign-in has expired" in response.content.decode()
    assert not User.objects.exists()


def test_the_same_answer_cannot_be_used_twice(client, provider):
    back = to_provider(client)
    client.get(f"{back.path}?{back.query}")
    client.logout()

    again = client.get(f"{back.path}?{back.query}")

    assert again.status_code == 400
    assert signed_in_user(client) is None


def test_an_error_from_the_provider_is_explained(client, provider):
    provider.error = "access_denied"

    response = sign_in(client)

    assert response.status_code == 400
    assert "You did not sign in" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("fault", "value", "logged"),
    [
        ("nonce", "not-the-nonce-asked-for", "Invalid claim: 'nonce'"),
        ("expires_in", -60, "expired"),
        ("audience", "someone-else", "Invalid claim: 'aud'"),
        ("vot", "Cl", "vot is not a level that was asked for"),
        ("unpublished_key", True, "a key the provider does not publish"),
    ],
)
def test_an_id_token_that_fails_a_check_signs_no_one_in(
    client, provider, caplog, fault, value, logged
):
    setattr(provider, fault, value)

    response = sign_in(client)

    assert response.status_code == 502
    assert "could not check" in response.content.decode()
    assert logged in caplog.text
    assert signed_in_user(client) is None
    assert not User.objects.exists()
    assert not OidcIdentity.objects.exists()


def test_an_id_token_signed_with_an_algorithm_not_allowed_is_refused(
    client, provider, caplog, settings
):
    settings.OIDC_ID_TOKEN_ALGS = ["RS256"] if provider.id_token_alg == "ES256" else ["ES256"]

    response = sign_in(client)

    assert response.status_code == 502
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_a_client_assertion_the_provider_cannot_verify_is_refused(client, provider, settings):
    # The client signs with a key the provider has never seen.
    other = signing_key(provider.client_alg, f"stranger-{provider.client_alg}")
    settings.OIDC_PRIVATE_KEY = other.as_pem(private=True).decode()

    response = sign_in(client)

    assert provider.rejected == ["bad client assertion: BadSignatureError"]
    assert response.status_code == 502
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_an_unverified_email_signs_no_one_in(client, provider):
    provider.person.email_verified = False

    response = sign_in(client)

    assert response.status_code == 403
    assert "has not been confirmed" in response.content.decode()
    assert not User.objects.exists()


def test_a_staff_account_cannot_be_entered_this_way(client, provider):
    staff = User.objects.create_user(email="ann@example.org", password="a long enough one")
    MembershipFactory(user=staff)

    response = sign_in(client)

    assert response.status_code == 403
    assert "staff" in response.content.decode()
    assert signed_in_user(client) is None
    assert not OidcIdentity.objects.filter(user=staff).exists()


def test_a_provider_that_cannot_be_reached_gives_a_clear_page(client, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.OIDC_ISSUER = f"http://127.0.0.1:{port}"
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_PRIVATE_KEY = signing_key("ES256", "client-ES256").as_pem(private=True).decode()
    settings.OIDC_CLIENT_ASSERTION_ALG = "ES256"

    response = client.get("/account/oidc/start/")

    assert response.status_code == 503
    assert "sign-in service is not available" in response.content.decode()


def test_a_provider_that_goes_down_before_the_return_gives_a_clear_page(client, provider):
    back = to_provider(client)
    provider.stop()

    response = client.get(f"{back.path}?{back.query}")

    assert response.status_code == 503
    assert not User.objects.exists()


def test_discovery_is_fetched_once_and_kept(provider):
    oidc.provider()
    provider.stop()

    assert oidc.provider().token_endpoint == f"{provider.issuer}/token"


def test_keys_the_provider_rotates_are_read_again_once(client, provider):
    sign_in(client)
    client.logout()
    provider.key_id = f"rotated-{provider.id_token_alg}"

    response = sign_in(client)

    assert response.status_code == 302
    assert signed_in_user(client) is not None
    assert provider.paths.count("/.well-known/openid-configuration") == 1
    assert provider.paths.count("/.well-known/jwks.json") == 2


def test_a_councils_own_provider_without_vectors_of_trust(client, provider, settings):
    settings.OIDC_VTR = ""
    settings.OIDC_SCOPES = "openid email"
    settings.OIDC_BUTTON_LABEL = "Sign in with your Anytown account"
    provider.vot = ""

    response = sign_in(client)

    assert response.status_code == 302
    assert signed_in_user(client) is not None
    assert "vtr" not in provider.authorize_requests[0]
    button = Template("{% load oidc_sign_in %}{% oidc_sign_in_button %}").render(Context())
    assert "Sign in with your Anytown account" in button


def test_without_settings_it_is_not_offered(client, settings):
    settings.OIDC_ISSUER = ""

    assert client.get("/account/oidc/start/").status_code == 404
    assert client.get("/account/oidc/callback/").status_code == 404
    button = Template("{% load oidc_sign_in %}{% oidc_sign_in_button '/x/' %}").render(Context())
    assert button.strip() == ""


def test_the_sign_in_button_links_to_the_start(provider):
    button = Template("{% load oidc_sign_in %}{% oidc_sign_in_button '/x/' %}").render(Context())

    assert 'href="/account/oidc/start/?next=%2Fx%2F"' in button
    assert "Sign in with GOV.UK One Login" in button


def test_the_sign_in_page_offers_the_provider(client, provider):
    page = client.get("/account/sign-in/?next=/account/requests/").content.decode()

    assert 'href="/account/oidc/start/?next=%2Faccount%2Frequests%2F"' in page
    assert "Sign in with GOV.UK One Login" in page


def test_the_sign_in_page_has_no_button_without_a_provider(client, settings):
    settings.OIDC_ISSUER = ""

    assert "/account/oidc/start/" not in client.get("/account/sign-in/").content.decode()
