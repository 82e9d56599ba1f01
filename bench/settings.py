"""Townhall's settings with the benchmark's URLs (the baselines beside Townhall's):
what `townhall serve` runs under in `bench/api.py`."""

from townhall.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
