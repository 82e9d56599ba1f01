"""gunicorn's settings for `townhall serve` (ADR 0030); the command line that
`townhall.core.serving.WebOptions` builds gives the sizes and timeouts.

Proxy headers: gunicorn trusts nobody's `X-Forwarded-*`, so it never changes
the scheme or the path itself; Townhall's `ProxyHeadersMiddleware` decides,
under any server, from BEHIND_PROXY and TRUSTED_PROXIES (ADR 0017).

Request size: the middleware answers a declared length over
TOWNHALL_MAX_REQUEST_BYTES with the council's 413 page before reading any of
the body, and a body sent without a length (chunked) with 411. The
`pre_request` hook below marks such a connection to be closed after that
answer, so gunicorn never reads (to discard) the body that follows either.
"""

from __future__ import annotations

import os
from typing import Any

from townhall.env import env_int

# gthread, telling each request how long it waited for a thread (load shedding, ADR 0063).
worker_class = "townhall.core.web_worker.Worker"
# Nobody's X-Forwarded-* is believed by gunicorn (see above).
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""
# No access log: request lines carry addresses and references (no personal data in logs).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "townhall-web"
# No control socket: several servers on one machine would share its one default path.
control_socket_disable = True

_limit = env_int("TOWNHALL_MAX_REQUEST_BYTES", 25 * 1024 * 1024)


def refused_before_reading(headers: list[tuple[str, str]], limit: int) -> bool:
    """Whether the application will refuse this request without reading its
    body: a declared length over the limit, or no length at all but a body."""
    for name, value in headers:
        upper = name.upper()
        if upper == "TRANSFER-ENCODING":
            return True
        if upper == "CONTENT-LENGTH":
            try:
                return int(value) > limit
            except ValueError:
                return False
    return False


def pre_request(worker: Any, req: Any) -> None:
    if refused_before_reading(req.headers, _limit):
        req.force_close()
        # A client that waits for "100 Continue" before sending the body is not
        # told to go on: it is answered (413 or 411) straight away instead.
        if getattr(req, "_expected_100_continue", False):
            req._expected_100_continue = False


def on_starting(server: Any) -> None:
    server.log.info("Townhall web server starting (gunicorn, %s workers).", server.num_workers)
