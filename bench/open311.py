"""Benchmark Open311 over HTTP, served by `townhall serve` (gunicorn, the
production server: --workers processes of --threads threads) with production
settings, beside two baselines served the same way in the same run: a view
that does nothing and a view that does one INSERT.

Builds a fresh database (a temporary SQLite file, or the one
BENCH_DATABASE_URL names, emptied first: its name must contain "bench"),
a council with the standard fly-tipping service, an API key and --cases
generated cases (1,000,000 by default), starts the server, and drives it
with --concurrency clients on keep-alive connections. Prints a Markdown
table; nothing passes or fails on time. With --reuse (PostgreSQL), the
cases an earlier run generated are measured again instead.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/townhall_bench \\
        nice .venv/bin/python bench/open311.py
    BENCH_DATABASE_URL=… .venv/bin/python bench/open311.py --reuse --only list,list100
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))  # so `bench.*` imports when run as a script

from bench.run import cpu_count, cpu_model, database_url  # noqa: E402
from bench.timing import add_reuse_options, percentile  # noqa: E402
from townhall.core.serving import default_web_workers  # noqa: E402

POST_FORM = {
    "jurisdiction_id": "example",
    "service_code": "report-fly-tipping",
    "lat": "51.5",
    "long": "-0.12",
    "address_string": "Behind the shops on Castle Street",
    "attribute[waste_type]": "furniture",
    "attribute[size]": "small_van",
    "attribute[seen_on]": "2026-01-05T10:00:00Z",
    "email": "resident@example.com",
    "description": "A sofa and two mattresses",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases generated first")
    parser.add_argument("--posts", type=int, default=2_000, help="timed POSTs per scenario")
    parser.add_argument("--gets", type=int, default=2_000, help="timed GETs per scenario")
    parser.add_argument("--warmup", type=int, default=50, help="untimed requests before those")
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[8],
        help="clients at once (several numbers: each in turn, on the same data)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=default_web_workers(),
        help="the server's worker processes (default: two per core, as `townhall serve`)",
    )
    parser.add_argument(
        "--threads", type=int, default=8, help="threads in each worker process (default: 8)"
    )
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write raw numbers here")
    add_reuse_options(parser)
    args = parser.parse_args(argv)
    counts = (args.posts, args.gets, *args.concurrency, args.threads, args.workers)
    if min(counts) < 1 or args.cases < 0:
        parser.error("counts must be at least 1 (--cases at least 0)")
    known = {load.key for load in [*loads("")[0], *loads("")[1]]}
    args.only = set(args.only.split(",")) if args.only else known
    if args.only - known:
        parser.error(f"--only takes {', '.join(sorted(known))}")
    if args.reuse and not os.environ.get("BENCH_DATABASE_URL"):
        parser.error("--reuse needs BENCH_DATABASE_URL (PostgreSQL)")
    return args


def environment(workdir: Path, port: int) -> dict[str, str]:
    """Production settings, but plain HTTP on the loopback interface."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "TOWNHALL_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "bench.http_settings",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "HTTPS": "false",
            "DATABASE_URL": database_url(workdir),
            "TOWNHALL_VAR_DIR": str(workdir),
            "MEDIA_ROOT": str(workdir / "media"),
            "API_RATE_LIMIT": "100000000",  # measured, not limited
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR), env.get("PYTHONPATH", "")]),
            "PORT": str(port),
        }
    )
    return env


def reused(cases: int) -> dict[str, Any] | None:
    """What clients need from the data an earlier run left (a new write key:
    only a key's digest is kept), if it generated `cases` cases for the
    council; None otherwise. Cases the earlier run's POSTs made stay."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from bench.http_urls import INSERT_TABLE
    from townhall.cases.models import Case
    from townhall.integrations.keys import api_key_create
    from townhall.tenancy.models import Organisation

    call_command("migrate", interactive=False, verbosity=0)
    organisation = Organisation.objects.filter(slug="example").first()
    if organisation is None or INSERT_TABLE not in connection.introspection.table_names():
        return None
    generated = Case.objects.filter(organisation=organisation, reference__startswith="GEN-")
    if generated.count() != cases:
        return None
    key_made = api_key_create(organisation=organisation, name="Benchmark", scope="write")
    vendor = connection.vendor
    connection.close()
    return {"key": key_made.key, "cases": cases, "database": vendor}


def prepare(cases: int) -> dict[str, Any]:
    """The database: migrated, emptied, the baseline's table, a council, its
    service, a write key and the generated cases. Returns what clients need."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from bench.http_urls import INSERT_TABLE
    from bench.open311_cases import cases_generate
    from townhall.catalogue.services import service_import
    from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
    from townhall.integrations.keys import api_key_create
    from townhall.tenancy.models import Organisation

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {INSERT_TABLE}")
        key = "BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER"
        cursor.execute(
            f"CREATE TABLE {INSERT_TABLE} (id {key} PRIMARY KEY, created_at TIMESTAMP, body TEXT)"
        )
    organisation = Organisation.objects.create(
        slug="example", name="Example Council", reference_prefix="EXA"
    )
    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    service = service_import(organisation=organisation, definition=definition).service
    key_made = api_key_create(organisation=organisation, name="Benchmark", scope="write")
    started = time.monotonic()
    total = cases_generate(service=service, count=cases) if cases else 0
    print(f"  {total:,} cases in {time.monotonic() - started:.0f} s", file=sys.stderr)
    vendor = connection.vendor
    connection.close()
    return {"key": key_made.key, "cases": total, "database": vendor}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(env: dict[str, str], threads: int, workers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "townhall.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", env["PORT"], "--threads", str(threads), "--workers", str(workers)]
    server = subprocess.Popen(command, env=env, cwd=PROJECT_DIR)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", int(env["PORT"]), timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("the server did not answer /healthz within 60 s")


@dataclass
class Load:
    key: str  # for --only
    name: str
    method: str
    path: str
    body: str = ""
    expect: int = 200
    samples_ns: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.samples_ns) / self.seconds if self.seconds else 0.0

    def ms(self, pct: float) -> float:
        return percentile(self.samples_ns, pct) / 1e6


def drive(load: Load, *, port: int, count: int, warmup: int, concurrency: int) -> Load:
    """`count` requests from `concurrency` clients, each on its own
    keep-alive connection; every answer's status is checked."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if load.body else {}
    lock = threading.Lock()
    remaining = [warmup + count]
    failures: list[str] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if remaining[0] <= 0 or failures:
                    return
                remaining[0] -= 1
                timed = remaining[0] < count
            start = time.perf_counter_ns()
            connection.request(load.method, load.path, body=load.body or None, headers=headers)
            response = connection.getresponse()
            content = response.read()
            elapsed = time.perf_counter_ns() - start
            if response.status != load.expect:
                failures.append(f"{load.name}: {response.status} {content[:300]!r}")
            elif timed:
                with lock:
                    load.samples_ns.append(elapsed)

    workers = [threading.Thread(target=client) for _n in range(concurrency)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    load.seconds = time.perf_counter() - started
    if failures:
        raise SystemExit(failures[0])
    # The warm-up is inside the wall time: take its share out of the rate.
    load.seconds *= count / (count + warmup)
    return load


def loads(key: str) -> tuple[list[Load], list[Load]]:
    form = urlencode({**POST_FORM, "api_key": key})
    gets = [
        Load("bare", "GET bare view (no database)", "GET", "/bench/bare/"),
        Load(
            "list",
            "GET Open311 requests.json (last 90 days, 50 a page: the default)",
            "GET",
            "/open311/v2/requests.json?jurisdiction_id=example",
        ),
        Load(
            "list100",
            "GET Open311 requests.json?page_size=100",
            "GET",
            "/open311/v2/requests.json?jurisdiction_id=example&page_size=100",
        ),
        Load(
            "open20",
            "GET Open311 requests.json?status=open&page_size=20",
            "GET",
            "/open311/v2/requests.json?jurisdiction_id=example&status=open&page_size=20",
        ),
        Load(
            "one",
            "GET Open311 requests/{id}.json",
            "GET",
            "/open311/v2/requests/GEN-0000000042.json?jurisdiction_id=example",
        ),
        Load(
            "listxml",
            "GET Open311 requests.xml (the default list as XML)",
            "GET",
            "/open311/v2/requests.xml?jurisdiction_id=example",
        ),
        Load(
            "services",
            "GET Open311 services.json",
            "GET",
            "/open311/v2/services.json?jurisdiction_id=example",
        ),
    ]
    posts = [
        Load(
            "post-bare",
            "POST bare view, one INSERT",
            "POST",
            "/bench/insert/",
            body=form,
            expect=201,
        ),
        Load(
            "post",
            "POST Open311 requests.json (a case)",
            "POST",
            "/open311/v2/requests.json",
            body=form,
        ),
    ]
    return gets, posts


BASELINES = {"GET": "bare", "POST": "post-bare"}


def table(results: list[Load]) -> str:
    """One row a load; its rate as a share of its method's baseline, if that ran."""
    baseline = {load.method: load for load in results if load.key == BASELINES[load.method]}
    lines = [
        "| request | requests | per second | median ms | p95 ms | rate vs its baseline |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for load in results:
        base = baseline.get(load.method)
        ratio = f"{load.rate / base.rate:.2f}" if base is not None and base.rate else "-"
        lines.append(
            f"| {load.name} | {len(load.samples_ns):,} | {load.rate:,.0f} | {load.ms(50):.1f} "
            f"| {load.ms(95):.1f} | {ratio} |"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace, port: int, key: str, concurrency: int) -> list[Load]:
    """Every load in turn from `concurrency` clients, baselines first."""
    gets, posts = loads(key)
    results = []
    for load, count in [(g, args.gets) for g in gets] + [(p, args.posts) for p in posts]:
        if load.key not in args.only:
            continue
        print(f"  {load.name}, {concurrency} clients ...", file=sys.stderr, flush=True)
        results.append(
            drive(load, port=port, count=count, warmup=args.warmup, concurrency=concurrency)
        )
    return results


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    runs: list[tuple[int, list[Load], float, float]] = []
    with tempfile.TemporaryDirectory(prefix="townhall-bench-open311-") as tmp:
        port = free_port()
        env = environment(Path(tmp), port)
        os.environ.update(env)
        print("Preparing the database ...", file=sys.stderr, flush=True)
        world = reused(args.cases) if args.reuse else None
        if world is None:
            if args.reuse:
                print("  nothing to reuse: generating", file=sys.stderr, flush=True)
            world = prepare(args.cases)
        server = serve(env, args.threads, args.workers)
        try:
            for concurrency in args.concurrency:
                load_before = os.getloadavg()[0]
                results = run(args, port, world["key"], concurrency)
                runs.append((concurrency, results, load_before, os.getloadavg()[0]))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"## Open311 over HTTP, {time.strftime('%Y-%m-%d')}\n\n"
        f"`townhall serve` (gunicorn, {args.workers} worker processes of {args.threads} "
        f"threads), production settings over plain HTTP; {world['database']}; "
        f"{world['cases']:,} generated cases{' (reused)' if args.reuse else ''}; clients on "
        f"keep-alive connections on the same machine; {cpu_count()} CPUs ({cpu_model()}).\n"
    )
    for concurrency, results, load_before, load_after in runs:
        print(
            f"{concurrency} clients; load average {load_before:.2f} before, "
            f"{load_after:.2f} after.\n\n{table(results)}\n"
        )
    if args.json:
        payload = [
            {
                "key": r.key,
                "name": r.name,
                "clients": concurrency,
                "requests": len(r.samples_ns),
                "per_second": r.rate,
                "median_ms": r.ms(50),
                "p95_ms": r.ms(95),
            }
            for concurrency, results, _before, _after in runs
            for r in results
        ]
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
