"""Retention: a closed case keeps residents' personal data only as long as its
service definition's `retention_days` says, then the data is removed and the
case kept as a record (service, channel, status, dates) for the council's figures."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from townhall.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseSupporter,
    Contact,
    Draft,
    FixCheck,
)
from townhall.cases.services import attachments_delete
from townhall.catalogue.models import ServiceVersion
from townhall.notifications.models import Delivery


def cases_due_for_redaction() -> QuerySet[Case]:
    """Closed, unredacted cases past their version's retention period."""
    now = timezone.now()
    due = Case.objects.none()
    versions = ServiceVersion.objects.filter(
        pk__in=Case.objects.filter(is_open=False, redacted_at__isnull=True).values(
            "service_version"
        )
    )
    for version in versions:
        days = version.parsed.retention_days
        if days:
            due = due | Case.objects.filter(
                service_version=version,
                is_open=False,
                redacted_at__isnull=True,
                closed_at__lt=now - timedelta(days=days),
            )
    return due


def case_redact(*, case: Case) -> None:
    """Remove the personal data a case holds: answers (the case's and its
    draft's), contact email, phone number and postal address, every file
    uploaded for it (kept with the case or left on its draft, rows and stored
    files), messages to and notes about the resident, the addresses of
    residents who joined it ("me too"), event payloads, notes on contacts
    about it, and the address and text of what was sent to them. What is left is the record
    docs/operations.md lists: reference, service, channel, status, team, dates
    and who on staff did what, when."""
    with transaction.atomic():
        attachments_delete(
            attachments=Attachment.objects.filter(Q(case=case) | Q(draft__case=case))
        )
        CaseEvent.objects.filter(case=case).update(public_message="", internal_note="", payload={})
        Delivery.objects.filter(case=case).update(recipient="", body="", payload={})
        Draft.objects.filter(case=case).update(answers={})
        Contact.objects.filter(case=case).update(note="")
        # Residents who joined it ("me too"): their addresses go with the rest.
        CaseSupporter.objects.filter(case=case).delete()
        FixCheck.objects.filter(case=case, answered_at__isnull=True).delete()
        Case.objects.filter(pk=case.pk).update(
            answers={},
            lon=None,
            lat=None,
            summary="",
            contact_email="",
            redacted_at=timezone.now(),
            search_email="",
            search_phone="",
            search_name="",
            search_postcode="",
            search_text="",
            contact_phone="",
            contact_address="",
            contact_postcode="",
        )


def cases_redact_due(*, dry_run: bool = False) -> int:
    """Redact every case past its retention period; returns how many."""
    due = list(cases_due_for_redaction())
    if not dry_run:
        for case in due:
            case_redact(case=case)
    return len(due)
