"""Benchmark "open reports near here" (`cases.nearby`) at a council's scale,
beside a raw SQL bounding-box query on the same columns in the same run.

Builds, in a fresh database (a temporary SQLite file, or the one
BENCH_DATABASE_URL names, emptied first), one council with five public
street services and N cases (1,000,000 by default) spread over a town about
14 km by 11 km, opened over the last 90 days, 60% still open. Each
repetition asks at another random point in the town, with the services'
default radius (100 m) and window (30 days). Not part of the test suite:
nothing here passes or fails on time.

    .venv/bin/python bench/nearby.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/townhall_bench \\
        .venv/bin/python bench/nearby.py
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
from bench.timing import BenchError, Scenario, measure, ratio_table  # noqa: E402

SERVICES = [
    "report-fly-tipping",
    "report-a-pothole",
    "report-graffiti",
    "report-a-street-light-fault",
    "report-a-dead-animal",
]
WEST, SOUTH, WIDTH, HEIGHT = -1.3, 51.7, 0.2, 0.1
DAYS = 90


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to generate")
    parser.add_argument("--repeat", type=int, default=1_000, help="timed runs per scenario")
    parser.add_argument("--warmup", type=int, default=100, help="untimed runs before those")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write raw numbers here")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.repeat < 1 or args.warmup < 0:
        parser.error("--cases and --repeat must be at least 1, --warmup at least 0")
    args.debug = False
    args.hold_connection = False
    return args


def build(cases: int) -> list[Any]:
    """The council, its public services and the generated cases; returns the services."""
    from django.db import connection

    from townhall.cases.models import Case
    from townhall.catalogue.services import service_import
    from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
    from townhall.tenancy.models import Organisation, Site

    council = Organisation.objects.create(
        name="Benchmark Council", slug="bench", reference_prefix="BEN"
    )
    Site.objects.create(host="testserver", name="Benchmark", is_default=True).organisations.add(
        council
    )
    services = [
        service_import(
            organisation=council, definition=load_definition_file(STANDARD_DIR / f"{slug}.yaml")
        ).service
        for slug in SERVICES
    ]
    for service in services:
        version = service.published_version
        if version is None or not version.parsed.public_on_map:
            raise BenchError(f"{service.slug} is not public: it offers no nearby cases")
    rng = random.Random(46)
    now = datetime.now(tz=UTC)
    started = time.perf_counter()
    versions = [(s.pk, s.published_version_id) for s in services]

    start = now - timedelta(days=DAYS)
    step = DAYS * 86400 / cases

    def rows() -> Iterator[dict[str, object]]:
        # Oldest first, as a council's cases arrive: each index on the date
        # grows at its end, which keeps SQLite's inserts quick.
        for n in range(cases):
            service_id, version_id = versions[n % len(versions)]
            created = start + timedelta(seconds=n * step)
            is_open = rng.random() < 0.6
            lon, lat = WEST + rng.random() * WIDTH, SOUTH + rng.random() * HEIGHT
            yield {
                "organisation_id": council.pk,
                "service_id": service_id,
                "service_version_id": version_id,
                "reference": f"BEN-{n:09d}",
                "status": "received" if is_open else "closed",
                "is_open": is_open,
                "channel": "web",
                "language": "en",
                "answers": {"location": {"text": "A street", "point": {"lon": lon, "lat": lat}}},
                "lat": lat,
                "lon": lon,
                "summary": "",
                "contact_email": "",
                "closed_at": None if is_open else created + timedelta(days=3),
                "created_at": created,
                "updated_at": created,
            }
            if (n + 1) % 100_000 == 0:
                rate = (n + 1) / (time.perf_counter() - started)
                print(f"  {n + 1:,} cases ({rate:,.0f} a second)", file=sys.stderr, flush=True)

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB for the bulk insert
    rows_insert(Case, rows())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return services


def places() -> Iterator[tuple[float, float]]:
    rng = random.Random(47)
    while True:
        yield WEST + rng.random() * WIDTH, SOUTH + rng.random() * HEIGHT


def scenarios(services: list[Any]) -> list[Scenario]:
    from django.db import connection
    from django.utils import timezone

    from townhall.cases.nearby import nearby_cases
    from townhall.cases.public import bounding_box, distance_metres

    where = places()
    rng = random.Random(48)

    def raw_sql() -> Callable[[], object]:
        service = rng.choice(services)
        definition = service.published_version.parsed
        lon, lat = next(where)
        metres = definition.nearby_radius_metres
        since = timezone.now() - timedelta(days=definition.nearby_days)
        min_lon, min_lat, max_lon, max_lat = bounding_box(lon, lat, metres)

        def action() -> object:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, reference, status, lat, lon FROM cases_case "
                    "WHERE service_id = %s AND is_open AND lat IS NOT NULL "
                    "AND lat >= %s AND lat <= %s AND lon >= %s AND lon <= %s "
                    "AND created_at >= %s AND merged_into_id IS NULL",
                    [service.pk, min_lat, max_lat, min_lon, max_lon, since],
                )
                found = cursor.fetchall()
            return [row for row in found if distance_metres(lon, lat, row[4], row[3]) <= metres]

        return action

    def nearby() -> Callable[[], object]:
        service = rng.choice(services)
        definition = service.published_version.parsed
        lon, lat = next(where)
        return lambda: nearby_cases(service=service, definition=definition, lon=lon, lat=lat)

    def a_list(outcome: object) -> None:
        if not isinstance(outcome, list):
            raise BenchError(f"expected a list, got {outcome!r}")

    return [
        Scenario(
            "sql", "Raw SQL bounding-box query, then exact distance (baseline)", raw_sql, a_list
        ),
        Scenario("nearby", "cases.nearby.nearby_cases (what check answers shows)", nearby, a_list),
    ]


def found_counts(services: list[Any], samples: int = 200) -> float:
    """The mean number of cases a nearby query finds, to show the run is realistic."""
    from townhall.cases.nearby import nearby_cases

    where = places()
    total = 0
    for n in range(samples):
        service = services[n % len(services)]
        lon, lat = next(where)
        total += len(
            nearby_cases(
                service=service,
                definition=service.published_version.parsed,
                lon=lon,
                lat=lat,
            )
        )
    return total / samples


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
        configure_environment(args, Path(tmp))
        setup_django()
        from django.db import connections

        print("Preparing the database ...", file=sys.stderr, flush=True)
        prepare_database()
        print(f"Generating {args.cases:,} cases ...", file=sys.stderr, flush=True)
        services = build(args.cases)
        meta = describe_run(args)
        results = []
        for scenario in scenarios(services):
            print(f"  {scenario.name} ...", file=sys.stderr, flush=True)
            results.append(measure(scenario, repeat=args.repeat, warmup=args.warmup))
        found = found_counts(services)
        meta["load_average_1min_after"] = os.getloadavg()[0]
        connections.close_all()
    print(
        f"## Nearby cases, {meta['date']}\n\n{args.cases:,} cases of five public services "
        f"over about 14 km by 11 km, opened over {DAYS} days, 60% open; {meta['database']}; "
        f"Python {meta['python']}; {meta['cpus']} CPUs ({meta['cpu']}); "
        f"{args.repeat} timed queries per scenario after {args.warmup} warm-up, each at "
        f"another point (100 m, 30 days; {found:.1f} cases found on average); load average "
        f"{meta['load_average_1min']:.2f} before, {meta['load_average_1min_after']:.2f} after."
        f"\n\n{ratio_table(results)}\n"
    )
    if args.json:
        payload = {
            "environment": meta,
            "results": [
                {"key": r.key, "median_ms": r.median_ms, "p95_ms": r.p95_ms, "queries": r.queries}
                for r in results
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
