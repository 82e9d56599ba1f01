"""Townhall's settings for a server under load test (`bench/load.py`): the same
in every respect but the URLs, which add the baseline views of `bench/urls.py`."""

from townhall.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
