"""A resident's rights over their data (UK GDPR): a copy of everything their
account holds (articles 15 and 20), and closing the account (article 17),
where each case follows its service's retention rules (see
docs/decisions/0057)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from townhall.accounts.models import User
from townhall.cases.events import event_record
from townhall.cases.models import Attachment, Case, CaseEvent, Contact, Draft
from townhall.cases.retention import case_redact
from townhall.cases.selectors import public_timeline
from townhall.cases.services import attachments_delete
from townhall.catalogue.engine.flow import summary
from townhall.residents.consents import consents_of
from townhall.residents.details import profile_summary
from townhall.residents.models import Consent, HouseholdMember, Profile

# Where a closed account's address goes: never deliverable, never anyone's.
CLOSED_DOMAIN = "closed.invalid"


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def resident_cases(user: User) -> list[Case]:
    return list(
        Case.objects.filter(resident=user)
        .select_related("service", "service_version", "organisation")
        .order_by("-created_at", "-pk")
    )


def _case_data(case: Case) -> dict[str, Any]:
    """A case as the resident sees it: answers as they gave them, public
    status and updates (never staff notes), and the files they sent."""
    definition = case.service_version.parsed
    workflow = definition.workflow
    return {
        "reference": case.reference,
        "council": case.organisation.name,
        "service": definition.name,
        "status": workflow.state(case.status).public_label,
        "is_open": case.is_open,
        "channel": case.get_channel_display(),
        "sent_at": _time(case.created_at),
        "closed_at": _time(case.closed_at),
        "personal_data_removed_at": _time(case.redacted_at),
        "answers": [
            {"question": row.question.label, "answer": row.text}
            for row in summary(definition, case.answers)
        ],
        "files": [
            {"name": a.filename, "type": a.content_type, "size": a.size}
            for a in Attachment.objects.from_resident().filter(case=case)
        ],
        "timeline": [
            {
                "when": _time(event.created_at),
                "status": workflow.state(event.to_status).public_label if event.to_status else "",
                "message": event.public_message,
            }
            for event in public_timeline(case)
        ],
    }


def data_export(user: User) -> dict[str, Any]:
    """Everything the account holds about `user`, as plain data: the
    profile, household, requests (with their answers, files and timeline),
    contacts about those requests, and every consent given or withdrawn."""
    profile = {key: _plain(value) for key, value in profile_summary(user).items()}
    cases = resident_cases(user)
    contacts = (
        Contact.objects.filter(case__in=[case.pk for case in cases])
        .select_related("case")
        .order_by("created_at", "pk")
    )
    return {
        "profile": profile,
        "household": [
            {
                "name": member.name,
                "relationship": member.relationship,
                "date_of_birth": _plain(member.date_of_birth),
            }
            for member in HouseholdMember.objects.filter(profile__user=user)
        ],
        "requests": [_case_data(case) for case in cases],
        "contacts": [
            {
                "when": _time(contact.created_at),
                "channel": contact.get_channel_display(),
                "reason": contact.get_reason_display(),
                "outcome": contact.get_outcome_display(),
                "request": contact.case.reference if contact.case else None,
            }
            for contact in contacts
        ],
        "consents": [
            {
                "when": _time(consent.created_at),
                "purpose": consent.get_purpose_display(),
                "action": consent.get_action_display(),
                "service": consent.service_slug,
            }
            for consent in consents_of(user)
        ],
        "drafts": [
            {"service": draft.service_version.parsed.name, "started_at": _time(draft.created_at)}
            for draft in Draft.objects.filter(resident=user, case__isnull=True).select_related(
                "service_version"
            )
        ],
    }


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value) if value is not None and not isinstance(value, (str, int, bool)) else value


@dataclass(frozen=True)
class Closure:
    anonymised: int  # cases whose personal data was removed now
    kept: int  # cases the council still needs: open, or kept by its service's rules


def case_anonymised_now(case: Case) -> bool:
    """Whether closing the account removes this case's personal data now: a
    closed case of a service that sets `retention_days`. An open case is kept
    until it is finished, then removed at the end of its retention period by
    `cases_redact`; a service with no `retention_days` keeps its records, as
    the council must."""
    return not case.is_open and case.service_version.parsed.retention_days is not None


@transaction.atomic
def account_close(*, user: User) -> Closure:
    """Close a resident's account: each case is anonymised or kept by its
    service's rules (`case_anonymised_now`), with an event on its timeline
    telling staff; unfinished drafts and their files, the household and the
    profile are deleted; the account keeps no name or email and can no longer
    sign in (every session ends, since the password hash changes and the
    account is inactive). The record of consents is kept, without identity."""
    anonymised = kept = 0
    for case in resident_cases(user):
        if case.redacted_at is None and case_anonymised_now(case):
            case_redact(case=case)
            anonymised += 1
            gone = True
        else:
            kept += 1
            gone = case.redacted_at is not None
        event_record(case=case, kind=CaseEvent.Kind.ACCOUNT_CLOSED, payload={"anonymised": gone})
    drafts = Draft.objects.filter(resident=user, case__isnull=True)
    attachments_delete(attachments=Attachment.objects.filter(Q(draft__in=drafts)))
    drafts.delete()
    profile = Profile.objects.filter(user=user).first()
    if profile is not None and profile.reuse_agreed_at is not None:
        Consent.objects.create(
            user=user, purpose=Consent.Purpose.PROFILE_REUSE, action=Consent.Action.WITHDRAWN
        )
    HouseholdMember.objects.filter(profile__user=user).delete()
    Profile.objects.filter(user=user).delete()
    user.email = f"{uuid.uuid4().hex}@{CLOSED_DOMAIN}"
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.last_login = None
    user.save()
    return Closure(anonymised=anonymised, kept=kept)


def account_closed(user: User) -> bool:
    return user.email.endswith(f"@{CLOSED_DOMAIN}") and not user.is_active
