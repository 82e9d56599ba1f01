"""A real HTTP server for tests and benchmarks that send webhooks or talk to
a back-office system.

`http.server` on a free loopback port, in a thread of the test process. It
answers each POST (and GET) from a script of behaviours (`fail(503)`, `slow(seconds)`,
`hang` …, then 200 for the rest), can be stopped so connections are refused
and started again on the same port, and keeps every request it answered
with a 2xx in `accepted` (and every request in `seen`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"
WAIT = 60.0  # seconds before a wait gives up: only stops a hang, never a timing check


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    method: str = "POST"

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Behaviour:
    status: int = 200
    delay: float = 0.0
    body: bytes = b""
    content_type: str = "application/json"


@dataclass
class Receiver:
    """The server and what it saw. `respond` may replace the scripted answers
    with a function of the request (the Open311 stub does)."""

    port: int = 0
    script: list[Behaviour] = field(default_factory=list)
    seen: list[Received] = field(default_factory=list)
    accepted: list[Received] = field(default_factory=list)
    respond: Callable[[Received], Behaviour] | None = None
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def then(self, *behaviours: Behaviour) -> Receiver:
        with self._lock:
            self.script.extend(behaviours)
        return self

    def fail(self, status: int = 503, times: int = 1) -> Receiver:
        return self.then(*[Behaviour(status=status) for _ in range(times)])

    def slow(self, seconds: float, status: int = 200, times: int = 1) -> Receiver:
        return self.then(*[Behaviour(status=status, delay=seconds) for _ in range(times)])

    def _next(self, request: Received) -> Behaviour:
        if self.respond is not None:
            return self.respond(request)
        with self._lock:
            return self.script.pop(0) if self.script else Behaviour()

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(
                    path=self.path,
                    headers=dict(self.headers.items()),
                    body=self.rfile.read(length),
                    method=self.command,
                )
                with receiver._lock:
                    receiver.seen.append(request)
                behaviour = receiver._next(request)
                if behaviour.delay:
                    time.sleep(behaviour.delay)
                try:
                    self.send_response(behaviour.status)
                    self.send_header("Content-Type", behaviour.content_type)
                    self.send_header("Content-Length", str(len(behaviour.body)))
                    self.end_headers()
                    self.wfile.write(behaviour.body)
                except OSError:
                    return  # the client gave up waiting
                if 200 <= behaviour.status < 300:
                    with receiver._arrived:
                        receiver.accepted.append(request)
                        receiver._arrived.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer((HOST, self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop answering: connections to the port are refused until `start`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait_for(self, count: int, timeout: float = WAIT) -> list[Received]:
        """Block until `count` requests have been accepted (or `timeout`)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.accepted) >= count, timeout=timeout)
            return list(self.accepted)


def main() -> None:
    """Run a receiver in its own process (for benchmarks): it answers 200 to
    every POST, writes its port to `--port-file` once listening, and appends
    the `Townhall-Webhook-Id` of every request it accepted to `--log`."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    log = open(args.log, "a", encoding="ascii", buffering=1)  # noqa: SIM115 (open for the process's life)

    class Logging(Receiver):
        def _next(self, request: Received) -> Behaviour:
            log.write(request.headers.get("Townhall-Webhook-Id", "-") + "\n")
            return Behaviour()

    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # before the threads, which inherit it
    receiver = Logging().start()
    with open(args.port_file, "w", encoding="ascii") as port_file:
        port_file.write(str(receiver.port))
    signal.sigwait(stop)
    receiver.stop()
    log.close()


if __name__ == "__main__":
    main()
