"""`townhall serve` end to end: the real server (gunicorn with two worker
processes) in a subprocess, on a free loopback port, over a file SQLite
database migrated for it.

Behind a proxy that ends TLS, HTTPS requests are served (not redirected in a
loop) and each resident has their own rate-limit key; without one, nobody can
choose their key with a header. Oversized bodies are refused before they are
read, with the council's page, and the connection closed; `--with-worker` starts
the worker again when it dies, and SIGHUP reloads without refusing a request.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import queue
import re
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings

from townhall.core.throttle import client_key

SECRET_KEY = "serve-end-to-end-" + "k" * 40
WAIT = 60.0  # seconds before a test gives up on the server; only stops a hang
MIB = 1024 * 1024
REPLACED = {
    "DATABASE_URL",
    "BEHIND_PROXY",
    "HTTPS",
    "SECURE_SSL_REDIRECT",
    "TRUSTED_PROXIES",
    # The rate-limit counts are read from the database below.
    "REDIS_URL",
    "THROTTLE_STORE",
}


def _environment(folder: Path, **extra: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k not in REPLACED}
    return {
        **inherited,
        # Test settings only for static files (no collected manifest needed);
        # the security settings under test are set explicitly.
        "TOWNHALL_ENV": "test",
        "TOWNHALL_VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'townhall.sqlite3'}",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


class Server:
    """A `townhall serve` process and the lines it prints."""

    def __init__(self, folder: Path, *options: str, **env: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        command = ["serve", "--port", str(self.port), "--workers", "2", "--threads", "2", *options]
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "townhall.cli", *command],
            env=_environment(folder, **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.printed: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for(r"Serving on http://")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, nth: int = 1) -> re.Match[str]:
        """The `nth` line the server printed that matches `pattern`, once it has."""
        while True:
            matches = [m for m in (re.search(pattern, line) for line in self.printed) if m]
            if len(matches) >= nth:
                return matches[nth - 1]
            try:
                self.printed.append(self.lines.get(timeout=WAIT))
            except queue.Empty:
                pytest.fail(f"the server never printed {pattern!r}; it printed {self.printed}")

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: str = ""
    ) -> http.client.HTTPResponse:
        for _ in range(int(WAIT * 10)):  # gunicorn may not be listening yet
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
            try:
                connection.request(method, path, body=body or None, headers=headers or {})
                response = connection.getresponse()
                response.read()
                return response
            except ConnectionRefusedError:
                time.sleep(0.1)
        pytest.fail("the server never answered")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=WAIT)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("serve")
    subprocess.run(
        [sys.executable, "-m", "townhall.cli", "migrate", "--noinput", "-v0"],
        env=_environment(folder),
        check=True,
        timeout=WAIT * 2,
    )
    return folder


@pytest.fixture(scope="module")
def behind_proxy(folder) -> Iterator[Server]:
    """The documented set-up behind a proxy that ends TLS, with the default
    TRUSTED_PROXIES (this machine) and TRUSTED_PROXY_COUNT (one proxy)."""
    server = Server(folder, BEHIND_PROXY="true", HTTPS="true")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def direct(folder) -> Iterator[Server]:
    """Residents connect straight to Townhall: no proxy."""
    server = Server(folder, HTTPS="false")
    yield server
    server.stop()


def _key(folder: Path, address: str, action: str = "track") -> int:
    """How many times the rate-limit key of `address` was counted."""
    with override_settings(SECRET_KEY=SECRET_KEY):
        key = client_key(RequestFactory().get("/", REMOTE_ADDR=address), action)
    with sqlite3.connect(folder / "townhall.sqlite3") as database:
        row = database.execute("SELECT count FROM core_throttle WHERE key = ?", [key]).fetchone()
    return row[0] if row else 0


def _track(server: Server, *, https: bool, forwarded_for: str) -> int:
    """Look a case up at /track/ as a browser would, through the given proxy
    headers; the status code."""
    proxy = {"X-Forwarded-For": forwarded_for}
    if https:
        proxy["X-Forwarded-Proto"] = "https"
    page = server.request("GET", "/track/", headers=proxy)
    assert page.status == 200
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "")
    assert cookie
    scheme = "https" if https else "http"
    form = server.request(
        "POST",
        "/track/",
        headers={
            **proxy,
            "Cookie": f"csrftoken={cookie[1]}",
            "X-CSRFToken": cookie[1],
            "Origin": f"{scheme}://127.0.0.1:{server.port}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body="reference=EXA-2026-48210937&email=resident%40example.com",
    )
    return form.status


# ---- behind a proxy that ends TLS --------------------------------------------------


def test_behind_a_proxy_an_https_request_is_served_not_redirected(behind_proxy):
    response = behind_proxy.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security")


def test_behind_a_proxy_a_plain_http_request_is_redirected_to_https(behind_proxy):
    response = behind_proxy.request("GET", "/healthz")
    assert response.status == 301
    assert response.getheader("Location") == f"https://127.0.0.1:{behind_proxy.port}/healthz"


def test_behind_a_proxy_each_resident_has_their_own_rate_limit_key(behind_proxy, folder):
    assert _track(behind_proxy, https=True, forwarded_for="203.0.113.1") == 200
    assert _track(behind_proxy, https=True, forwarded_for="203.0.113.2") == 200
    # An entry the resident wrote themselves, before the proxy's, changes nothing.
    assert _track(behind_proxy, https=True, forwarded_for="198.51.100.9, 203.0.113.1") == 200

    assert _key(folder, "203.0.113.1") == 2
    assert _key(folder, "203.0.113.2") == 1
    assert _key(folder, "198.51.100.9") == 0
    assert _key(folder, "127.0.0.1") == 0  # not every resident on the proxy's one key


# ---- no proxy ------------------------------------------------------------------------


def test_without_a_proxy_a_client_cannot_choose_its_rate_limit_key(direct, folder):
    before = _key(folder, "127.0.0.1")
    assert _track(direct, https=False, forwarded_for="203.0.113.50") == 200
    assert _track(direct, https=False, forwarded_for="203.0.113.51") == 200

    assert _key(folder, "127.0.0.1") == before + 2
    assert _key(folder, "203.0.113.50") == 0
    assert _key(folder, "203.0.113.51") == 0


def test_without_a_proxy_forwarded_proto_does_not_make_a_request_https(direct):
    response = direct.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") is None


# ---- request bodies over the limit (25 MiB by default) --------------------------------


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sent until it closed the connection."""
    sock.settimeout(WAIT)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_a_declared_200_mib_body_is_refused_before_it_is_sent(direct):
    with socket.create_connection(("127.0.0.1", direct.port), timeout=WAIT) as sock:
        sock.sendall(
            b"POST /track/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/octet-stream\r\n"
            + f"Content-Length: {200 * MIB}\r\n\r\n".encode()
        )
        # It may have answered and closed the connection already.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(b"x" * 65536)
        # Only 64 KiB of the 200 MiB were sent: the answer cannot wait for the rest,
        # and the connection is closed instead of the rest being read and discarded.
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"The files you sent are too large" in answer  # the council's page
    limit_mb = settings.TOWNHALL_MAX_REQUEST_BYTES // MIB
    assert f"smaller than {limit_mb}MB".encode() in answer


def test_a_chunked_body_is_refused_and_never_read(direct):
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", direct.port), timeout=WAIT) as sock:
        sock.sendall(
            b"POST /track/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        try:
            while sent < 200 * MIB and not select.select([sock], [], [], 0)[0]:
                sock.sendall(chunk)
                sent += 0x10000
        except (BrokenPipeError, ConnectionResetError):
            pass  # it answered and closed the connection while we were still sending
        answer = _answer(sock)
    # Django reads no body without a declared length, so one sent chunked is
    # refused rather than silently dropped.
    assert answer.startswith(b"HTTP/1.1 411 ")
    assert b"did not say how much it was sending" in answer
    assert sent < 200 * MIB  # refused while the body was still arriving


def test_a_body_within_the_limit_is_not_refused_for_its_size(direct):
    response = direct.request("POST", "/track/", body="x" * MIB)
    assert response.status == 403  # no CSRF cookie: the form's own answer, not 413


# ---- the worker beside the server ------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_with_worker_starts_the_worker_again_when_it_dies(folder):
    started = r"Task worker started \(pid (\d+)\)"
    server = Server(folder, "--with-worker", HTTPS="false")
    try:
        first = int(server.wait_for(started)[1])
        os.kill(first, signal.SIGKILL)

        server.wait_for(r"Task worker stopped \(exit code -9\); starting it again")
        second = int(server.wait_for(started, nth=2)[1])
        assert second != first
        assert _alive(second)
        assert server.request("GET", "/healthz").status == 200
    finally:
        assert server.stop() == 0
    # Stopping the server stops (and reaps) its worker.
    assert not _alive(second)


# ---- processes: every core, graceful reloads -------------------------------------------


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                children.add(int(stat.parent.name))
    return children


def _web_workers(server: Server) -> set[int]:
    """gunicorn's worker processes: the children of the one child of `serve`
    that is not a task worker."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        for child in _children(server.process.pid):
            try:
                command = Path(f"/proc/{child}/cmdline").read_text()
            except OSError:
                continue  # a task worker that stopped to reload a moment ago
            if "gunicorn" in command:
                workers = _children(child)
                if len(workers) == 2:
                    return workers
        time.sleep(0.1)
    pytest.fail("gunicorn never had its two worker processes")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_sighup_reloads_web_and_task_workers_without_refusing_a_request(folder):
    started = r"Task worker started \(pid (\d+)\)"
    server = Server(folder, "--with-worker", HTTPS="false")
    try:
        assert server.request("GET", "/healthz").status == 200
        old_web = _web_workers(server)
        old_task = int(server.wait_for(started)[1])

        server.process.send_signal(signal.SIGHUP)
        # Requests keep being answered while the workers are replaced.
        deadline = time.monotonic() + WAIT
        while (new_web := _web_workers(server)) & old_web and time.monotonic() < deadline:
            assert server.request("GET", "/healthz").status == 200
        server.wait_for(r"Task worker stopped to reload; starting it again")
        new_task = int(server.wait_for(started, nth=2)[1])

        assert not new_web & old_web
        assert new_task != old_task
        assert not _alive(old_task)
        assert server.request("GET", "/healthz").status == 200
    finally:
        assert server.stop() == 0


# ---- load shedding (ADR 0063) ------------------------------------------------------


def test_a_request_kept_waiting_for_a_thread_too_long_gets_the_busy_page(folder):
    """One worker with one thread, held by a form post whose body has not come
    yet; a page asked for meanwhile waits for that thread past WEB_MAX_WAIT,
    then is answered 503 with Retry-After, and the post in hand is finished."""
    server = Server(folder, "--workers", "1", "--threads", "1", HTTPS="false", WEB_MAX_WAIT="0.5")
    try:
        assert server.request("GET", "/healthz").status == 200
        held = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
        body = b"reference=EXA-2026-48210937"
        held.sendall(
            # With a CSRF cookie, the CSRF check reads the body, waiting for it.
            b"POST /track/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        answers: queue.Queue[http.client.HTTPResponse] = queue.Queue()
        waiting = threading.Thread(
            target=lambda: answers.put(server.request("GET", "/services/")), daemon=True
        )
        waiting.start()
        time.sleep(1.5)  # longer than WEB_MAX_WAIT: the page waits that long for the thread
        held.sendall(body)
        first = held.makefile("rb").readline()
        held.close()
        busy = answers.get(timeout=WAIT)

        assert first.startswith(b"HTTP/1.1 403")  # the post in hand was finished (no CSRF token)
        assert busy.status == 503
        assert busy.getheader("Retry-After") == "30"
        # Once it is idle again, the same page is served.
        assert server.request("GET", "/services/").status == 200
    finally:
        assert server.stop() == 0
