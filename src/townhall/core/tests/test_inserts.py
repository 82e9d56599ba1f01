"""`insert_rows`: a row written only while a condition holds, in one
statement, and rows that belong together written together (one statement on
PostgreSQL); `insert_unless_taken`."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from townhall.core.inserts import Key, insert_rows, insert_unless_taken
from townhall.core.models import Throttle
from townhall.tenancy.models import Organisation, Team

pytestmark = pytest.mark.django_db


def test_the_row_is_written_when_the_condition_holds():
    Throttle.objects.create(key="gate", window_started_at=timezone.now())
    row = Throttle(key="new", window_started_at=timezone.now(), count=7)

    with CaptureQueriesContext(connection) as queries:
        assert insert_rows([(row, {})], where=Throttle.objects.filter(key="gate"))

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

    assert not insert_rows([(row, {})], where=Throttle.objects.filter(key="gate"))

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


def _council(slug: str = "rows") -> Organisation:
    return Organisation(slug=slug, name="Rows Council", reference_prefix=slug[:3].upper())


def test_rows_are_written_together_each_taking_the_keys_of_those_before():
    council = _council()
    team = Team(slug="roads", name="Roads")
    task: DBTaskResult = DBTaskResult(
        id=uuid.uuid4(),
        args_kwargs={"args": ["first", 0], "kwargs": {}},
        task_path="townhall.cases.tasks.dispatch_event",
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
    )

    with CaptureQueriesContext(connection) as queries:
        assert insert_rows(
            [
                (council, {}),
                (team, {"organisation_id": Key(0)}),
                (task, {"args_kwargs": Key(1, ("args", 1))}),
            ]
        )

    # One statement on PostgreSQL; one INSERT a row elsewhere.
    assert len(queries.captured_queries) == (1 if connection.vendor == "postgresql" else 3)
    assert council.pk is not None and not council._state.adding
    assert team.organisation_id == council.pk
    assert Team.objects.get(pk=team.pk).organisation == council
    assert task.args_kwargs == {"args": ["first", team.pk], "kwargs": {}}
    assert DBTaskResult.objects.get(pk=task.pk).args_kwargs == task.args_kwargs


def test_no_row_is_written_when_the_condition_does_not_hold():
    council, team = _council(), Team(slug="roads", name="Roads")

    written = insert_rows(
        [(council, {}), (team, {"organisation_id": Key(0)})],
        where=Throttle.objects.filter(key="gate"),
    )

    assert not written
    assert council.pk is None and team.pk is None
    assert not Organisation.objects.filter(slug="rows").exists()
    assert not Team.objects.exists()


def test_the_rows_are_written_when_the_condition_holds():
    Throttle.objects.create(key="gate", window_started_at=timezone.now())
    council, team = _council(), Team(slug="roads", name="Roads")

    assert insert_rows(
        [(council, {}), (team, {"organisation_id": Key(0)})],
        where=Throttle.objects.filter(key="gate"),
    )

    assert Team.objects.get(pk=team.pk).organisation_id == council.pk


def test_a_clash_in_any_row_writes_none_of_them():
    Organisation.objects.create(slug="taken", name="Taken", reference_prefix="TKN")
    council = _council("fresh")
    clashing = Organisation(slug="taken", name="Again", reference_prefix="AGN")

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows([(council, {}), (clashing, {})])

    assert not Organisation.objects.filter(slug="fresh").exists()


def test_a_key_from_a_row_not_yet_written_is_refused():
    with pytest.raises(ValueError, match="not before it"), transaction.atomic():
        insert_rows([(_council(), {}), (Team(slug="a", name="A"), {"organisation_id": Key(1)})])
