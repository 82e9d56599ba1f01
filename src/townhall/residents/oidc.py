"""Signing residents in with an OpenID Connect provider: GOV.UK One Login as it
is documented, or a council's own provider (docs/decisions/0055).

The authorization code flow: `authorization_start` makes the state, nonce and
PKCE verifier the session keeps and the address to send the resident to;
`sign_in_verify` checks what comes back (the state, then the code exchanged at
the token endpoint with a `private_key_jwt` client assertion, the id token's
signature against the provider's keys and its claims, then userinfo); only
then does `resident_for_claims` write anything. Each failure is a
`SignInFailed` naming its reason, which the view turns into a page.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core.util import create_half_hash
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, import_key

from townhall.accounts.models import User
from townhall.residents.identity import profile_for, resident_for_verified_email
from townhall.residents.models import OidcIdentity
from townhall.residents.oidc_settings import key_type
from townhall.tenancy.models import Membership

logger = logging.getLogger(__name__)

# What the session keeps between sending the resident to the provider and
# their return.
PENDING = "residents_oidc_pending"
# A sign-in not finished in this long starts again.
PENDING_SECONDS = 30 * 60
# How long the client assertion is good for: GOV.UK One Login asks for five
# minutes at most.
ASSERTION_SECONDS = 300
# Allowance for clocks that differ a little between us and the provider.
LEEWAY_SECONDS = 60


class SignInFailed(Exception):
    """Why a sign-in did not finish. `reason` picks the page the resident sees
    (oidc_views.FAILURES); nothing personal is in it, so it may be logged."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Provider:
    """What discovery says about the provider."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    pkce: bool


@dataclass(frozen=True)
class Claims:
    """Who the provider says signed in: from a checked id token and userinfo."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    phone_number: str


def is_configured() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID and settings.OIDC_PRIVATE_KEY)


def button_label() -> str:
    return settings.OIDC_BUTTON_LABEL or _("Sign in with GOV.UK One Login")


def redirect_uri() -> str:
    """Where the provider sends the resident back: exactly as registered with it."""
    return settings.OIDC_REDIRECT_URI or (settings.TOWNHALL_PUBLIC_URL + reverse("oidc:callback"))


def _cache_key(kind: str) -> str:
    digest = hashlib.sha256(settings.OIDC_ISSUER.encode()).hexdigest()[:32]
    return f"oidc:{kind}:{digest}"


def _get_json(url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT, **kwargs)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise SignInFailed("unreachable", f"{url}: {error.__class__.__name__}") from error
    if not isinstance(document, dict):
        raise SignInFailed("unreachable", f"{url}: not a JSON object")
    return document


def provider() -> Provider:
    """The provider's discovery document, fetched once per OIDC_DISCOVERY_SECONDS."""
    document = cache.get(_cache_key("discovery"))
    if document is None:
        issuer = settings.OIDC_ISSUER.rstrip("/")
        document = _get_json(f"{issuer}/.well-known/openid-configuration")
        # OpenID Connect Discovery 4.3: the document must name the issuer asked for.
        if str(document.get("issuer", "")).rstrip("/") != issuer:
            raise SignInFailed("unreachable", "discovery names another issuer")
        cache.set(_cache_key("discovery"), document, settings.OIDC_DISCOVERY_SECONDS)
    try:
        return Provider(
            issuer=document["issuer"],
            authorization_endpoint=document["authorization_endpoint"],
            token_endpoint=document["token_endpoint"],
            userinfo_endpoint=document["userinfo_endpoint"],
            jwks_uri=document["jwks_uri"],
            pkce="S256" in document.get("code_challenge_methods_supported", []),
        )
    except (KeyError, TypeError) as error:
        raise SignInFailed("unreachable", "discovery lacks an endpoint") from error


def _key_set(jwks_uri: str, kid: str | None) -> KeySet:
    """The provider's signing keys; fetched again once when they lack `kid`,
    as they will just after the provider rotates its keys."""
    document = cache.get(_cache_key("jwks"))
    fetched = False
    while True:
        if document is None:
            document, fetched = _get_json(jwks_uri), True
            cache.set(_cache_key("jwks"), document, settings.OIDC_DISCOVERY_SECONDS)
        try:
            keys = KeySet.import_key_set(document)
        except (JoseError, ValueError, TypeError, KeyError) as error:
            raise SignInFailed("unreachable", "the provider's keys cannot be read") from error
        if kid is None or any(key.kid == kid for key in keys):
            return keys
        if fetched:
            raise SignInFailed("token", "the id token names a key the provider does not publish")
        document = None


def _ui_locales(language: str) -> str:
    return settings.OIDC_UI_LOCALES or language.split("-")[0]


def authorization_start(*, language: str, next_url: str) -> tuple[str, dict[str, Any]]:
    """The provider's address to send the resident to, and what the session
    keeps until they return (state, nonce, PKCE verifier, where to go next)."""
    found = provider()
    pending: dict[str, Any] = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "next": next_url,
        "started": int(time.time()),
    }
    params = {
        "response_type": "code",
        "client_id": settings.OIDC_CLIENT_ID,
        "redirect_uri": redirect_uri(),
        "scope": settings.OIDC_SCOPES,
        "state": pending["state"],
        "nonce": pending["nonce"],
        "ui_locales": _ui_locales(language),
    }
    if settings.OIDC_VTR:
        params["vtr"] = settings.OIDC_VTR
    if found.pkce:
        pending["code_verifier"] = secrets.token_urlsafe(64)
        params["code_challenge"] = create_s256_code_challenge(pending["code_verifier"])
        params["code_challenge_method"] = "S256"
    separator = "&" if "?" in found.authorization_endpoint else "?"
    return f"{found.authorization_endpoint}{separator}{urlencode(params)}", pending


class _ClientAssertion(PrivateKeyJWT):
    """Authlib's private_key_jwt, with the key id in the header and a
    lifetime of ASSERTION_SECONDS."""

    def sign(self, auth: Any, token_endpoint: str) -> str:
        header = {"kid": settings.OIDC_PRIVATE_KEY_ID} if settings.OIDC_PRIVATE_KEY_ID else {}
        result: str = private_key_jwt_sign(
            auth.client_secret,
            client_id=auth.client_id,
            token_endpoint=token_endpoint,
            alg=self.alg,
            header=header,
            expires_in=ASSERTION_SECONDS,
        )
        return result


def _token_request(found: Provider, *, code: str, code_verifier: str | None) -> dict[str, Any]:
    """Exchange the code for tokens, the client proving itself with a JWT
    signed by its private key."""
    session = OAuth2Session(
        client_id=settings.OIDC_CLIENT_ID,
        client_secret=import_key(
            settings.OIDC_PRIVATE_KEY, key_type(settings.OIDC_CLIENT_ASSERTION_ALG)
        ),
        token_endpoint_auth_method=_ClientAssertion.name,
        redirect_uri=redirect_uri(),
    )
    session.register_client_auth_method(
        _ClientAssertion(found.token_endpoint, alg=settings.OIDC_CLIENT_ASSERTION_ALG)
    )
    extra = {"code_verifier": code_verifier} if code_verifier else {}
    try:
        token = session.fetch_token(
            found.token_endpoint,
            grant_type="authorization_code",
            code=code,
            timeout=settings.OIDC_TIMEOUT,
            **extra,
        )
    except OAuthError as error:
        raise SignInFailed("token", f"the token endpoint said {error.error}") from error
    except requests.HTTPError as error:
        raise SignInFailed("token", "the token endpoint refused the request") from error
    except (requests.RequestException, ValueError) as error:
        raise SignInFailed("unreachable", f"token endpoint: {error.__class__.__name__}") from error
    finally:
        session.close()
    if not isinstance(token.get("id_token"), str) or not isinstance(token.get("access_token"), str):
        raise SignInFailed("token", "the token response lacks an id token or access token")
    return dict(token)


def _id_token_claims(found: Provider, id_token: str, *, nonce: str, access_token: str) -> Any:
    """The id token's claims, once its signature (ES256 or RS256 by default,
    never an unsigned or shared-secret token) and claims are checked."""
    try:
        header = jws.extract_compact(id_token.encode()).protected
        keys = _key_set(found.jwks_uri, header.get("kid"))
        token = jwt.decode(id_token, keys, algorithms=settings.OIDC_ID_TOKEN_ALGS)
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": found.issuer},
            aud={"essential": True, "value": settings.OIDC_CLIENT_ID},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError, TypeError) as error:
        detail = getattr(error, "description", "") or error.__class__.__name__
        raise SignInFailed("token", f"id token: {detail}") from error
    claims = token.claims
    audience = claims["aud"]
    if (
        isinstance(audience, list)
        and len(audience) > 1
        and claims.get("azp") != settings.OIDC_CLIENT_ID
    ):
        raise SignInFailed("token", "id token: another party is authorised")
    at_hash = claims.get("at_hash")
    if at_hash is not None and not hmac.compare_digest(
        str(at_hash), create_half_hash(access_token, token.header["alg"]).decode()
    ):
        raise SignInFailed("token", "id token: at_hash does not match the access token")
    _check_vector_of_trust(claims.get("vot"))
    return claims


def _check_vector_of_trust(vot: Any) -> None:
    """GOV.UK One Login says in `vot` which level of authentication it did; it
    must be one that was asked for in `vtr`."""
    if not settings.OIDC_VTR:
        return
    asked = set(json.loads(settings.OIDC_VTR))
    if vot not in asked:
        raise SignInFailed("token", "id token: vot is not a level that was asked for")


def _userinfo(found: Provider, *, access_token: str, subject: str) -> dict[str, Any]:
    info = _get_json(found.userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"})
    # OpenID Connect Core 5.3.2: userinfo must be about the id token's subject.
    if info.get("sub") != subject:
        raise SignInFailed("token", "userinfo is about another subject")
    return info


def sign_in_verify(*, pending: Mapping[str, Any] | None, params: Mapping[str, str]) -> Claims:
    """Check the provider's answer (`params`, the callback's query) against
    what the session kept (`pending`), and return who signed in."""
    if not pending or time.time() - pending.get("started", 0) > PENDING_SECONDS:
        raise SignInFailed("not_started")
    if not hmac.compare_digest(str(params.get("state", "")), str(pending["state"])):
        raise SignInFailed("state")
    if params.get("error"):
        reason = "cancelled" if params["error"] == "access_denied" else "provider_error"
        raise SignInFailed(reason, str(params["error"])[:64])
    code = params.get("code", "")
    if not code:
        raise SignInFailed("provider_error", "no code")
    found = provider()
    token = _token_request(found, code=code, code_verifier=pending.get("code_verifier"))
    id_claims = _id_token_claims(
        found, token["id_token"], nonce=pending["nonce"], access_token=token["access_token"]
    )
    info = _userinfo(found, access_token=token["access_token"], subject=id_claims["sub"])
    email = info.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SignInFailed("no_email")
    if info.get("email_verified") not in (True, "true"):
        raise SignInFailed("unverified")
    phone = info.get("phone_number")
    return Claims(
        issuer=found.issuer,
        subject=str(id_claims["sub"]),
        email=email,
        email_verified=True,
        phone_number=phone if isinstance(phone, str) else "",
    )


def _refuse_staff(user: User) -> None:
    """A council's staff sign in to the back office with their second factor;
    a provider's word is not enough to start a session on their account."""
    if user.is_staff or user.is_superuser or Membership.objects.filter(user=user).exists():
        raise SignInFailed("staff")


@transaction.atomic
def resident_for_claims(claims: Claims) -> User:
    """The resident's account: the one this provider's subject signed in to
    before, else the one with the verified email (made if need be), which the
    subject is then recorded against. Keeps the phone number they gave the
    provider on their profile."""
    identity = (
        OidcIdentity.objects.select_related("user")
        .filter(issuer=claims.issuer, subject=claims.subject)
        .first()
    )
    if identity is None:
        existing = User.objects.filter(email__iexact=claims.email.strip()).first()
        if existing is not None:
            _refuse_staff(existing)
        user = resident_for_verified_email(claims.email)
        identity, _created = OidcIdentity.objects.get_or_create(
            issuer=claims.issuer, subject=claims.subject, defaults={"user": user}
        )
    user = identity.user
    _refuse_staff(user)
    if not user.is_active:
        raise SignInFailed("inactive")
    identity.last_signed_in_at = timezone.now()
    identity.save(update_fields=["last_signed_in_at"])
    phone = claims.phone_number.strip()
    if phone and len(phone) <= 20:
        profile = profile_for(user)
        if profile.phone != phone:
            profile.phone = phone
            profile.save(update_fields=["phone", "updated_at"])
    return user
