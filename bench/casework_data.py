"""Generate a council's worth of cases quickly, with their contacts and timelines.

Rows are written in bulk, not through the ORM: COPY on PostgreSQL, batched
multi-row INSERTs in one transaction on SQLite. The cases look like real
ones where it matters to the queries: spread over three years, most closed,
the recent ones open, routed to a handful of teams, some assigned to staff,
due dates (so some are overdue), channels and priorities in realistic
proportions, and residents' names, emails, phones and postcodes (some
residents with several cases) for search. Import only once Django is set up.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from bench.rows import missing_defaults
from townhall.cases.models import Case, CaseEvent, Contact
from townhall.cases.search import search_keys
from townhall.catalogue.engine.flow import case_summary_line
from townhall.catalogue.models import Service
from townhall.tenancy.models import Organisation, Team

FIRST = [
    "Amira",
    "Ben",
    "Chloe",
    "Dafydd",
    "Eve",
    "Farah",
    "Gareth",
    "Hana",
    "Idris",
    "Jo",
    "Kai",
    "Lena",
    "Mohammed",
    "Nia",
    "Owen",
    "Priya",
    "Rhys",
    "Sara",
    "Tom",
    "Yusuf",
]
LAST = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fisher",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Owen",
    "Patel",
    "Roberts",
    "Smith",
    "Thomas",
    "Williams",
    "Wright",
    "Young",
]
WASTE = ["furniture", "black_bags", "tyres", "building", "hazardous", "other"]
SIZE = ["single_item", "car_boot", "small_van", "transit_van", "lorry"]
STREETS = [
    "Castle Street",
    "High Street",
    "Mill Lane",
    "Station Road",
    "Church Road",
    "Park Avenue",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Queen Street",
]
WORDS = [
    "sofa",
    "mattress",
    "fridge",
    "bags",
    "rubble",
    "paint",
    "tyres",
    "boxes",
    "carpet",
    "wardrobe",
    "pram",
    "television",
    "plasterboard",
    "asbestos",
    "bicycle",
    "tins",
]
CHANNELS = [("web", 70), ("phone", 18), ("face_to_face", 4), ("email", 5), ("api", 3)]
PRIORITIES = [("normal", 80), ("low", 8), ("high", 10), ("urgent", 2)]
OPEN_STATES = ["received", "inspecting", "scheduled"]
CLOSED_STATES = ["cleared", "not_found", "private_land"]
YEARS = 3
RECENT_DAYS = 90  # cases newer than this are mostly open
BATCH = 5_000


@dataclass(frozen=True)
class Generated:
    cases: int
    contacts: int
    events: int


def _weighted(rng: random.Random, choices: Sequence[tuple[str, int]]) -> str:
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def postcode(n: int) -> str:
    areas = ["OX", "SW", "LS", "CF", "B", "M", "NE", "BS"]
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (
        f"{areas[n % len(areas)]}{1 + n // 8 % 20} "
        f"{n // 160 % 10}{letters[n // 1600 % 20]}{letters[n // 32000 % 20]}"
    )


def _rows(
    *,
    organisation: Organisation,
    service: Service,
    teams: list[Team],
    staff_ids: list[int],
    count: int,
    seed: int,
    now: datetime,
) -> Iterator[dict[str, Any]]:
    """One dict of column values per case, oldest first."""
    rng = random.Random(seed)
    version = service.published_version
    assert version is not None
    definition = version.parsed
    start = now - timedelta(days=365 * YEARS)
    step = (now - start) / count
    residents = max(1, count // 3)  # a resident makes three cases on average
    recent = now - timedelta(days=RECENT_DAYS)
    for n in range(count):
        created = start + step * n + timedelta(seconds=rng.randint(0, 59))
        resident = rng.randrange(residents)
        first, last = FIRST[resident % len(FIRST)], LAST[resident // len(FIRST) % len(LAST)]
        email = f"{first}.{last}.{resident}@example.com".lower()
        phone = f"07700{resident % 1_000_000:06d}"
        place = postcode(rng.randrange(50_000))
        answers = {
            "waste_type": rng.choice(WASTE),
            "size": rng.choice(SIZE),
            "location": f"{rng.randint(1, 200)} {rng.choice(STREETS)}, {place}",
            "seen_on": created.date().isoformat(),
            "description": " ".join(rng.sample(WORDS, 3)),
            "email": email,
        }
        summary = case_summary_line(definition, answers)
        keys = search_keys(definition=definition, answers=answers, summary=summary)
        keys["search_name"] = f"{first} {last}"
        keys["search_phone"] = phone
        keys["search_postcode"] = place
        keys["search_text"] = f"{keys['search_text']} {first} {last}"
        is_open = created > recent or rng.random() < 0.04
        status = rng.choice(OPEN_STATES) if is_open else rng.choice(CLOSED_STATES)
        closed_at = None if is_open else created + timedelta(days=rng.randint(1, 40))
        team = teams[rng.randrange(len(teams))]
        assigned = rng.random() < 0.6
        yield {
            "organisation_id": organisation.pk,
            "service_id": service.pk,
            "service_version_id": version.pk,
            "reference": f"{organisation.reference_prefix}-{created.year}-{n:08d}",
            "status": status,
            "is_open": is_open,
            "channel": _weighted(rng, CHANNELS),
            "language": "en",
            "answers": json.dumps(answers),
            "area_codes": json.dumps([f"W{rng.randrange(40):08d}"]),
            "summary": summary[:200],
            "contact_email": email,
            "team_id": team.pk,
            "due_at": created + timedelta(days=rng.randint(5, 30)),
            "closed_at": closed_at,
            "redacted_at": None,
            "created_by_id": None,
            "created_at": created,
            "updated_at": closed_at or created + timedelta(hours=rng.randint(0, 72)),
            "assignee_id": rng.choice(staff_ids) if assigned else None,
            "priority": _weighted(rng, PRIORITIES),
            "version": 1,
            "merged_into_id": None,
            **keys,
        }


def _write(
    table: str, columns: list[str], rows: Iterator[tuple[Any, ...]], model: Any = None
) -> int:
    if model is not None:  # the columns this generator does not name, at their defaults
        extra_names, extra_values = missing_defaults(model, columns)
        columns = [*columns, *extra_names]
        rows = (row + extra_values for row in rows)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 (names from the models, values as parameters)
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def _column(model: Any, name: str) -> str:
    return str(model._meta.get_field(name).column)


def generate(
    *,
    organisation: Organisation,
    service: Service,
    teams: list[Team],
    staff_ids: list[int],
    count: int,
    seed: int = 1,
) -> Generated:
    """Write `count` cases for the council, each with the contact that opened
    it (and a chasing contact for one in ten), a "submitted" event and, for
    the closed ones, the status change that closed them."""
    now = timezone.now()
    case_table = Case._meta.db_table
    first_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    sample = next(
        _rows(
            organisation=organisation,
            service=service,
            teams=teams,
            staff_ids=staff_ids,
            count=1,
            seed=seed,
            now=now,
        )
    )
    columns = list(sample)
    plan: list[tuple[int, datetime, bool, str, str | None, str]] = []

    def case_rows() -> Iterator[tuple[Any, ...]]:
        for n, row in enumerate(
            _rows(
                organisation=organisation,
                service=service,
                teams=teams,
                staff_ids=staff_ids,
                count=count,
                seed=seed,
                now=now,
            )
        ):
            plan.append(
                (
                    first_id + n,
                    row["created_at"],
                    row["is_open"],
                    row["status"],
                    row["closed_at"],
                    row["channel"],
                )
            )
            yield tuple(row[c] for c in columns)

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Ids chosen here, so contacts and events can name their cases.
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    [case_table, first_id + count],
                )
        cases = _write(
            case_table,
            ["id", *columns],
            ((first_id + n, *row) for n, row in enumerate(case_rows())),
            model=Case,
        )
        contacts = _write(
            Contact._meta.db_table,
            [
                "organisation_id",
                "channel",
                "service_id",
                "case_id",
                "reason",
                "outcome",
                "note",
                "created_at",
            ],
            _contact_rows(organisation, service, plan),
            model=Contact,
        )
        events = _write(
            CaseEvent._meta.db_table,
            [
                "case_id",
                "kind",
                "from_status",
                "to_status",
                "public_message",
                "internal_note",
                "payload",
                "created_at",
                "handled_by",
                "dispatch_attempts",
                "dispatch_error",
                "dispatched_at",
            ],
            _event_rows(plan),
            model=CaseEvent,
        )
    return Generated(cases=cases, contacts=contacts, events=events)


def _contact_rows(
    organisation: Organisation,
    service: Service,
    plan: list[tuple[int, datetime, bool, str, Any, str]],
) -> Iterator[tuple[Any, ...]]:
    for case_id, created, _open, _status, _closed, channel in plan:
        yield (
            organisation.pk,
            channel,
            service.pk,
            case_id,
            "new_request",
            "case_opened",
            "",
            created,
        )
        if case_id % 10 == 0:
            yield (
                organisation.pk,
                "phone",
                service.pk,
                case_id,
                "progress_chasing",
                "case_updated",
                "",
                created + timedelta(days=3),
            )


def _event_rows(plan: list[tuple[int, datetime, bool, str, Any, str]]) -> Iterator[tuple[Any, ...]]:
    for case_id, created, is_open, status, closed_at, _channel in plan:
        yield (case_id, "submitted", "", "received", "", "", "{}", created, "[]", 0, "", created)
        if not is_open:
            yield (
                case_id,
                "status_changed",
                "received",
                status,
                "Thank you.",
                "",
                "{}",
                closed_at,
                "[]",
                0,
                "",
                closed_at,
            )


def analyse() -> None:
    """Fresh planner statistics, as autovacuum would soon gather."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (Case, Contact, CaseEvent):
                cursor.execute(f"ANALYZE {table._meta.db_table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
