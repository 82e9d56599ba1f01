"""Run a scenario with warm-up and repetitions, and summarise what was measured."""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext

Action = Callable[[], object]


class BenchError(RuntimeError):
    """A scenario did not do what it is meant to: its timings would mean nothing."""


@dataclass(frozen=True)
class Scenario:
    """One thing to time.

    `prepare` runs untimed before every repetition and returns the action to
    time; `check` raises BenchError unless the action's outcome is the expected
    one; `verify`, if given, runs once afterwards to check side effects.
    """

    key: str
    name: str
    prepare: Callable[[], Action]
    check: Callable[[object], None]
    verify: Callable[[int], None] | None = None


@dataclass(frozen=True)
class Result:
    key: str
    name: str
    samples_ns: list[int]
    queries: int

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ns) / 1e6

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples_ns, 95) / 1e6

    @property
    def min_ms(self) -> float:
        return min(self.samples_ns) / 1e6


def percentile(samples: list[int], pct: float) -> int:
    """The nearest-rank percentile: the smallest sample at or above `pct`% of them."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _run_once(scenario: Scenario) -> int:
    action = scenario.prepare()
    start = time.perf_counter_ns()
    outcome = action()
    elapsed = time.perf_counter_ns() - start
    scenario.check(outcome)
    return elapsed


def _count_queries(scenario: Scenario) -> int:
    """Queries in one more, untimed, run: capturing them slows every query down."""
    action = scenario.prepare()
    with CaptureQueriesContext(connection) as captured:
        outcome = action()
    scenario.check(outcome)
    return len(captured)


def measure(scenario: Scenario, *, repeat: int, warmup: int) -> Result:
    for _ in range(warmup):
        _run_once(scenario)
    gc.collect()
    samples = [_run_once(scenario) for _ in range(repeat)]
    queries = _count_queries(scenario)
    if scenario.verify is not None:
        scenario.verify(warmup + repeat + 1)
    return Result(key=scenario.key, name=scenario.name, samples_ns=samples, queries=queries)


def markdown_table(results: list[Result], *, baseline: str) -> str:
    base = next(r for r in results if r.key == baseline).median_ms
    lines = [
        "| Scenario | Median ms | p95 ms | Min ms | Ratio to bare view | SQL queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = r.median_ms / base
        lines.append(
            f"| {r.name} | {r.median_ms:.2f} | {r.p95_ms:.2f} | {r.min_ms:.2f} "
            f"| {ratio:.{2 if ratio < 1 else 1}f} | {r.queries} |"
        )
    return "\n".join(lines)


def as_json(results: list[Result], *, baseline: str) -> list[dict[str, object]]:
    base = next(r for r in results if r.key == baseline).median_ms
    return [
        {
            "key": r.key,
            "name": r.name,
            "median_ms": r.median_ms,
            "p95_ms": r.p95_ms,
            "min_ms": r.min_ms,
            "ratio_to_bare": r.median_ms / base,
            "queries": r.queries,
            "samples_ns": r.samples_ns,
        }
        for r in results
    ]


def ratio_table(results: list[Result]) -> str:
    """Median, p95 and minimum in milliseconds (three decimals), each row's
    median as a ratio of the first row's (the SQL baseline), and queries."""
    base = results[0].median_ms
    lines = [
        "| Scenario | Median ms | p95 ms | Min ms | Ratio to SQL query | SQL queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.median_ms:.3f} | {r.p95_ms:.3f} | {r.min_ms:.3f} "
            f"| {r.median_ms / base:.1f} | {r.queries} |"
        )
    return "\n".join(lines)


def add_reuse_options(parser: argparse.ArgumentParser) -> None:
    """`--reuse` and `--only`, for benchmarks whose data takes long to make."""
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL only: measure the cases an earlier run of the same sizes left in "
        "BENCH_DATABASE_URL instead of generating them again",
    )
    parser.add_argument(
        "--only", metavar="KEYS", help="comma-separated scenario keys to run (default: all)"
    )
