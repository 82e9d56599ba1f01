"""Reading and checking the OpenID Connect settings when Townhall starts, so a
mistake in them stops the process with a message naming the variable instead
of failing at a resident's first sign-in. Imported by settings.py: no models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from joserfc.errors import JoseError
from joserfc.jwk import import_key

# What the client may sign its assertion with, and what it accepts on an id
# token: the asymmetric algorithms GOV.UK One Login and most providers use.
# Never "none" or a shared-secret HMAC.
SIGNING_ALGS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}


def key_type(alg: str) -> Literal["EC", "RSA"]:
    """The JWK key type that signs with `alg`."""
    return "EC" if alg.startswith("ES") else "RSA"


def oidc_private_key(value: str) -> str:
    """The PEM text of the client's private key: `value` itself when it is
    PEM, else the contents of the file it names."""
    value = value.strip()
    if not value or value.startswith("-----BEGIN"):
        return value.replace("\\n", "\n")
    path = Path(value)
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(
            "OIDC_PRIVATE_KEY must be a PEM private key or the path of a file holding one; "
            f"the file could not be read ({error.__class__.__name__})"
        ) from error


def oidc_settings_check(
    *,
    issuer: str,
    client_id: str,
    private_key: str,
    assertion_alg: str,
    id_token_algs: list[str],
    vtr: str,
    require_https: bool,
) -> None:
    """Refuse to start on settings that cannot work. Nothing is checked when
    OIDC_ISSUER is empty: the sign-in is simply not offered."""
    if not issuer:
        return
    parts = urlsplit(issuer)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise ImproperlyConfigured(f"OIDC_ISSUER must be an https:// address, not {issuer!r}")
    if require_https and parts.scheme != "https":
        raise ImproperlyConfigured("OIDC_ISSUER must be an https:// address in production")
    if not client_id:
        raise ImproperlyConfigured("OIDC_CLIENT_ID must be set when OIDC_ISSUER is")
    if not private_key:
        raise ImproperlyConfigured("OIDC_PRIVATE_KEY must be set when OIDC_ISSUER is")
    if assertion_alg not in SIGNING_ALGS:
        raise ImproperlyConfigured(
            f"OIDC_CLIENT_ASSERTION_ALG must be one of {', '.join(sorted(SIGNING_ALGS))}, "
            f"not {assertion_alg!r}"
        )
    try:
        key = import_key(private_key, key_type(assertion_alg))
    except (JoseError, ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"OIDC_PRIVATE_KEY is not a PEM {key_type(assertion_alg)} private key, "
            f"as OIDC_CLIENT_ASSERTION_ALG={assertion_alg} needs"
        ) from error
    if not key.is_private:
        raise ImproperlyConfigured(
            "OIDC_PRIVATE_KEY holds a public key; it must be the private key"
        )
    if not id_token_algs or not set(id_token_algs) <= SIGNING_ALGS:
        raise ImproperlyConfigured(
            f"OIDC_ID_TOKEN_ALGS must name some of {', '.join(sorted(SIGNING_ALGS))}"
        )
    if vtr:
        try:
            parsed = json.loads(vtr)
        except ValueError:
            parsed = None
        if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
            raise ImproperlyConfigured(
                f'OIDC_VTR must be a JSON list of strings such as ["Cl.Cm"], not {vtr!r}'
            )
