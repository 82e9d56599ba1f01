"""A real OpenID Connect provider for tests, in a thread of the test process.

It behaves as GOV.UK One Login documents: discovery, its signing keys (JWKS),
an authorize endpoint that approves a configured person at once, a token
endpoint that accepts only a `private_key_jwt` client assertion signed with
the client's registered key (and used once), id tokens signed with ES256 or
RS256 carrying `nonce`, `vot` and `at_hash`, and userinfo with `email`,
`email_verified` and `phone_number`. Switches make it misbehave the ways a
relying party must notice: the wrong nonce or audience, an expired token, a
key it does not publish, being down.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qsl, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core.util import create_half_hash
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeyParameters, RSAKey

HOST = "127.0.0.1"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

_keys: dict[str, ECKey | RSAKey] = {}


def signing_key(alg: str, kid: str) -> ECKey | RSAKey:
    """A private key for `alg`, made once per test run (RSA keys are slow to make)."""
    if kid not in _keys:
        parameters: KeyParameters = {"kid": kid, "use": "sig", "alg": alg}
        _keys[kid] = (
            ECKey.generate_key("P-256", parameters=parameters, private=True)
            if alg == "ES256"
            else RSAKey.generate_key(2048, parameters=parameters, private=True)
        )
    return _keys[kid]


@dataclass
class Person:
    sub: str = "urn:fdc:gov.uk:2022:resident-one"
    email: str = "ann@example.org"
    email_verified: bool = True
    phone_number: str = "+447700900123"
    phone_number_verified: bool = True


@dataclass
class LocalProvider:
    client_id: str
    client_key: ECKey | RSAKey  # the client's key pair; only its public half is used
    client_alg: str
    redirect_uri: str
    id_token_alg: str = "ES256"  # noqa: S105  (an algorithm, not a secret)
    person: Person = field(default_factory=Person)
    # Faults
    nonce: str | None = None  # put this nonce in the id token instead of the one asked for
    audience: str | None = None  # issue id tokens to this audience instead
    expires_in: int = 300  # id tokens' lifetime; negative for one already expired
    vot: str = "Cl.Cm"
    unpublished_key: bool = False  # sign id tokens with a key the JWKS lacks
    error: str | None = None  # answer authorize with this error
    key_id: str = ""  # change it to rotate the provider's signing key
    # What it saw
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    port: int = 0
    _codes: dict[str, dict[str, str]] = field(default_factory=dict)
    _tokens: dict[str, Person] = field(default_factory=dict)
    _jtis: set[str] = field(default_factory=set)
    _server: WSGIServer | None = None

    @property
    def issuer(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def key(self) -> ECKey | RSAKey:
        return signing_key(self.id_token_alg, self.key_id or f"provider-{self.id_token_alg}")

    # The endpoints

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/.well-known/jwks.json",
            "response_types_supported": ["code"],
            "scopes_supported": ["openid", "email", "phone"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": [self.id_token_alg],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "code_challenge_methods_supported": ["S256"],
            "ui_locales_supported": ["en", "cy"],
            "vtr_values_supported": ["Cl.Cm", "Cl"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def authorize(self, query: dict[str, str]) -> tuple[str, dict[str, Any] | str]:
        self.authorize_requests.append(query)
        if query.get("client_id") != self.client_id or query.get("redirect_uri") != (
            self.redirect_uri
        ):
            return "400 Bad Request", {"error": "invalid_request"}
        back: dict[str, str] = {"state": query.get("state", "")}
        if self.error:
            back["error"] = self.error
        else:
            code = secrets.token_urlsafe(16)
            self._codes[code] = query
            back["code"] = code
        return "302 Found", f"{self.redirect_uri}?{urlencode(back)}"

    def _assertion_problem(self, form: dict[str, str]) -> str:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return "no client assertion"
        try:
            token = jwt.decode(
                form.get("client_assertion", ""), self.client_key, algorithms=[self.client_alg]
            )
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.client_id},
                sub={"essential": True, "value": self.client_id},
                aud={"essential": True, "value": f"{self.issuer}/token"},
                exp={"essential": True},
                iat={"essential": True},
                jti={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError) as error:
            return f"bad client assertion: {error.__class__.__name__}"
        if token.claims["exp"] - token.claims["iat"] > 300:
            return "client assertion lives longer than five minutes"
        if token.claims["jti"] in self._jtis:
            return "client assertion used before"
        self._jtis.add(token.claims["jti"])
        return ""

    def token(self, form: dict[str, str]) -> tuple[str, dict[str, Any]]:
        self.token_requests.append(form)
        problem = self._assertion_problem(form)
        if problem:
            self.rejected.append(problem)
            return "401 Unauthorized", {"error": "invalid_client"}
        asked = self._codes.pop(form.get("code", ""), None)
        if (
            form.get("grant_type") != "authorization_code"
            or asked is None
            or form.get("redirect_uri") != asked["redirect_uri"]
        ):
            self.rejected.append("bad code")
            return "400 Bad Request", {"error": "invalid_grant"}
        challenge = asked.get("code_challenge")
        if challenge and create_s256_code_challenge(form.get("code_verifier", "")) != challenge:
            self.rejected.append("bad code verifier")
            return "400 Bad Request", {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(24)
        self._tokens[access_token] = self.person
        return "200 OK", {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 180,
            "id_token": self._id_token(asked, access_token),
        }

    def _id_token(self, asked: dict[str, str], access_token: str) -> str:
        now = int(time.time())
        key = self.key
        if self.unpublished_key:
            key = signing_key(self.id_token_alg, f"unpublished-{self.id_token_alg}")
        claims = {
            "iss": self.issuer,
            "sub": self.person.sub,
            "aud": self.audience or self.client_id,
            "iat": now if self.expires_in > 0 else now - 600,
            "exp": now + self.expires_in,
            "nonce": self.nonce or asked.get("nonce", ""),
            "vot": self.vot,
            "at_hash": create_half_hash(access_token, self.id_token_alg).decode(),
            "sid": secrets.token_urlsafe(8),
        }
        header = {"alg": self.id_token_alg, "kid": key.kid}
        return jwt.encode(header, claims, key, algorithms=[self.id_token_alg])

    def userinfo(self, authorization: str) -> tuple[str, dict[str, Any]]:
        person = self._tokens.get(authorization.removeprefix("Bearer "))
        if person is None:
            return "401 Unauthorized", {"error": "invalid_token"}
        return "200 OK", {
            "sub": person.sub,
            "email": person.email,
            "email_verified": person.email_verified,
            "phone_number": person.phone_number,
            "phone_number_verified": person.phone_number_verified,
        }

    # The server

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        self.paths.append(path)
        status: str
        answer: dict[str, Any] | str
        if path == "/.well-known/openid-configuration":
            status, answer = "200 OK", self.discovery()
        elif path == "/.well-known/jwks.json":
            status, answer = "200 OK", self.jwks()
        elif path == "/authorize" and method == "GET":
            status, answer = self.authorize(query)
        elif path == "/token" and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = dict(parse_qsl(environ["wsgi.input"].read(length).decode()))
            status, answer = self.token(form)
        elif path == "/userinfo":
            status, answer = self.userinfo(environ.get("HTTP_AUTHORIZATION", ""))
        else:
            status, answer = "404 Not Found", {"error": "not_found"}
        if isinstance(answer, str):
            start_response(status, [("Location", answer), ("Content-Length", "0")])
            return [b""]
        body = json.dumps(answer).encode()
        start_response(status, [("Content-Type", "application/json")])
        return [body]

    def start(self) -> LocalProvider:
        self._server = make_server(
            HOST, self.port, self, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop answering: connections to its port are refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass
