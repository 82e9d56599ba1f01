"""Benchmark insight and open data at a council's scale: every staff insight
view, the public performance page and a full open-data export, beside the
equivalent raw SQL aggregate in the same run.

Builds, in a fresh database (a temporary SQLite file, or the one
BENCH_DATABASE_URL names, emptied first), one council with five standard
services, ten wards, N cases (1,000,000 by default) spread over two years and
three contacts a case. Not part of the test suite: nothing here passes or
fails on time.

    .venv/bin/python bench/insight.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/townhall_bench \\
        .venv/bin/python bench/insight.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))  # so `bench.*` imports when run as a script

from bench.rows import rows_insert  # noqa: E402
from bench.run import (  # noqa: E402
    configure_environment,
    describe_run,
    prepare_database,
    setup_django,
)
from bench.timing import BenchError, Result, Scenario, add_reuse_options, measure  # noqa: E402

SERVICES = [
    "report-fly-tipping",
    "report-a-pothole",
    "report-a-missed-bin-collection",
    "apply-for-a-blue-badge",
    "report-anti-social-behaviour",
]
CHANNELS = ["web"] * 60 + ["phone"] * 25 + ["face_to_face"] * 5 + ["email"] * 6 + ["api"] * 4
BATCH = 5_000
BATCH_READ = 50_000
WARDS = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to generate")
    parser.add_argument("--contacts-per-case", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per scenario")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs before those")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write raw numbers here")
    add_reuse_options(parser)
    args = parser.parse_args(argv)
    if args.cases < 1 or args.repeat < 1 or args.warmup < 0 or args.contacts_per_case < 1:
        parser.error("--cases, --contacts-per-case and --repeat must be at least 1")
    args.debug = False
    args.hold_connection = False
    return args


def build(cases: int, contacts_per_case: int) -> dict[str, object]:
    """The council, its services and wards, and the generated cases and contacts."""
    from townhall.accounts.models import User
    from townhall.cases.models import Case, Contact
    from townhall.catalogue.services import service_import
    from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
    from townhall.places.models import Area
    from townhall.tenancy.models import Membership, Organisation, Site

    council = Organisation.objects.create(
        name="Bench Council", slug="bench", reference_prefix="BEN", contact_email="b@example.com"
    )
    Site.objects.create(host="testserver", name="Bench", is_default=True).organisations.add(council)
    analyst = User.objects.create_user(email="analyst@example.com", password=None)
    Membership.objects.create(user=analyst, organisation=council, role="analyst")
    services = [
        service_import(
            organisation=council, definition=load_definition_file(STANDARD_DIR / f"{slug}.yaml")
        ).service
        for slug in SERVICES
    ]
    for n in range(WARDS):
        Area.objects.create(
            type="ward",
            code=f"E0500{n:04d}",
            name=f"Ward {n}",
            geometry="{}",
            min_lon=-2,
            min_lat=51,
            max_lon=-1,
            max_lat=52,
        )
    rng = random.Random(12)
    now = datetime.now(tz=UTC)
    span = 2 * 365 * 86400
    started = time.perf_counter()
    versions = [(s.pk, s.published_version_id) for s in services]

    def cases_rows() -> Iterator[dict[str, object]]:
        for n in range(cases):
            service_id, version_id = versions[n % len(versions)]
            created = now - timedelta(seconds=rng.randrange(span))
            closed = created + timedelta(days=rng.randrange(1, 30)) if rng.random() < 0.8 else None
            point = {"lon": -1.3 + rng.random() * 0.2, "lat": 51.7 + rng.random() * 0.1}
            yield {
                "organisation_id": council.pk,
                "service_id": service_id,
                "service_version_id": version_id,
                "reference": f"BEN-{n:09d}",
                "status": "closed" if closed else "submitted",
                "is_open": closed is None,
                "channel": rng.choice(CHANNELS),
                "language": "en",
                "answers": {"location": {"text": "A street", "point": point}},
                "area_codes": [f"E0500{n % WARDS:04d}"],
                "lat": point["lat"],
                "lon": point["lon"],
                "summary": "",
                "contact_email": "",
                "due_at": created + timedelta(days=10),
                "closed_at": closed,
                "created_at": created,
                "updated_at": closed or created,
            }
            if (n + 1) % 100_000 == 0:
                rate = (n + 1) / (time.perf_counter() - started)
                print(f"  {n + 1:,} cases ({rate:,.0f} a second)", file=sys.stderr, flush=True)

    rows_insert(Case, cases_rows())
    cases_so_far = Case.objects.filter(organisation=council).order_by("pk")

    def contact_rows(chunk: list[tuple[int, int, datetime]]) -> Iterator[dict[str, object]]:
        for case_id, service_id, created in chunk:
            for k in range(contacts_per_case):
                yield {
                    "organisation_id": council.pk,
                    "channel": rng.choice(CHANNELS),
                    "service_id": service_id,
                    "case_id": case_id,
                    "reason": "progress_chasing" if k else "new_request",
                    "outcome": "case_updated" if k else "case_opened",
                    "note": "",
                    "created_at": created + timedelta(days=k),
                }

    # In chunks read before each COPY: a connection runs one statement at a time.
    last = 0
    while True:
        chunk = list(
            cases_so_far.filter(pk__gt=last).values_list("pk", "service_id", "created_at")[
                :BATCH_READ
            ]
        )
        if not chunk:
            break
        rows_insert(Contact, contact_rows(chunk))
        last = chunk[-1][0]
    vacuum()
    return {"council": council, "analyst": analyst}


def vacuum() -> None:
    """Planner statistics and the visibility map, as autovacuum would soon
    leave them after rows copied in (PostgreSQL vacuums after inserts too)."""
    from django.db import connection

    from townhall.cases.models import Case, Contact

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (Case, Contact):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        else:
            cursor.execute("ANALYZE")


def reused(args: argparse.Namespace) -> dict[str, object] | None:
    """What an earlier run of the same sizes left, with its roll-up cleared so
    the live figures are counted live again; None if it is not there."""
    from townhall.accounts.models import User
    from townhall.cases.models import Case, Contact
    from townhall.insight.models import CaseDay, ContactDay, RollupState
    from townhall.tenancy.models import Organisation

    council = Organisation.objects.filter(slug="bench").first()
    analyst = User.objects.filter(email="analyst@example.com").first()
    if council is None or analyst is None:
        return None
    cases = Case.objects.filter(organisation=council).count()
    contacts = Contact.objects.filter(organisation=council).count()
    if cases != args.cases or contacts != cases * args.contacts_per_case:
        return None
    for model in (ContactDay, CaseDay, RollupState):
        model.objects.filter(organisation=council).delete()
    print(f"Reusing {cases:,} cases and {contacts:,} contacts", file=sys.stderr, flush=True)
    return {"council": council, "analyst": analyst}


def scenarios(built: dict[str, object]) -> list[Scenario]:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from townhall.insight.periods import Period, financial_year_start
    from townhall.insight.report import report_build
    from townhall.insight.selectors import DateRange
    from townhall.testing.sign_in import sign_in

    council = built["council"]
    today = timezone.localdate()
    dates = DateRange(financial_year_start(today), today)
    staff = Client()
    sign_in(staff, built["analyst"])  # with the second factor given
    public = Client()

    def raw_sql() -> Callable[[], object]:
        def action() -> object:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT service_id, channel, COUNT(*) FROM cases_contact "
                    "WHERE organisation_id = %s AND created_at >= %s AND created_at < %s "
                    "GROUP BY service_id, channel",
                    [council.pk, dates.since, dates.before],  # type: ignore[attr-defined]
                )
                return cursor.fetchall()

        return action

    def figures() -> Callable[[], object]:
        # A fresh council each time, as each request has: it holds the roll-up cut.
        fresh = type(council).objects.get(pk=council.pk)  # type: ignore[attr-defined]
        return lambda: report_build(organisation=fresh, dates=dates, period=Period.MONTH)

    def get(client: Client, url: str) -> Callable[[], Callable[[], object]]:
        return lambda: lambda: client.get(url)

    def rows(outcome: object) -> None:
        if not outcome:
            raise BenchError("the aggregate returned nothing")

    def report_ok(outcome: object) -> None:
        if not getattr(outcome, "tables", None):
            raise BenchError("no tables")

    def ok(outcome: object) -> None:
        if getattr(outcome, "status_code", None) != 200:
            raise BenchError(f"answered {getattr(outcome, 'status_code', outcome)!r}")

    return [
        Scenario("sql", "Raw SQL: contacts by service and channel (baseline)", raw_sql, rows),
        Scenario("figures", "Every insight figure (report_build)", figures, report_ok),
        Scenario(
            "page",
            "GET /staff/insight/ (financial year to date)",
            get(staff, "/staff/insight/"),
            ok,
        ),
        Scenario(
            "year",
            "GET /staff/insight/ two years, by week",
            get(staff, f"/staff/insight/?start={today - timedelta(days=730)}&period=week"),
            ok,
        ),
        Scenario(
            "day",
            "GET /staff/insight/ financial year to date, by day",
            get(staff, "/staff/insight/?period=day"),
            ok,
        ),
        Scenario(
            "fy",
            "GET /staff/insight/ two years, by financial year",
            get(
                staff, f"/staff/insight/?start={today - timedelta(days=730)}&period=financial_year"
            ),
            ok,
        ),
        Scenario(
            "csv", "GET one table as XLSX", get(staff, "/staff/insight/tables/services.xlsx"), ok
        ),
        Scenario(
            "perf_csv",
            "GET the service performance table as CSV",
            get(staff, "/staff/insight/tables/performance.csv"),
            ok,
        ),
        Scenario(
            "bench_csv",
            "GET the benchmarks table as CSV",
            get(staff, "/staff/insight/tables/benchmarks.csv"),
            ok,
        ),
        Scenario("performance", "GET /performance/ (public)", get(public, "/performance/"), ok),
        Scenario(
            "open_data", "GET /open-data/ (dictionary, licence)", get(public, "/open-data/"), ok
        ),
        Scenario(
            "catalogue",
            "GET /open-data/catalogue.jsonld (DCAT)",
            get(public, "/open-data/catalogue.jsonld"),
            ok,
        ),
    ]


def export(kind: str) -> tuple[float, int, int]:
    """Stream the whole open-data file; seconds, bytes, and peak Python memory."""
    from django.test import Client

    client = Client()
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(f"/open-data/cases.{kind}")
    size = 0
    for chunk in response.streaming_content:  # type: ignore[attr-defined]
        size += len(chunk)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, size, peak


def table(results: list[Result]) -> str:
    base = results[0].median_ms
    lines = [
        "| Scenario | Median ms | p95 ms | Ratio to SQL | SQL queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.median_ms:.1f} | {r.p95_ms:.1f} | {r.median_ms / base:.1f} "
            f"| {r.queries} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
        configure_environment(args, Path(tmp))
        setup_django()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        built = reused(args) if args.reuse else None
        made = "left by an earlier run" if built is not None else ""
        if built is None:
            print("Preparing the database ...", file=sys.stderr, flush=True)
            prepare_database()
            built = build(args.cases, args.contacts_per_case)
        made = made or f"generated in {time.perf_counter() - started:,.0f} s"
        meta = describe_run(args)
        results = []
        wanted = set(args.only.split(",")) | {"sql"} if args.only else None
        every = [s for s in scenarios(built) if wanted is None or s.key in wanted]
        # Counted live first (no roll-up yet, as before `insight_rollup` first
        # runs), then as a council runs it: finished days rolled up nightly.
        figures = next(s for s in scenarios(built) if s.key == "figures")
        live = Scenario(
            "live",
            "Every insight figure, counted live (no roll-up)",
            figures.prepare,
            figures.check,
        )
        if wanted is None or "live" in wanted:
            print(f"  {live.name} ...", file=sys.stderr, flush=True)
            results.append(measure(live, repeat=max(1, args.repeat // 4), warmup=0))
        print("  insight_rollup ...", file=sys.stderr, flush=True)
        from townhall.insight.rollup import insight_rollup_to_date

        rolled = time.perf_counter()
        insight_rollup_to_date(organisation=built["council"])  # type: ignore[arg-type]
        meta["rollup_seconds"] = time.perf_counter() - rolled
        for scenario in every:
            print(f"  {scenario.name} ...", file=sys.stderr, flush=True)
            results.append(measure(scenario, repeat=args.repeat, warmup=args.warmup))
        results.insert(0, results.pop(next(i for i, r in enumerate(results) if r.key == "sql")))
        exports = {
            kind: export(kind)
            for kind in ("csv", "geojson")
            if wanted is None or f"export-{kind}" in wanted
        }
        meta["load_average_1min_after"] = os.getloadavg()[0]
        connections.close_all()
    lines = [
        f"| open data, all public cases as {kind.upper()} | {seconds:.1f} s | {size / 1e6:,.1f} MB "
        f"| {peak / 1e6:,.1f} MB |"
        for kind, (seconds, size, peak) in exports.items()
    ]
    print(
        f"## Insight and open data, {meta['date']}\n\n{args.cases:,} cases and "
        f"{args.cases * args.contacts_per_case:,} contacts over two years ({made}; "
        f"the first `insight_rollup` took {meta['rollup_seconds']:,.1f} s); "
        f"{meta['database']}; Python {meta['python']}; {meta['cpus']} CPUs "
        f"({meta['cpu']}); {args.repeat} timed runs per scenario after {args.warmup} warm-up; "
        f"load average {meta['load_average_1min']:.2f} before, "
        f"{meta['load_average_1min_after']:.2f} after.\n\n{table(results)}\n\n"
        "| Export | Time | Size | Peak Python memory |\n|---|---:|---:|---:|\n"
        + "\n".join(lines)
        + "\n"
    )
    if args.json:
        payload = {
            "environment": meta,
            "results": [
                {"key": r.key, "median_ms": r.median_ms, "p95_ms": r.p95_ms, "queries": r.queries}
                for r in results
            ],
            "exports": exports,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
