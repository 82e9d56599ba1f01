"""Benchmark scenarios for the audit log: an organisation admin's first page
of the log and a search by case reference, beside the same keyset query in raw
SQL. Import only once Django is set up."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from bench.scenarios import World, checker, constant, request
from bench.timing import Action, BenchError, Scenario
from townhall.accounts.models import User
from townhall.audit.models import AuditEntry
from townhall.tenancy.models import Membership
from townhall.testing.sign_in import sign_in

# Entries per open case: each case viewed, its files downloaded, notes added...
ENTRIES_PER_CASE = 100
CASES = 1_000  # distinct case references in the log
SEARCHED = "EXA-1999-00000007"


@transaction.atomic
def fill_audit_log(world: World, open_cases: int) -> int:
    """ENTRIES_PER_CASE entries for each open case, over the past year, by one
    member of staff, spread over CASES references. Returns how many there are."""
    size = open_cases * ENTRIES_PER_CASE
    now = timezone.now()
    step = timedelta(days=365) / size
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                organisation=world.organisation,
                actor=world.staff,
                action=AuditEntry.Action.VIEWED_CASE,
                case_reference=f"EXA-1999-{n % CASES:08d}",
                personal_data="answers, contact details, files, timeline",
                at=now - step * n,
            )
            for n in range(size)
        ),
        batch_size=2_000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE audit_auditentry")
    return size


def _admin_client(world: World) -> Client:
    admin, _created = User.objects.get_or_create(email="admin@example.gov.uk")
    Membership.objects.get_or_create(
        user=admin, organisation=world.organisation, defaults={"role": "organisation_admin"}
    )
    return sign_in(Client(), admin)


def audit_page(world: World, entries: int, *, search: bool) -> Scenario:
    client = _admin_client(world)
    query = f"?reference={SEARCHED}" if search else ""
    label = f"search by case reference ({entries // CASES:,} match)" if search else "first page"
    return Scenario(
        key="audit_search" if search else "audit_first",
        name=f"Audit log, {label} ({entries:,} entries)",
        prepare=constant(lambda: request(client, f"/staff/audit/{query}")),
        check=checker(200, contains=SEARCHED if search else "Older entries"),
    )


def audit_sql(world: World) -> Scenario:
    """The query behind a search's first page, in raw SQL: the floor for it."""
    sql = (
        "SELECT e.id, e.at, e.action, e.case_reference, e.personal_data, e.detail, u.email "
        "FROM audit_auditentry e JOIN accounts_user u ON u.id = e.actor_id "
        "WHERE e.organisation_id = %s AND e.case_reference = %s "
        "ORDER BY e.at DESC, e.id DESC LIMIT 51"
    )

    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql, [world.organisation.pk, SEARCHED])
            return cursor.fetchall()

    def check(rows: object) -> None:
        if not isinstance(rows, list) or not rows:
            raise BenchError("the raw audit query found nothing")

    def prepare() -> Action:
        connection.ensure_connection()
        return run

    return Scenario(
        key="audit_sql",
        name="Baseline: raw SQL, the audit search's first page",
        prepare=prepare,
        check=check,
    )
