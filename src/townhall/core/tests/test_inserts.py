"""`insert_where`: a row written only while a condition holds, in one statement."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from townhall.core.inserts import insert_unless_taken, insert_where
from townhall.core.models import Throttle

pytestmark = pytest.mark.django_db


def test_the_row_is_written_when_the_condition_holds():
    Throttle.objects.create(key="gate", window_started_at=timezone.now())
    row = Throttle(key="new", window_started_at=timezone.now(), count=7)

    with CaptureQueriesContext(connection) as queries:
        assert insert_where(row, Throttle.objects.filter(key="gate"))

    assert len(queries.captured_queries) == 1
    assert row.pk is not None
    assert not row._state.adding
    stored = Throttle.objects.get(pk=row.pk)
    assert (stored.key, stored.count, stored.window_started_at) == (
        "new",
        7,
        row.window_started_at,
    )


def test_nothing_is_written_when_the_condition_does_not_hold():
    row = Throttle(key="new", window_started_at=timezone.now())

    assert not insert_where(row, Throttle.objects.filter(key="gate"))

    assert row.pk is None
    assert row._state.adding
    assert not Throttle.objects.exists()


def test_a_row_whose_unique_values_are_taken_is_not_written_and_raises_nothing():
    first = Throttle(key="same", window_started_at=timezone.now(), count=1)
    again = Throttle(key="same", window_started_at=timezone.now(), count=2)

    assert insert_unless_taken(first)
    with CaptureQueriesContext(connection) as queries:
        assert not insert_unless_taken(again)

    # One statement, no savepoint: the transaction carries on as it was.
    assert len(queries.captured_queries) == 1
    assert again.pk is None
    assert Throttle.objects.get().count == 1
