"""The least an API case creation can cost: a view that does what every
creation must do, and nothing else.

An API creation may not skip checking its key, counting it against the
key's rate limit, and writing the case, its "submitted" event, its contact
and the task that dispatches the event (nothing submitted is lost, every
contact is counted, the resident is told). This view does exactly that, for
the council its API key belongs to: the key looked up in one hand-written
statement and compared with its hash, counted by Townhall's own
one-statement throttle, and the rows written by `core.inserts.insert_rows`
(one statement on PostgreSQL, ADR 74). It checks no answer, routes nothing,
works out no due date, summary or search key, and answers with the
reference alone; the body's answers are stored as sent.

It is a benchmark's floor, not a way to make cases: `bench/api.py` serves it
beside the bare one-INSERT view and the real REST creation, so the gap
between the floor and the one-INSERT view is what a creation's own work
costs, and the gap between the REST creation and the floor is what
Townhall's rules, its framework and its ORM cost around them.
"""

from __future__ import annotations

import hmac
import json
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from townhall.cases.models import Case, CaseEvent, Channel, Contact
from townhall.cases.references import new_reference
from townhall.cases.tasks import dispatch_event
from townhall.catalogue.models import Service
from townhall.core.inserts import Key, Row, insert_rows
from townhall.core.tasks import task_row, task_written
from townhall.core.throttle import throttle_allows
from townhall.integrations.keys import KEY_PATTERN, _hash

KEY_SQL = (
    "SELECT k.id, k.key_hash, k.organisation_id, o.reference_prefix "
    "FROM integrations_apikey k JOIN tenancy_organisation o ON o.id = k.organisation_id "
    "WHERE k.prefix = %s AND k.revoked_at IS NULL"
)


@csrf_exempt
def creation_floor(request: HttpRequest) -> HttpResponse:
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    match = KEY_PATTERN.match(token)
    if request.method != "POST" or match is None:
        return HttpResponse(status=400)
    with connection.cursor() as cursor:
        cursor.execute(KEY_SQL, [match.group(1)])
        found = cursor.fetchone()
    if found is None or not hmac.compare_digest(found[1], _hash(token)):
        return HttpResponse(status=403)
    key_id, _key_hash, organisation_id, prefix = found
    if not throttle_allows(
        key=f"api-key:{key_id}", limit=settings.API_RATE_LIMIT, window=timedelta(minutes=1)
    ):
        return HttpResponse(status=429)
    body = json.loads(request.body)
    service_id, version_id = _published(organisation_id, body["service"])
    case = Case(
        organisation_id=organisation_id,
        service_id=service_id,
        service_version_id=version_id,
        reference=new_reference(prefix),
        status="received",
        channel=Channel.API,
        language="en",
        answers=body["answers"],
        area_codes=[],
    )
    event = CaseEvent(case=case, kind=CaseEvent.Kind.SUBMITTED, to_status="received", payload={})
    contact = Contact(
        organisation_id=organisation_id,
        channel=Channel.API,
        service_id=service_id,
        case=case,
        reason=Contact.Reason.NEW_REQUEST,
        outcome=Contact.Outcome.CASE_OPENED,
        client="floor",
    )
    with transaction.atomic():
        task = task_row(dispatch_event, 0)
        rows: list[Row] = [(case, {}), (event, {"case_id": Key(0)}), (contact, {"case_id": Key(0)})]
        if task is not None:
            rows.append((task, {"args_kwargs": Key(1, ("args", 0))}))
        insert_rows(rows)
    if task is not None:
        task_written(task)
    return JsonResponse({"reference": case.reference}, status=201)


@cache
def _published(organisation_id: int, slug: str) -> tuple[int, int]:
    """The service and its published version, once per process."""
    service_id, version_id = (
        Service.objects.filter(organisation_id=organisation_id, slug=slug)
        .values_list("pk", "published_version_id")
        .get()
    )
    return int(service_id), int(version_id)
