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


def test_every_benchmark_scenario_runs_once():
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TOWNHALL_ENV"}}
    result = subprocess.run(
        [sys.executable, "bench/run.py", "--repeat", "1", "--warmup", "0", "--open-cases", "60"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "| POST check answers" in result.stdout


def test_the_insight_benchmark_runs_once():
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TOWNHALL_ENV"}}
    result = subprocess.run(
        [sys.executable, "bench/insight.py", "--cases", "40", "--repeat", "1", "--warmup", "0"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "| GET /performance/ (public)" in result.stdout
    assert "open data, all public cases as CSV" in result.stdout


def test_the_delivery_benchmark_runs_once_and_loses_nothing():
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TOWNHALL_ENV"}}
    result = subprocess.run(
        [
            sys.executable,
            "bench/deliveries.py",
            "--messages",
            "30",
            "--cases",
            "5",
            "--workers",
            "1",
        ],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "30 of 30 events received, 0 missing" in result.stdout


def test_every_casework_benchmark_scenario_runs_once():
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TOWNHALL_ENV"}}
    result = subprocess.run(
        [
            sys.executable,
            "bench/casework.py",
            "--cases",
            "300",
            "--other-cases",
            "30",
            "--repeat",
            "1",
            "--warmup",
            "0",
        ],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "| Queue: recently closed" in result.stdout
    assert "| Find the caller first" in result.stdout


def test_the_notify_outbox_benchmark_runs_once():
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TOWNHALL_ENV"}}
    result = subprocess.run(
        [sys.executable, "bench/notify.py", "--deliveries", "10", "--workers", "1"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "| Plain `NotificationsAPIClient` loop (baseline)" in result.stdout
    assert "exactly once" in result.stdout


@pytest.mark.slow
def test_the_load_test_runs_journeys_through_the_real_server_and_checks_them():
    """bench/load.py for one second a phase, with two residents and one
    caseworker: its own checks (unique references, one email per case, no task
    run twice) must pass, and every phase must have served requests."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "TOWNHALL_ENV", "DJANGO_SETTINGS_MODULE"}
    }
    options = "--residents 2 --staff 1 --duration 1 --web-workers 1 --task-workers 1"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "bench/load.py", *options.split()],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "- all passed: True" in result.stdout
    assert "| POST submit |" in result.stdout
    assert "| bare one-insert view |" in result.stdout
