"""Townhall's settings, served with the benchmark's baseline views beside it."""

from townhall.settings import *  # noqa: F403

ROOT_URLCONF = "bench.http_urls"
