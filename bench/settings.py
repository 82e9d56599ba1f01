"""Townhall's settings with the benchmark's URLs (the baselines beside
Townhall's): what `townhall serve` runs under in `bench/api.py`,
`bench/open311.py` and the load test (`bench/load.py`)."""

from townhall.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
