"""Load test: `townhall serve` under concurrent residents and staff, over HTTP.

Builds a fresh database (a temporary SQLite file, or the database
BENCH_DATABASE_URL names, emptied first) with one council, the standard
fly-tipping service and caseworkers; starts the real server (`townhall serve
--with-worker`, gunicorn) with the bench URLs; then, for `--duration` seconds
each, runs `--residents` concurrent clients against a bare Django view, a bare
one-insert view, the service's start page (`start`: each request as a new
visitor, with no cookies, on a kept-alive connection as the bare view's),
one question page again and again (`question`: each client first answers three
pages, so it has a session and a draft, then GETs the first page), and
complete fly-tipping journeys (18 requests each) while
`--staff` caseworkers page through the queue and open cases; with the
`surge` phase, the same journeys again with `--surge` times as many residents
(twice by default), to see load shed: a request the server refuses because it
waited too long for a thread (`--max-wait`, the server's WEB_MAX_WAIT) is
answered 503 "service is busy" with Retry-After, and the resident sends it
again a moment later. With `--rate`, journeys start at a fixed rate (an open
loop: a new resident every 1/rate seconds, however slowly the server answers)
instead of each resident starting the next as soon as the last ends, so the
latency reported is the latency at that rate. It reports cases completed a second, p50/p95/p99 per
page, errors, requests refused, and the CPU time per request of the server
(all its processes, from /proc) and of the load generator itself, then checks
the run: every reference unique, every case acknowledged by exactly one email,
every case with its event and contact, every accepted submission with its
reference, no error other than a clean 503, and no task run twice. Not part of
the test suite: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import re
import signal
import ssl
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from bench.load_checks import check_run, prepare  # noqa: E402
from bench.load_server import ServerProcess, cpu_seconds  # noqa: E402

REFERENCE = re.compile(r"\b[A-Z]{3}-\d{4}-\d{8}\b")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="(/staff/cases/[A-Z]{3}-\d{4}-\d{8}/)"')
START = "/services/report-fly-tipping/"
ANSWERS: list[tuple[str, dict[str, str]]] = [
    ("what", {"waste_type": "furniture"}),
    ("how-much", {"size": "small_van"}),
    ("where", {"location": "Behind the shops on Castle Street"}),
    ("when", {"seen_on-day": "5", "seen_on-month": "1", "seen_on-year": "2026"}),
    ("details", {"description": "A sofa and two mattresses"}),
    ("photo", {}),
    ("contact", {"email": "resident@example.com"}),
]
STAFF_PASSWORD = "bench-password-not-secret"  # noqa: S105
# --rate: the most journeys a second, and the most on their way at once (past
# it a new resident waits for one to finish, and the shortfall shows as a rate
# achieved below the rate asked for).
MAX_RATE = 1000.0
MAX_IN_FLIGHT = 500
PHASES = ("bare", "insert", "start", "question", "journeys", "surge")
# The `question` phase's clients answer these pages first, then GET QUESTION_PAGE.
QUESTION_SETUP = ANSWERS[:3]
QUESTION_PAGE = ANSWERS[0][0]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=16, help="concurrent residents")
    parser.add_argument("--staff", type=int, default=2, help="concurrent caseworkers")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--web-workers", type=int, default=None, help="`serve --workers`")
    parser.add_argument("--threads", type=int, default=2, help="`serve --threads`")
    parser.add_argument("--task-workers", type=int, default=2, help="`serve --task-workers`")
    parser.add_argument("--redis", metavar="URL", help="REDIS_URL for the server")
    parser.add_argument(
        "--phases",
        default="bare,insert,journeys",
        help="which phases, comma-separated, of bare, insert, start, question, journeys "
        "and surge (default: bare,insert,journeys)",
    )
    parser.add_argument(
        "--surge",
        type=float,
        default=2.0,
        help="the surge phase runs this many times --residents (default: 2)",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=None,
        help="the server's WEB_MAX_WAIT: seconds a request may wait for a thread before "
        "it is refused with 503 (default: the server's own, 5)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        metavar="CASES_PER_SECOND",
        help="start journeys at this fixed rate (a new resident every 1/rate seconds, "
        "however many are still on their way) instead of --residents residents each "
        "starting the next journey as soon as the last ends; the surge phase starts them "
        "--surge times as fast. The latency at a given rate is what residents see at "
        "that rate; closed-loop residents find the server's most, and queue at it",
    )
    parser.add_argument(
        "--pin",
        action="store_true",
        help="run the load generator on the first CPU and the server on the others, "
        "so that they do not compete for a core (Linux, 2 or more CPUs)",
    )
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    unknown = {name.strip() for name in args.phases.split(",")} - set(PHASES) - {""}
    if unknown:
        parser.error(f"no such phase: {', '.join(sorted(unknown))}")
    if args.residents < 1 or args.duration <= 0 or args.staff < 0:
        parser.error("--residents must be at least 1, --duration above 0, --staff 0 or more")
    if args.surge < 1 or (args.max_wait is not None and args.max_wait < 0):
        parser.error("--surge must be at least 1, --max-wait 0 or more")
    if args.rate is not None and not 0 < args.rate <= MAX_RATE:
        parser.error(f"--rate must be above 0 and at most {MAX_RATE:g} cases a second")
    if args.pin and len(os.sched_getaffinity(0)) < 2:
        parser.error("--pin needs at least 2 CPUs")
    return args


# ---- what is measured --------------------------------------------------------------


@dataclass
class Phase:
    name: str
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Requests answered with the clean "service is busy" 503, and sent again.
    refused: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Any other 5xx (or a 503 without Retry-After): never expected.
    server_errors: int = 0
    # Submissions answered with the redirect to the confirmation page.
    accepted_submits: int = 0
    abandoned: int = 0
    # With --rate: journeys started (each by a new resident).
    started_journeys: int = 0
    references: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    web_cpu: float = 0.0
    task_cpu: float = 0.0
    client_cpu: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(times) for times in self.samples.values())

    def record(self, label: str, seconds: float, ok: bool) -> None:
        self.samples[label].append(seconds)
        if not ok:
            self.errors[label] += 1


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.5))  # nearest rank
    return ordered[min(rank, len(ordered)) - 1]


class Failed(Exception):
    """A response that was not what a browser expected; counted as an error."""


class Refused(Exception):
    """The server was busy: a 503 with Retry-After, to be sent again."""


# How often a resident sends a refused request again, and the pause before
# each time (a person would wait the Retry-After; the bench waits less, so
# that the surge keeps coming).
RESENDS = 20
RESEND_PAUSE = 0.5


def clean_busy(response: Any) -> bool:
    return bool(response.status_code == 503 and response.headers.get("Retry-After"))


def csrf_token(text: str) -> str:
    found = CSRF_INPUT.search(text)
    if found is None:
        raise Failed("no CSRF token on the page")
    return found[1]


async def timed(phase: Phase, label: str, call: Awaitable[Any], expect: int) -> Any:
    """Await the request `call` (not sent until awaited), timing it. A clean
    503 is counted as refused, not as an error, and raises Refused."""
    started = time.perf_counter()
    try:
        response = await call
    except Exception:
        phase.record(label, time.perf_counter() - started, ok=False)
        raise Failed(label) from None
    elapsed = time.perf_counter() - started
    if clean_busy(response):
        phase.refused[label] += 1
        raise Refused(label)
    phase.record(label, elapsed, ok=response.status_code == expect)
    if response.status_code >= 500:
        phase.server_errors += 1
    if response.status_code != expect:
        raise Failed(f"{label}: {response.status_code}")
    return response


async def sent(
    phase: Phase,
    label: str,
    client: Any,
    path: str,
    expect: int,
    *,
    form: dict[str, str] | None = None,
) -> Any:
    """`timed` GET (or POST of `form`), sent again after a pause while the
    server is busy, as a resident would; Failed if it is still busy after RESENDS."""
    for _ in range(RESENDS):
        call = client.get(path) if form is None else client.post(path, data=form)
        try:
            return await timed(phase, label, call, expect)
        except Refused:
            await asyncio.sleep(RESEND_PAUSE)
    phase.abandoned += 1
    raise Failed(f"{label}: still busy")


# ---- the clients ----------------------------------------------------------------------


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client. httpx makes a new one for each client
    it is not given one, loading the certificate authorities: about 17 ms of
    the load generator's CPU for every new resident, though the server is
    plain HTTP, and on the same cores as the server."""
    return ssl.create_default_context()


def _client(base: str) -> Any:
    import httpx

    return httpx.AsyncClient(
        base_url=base, timeout=60.0, follow_redirects=False, verify=_tls_context()
    )


async def bare_loop(base: str, phase: Phase, deadline: float, path: str, label: str) -> None:
    async with _client(base) as client:
        while time.monotonic() < deadline:
            try:
                await timed(phase, label, client.get(path), 200)
            except (Failed, Refused):
                await asyncio.sleep(0.05)


async def start_loop(base: str, phase: Phase, deadline: float) -> None:
    """The start page, again and again, each time as a new visitor: no cookies
    are sent, but the connection is kept alive, as the bare view's clients do."""
    async with _client(base) as client:
        while time.monotonic() < deadline:
            client.cookies.clear()
            try:
                await timed(phase, "GET start page (new visitor)", client.get(START), 200)
            except (Failed, Refused):
                await asyncio.sleep(0.05)


async def mid_journey(base: str, setup: Phase) -> Any:
    """A client (connection and cookies) that has answered QUESTION_SETUP, so
    its session has a draft; the requests are counted in `setup`, not the phase."""
    client = _client(base)
    await start_and_answer(client, setup, QUESTION_SETUP)
    return client


async def question_loop(client: Any, phase: Phase, deadline: float) -> None:
    """GET one question page again and again, with a session that has a draft."""
    url = f"{START}questions/{QUESTION_PAGE}/"
    label = f"GET {QUESTION_PAGE} (with a draft)"
    try:
        while time.monotonic() < deadline:
            try:
                page = await timed(phase, label, client.get(url), 200)
                if 'name="csrfmiddlewaretoken"' not in page.text:
                    phase.errors[f"{label} (no form)"] += 1
            except (Failed, Refused):
                await asyncio.sleep(0.05)
    finally:
        await client.aclose()


async def resident_loop(base: str, phase: Phase, deadline: float) -> None:
    """Complete journeys, one after another, each as a new resident."""
    while time.monotonic() < deadline:
        async with _client(base) as client:
            try:
                await journey(client, phase)
            except Failed:
                await asyncio.sleep(0.05)


async def arrivals(base: str, phase: Phase, deadline: float, rate: float) -> None:
    """Open loop: a new resident every 1/rate seconds until the deadline, each
    completing one journey, however many are still on their way (up to
    MAX_IN_FLIGHT); waits for the last of them."""
    in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def one_resident() -> None:
        # A journey that failed is counted in the phase's errors already.
        async with in_flight, _client(base) as client:
            with contextlib.suppress(Failed):
                await journey(client, phase)

    started = time.monotonic()
    residents: list[asyncio.Task[None]] = []
    while (due := started + len(residents) / rate) < deadline:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        phase.started_journeys += 1
        residents.append(asyncio.create_task(one_resident()))
    await asyncio.gather(*residents)


async def start_and_answer(
    client: Any, phase: Phase, answers: list[tuple[str, dict[str, str]]]
) -> str:
    """GET the start page, then GET and answer each of `answers`' pages in
    turn; the CSRF token the answers were sent with."""
    await sent(phase, "GET start page", client, START, 200)
    token = client.cookies.get("csrftoken")
    for page_id, data in answers:
        url = f"{START}questions/{page_id}/"
        page = await sent(phase, f"GET {page_id}", client, url, 200)
        token = csrf_token(page.text) if token is None else token
        form = {**data, "csrfmiddlewaretoken": token}
        await sent(phase, f"POST {page_id}", client, url, 302, form=form)
    if token is None:
        raise Failed("no CSRF cookie or token")
    return str(token)


async def journey(client: Any, phase: Phase) -> None:
    token = await start_and_answer(client, phase, ANSWERS)
    await sent(phase, "GET check", client, f"{START}check/", 200)
    form = {"csrfmiddlewaretoken": token}
    await sent(phase, "POST submit", client, f"{START}check/", 302, form=form)
    phase.accepted_submits += 1
    done = await sent(phase, "GET done", client, f"{START}done/", 200)
    found = REFERENCE.search(done.text)
    if found is None:
        phase.errors["GET done (no reference)"] += 1
        raise Failed("no reference on the done page")
    phase.references.append(found[0])


async def staff_loop(
    base: str, phase: Phase, deadline: float, staff: tuple[str, list[str]]
) -> None:
    email, codes = staff
    async with _client(base) as client:
        try:
            page = await sent(phase, "staff: sign in", client, "/staff/login/", 200)
            token = csrf_token(page.text)
            form = {"username": email, "password": STAFF_PASSWORD, "csrfmiddlewaretoken": token}
            step = await sent(phase, "staff: sign in", client, "/staff/login/", 302, form=form)
            second = step.headers["location"]
            page = await sent(phase, "staff: sign in", client, second, 200)
            # Signing in (the password step) gave the session a new CSRF token.
            form = {"code": codes.pop(), "csrfmiddlewaretoken": csrf_token(page.text)}
            await sent(phase, "staff: sign in", client, second, 302, form=form)
        except Failed as failed:
            raise SystemExit(f"caseworker {email} could not sign in ({failed})") from None
        while time.monotonic() < deadline:
            try:
                queue = await sent(phase, "staff: queue", client, "/staff/", 200)
                links = CASE_LINK.findall(queue.text)
                if links:
                    link = links[len(phase.references) % len(links)]
                    await sent(phase, "staff: case", client, link, 200)
                else:
                    await asyncio.sleep(0.2)
            except Failed:
                await asyncio.sleep(0.05)


async def run_phase(
    name: str,
    server: ServerProcess,
    args: argparse.Namespace,
    staff: list[tuple[str, list[str]]],
) -> Phase:
    phase = Phase(name)
    clients: list[Any] = []
    if name == "question":  # before the clock starts: not part of what is measured
        setup = Phase("question setup")
        try:
            clients = await asyncio.gather(
                *(mid_journey(server.base, setup) for _ in range(args.residents))
            )
        except Failed as failed:
            raise SystemExit(f"the question phase could not start a journey ({failed})") from None
    deadline = time.monotonic() + args.duration
    baselines = {"bare": "bare Django view", "insert": "bare one-insert view"}
    if name in baselines:
        path = f"/bench/{name}/"
        jobs = [
            bare_loop(server.base, phase, deadline, path, baselines[name])
            for _ in range(args.residents)
        ]
    elif name == "start":
        jobs = [start_loop(server.base, phase, deadline) for _ in range(args.residents)]
    elif name == "question":
        jobs = [question_loop(client, phase, deadline) for client in clients]
    elif args.rate is not None:
        rate = args.rate * (args.surge if name == "surge" else 1)
        jobs = [arrivals(server.base, phase, deadline, rate)]
    else:
        residents = round(args.residents * (args.surge if name == "surge" else 1))
        jobs = [resident_loop(server.base, phase, deadline) for _ in range(residents)]
    if name in {"journeys", "surge"}:
        jobs += [staff_loop(server.base, phase, deadline, member) for member in staff]
    web_before, task_before = server.cpu()
    client_before = cpu_seconds(os.getpid(), children=False)
    started = time.monotonic()
    await asyncio.gather(*jobs)
    phase.elapsed = time.monotonic() - started
    web_after, task_after = server.cpu()
    phase.web_cpu = web_after - web_before
    phase.task_cpu = task_after - task_before
    phase.client_cpu = cpu_seconds(os.getpid(), children=False) - client_before
    return phase


# ---- the report ------------------------------------------------------------------------


def summary(phase: Phase) -> dict[str, Any]:
    requests = phase.requests
    answered = requests + sum(phase.refused.values())  # what the server's CPU was spent on
    return {
        "phase": phase.name,
        "seconds": round(phase.elapsed, 2),
        "requests": requests,
        "requests_per_second": round(requests / phase.elapsed, 1),
        "cases": len(phase.references),
        "cases_per_second": round(len(phase.references) / phase.elapsed, 2),
        "errors": sum(phase.errors.values()),
        "server_errors_other_than_busy": phase.server_errors,
        "refused_busy": sum(phase.refused.values()),
        "journeys_abandoned": phase.abandoned,
        "journeys_started": phase.started_journeys,
        "accepted_submits": phase.accepted_submits,
        "web_cpu_ms_per_request": round(1000 * phase.web_cpu / max(1, answered), 2),
        "task_cpu_s": round(phase.task_cpu, 2),
        "load_generator_cpu_s": round(phase.client_cpu, 2),
        "load_generator_cpu_ms_per_request": round(1000 * phase.client_cpu / max(1, answered), 2),
        "pages": {
            label: {
                "count": len(times),
                "errors": phase.errors.get(label, 0),
                "refused": phase.refused.get(label, 0),
                "p50_ms": round(1000 * percentile(times, 50), 1) if times else None,
                "p95_ms": round(1000 * percentile(times, 95), 1) if times else None,
                "p99_ms": round(1000 * percentile(times, 99), 1) if times else None,
            }
            for label, times in [
                *phase.samples.items(),
                *((label, []) for label in phase.refused if label not in phase.samples),
            ]
        },
    }


def residents_described(meta: dict[str, Any]) -> str:
    if meta.get("rate"):
        return (
            f"a new resident's journey every {1 / meta['rate']:.3g} s ({meta['rate']:g} a "
            f"second, {meta['surge']:g} times that in the surge)"
        )
    return f"{meta['residents']} residents ({meta['surge']} times as many in the surge)"


def markdown(results: list[dict[str, Any]], checks: dict[str, Any], meta: dict[str, Any]) -> str:
    lines = [
        f"## Townhall under load, {meta['date']}",
        "",
        f"{meta['database']}; `townhall serve --workers {meta['web_workers']} --threads "
        f"{meta['threads']} --with-worker --task-workers {meta['task_workers']}`; "
        f"{residents_described(meta)} and "
        f"{meta['staff']} caseworkers, {meta['duration']} s a phase; WEB_MAX_WAIT "
        f"{meta['max_wait']}; Redis: {'yes' if meta['redis'] else 'no'}; {meta['cpus']} CPUs; "
        f"{meta['pinning']}; load average {meta['load_before']:.2f} before, "
        f"{meta['load_after']:.2f} after.",
        "",
        "| Phase | Requests/s | Cases/s | Errors | Refused (503 busy) | Other 5xx "
        "| Web CPU ms/request | Task worker CPU s | Load generator CPU ms/request |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        lines.append(
            f"| {result['phase']} | {result['requests_per_second']} | "
            f"{result['cases_per_second']} | {result['errors']} | {result['refused_busy']} | "
            f"{result['server_errors_other_than_busy']} | "
            f"{result['web_cpu_ms_per_request']} | {result['task_cpu_s']} | "
            f"{result['load_generator_cpu_ms_per_request']} |"
        )
    started = [result for result in results if result.get("journeys_started")]
    if started:
        lines.append("")
    for result in started:
        lines.append(
            f"- {result['phase']}: {result['journeys_started']} journeys started, "
            f"{result['cases']} completed; started over {meta['duration']:g} s, "
            f"the last finished {result['seconds']:g} s after the first started"
        )
    lines += [
        "",
        "| Phase | Page | Requests | Errors | Refused | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for label, page in result["pages"].items():
            lines.append(
                f"| {result['phase']} | {label} | {page['count']} | {page['errors']} | "
                f"{page['refused']} | {page['p50_ms']} | {page['p95_ms']} | {page['p99_ms']} |"
            )
    lines += ["", "Checks after the run:", ""]
    lines += [f"- {name}: {value}" for name, value in checks.items()]
    return "\n".join(lines) + "\n"


def pin(args: argparse.Namespace) -> str:
    """With --pin, keep this process (the load generator) on the first CPU; the
    server is started on the others (ServerProcess). A description either way."""
    if not args.pin:
        return "not pinned"
    first, *others = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {first})
    args.server_cpus = set(others)
    return f"load generator pinned to CPU {first}, server to CPU {', '.join(map(str, others))}"


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    phases = [name.strip() for name in args.phases.split(",") if name.strip()]
    with tempfile.TemporaryDirectory(prefix="townhall-load-") as tmp:
        workdir = Path(tmp)
        environment, meta = prepare(args, workdir, STAFF_PASSWORD)
        staff = meta.pop("staff_emails")
        meta["pinning"] = pin(args)
        print("Starting townhall serve ...", file=sys.stderr, flush=True)
        server = ServerProcess(environment, args)
        results: list[dict[str, Any]] = []
        try:
            server.wait_until_ready()
            meta["load_before"] = os.getloadavg()[0]
            references: list[str] = []
            accepted = 0
            server_errors = 0
            for name in phases:
                print(f"  {name} ...", file=sys.stderr, flush=True)
                phase = asyncio.run(run_phase(name, server, args, staff))
                references += phase.references
                accepted += phase.accepted_submits
                server_errors += phase.server_errors
                results.append(summary(phase))
            meta["load_after"] = os.getloadavg()[0]
            print("Waiting for the task workers, then checking ...", file=sys.stderr, flush=True)
            checks = check_run(
                environment,
                references,
                workdir,
                accepted_submits=accepted,
                server_errors=server_errors,
            )
        finally:
            server.stop()
    print(markdown(results, checks, meta))
    if args.json:
        payload = {"environment": meta, "results": results, "checks": checks}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    if not checks["all passed"]:
        sys.exit(1)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    main()
