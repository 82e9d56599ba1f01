"""Benchmark the point lookup (`places.lookup.areas_at`) against a raw SQL bounding-box query.

Builds a grid of square areas (10,000 by default) in a fresh database (a
temporary SQLite file, or the one BENCH_DATABASE_URL names, emptied first),
then times lookups at points spread over the grid, each repetition at the
next point. Not part of the test suite: nothing here passes or fails on time.

    .venv/bin/python bench/places.py
    BENCH_DATABASE_URL=postgres://.../townhall_bench .venv/bin/python bench/places.py
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))  # so `bench.*` imports when run as a script

from bench.run import (  # noqa: E402
    configure_environment,
    describe_run,
    prepare_database,
    setup_django,
)
from bench.timing import BenchError, Scenario, measure, ratio_table  # noqa: E402

WEST, SOUTH, SIZE = -3.0, 51.0, 0.01


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--areas", type=int, default=10_000, help="areas in the grid")
    parser.add_argument("--repeat", type=int, default=2_000, help="timed runs per scenario")
    parser.add_argument("--warmup", type=int, default=200, help="untimed runs before those")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write raw numbers here")
    args = parser.parse_args(argv)
    if args.areas < 1 or args.repeat < 1 or args.warmup < 0:
        parser.error("--areas and --repeat must be at least 1, --warmup at least 0")
    args.debug = False
    args.hold_connection = False
    return args


def build_grid(count: int) -> int:
    """`count` square wards in rows of a square grid; returns the side of the grid."""
    from townhall.places.models import Area
    from townhall.places.services import areas_version_bump

    side = math.ceil(math.sqrt(count))
    areas = []
    for n in range(count):
        row, col = divmod(n, side)
        west, south = round(WEST + col * SIZE, 6), round(SOUTH + row * SIZE, 6)
        east, north = round(west + SIZE, 6), round(south + SIZE, 6)
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        areas.append(
            Area(
                type="ward",
                code=f"B{n:08d}",
                name=f"Square {n}",
                geometry=json.dumps({"type": "Polygon", "coordinates": [ring]}),
                min_lon=west,
                min_lat=south,
                max_lon=east,
                max_lat=north,
            )
        )
    Area.objects.bulk_create(areas, batch_size=1000)
    areas_version_bump()
    return side


def points(count: int, side: int) -> Iterator[tuple[float, float]]:
    """Points inside the grid's squares (never on a border), in a fixed random order."""
    rng = random.Random(8)
    rows = math.ceil(count / side)
    while True:
        n = rng.randrange(count)
        row, col = divmod(n, side)
        assert row < rows
        yield (
            WEST + (col + rng.uniform(0.1, 0.9)) * SIZE,
            SOUTH + (row + rng.uniform(0.1, 0.9)) * SIZE,
        )


def one_area(outcome: object) -> None:
    if not isinstance(outcome, list) or len(outcome) != 1:
        raise BenchError(f"expected one area, got {outcome!r}")


def scenarios(count: int, side: int) -> list[Scenario]:
    from django.db import connection

    from townhall.places import lookup

    where = points(count, side)

    def at(before: Callable[[], None] = lambda: None) -> Callable[[], Callable[[], object]]:
        def prepare() -> Callable[[], object]:
            before()
            lon, lat = next(where)
            return lambda: lookup.areas_at(lon, lat)

        return prepare

    def raw_sql() -> Callable[[], object]:
        lon, lat = next(where)

        def action() -> object:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, type, code, name FROM places_area WHERE min_lon <= %s "
                    "AND max_lon >= %s AND min_lat <= %s AND max_lat >= %s",
                    [lon, lon, lat, lat],
                )
                return cursor.fetchall()

        return action

    return [
        Scenario("sql", "Raw SQL bounding-box query (baseline)", raw_sql, one_area),
        Scenario("cold", "areas_at, shape not yet cached", at(lookup.cache_clear), one_area),
        Scenario("warm", "areas_at, every shape cached", at(), one_area),
    ]


def cache_fill(count: int, side: int) -> None:
    """Look up the centre of every area once, so this process holds every shape."""
    from townhall.places import lookup

    for n in range(count):
        row, col = divmod(n, side)
        lookup.areas_at(WEST + (col + 0.5) * SIZE, SOUTH + (row + 0.5) * SIZE)
    if lookup.cached_shape_count() != count:
        raise BenchError(f"{lookup.cached_shape_count()} shapes cached, not {count}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
        configure_environment(args, Path(tmp))
        setup_django()
        from django.db import connections

        print("Preparing the database ...", file=sys.stderr, flush=True)
        prepare_database()
        side = build_grid(args.areas)
        meta = describe_run(args)
        results = []
        for scenario in scenarios(args.areas, side):
            if scenario.key == "warm":
                cache_fill(args.areas, side)
            print(f"  {scenario.name} ...", file=sys.stderr, flush=True)
            results.append(measure(scenario, repeat=args.repeat, warmup=args.warmup))
        meta["load_average_1min_after"] = os.getloadavg()[0]
        connections.close_all()
    print(
        f"## Point lookup, {meta['date']}\n\n{args.areas:,} square areas; {meta['database']}; "
        f"Python {meta['python']}; {meta['cpus']} CPUs ({meta['cpu']}); "
        f"{args.repeat} timed lookups per scenario after {args.warmup} warm-up, each at "
        f"another point; load average {meta['load_average_1min']:.2f} before, "
        f"{meta['load_average_1min_after']:.2f} after.\n\n{ratio_table(results)}\n"
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
