"""bench/api.py still runs: one request per scenario against a real
`townhall serve`, so a change that breaks it is seen in `make test`. Nothing
here looks at a timing; the benchmark checks every response and the rows made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[4]


def test_the_api_benchmark_runs_once():
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TOWNHALL_ENV"}}
    environment.pop("BENCH_DATABASE_URL", None)  # a temporary SQLite database
    result = subprocess.run(
        [sys.executable, "bench/api.py", "--requests", "2", "--warmup", "1", "--clients", "1"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "| REST POST /api/v1/cases |" in result.stdout
    assert "| Baseline: bare view, one INSERT |" in result.stdout
