"""The least a case creation can cost: a view that writes what every creation
must write, by hand, and does nothing else.

A case, its "submitted" event, its contact and the task that dispatches the
event are the rows a creation may not skip (nothing submitted is lost, every
contact is counted, the resident is told). This view writes exactly those
rows, for the council its API key belongs to, with their SQL built once per
process from the ORM's own INSERTs: on PostgreSQL as one statement
(data-modifying CTEs), elsewhere as four in one transaction. It checks no
answer, routes nothing, works out no due date or search key and throttles
nobody; its body is taken as the answers as sent.

It is a benchmark's floor, not a way to make cases: `bench/api.py` serves it
beside the bare one-INSERT view and the real REST creation, so the gap
between the floor and the one-INSERT view is what the rows alone cost, and
the gap between the REST creation and the floor is what Townhall's rules,
its framework and its ORM cost.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django_tasks_db.models import DBTaskResult, get_date_max

from townhall.cases.models import Case, CaseEvent, Channel, Contact
from townhall.cases.references import new_reference
from townhall.cases.tasks import dispatch_event
from townhall.catalogue.models import Service
from townhall.core.inserts import _compiled
from townhall.integrations.keys import KEY_PATTERN

KEY_SQL = (
    "SELECT k.organisation_id, o.reference_prefix FROM integrations_apikey k "
    "JOIN tenancy_organisation o ON o.id = k.organisation_id "
    "WHERE k.prefix = %s AND k.revoked_at IS NULL"
)


@dataclass(frozen=True)
class Insert:
    """One model's INSERT, compiled once: its SQL, its parameters for a
    template row, and where each field's parameter is."""

    sql: str
    params: tuple[Any, ...]
    slots: dict[str, int]
    fields: dict[str, Field[Any, Any]]

    def values(self, **changed: Any) -> list[Any]:
        """The parameters with the `changed` fields' values, made ready for
        the database as the ORM would."""
        params = list(self.params)
        for attname, value in changed.items():
            params[self.slots[attname]] = self.fields[attname].get_db_prep_save(value, connection)
        return params


def _insert(instance: Model) -> Insert:
    meta = type(instance)._meta
    sql, params = _compiled(instance, "default", on_conflict=None)
    fields = [
        f
        for f in meta.local_concrete_fields
        if not f.generated and not (f is meta.auto_field and instance.pk is None)
    ]
    return Insert(
        sql, params, {f.attname: i for i, f in enumerate(fields)}, {f.attname: f for f in fields}
    )


@dataclass(frozen=True, eq=False)  # hashed by identity: one per council and service
class Statements:
    case: Insert
    event: Insert
    task: Insert
    contact: Insert


@cache
def _statements(organisation_id: int, service_id: int) -> Statements:
    """The four INSERTs for one council's service, from template rows."""
    service = Service.objects.get(pk=service_id, organisation_id=organisation_id)
    now = timezone.now()
    case = Case(
        organisation_id=organisation_id,
        service_id=service_id,
        service_version_id=service.published_version_id,
        reference="",
        status="received",
        channel=Channel.API,
        language="en",
        answers={},
        area_codes=[],
        created_at=now,
        updated_at=now,
    )
    event = CaseEvent(case_id=0, kind=CaseEvent.Kind.SUBMITTED, to_status="received", payload={})
    task = DBTaskResult(
        id=uuid.uuid4(),
        args_kwargs={"args": [0], "kwargs": {}},
        priority=dispatch_event.priority,
        task_path=dispatch_event.module_path,
        queue_name=dispatch_event.queue_name,
        run_after=get_date_max(),
        backend_name="default",
    )
    contact = Contact(
        organisation_id=organisation_id,
        channel=Channel.API,
        service_id=service_id,
        case_id=0,
        reason=Contact.Reason.NEW_REQUEST,
        outcome=Contact.Outcome.CASE_OPENED,
        client="floor",
    )
    return Statements(_insert(case), _insert(event), _insert(task), _insert(contact))


def _placeholder(sql: str, slot: int, expression: str) -> str:
    """`sql` with its `slot`th parameter (0-based) replaced by `expression`."""
    head, *parts = sql.split("%s")
    return head + "".join(
        (expression if i == slot else "%s") + part for i, part in enumerate(parts)
    )


def _from(insert: Insert, source: str, links: dict[str, str]) -> tuple[str, list[int]]:
    """`insert` as `INSERT … SELECT … FROM source`, its `links` fields taken
    from `source`; and the parameter slots it still has."""
    sql = insert.sql
    for attname, expression in sorted(
        links.items(), key=lambda item: insert.slots[item[0]], reverse=True
    ):
        sql = _placeholder(sql, insert.slots[attname], expression)
    head, values = sql.split(" VALUES (", 1)
    values, returning = values.rsplit(") RETURNING ", 1)  # the ORM's INSERT returns the key
    sql = f"{head} SELECT {values} FROM {source} RETURNING {returning}"
    dropped = {insert.slots[a] for a in links}
    return sql, [i for i in range(len(insert.params)) if i not in dropped]


@cache
def _one_statement(statements: Statements) -> tuple[str, tuple[list[int], ...]]:
    """PostgreSQL: the four INSERTs as one statement, the event, task and
    contact taking the case's and the event's keys in the database."""
    event_sql, event_slots = _from(statements.event, "c", {"case_id": "c.id"})
    args = "jsonb_build_object('args', jsonb_build_array(e.id), 'kwargs', '{}'::jsonb)"
    task_sql, task_slots = _from(statements.task, "e", {"args_kwargs": args})
    contact_sql, contact_slots = _from(statements.contact, "c", {"case_id": "c.id"})
    sql = (
        f"WITH c AS ({statements.case.sql}), e AS ({event_sql}), "
        f"t AS ({task_sql}), k AS ({contact_sql}) SELECT c.id FROM c"
    )
    return sql, (event_slots, task_slots, contact_slots)


@csrf_exempt
def creation_floor(request: HttpRequest) -> HttpResponse:
    match = KEY_PATTERN.match(request.headers.get("Authorization", "").removeprefix("Bearer "))
    if request.method != "POST" or match is None:
        return HttpResponse(status=400)
    with connection.cursor() as cursor:
        cursor.execute(KEY_SQL, [match.group(1)])
        found = cursor.fetchone()
    if found is None:
        return HttpResponse(status=403)
    organisation_id, prefix = found
    body = json.loads(request.body)
    service_id = _service_id(organisation_id, body["service"])
    statements = _statements(organisation_id, service_id)
    reference, now = new_reference(prefix), timezone.now()
    case = statements.case.values(
        reference=reference, answers=body["answers"], created_at=now, updated_at=now
    )
    event = statements.event.values(created_at=now)
    task = statements.task.values(id=uuid.uuid4(), enqueued_at=now)
    contact = statements.contact.values(created_at=now)
    if connection.vendor == "postgresql":
        sql, (event_slots, task_slots, contact_slots) = _one_statement(statements)
        params = [
            *case,
            *(event[i] for i in event_slots),
            *(task[i] for i in task_slots),
            *(contact[i] for i in contact_slots),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            (case_id,) = cursor.fetchone()
    else:
        case_id = _four_statements(statements, case, event, task, contact)
    return JsonResponse({"id": case_id, "reference": reference}, status=201)


def _four_statements(
    statements: Statements, case: list[Any], event: list[Any], task: list[Any], contact: list[Any]
) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statements.case.sql, case)
        (case_id,) = cursor.fetchone()
        event[statements.event.slots["case_id"]] = case_id
        cursor.execute(statements.event.sql, event)
        (event_id,) = cursor.fetchone()
        arguments = statements.task.values(args_kwargs={"args": [event_id], "kwargs": {}})
        task[statements.task.slots["args_kwargs"]] = arguments[statements.task.slots["args_kwargs"]]
        cursor.execute(statements.task.sql, task)
        contact[statements.contact.slots["case_id"]] = case_id
        cursor.execute(statements.contact.sql, contact)
    return int(case_id)


@cache
def _service_id(organisation_id: int, slug: str) -> int:
    return int(
        Service.objects.filter(organisation_id=organisation_id, slug=slug)
        .values_list("pk", flat=True)
        .get()
    )
