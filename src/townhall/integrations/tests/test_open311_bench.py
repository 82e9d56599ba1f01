"""The Open311 HTTP benchmark still runs: one tiny pass in `make test`, so a
change that breaks it is seen at once. Nothing here looks at a timing; the
benchmark checks the status of every response itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[4]


def test_the_open311_benchmark_runs_once():
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "TOWNHALL_ENV", "BENCH_DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    tiny = ["--cases", "50", "--posts", "3", "--gets", "3", "--warmup", "0", "--concurrency", "2"]
    result = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        [sys.executable, "bench/open311.py", *tiny, "--threads", "2"],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "| POST Open311 requests.json (a case) | 3 |" in result.stdout
    assert "| GET Open311 requests.xml (the default list as XML) | 3 |" in result.stdout
    assert "`townhall serve` (gunicorn, " in result.stdout
