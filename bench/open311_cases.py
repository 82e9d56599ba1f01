"""A fast generator of Open311-visible cases for the Open311 benchmark: rows
written straight into the cases table (COPY on PostgreSQL, batched INSERTs
elsewhere), spread over the last two years, each as `case_open` would leave
it. Only what Open311 reads is filled in: no events, contacts or tasks."""

from __future__ import annotations

import io
import json
import random
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from townhall.cases.models import Case
from townhall.catalogue.models import Service

SPREAD = timedelta(days=730)
BATCH = 20_000
STATES = [("received", True), ("inspecting", True), ("cleared", False), ("not_found", False)]
WASTE = ["household", "furniture", "building", "tyres", "other"]


def _row(n: int, service: Service, now: datetime, rng: random.Random) -> dict[str, object]:
    created = now - SPREAD * rng.random()
    status, is_open = rng.choice(STATES)
    lat, lon = 51.4 + rng.random() * 0.2, -0.2 + rng.random() * 0.2
    answers = {
        "waste_type": rng.choice(WASTE),
        "size": "single",
        "location": {
            "text": f"{n % 300} High Street",
            "found_by": "map_pin",
            "point": {"lat": round(lat, 6), "lon": round(lon, 6)},
            "areas": [],
        },
        "seen_on": created.date().isoformat(),
        "email": f"resident{n}@example.org",
    }
    return {
        "organisation_id": service.organisation_id,
        "service_id": service.pk,
        "service_version_id": service.published_version_id,
        "reference": f"GEN-{n:010d}",
        "status": status,
        "is_open": is_open,
        "channel": "web",
        "language": "en",
        "answers": json.dumps(answers),
        "area_codes": "[]",
        "summary": answers["waste_type"].capitalize(),  # type: ignore[attr-defined]
        "contact_email": answers["email"],
        "due_at": created + timedelta(days=5),
        "closed_at": None if is_open else created + timedelta(days=3),
        "created_at": created,
        "updated_at": created,
    }


def cases_generate(*, service: Service, count: int, seed: int = 311) -> int:
    """Write `count` cases of `service`; returns how many the table then holds."""
    rng = random.Random(seed)
    now = timezone.now()
    columns = list(_row(0, service, now, rng))
    table = Case._meta.db_table
    for start in range(0, count, BATCH):
        rows = [_row(n, service, now, rng) for n in range(start, min(start + BATCH, count))]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _copy(table, columns, rows)
            else:
                _insert(table, columns, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our own table name)
        return int(cursor.fetchone()[0])


def _copy(table: str, columns: list[str], rows: list[dict[str, object]]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(row[c]) for c in columns) + "\n")
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(buffer.getvalue())


def _copy_value(value: object) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _insert(table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[row[c] for c in columns] for row in rows])
