"""A fast generator of Open311-visible cases for the Open311 benchmark: rows
written straight into the cases table (made by PostgreSQL itself with
generate_series there, batched INSERTs elsewhere), spread over the last two
years, each as `case_open` would leave it. Only what Open311 reads is filled
in: no events, contacts or tasks."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from bench.rows import missing_defaults
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
    if connection.vendor == "postgresql":
        _generate_in_postgresql(table, service, count, now)
        count = 0  # written
    for start in range(0, count, BATCH):
        rows = [_row(n, service, now, rng) for n in range(start, min(start + BATCH, count))]
        with transaction.atomic():
            _insert(table, columns, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (our own table name)
        return int(cursor.fetchone()[0])


def _insert(table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    extra_names, extra_values = missing_defaults(Case, columns)
    rows = [{**row, **dict(zip(extra_names, extra_values, strict=True))} for row in rows]
    columns = [*columns, *extra_names]
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[row[c] for c in columns] for row in rows])


def _generate_in_postgresql(table: str, service: Service, count: int, now: datetime) -> None:
    """The same rows, made by PostgreSQL itself (generate_series): no Python
    per row, so a million take a minute rather than half an hour."""
    sql = f"""
        INSERT INTO {table} (
            organisation_id, service_id, service_version_id, reference, status, is_open,
            channel, language, answers, area_codes, summary, contact_email,
            due_at, closed_at, created_at, updated_at{{extra_columns}}
        )
        SELECT %(organisation)s, %(service)s, %(version)s,
            'GEN-' || lpad(n::text, 10, '0'),
            (ARRAY['received', 'inspecting', 'cleared', 'not_found'])[1 + n %% 4],
            n %% 4 < 2, 'web', 'en',
            jsonb_build_object(
                'waste_type', waste,
                'size', 'single',
                'location', jsonb_build_object(
                    'text', (n %% 300)::text || ' High Street', 'found_by', 'map_pin',
                    'point', jsonb_build_object(
                        'lat', round((51.4 + random() * 0.2)::numeric, 6),
                        'lon', round((-0.2 + random() * 0.2)::numeric, 6)
                    ),
                    'areas', '[]'::jsonb
                ),
                'seen_on', to_char(created, 'YYYY-MM-DD'),
                'email', 'resident' || n || '@example.org'
            ),
            '[]'::jsonb,
            initcap(waste),
            'resident' || n || '@example.org',
            created + interval '5 days',
            CASE WHEN n %% 4 < 2 THEN NULL ELSE created + interval '3 days' END,
            created, created{{extra_values}}
        FROM (
            SELECT n, %(now)s::timestamptz - random() * interval '730 days' AS created,
                (ARRAY['household', 'furniture', 'building', 'tyres', 'other'])[1 + n %% 5] AS waste
            FROM generate_series(0, %(count)s - 1) AS n
        ) AS generated
    """  # noqa: S608 (our own table name)
    named = [
        "organisation_id", "service_id", "service_version_id", "reference", "status", "is_open",
        "channel", "language", "answers", "area_codes", "summary", "contact_email",
        "due_at", "closed_at", "created_at", "updated_at",
    ]  # fmt: skip
    extra_names, extra_values = missing_defaults(Case, named)
    sql = sql.replace("{extra_columns}", "".join(f", {name}" for name in extra_names))
    sql = sql.replace("{extra_values}", "".join(f", %(extra{i})s" for i in range(len(extra_names))))
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "organisation": service.organisation_id,
                "service": service.pk,
                "version": service.published_version_id,
                "now": now,
                "count": count,
                **{f"extra{i}": value for i, value in enumerate(extra_values)},
            },
        )
