"""The audit log: every view of a case page, file download, status change,
note and export is recorded; entries cannot be changed or deleted; an
organisation admin searches their council's log and exports it as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from townhall.audit.models import AppendOnly, AuditEntry
from townhall.audit.services import audit_record
from townhall.cases.factories import submitted_case
from townhall.cases.models import Attachment
from townhall.tenancy.factories import MembershipFactory
from townhall.testing.sign_in import sign_in


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def manager_user(council):
    return MembershipFactory(
        organisation=council, role="organisation_admin", user__password="!"
    ).user


@pytest.fixture
def manager_client(client, manager_user):
    return sign_in(client, manager_user)


@pytest.fixture
def case(fly_tipping):
    return submitted_case(fly_tipping)


def test_staff_views_and_changes_of_a_case_are_recorded(staff_client, staff_user, case):
    attachment = Attachment(
        case=case, filename="x.png", content_type="image/png", size=1, created_at=case.created_at
    )
    attachment.file.save("x", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    attachment.save()
    url = f"/staff/cases/{case.reference}/"
    staff_client.get(url)
    staff_client.get(f"{url}attachments/{attachment.pk}/")
    staff_client.post(f"{url}status/", {"status": "cleared"})
    staff_client.post(f"{url}notes/", {"note": "Two bags"})
    entries = list(AuditEntry.objects.order_by("id"))
    actions = [e.action for e in entries]
    for action in ["viewed_case", "downloaded_file", "changed_status", "added_note"]:
        assert action in actions
    assert {e.actor for e in entries} == {staff_user}
    assert {e.case_reference for e in entries} == {case.reference}
    assert {e.organisation for e in entries} == {case.organisation}
    viewed = next(e for e in entries if e.action == "viewed_case")
    assert "answers" in viewed.personal_data and "contact details" in viewed.personal_data
    assert next(e for e in entries if e.action == "downloaded_file").detail == str(attachment.pk)
    assert next(e for e in entries if e.action == "changed_status").detail == "cleared"


def test_a_refused_or_missing_case_leaves_no_entry(staff_client, other_fly_tipping):
    theirs = submitted_case(other_fly_tipping)
    assert staff_client.get(f"/staff/cases/{theirs.reference}/").status_code == 404
    assert not AuditEntry.objects.exists()


def test_entries_cannot_be_changed_or_deleted_through_the_orm(staff_user, case):
    entry = audit_record(organisation=case.organisation, actor=staff_user, action="viewed_case")
    entry.detail = "changed"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="changed")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().detail == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_changes_even_in_raw_sql(staff_user, case):
    entry = audit_record(organisation=case.organisation, actor=staff_user, action="viewed_case")
    for statement in [
        "UPDATE audit_auditentry SET detail = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ]:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
    assert AuditEntry.objects.get().detail == ""


def _entries(organisation, actor, count, *, reference="", days_ago=0):
    for _ in range(count):
        AuditEntry.objects.create(
            organisation=organisation,
            actor=actor,
            action="viewed_case",
            case_reference=reference,
            at=timezone.now() - timedelta(days=days_ago),
        )


def test_an_admin_searches_by_case_staff_and_date(manager_client, council, case, staff_user):
    colleague = MembershipFactory(organisation=council, user__email="colleague@example.gov.uk").user
    _entries(council, staff_user, 2, reference=case.reference)
    _entries(council, colleague, 1, reference="EXA-2026-00000000")
    _entries(council, colleague, 1, reference="EXA-2026-11111111", days_ago=10)

    def rows(query: str) -> str:
        response = manager_client.get(f"/staff/audit/?{query}")
        assert response.status_code == 200
        return response.content.decode()

    body = rows(f"reference={case.reference.lower()}")
    assert body.count(case.reference) == 2 and "EXA-2026-00000000" not in body
    body = rows("staff=COLLEAGUE@example.gov.uk")
    assert "EXA-2026-00000000" in body and case.reference not in body
    since = (timezone.localdate() - timedelta(days=2)).isoformat()
    body = rows(f"date_from={since}")
    assert "EXA-2026-11111111" not in body and "EXA-2026-00000000" in body
    until = (timezone.localdate() - timedelta(days=5)).isoformat()
    body = rows(f"date_to={until}")
    assert "EXA-2026-11111111" in body and "EXA-2026-00000000" not in body


def test_a_wrong_date_is_explained(manager_client, council):
    response = manager_client.get("/staff/audit/?date_from=31/13/2026")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter the from date as year-month-day" in body
    assert "<title>Error:" in body


def test_the_log_pages_by_keyset_with_constant_queries(manager_client, council, staff_user):
    _entries(council, staff_user, 5)
    with CaptureQueriesContext(connection) as few:
        manager_client.get("/staff/audit/")
    _entries(council, staff_user, 60)
    with CaptureQueriesContext(connection) as many:
        first = manager_client.get("/staff/audit/").content.decode()
    assert len(few) == len(many)
    assert first.count('<tr class="govuk-table__row">') == 1 + 50
    next_link = first.split('href="?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = manager_client.get(f"/staff/audit/?{next_link}").content.decode()
    assert second.count('<tr class="govuk-table__row">') == 1 + 15
    assert "Older entries" not in second


def test_the_export_is_csv_of_the_councils_entries_and_is_itself_recorded(
    manager_client, manager_user, council, other_council, staff_user, case
):
    _entries(council, staff_user, 2, reference=case.reference)
    stranger = MembershipFactory(organisation=other_council).user
    _entries(other_council, stranger, 1, reference="OTH-2026-00000000")
    _entries(council, staff_user, 1, reference="=HYPERLINK()")
    response = manager_client.get(f"/staff/audit/export/?reference={case.reference}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    table = _csv(response)
    assert table[0] == ["when", "staff", "action", "case_reference", "personal_data", "detail"]
    assert [row[3] for row in table[1:]] == [case.reference, case.reference]
    everything = _csv(manager_client.get("/staff/audit/export/"))
    references = {row[3] for row in everything[1:]}
    assert "OTH-2026-00000000" not in references
    assert "'=HYPERLINK()" in references  # never run as a formula
    exports = AuditEntry.objects.filter(action="exported", actor=manager_user)
    assert exports.count() == 2
