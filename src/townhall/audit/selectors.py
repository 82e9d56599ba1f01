"""Reading the audit log: a council's entries, searched by case, member of
staff and date, newest first, a page at a time by keyset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from townhall.audit.models import AuditEntry, AuditEntryQuerySet
from townhall.tenancy.models import Organisation


@dataclass(frozen=True)
class AuditSearch:
    """What an organisation admin searches the log for; empty means any."""

    case_reference: str = ""
    staff_email: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(*, organisation: Organisation, search: AuditSearch) -> AuditEntryQuerySet:
    """The council's entries matching `search`, newest first, with their staff."""
    entries = AuditEntry.objects.for_organisation(organisation)
    # References are written in capitals and email addresses in lower case, so
    # an exact match (which the indexes serve) finds them however they are typed.
    if search.case_reference:
        entries = entries.filter(case_reference=search.case_reference.upper())
    if search.staff_email:
        entries = entries.filter(actor__email=search.staff_email.lower())
    if search.date_from:
        entries = entries.filter(at__gte=_start_of(search.date_from))
    if search.date_to:
        entries = entries.filter(at__lt=_start_of(search.date_to + timedelta(days=1)))
    return entries.select_related("actor").order_by("-at", "-id")


def audit_page(
    *, entries: AuditEntryQuerySet, after: tuple[datetime, int] | None, size: int
) -> tuple[list[AuditEntry], tuple[datetime, int] | None]:
    """One page of `entries` following the entry `after` (its time and id), and
    the key of the next page, if any. A keyset, so a deep page costs what the
    first does."""
    if after is not None:
        at, pk = after
        entries = entries.filter(Q(at__lt=at) | Q(at=at, id__lt=pk))
    rows = list(entries[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, ((rows[-1].at, rows[-1].pk) if more and rows else None)
