"""A fake GOV.UK Notify for tests and benchmarks: a real HTTP server, on a
free loopback port in a thread, that the real `notifications-python-client`
talks to as it would to Notify.

It checks what the client sends as Notify does: the bearer JWT (HS256,
signed with the API key's secret, `iss` the service ID, `iat` within 30
seconds of now, else 403 AuthError), and the payload (a known template,
personalisation an object, a reference; a UK mobile number for texts, at
least three address lines ending in a postcode for letters, else 400
BadRequestError / ValidationError). It keeps every notification it accepted
in `accepted`, answers `GET /v2/notifications?reference=` from them, and can
be told to answer the next requests with an error (`fail_next`), as Notify
does when it is rate limiting (429) or down (500).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

HOST = "127.0.0.1"
SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"  # noqa: S105  (a made-up key for the fake)
API_KEY = f"townhall_test-{SERVICE_ID}-{SECRET}"
TEMPLATES = {
    "email": "f33517ff-2a88-4f6e-b855-c550268ce08a",
    "sms": "0b8b3c3e-6c3b-4a0a-8c59-3f3f2d5e0f11",
    "letter": "9d751e0e-f929-4891-82a1-a5f9b3a4f2a6",
}
IAT_BOUND = 30  # seconds, as Notify allows
UK_MOBILE = re.compile(r"^(\+44|0044|0)7\d{9}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.IGNORECASE)


@dataclass
class Accepted:
    """One notification Notify took: its type, id, the request's JSON and the JWT's claims."""

    kind: str
    id: str
    payload: dict[str, Any]
    claims: dict[str, Any]


@dataclass
class FakeNotify:
    service_id: str = SERVICE_ID
    secret: str = SECRET
    templates: dict[str, str] = field(default_factory=lambda: dict(TEMPLATES))
    accepted: list[Accepted] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    requests: int = 0
    _failures: list[tuple[int, str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def api_key(self) -> str:
        return f"townhall_test-{self.service_id}-{self.secret}"

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Notify is not started")
        return f"http://{HOST}:{self._server.server_address[1]}"

    def start(self) -> FakeNotify:
        notify = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Notify's API does
            disable_nagle_algorithm = True  # headers and body go out without waiting

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                notify._handle(self, "POST")

            def do_GET(self) -> None:
                notify._handle(self, "GET")

        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def fail_next(self, status: int, *, times: int = 1, error: str = "", message: str = "") -> None:
        """Answer the next `times` requests with `status` and Notify's error shape."""
        default = {
            400: ("BadRequestError", "Bad request"),
            403: ("AuthError", "Invalid token: API key not found"),
            429: (
                "RateLimitError",
                "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
            ),
            500: ("Exception", "Internal server error"),
        }.get(status, ("Exception", "Error"))
        with self._lock:
            self._failures.extend([(status, error or default[0], message or default[1])] * times)

    # What follows runs in the server's threads.

    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        with self._lock:
            self.requests += 1
            forced = self._failures.pop(0) if self._failures else None
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if forced is not None:
            self._answer_error(request, *forced)
            return
        path = urlsplit(request.path)
        if method == "GET" and path.path == "/_fake/stats":
            # Not Notify's: for a benchmark running the fake in another process.
            with self._lock:
                references = [a.payload.get("reference") for a in self.accepted]
            self._answer(
                request,
                200,
                {
                    "accepted": len(references),
                    "distinct_references": len(set(references)),
                    "requests": self.requests,
                },
            )
            return
        claims, problem = self._check_token(request.headers.get("Authorization", ""))
        if problem:
            self._answer_error(request, 403, "AuthError", problem)
            return
        if method == "GET" and path.path == "/v2/notifications":
            wanted = parse_qs(path.query).get("reference", [""])[0]
            with self._lock:
                found = [
                    {"id": a.id, "reference": a.payload.get("reference"), "type": a.kind}
                    for a in self.accepted
                    if a.payload.get("reference") == wanted
                ]
            self._answer(request, 200, {"notifications": found, "links": {}})
            return
        match = re.fullmatch(r"/v2/notifications/(email|sms|letter)", path.path)
        if method != "POST" or match is None:
            self._answer_error(request, 404, "NotFound", "Not found")
            return
        try:
            payload = json.loads(body)
        except ValueError:
            self._answer_error(
                request, 400, "BadRequestError", "Invalid JSON supplied in POST data"
            )
            return
        kind = match.group(1)
        problem = self._check_payload(kind, payload)
        if problem:
            self._answer_error(request, 400, "ValidationError", problem)
            return
        accepted = Accepted(kind=kind, id=str(uuid.uuid4()), payload=payload, claims=claims)
        with self._lock:
            self.accepted.append(accepted)
        self._answer(
            request,
            201,
            {
                "id": accepted.id,
                "reference": payload.get("reference"),
                "content": {"body": payload.get("personalisation", {}).get("body", "")},
                "uri": f"{self.url}/v2/notifications/{accepted.id}",
                "template": {"id": payload["template_id"], "version": 1, "uri": ""},
            },
        )

    def _check_token(self, header: str) -> tuple[dict[str, Any], str]:
        scheme, _space, token = header.partition(" ")
        if scheme != "Bearer" or not token:
            return {}, "Unauthorized: authentication token must be provided"
        try:
            header_fields = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                key=self.secret,
                algorithms=["HS256"],
                options={"verify_iat": False, "require": ["iss", "iat"]},
            )
        except jwt.InvalidTokenError as error:
            return {}, f"Invalid token: {type(error).__name__}"
        if header_fields.get("alg") != "HS256":
            return {}, "Invalid token: algorithm used is not HS256"
        if claims["iss"] != self.service_id:
            return {}, "Invalid token: service not found"
        if abs(time.time() - int(claims["iat"])) > IAT_BOUND:
            return {}, "Error: Your system clock must be accurate to within 30 seconds"
        return claims, ""

    def _check_payload(self, kind: str, payload: Any) -> str:
        if not isinstance(payload, dict):
            return "JSON object expected"
        if payload.get("template_id") != self.templates.get(kind):
            return (
                "template_id is not a valid UUID"
                if not payload.get("template_id")
                else ("Template not found")
            )
        personalisation = payload.get("personalisation", {})
        if not isinstance(personalisation, dict):
            return "personalisation must be an object"
        if "reference" in payload and not isinstance(payload["reference"], str):
            return "reference must be a string"
        if kind == "sms":
            number = re.sub(r"[\s()-]", "", str(payload.get("phone_number", "")))
            if not UK_MOBILE.fullmatch(number):
                return "phone_number Not a UK mobile number"
        elif kind == "email":
            if "@" not in str(payload.get("email_address", "")):
                return "email_address Not a valid email address"
        else:
            lines = [personalisation.get(f"address_line_{n}", "") for n in range(1, 8)]
            given = [line for line in lines if line]
            if len(given) < 3:
                return "Address must be at least 3 lines"
            if not POSTCODE.fullmatch(given[-1].strip()):
                return "Last line of address must be a real UK postcode"
        return ""

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def _answer_error(
        self, request: BaseHTTPRequestHandler, status: int, error: str, message: str
    ) -> None:
        with self._lock:
            self.refused.append((status, message))
        self._answer(
            request,
            status,
            {"status_code": status, "errors": [{"error": error, "message": message}]},
        )


if __name__ == "__main__":
    # `python -m townhall.testing.notify`: serve until killed, the URL on stdout.
    served = FakeNotify().start()
    print(served.url, flush=True)
    threading.Event().wait()
