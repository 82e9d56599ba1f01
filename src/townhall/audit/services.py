"""Writing the audit log: one function, called by every view or service that
shows or changes a resident's personal data."""

from __future__ import annotations

from townhall.accounts.models import User
from townhall.audit.models import AuditEntry
from townhall.tenancy.models import Organisation

# What the case page shows of a resident.
CASE_PAGE_DATA = "answers, contact details, files, timeline"


def audit_record(
    *,
    organisation: Organisation,
    actor: User,
    action: str,
    case_reference: str = "",
    personal_data: str = "",
    detail: str = "",
) -> AuditEntry:
    """Add one entry to `organisation`'s audit log: `actor` did `action`, to
    the case `case_reference` if any, touching `personal_data` (which kinds of
    data, never the data itself). Written in the caller's transaction, so a
    change and its entry are kept or lost together."""
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor,
        action=action,
        case_reference=case_reference[:40],
        personal_data=personal_data[:200],
        detail=" ".join(detail.split())[:200],
    )
