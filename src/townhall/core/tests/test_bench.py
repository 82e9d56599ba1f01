"""The benchmarks in bench/ still run: one quick pass of every scenario, so a
change that breaks them is seen in `make test`, not the next time someone
measures. Nothing here looks at a timing; the benchmark itself checks every
response and the queries each request makes are printed, not asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[4]


def run_bench(script: str, options: str, *, drop: frozenset[str] = frozenset()) -> str:
    """Run `bench/<script>` with `options`, outside the test settings; its output,
    once it has succeeded."""
    hidden = {"DATABASE_URL", "TOWNHALL_ENV", *drop}
    result = subprocess.run(  # noqa: S603
        [sys.executable, f"bench/{script}", *options.split()],
        cwd=PROJECT,
        env={k: v for k, v in os.environ.items() if k not in hidden},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


def test_every_benchmark_scenario_runs_once():
    out = run_bench("run.py", "--repeat 1 --warmup 0 --open-cases 60")
    assert "| POST check answers" in out


def test_the_insight_benchmark_runs_once():
    out = run_bench("insight.py", "--cases 40 --repeat 1 --warmup 0")
    assert "| GET /performance/ (public)" in out
    assert "open data, all public cases as CSV" in out


def test_the_delivery_benchmark_runs_once_and_loses_nothing():
    out = run_bench("deliveries.py", "--messages 30 --cases 5 --workers 1")
    assert "30 of 30 events received, 0 missing" in out


def test_every_casework_benchmark_scenario_runs_once():
    out = run_bench("casework.py", "--cases 300 --other-cases 30 --repeat 1 --warmup 0")
    assert "| Queue: recently closed" in out
    assert "| Find the caller first" in out


def test_the_notify_outbox_benchmark_runs_once():
    out = run_bench("notify.py", "--deliveries 10 --workers 1")
    assert "| Plain `NotificationsAPIClient` loop (baseline)" in out
    assert "exactly once" in out


@pytest.mark.slow
def test_the_load_test_runs_journeys_through_the_real_server_and_checks_them():
    """bench/load.py for one second a phase, with two residents and one
    caseworker, the start page and a question page alone, then a surge of
    twice as many: its own checks (unique
    references, one email per case, every case with its event and contact, no
    error but a clean 503, no task run twice) must pass, and every phase must
    have served requests."""
    out = run_bench(
        "load.py",
        "--residents 2 --staff 1 --duration 1 --web-workers 1 --task-workers 1 "
        "--phases bare,insert,start,question,journeys,surge --max-wait 0.05",
        drop=frozenset({"DJANGO_SETTINGS_MODULE"}),
    )
    assert "- all passed: True" in out
    assert "| journeys | POST submit |" in out
    assert "| surge | POST submit |" in out
    assert "| bare one-insert view |" in out
    assert "| start | GET start page (new visitor) |" in out
    assert "| question | GET what (with a draft) |" in out


@pytest.mark.slow
def test_the_load_test_starts_journeys_at_a_fixed_rate():
    """With --rate, journeys start at that rate however the server answers (an
    open loop), and the same checks hold."""
    out = run_bench(
        "load.py",
        "--rate 4 --staff 0 --duration 1 --web-workers 1 --task-workers 1 --phases journeys",
        drop=frozenset({"DJANGO_SETTINGS_MODULE"}),
    )
    assert "- all passed: True" in out
    assert "a new resident's journey every 0.25 s" in out
    assert "- journeys: 4 journeys started, 4 completed" in out


def test_the_nearby_benchmark_runs_once():
    out = run_bench("nearby.py", "--cases 200 --repeat 2 --warmup 0")
    assert "| Raw SQL bounding-box query, then exact distance (baseline)" in out
    assert "| cases.nearby.nearby_cases" in out
