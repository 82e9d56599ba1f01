"""Benchmark creating cases through the REST API over HTTP, beside a bare
Django view that does one INSERT and the floor of a creation (the key checked
and counted and the case's rows written, nothing else: bench/creation_floor.py),
all served by `townhall serve` in one run.

Builds a fresh database (a temporary SQLite file, or the one
BENCH_DATABASE_URL names, emptied first) with a council, a published service
and a write key, starts `townhall serve` on a free local port with production
settings (`TOWNHALL_ENV=production`, DEBUG off, the database task queue; only
the URLs differ, to add the baseline view), then sends each scenario's POSTs
from several client threads over kept-alive connections and reports
requests per second, latency percentiles and the CPU each request cost the
server's processes, PostgreSQL's and the clients (Linux's /proc). Every
response is checked, and the rows made are counted afterwards. Nothing here
passes or fails on time.

    .venv/bin/python bench/api.py
    BENCH_DATABASE_URL=postgres://localhost/townhall_bench .venv/bin/python bench/api.py
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))  # so `bench.*` imports when run as a script

from bench.load_server import TICKS, tree_cpu  # noqa: E402
from bench.run import configure_environment, describe_run, prepare_database  # noqa: E402
from bench.timing import percentile  # noqa: E402

ANSWERS = {"problem": "pothole", "depth": 12, "email": "ada@example.com"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000, help="timed POSTs per scenario")
    parser.add_argument("--warmup", type=int, default=50, help="untimed POSTs before those")
    parser.add_argument("--clients", type=int, default=8, help="client threads sending at once")
    parser.add_argument("--threads", type=int, default=8, help="the server's threads")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write raw numbers here")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.warmup < 0 or args.clients < 1 or args.threads < 1:
        parser.error("--requests, --clients and --threads must be at least 1, --warmup 0 or more")
    args.debug = False  # for configure_environment and describe_run
    args.hold_connection = False
    args.repeat = args.requests
    return args


def seed() -> str:
    """A council with the street-problem service, and a write key for it."""
    from townhall.catalogue.factories import branching_definition, service_create
    from townhall.integrations.keys import api_key_create
    from townhall.tenancy.models import Organisation, Site

    council = Organisation.objects.create(
        slug="example", name="Example Council", reference_prefix="EXA"
    )
    Site.objects.create(host="127.0.0.1", name="Example Council", is_default=True)
    service_create(organisation=council, definition=branching_definition())
    return api_key_create(organisation=council, name="Benchmark", scope="write").key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(workdir: Path) -> dict[str, str]:
    """Production settings, as an operator would run them, on this database."""
    environment = {k: v for k, v in os.environ.items() if k != "TASKS_BACKEND"}
    environment.update(
        {
            "TOWNHALL_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(PROJECT_DIR),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "HTTPS": "false",  # plain HTTP on the loopback: no TLS proxy in front here
            "SECURE_SSL_REDIRECT": "false",
            "API_RATE_LIMIT": str(10**9),  # one key sends everything: no limit to hit
            "TOWNHALL_VAR_DIR": str(workdir),
            "LOG_LEVEL": "WARNING",
        }
    )
    (workdir / "static").mkdir(exist_ok=True)
    return environment


@contextmanager
def served(workdir: Path, threads: int) -> Iterator[tuple[int, int]]:
    """`townhall serve` on a free port until the block ends; yields the port
    and the server's process id."""
    port = free_port()
    command = [sys.executable, "-m", "townhall.cli", "serve"]
    command += ["--port", str(port), "--threads", str(threads)]
    log = (workdir / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        command, env=server_environment(workdir), cwd=PROJECT_DIR, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                sys.exit("The server did not start:\n" + (workdir / "server.log").read_text())
            time.sleep(0.2)
        yield port, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@dataclass(frozen=True)
class Scenario:
    key: str
    name: str
    path: str
    body: Callable[[int], bytes]  # the body of request number n
    headers: Callable[[int], dict[str, str]]


@dataclass(frozen=True)
class Cpu:
    """CPU seconds spent so far by the server's processes, by the database's
    (PostgreSQL's processes; none for SQLite, whose work is the server's) and
    by this process, the clients."""

    server: float
    database: float
    client: float

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(
            self.server - other.server,
            self.database - other.database,
            self.client - other.client,
        )


def database_cpu() -> float:
    """CPU seconds of every PostgreSQL process on this machine (Linux's /proc):
    the database the server uses is the only busy one while a scenario runs."""
    total = 0
    for path in Path("/proc").glob("[0-9]*/comm"):
        try:
            if path.read_text().strip() != "postgres":
                continue
            fields = (path.parent / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def cpu_now(server_pid: int) -> Cpu:
    return Cpu(tree_cpu(server_pid), database_cpu(), time.process_time())


@dataclass(frozen=True)
class Outcome:
    key: str
    name: str
    samples_ns: list[int]
    seconds: float
    cpu: Cpu | None = None

    def cpu_ms(self, part: str) -> float:
        assert self.cpu is not None
        return 1000 * getattr(self.cpu, part) / len(self.samples_ns)

    @property
    def rate(self) -> float:
        return len(self.samples_ns) / self.seconds

    def ms(self, pct: float) -> float:
        return percentile(self.samples_ns, pct) / 1e6


def scenarios(key: str) -> list[Scenario]:
    body = json.dumps({"service": "report-street-problem", "answers": ANSWERS}).encode()
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    return [
        Scenario(
            "insert",
            "Baseline: bare view, one INSERT",
            "/bench/insert/",
            lambda n: b"",
            lambda n: {},
        ),
        Scenario(
            "floor",
            "Floor: a creation's rows written by hand",
            "/bench/creation-floor/",
            lambda n: body,
            lambda n: auth,
        ),
        Scenario(
            "rest", "REST POST /api/v1/cases", "/api/v1/cases", lambda n: body, lambda n: auth
        ),
        Scenario(
            "rest_idempotent",
            "REST POST /api/v1/cases with an Idempotency-Key",
            "/api/v1/cases",
            lambda n: body,
            lambda n: {**auth, "Idempotency-Key": f"bench-{n}-{secrets.token_hex(4)}"},
        ),
    ]


def send(port: int, scenario: Scenario, count: int, clients: int, server_pid: int) -> Outcome:
    """`count` POSTs from `clients` threads, each on its own kept-alive connection."""
    numbers = iter(range(count))
    lock = threading.Lock()
    samples: list[int] = []
    failures: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[int] = []
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                break
            started = time.perf_counter_ns()
            connection.request("POST", scenario.path, scenario.body(n), scenario.headers(n))
            response = connection.getresponse()
            content = response.read()
            mine.append(time.perf_counter_ns() - started)
            if response.status != 201:
                failures.append(f"{response.status} {content[:300]!r}")
        connection.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    cpu_before = cpu_now(server_pid)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    cpu = cpu_now(server_pid) - cpu_before
    if failures:
        sys.exit(f"{scenario.name}: {len(failures)} requests failed, first: {failures[0]}")
    return Outcome(scenario.key, scenario.name, samples, seconds, cpu)


def verify(expected_cases: int) -> None:
    """The rows the requests were meant to make, and no more."""
    from django_tasks_db.models import DBTaskResult

    from townhall.cases.models import Case, CaseEvent, Contact
    from townhall.integrations.models import IdempotentRequest

    counts = {
        "cases": Case.objects.count(),
        "contacts": Contact.objects.count(),
        "events": CaseEvent.objects.count(),
        "dispatch tasks": DBTaskResult.objects.filter(task_path__endswith="dispatch_event").count(),
    }
    if set(counts.values()) != {expected_cases}:
        sys.exit(f"Expected {expected_cases} of each, found {counts}")
    if not IdempotentRequest.objects.exists():
        sys.exit("The Idempotency-Key scenario stored no keys")


def table(results: list[Outcome]) -> str:
    baseline = results[0].rate
    lines = [
        "| Scenario | Requests/s | Median (ms) | p95 (ms) | p99 (ms) | Rate vs. one INSERT "
        "| CPU ms a request: server, database, clients |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.rate:.0f} | {r.ms(50):.1f} | {r.ms(95):.1f} | {r.ms(99):.1f} "
            f"| {r.rate / baseline:.2f} | {r.cpu_ms('server'):.2f}, {r.cpu_ms('database'):.2f}, "
            f"{r.cpu_ms('client'):.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="townhall-bench-api-") as tmp:
        workdir = Path(tmp)
        configure_environment(args, workdir)
        import django

        django.setup()
        from django.db import connections

        print("Preparing the database ...", file=sys.stderr, flush=True)
        prepare_database()
        key = seed()
        meta: dict[str, Any] = describe_run(args)
        connections.close_all()  # the server has the database to itself while it runs
        results = []
        with served(workdir, args.threads) as (port, pid):
            for scenario in scenarios(key):
                print(f"  {scenario.name} ...", file=sys.stderr, flush=True)
                send(port, scenario, args.warmup, args.clients, pid)
                results.append(send(port, scenario, args.requests, args.clients, pid))
        meta["load_average_1min_after"] = os.getloadavg()[0]
        verify(expected_cases=3 * (args.requests + args.warmup))
        connections.close_all()
    print(
        f"## REST API case creation over HTTP, {meta['date']}\n\n"
        f"{meta['database']}; Python {meta['python']}, Django {meta['django']}; "
        f"{meta['cpus']} CPUs ({meta['cpu']}); `townhall serve --threads {args.threads}`, "
        f"production settings; {args.clients} client threads on kept-alive connections; "
        f"{args.requests} timed POSTs per scenario after {args.warmup} warm-up; load average "
        f"{meta['load_average_1min']:.2f} before, {meta['load_average_1min_after']:.2f} after.\n\n"
        f"{table(results)}\n"
    )
    if args.json:
        payload = {
            "environment": meta,
            "results": [
                {"key": r.key, "name": r.name, "rate": r.rate, "samples_ns": r.samples_ns}
                for r in results
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
