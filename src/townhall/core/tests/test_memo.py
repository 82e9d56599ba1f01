"""The per-process memory of sites, councils and services (core/memo.py): a
resident's page reads them once in CONFIG_MEMO_SECONDS, and a change saved in
this process is seen at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.core import memo
from townhall.tenancy.models import Site

START = "/services/report-fly-tipping/"


@pytest.fixture
def remembering(settings):
    settings.CONFIG_MEMO_SECONDS = 60
    memo.forget_all()
    yield
    memo.forget_all()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def test_a_start_page_reads_site_councils_and_service_once(client, fly_tipping, remembering):
    first = _queries(client, START)
    assert _queries(client, START) == first - 3  # site, its councils, the service


def test_a_change_saved_here_is_seen_at_once(client, fly_tipping, remembering):
    client.get(START)
    site = Site.objects.get()
    site.name = "Renamed Council Services"
    site.save()
    assert "Renamed Council Services" in client.get(START).content.decode()
    fly_tipping.audience = "staff"
    fly_tipping.save()
    assert client.get(START).status_code == 404  # no longer offered to residents


def test_off_by_default_in_tests(client, fly_tipping, settings):
    assert settings.CONFIG_MEMO_SECONDS == 0
    first = _queries(client, START)
    assert _queries(client, START) == first
