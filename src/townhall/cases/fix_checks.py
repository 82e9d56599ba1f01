"""After a case is closed as fixed, the reporter is asked whether it really
is ("is it fixed?"). The question comes as a link in the closing message and
on the tracking page; it can be answered once. "No" reopens the case, or
opens a follow-up case, as the service's definition says (`not_fixed`).

The link holds the check's id and a random nonce, signed: it cannot be
guessed from a reference, says nothing about the person, and stops working
once answered."""

from __future__ import annotations

import secrets

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.cases.casework import case_reopen
from townhall.cases.events import event_record
from townhall.cases.models import Case, CaseEvent, FixCheck
from townhall.cases.public import is_fixed
from townhall.tenancy.selectors import public_url_for

SALT = "townhall.cases.fix-check"


class FixCheckClosed(Exception):
    """The question was answered already, or no longer applies (the case was
    reopened since); the message says which."""


def _asks(case: Case) -> bool:
    """Whether `case` is closed in a fixed state of a service that asks."""
    if case.is_open:
        return False
    definition = case.service_version.parsed
    if definition.not_fixed == "off":
        return False
    try:
        return is_fixed(definition.workflow.state(case.status))
    except KeyError:
        return False


def _new(case: Case) -> FixCheck:
    return FixCheck.objects.create(case=case, nonce=secrets.token_urlsafe(24))


def fix_check_for_event(event: CaseEvent) -> FixCheck | None:
    """A new question for the change `event` records, if it closed the case
    as fixed and the case is still so (the closing message's subscriber)."""
    case = event.case
    if case.status != event.to_status or not _asks(case):
        return None
    return _new(case)


def fix_check_current(case: Case) -> FixCheck | None:
    """The unanswered question about the case's latest closing as fixed (made
    if the message has not made it yet); None if it was answered or the case
    is not closed as fixed."""
    if not _asks(case):
        return None
    latest = FixCheck.objects.filter(case=case, created_at__gte=case.closed_at).first()
    if latest is not None:
        return None if latest.answered_at else latest
    return _new(case)


def fix_check_token(check: FixCheck) -> str:
    return signing.Signer(salt=SALT).sign(f"{check.pk}.{check.nonce}")


def fix_check_url(check: FixCheck) -> str:
    path = reverse("web:fixed", kwargs={"token": fix_check_token(check)})
    return f"{public_url_for(check.case.organisation)}{path}"


def fix_check_from_token(token: str) -> FixCheck | None:
    """The check a link names, or None for a link altered or made up."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _sep, nonce = value.partition(".")
    if not pk.isdigit():
        return None
    check = (
        FixCheck.objects.select_related("case__service_version", "case__organisation")
        .filter(pk=pk)
        .first()
    )
    if check is None or not secrets.compare_digest(check.nonce, nonce):
        return None
    return check


def fix_check_answer(*, check: FixCheck, fixed: bool) -> FixCheck:
    """Record the reporter's answer, once. "No" reopens the case or opens a
    follow-up case, as its service's `not_fixed` says. Raises FixCheckClosed
    if it was answered, or the case reopened since."""
    from townhall.cases.services import case_follow_up

    with transaction.atomic():
        check = FixCheck.objects.select_for_update(of=("self",)).get(pk=check.pk)
        if check.answered_at is not None:
            raise FixCheckClosed(_("You have already told us whether this was fixed"))
        case = (
            Case.objects.select_related("service_version", "organisation")
            .filter(pk=check.case_id)
            .get()
        )
        if not _asks(case) or (case.closed_at and case.closed_at > check.created_at):
            raise FixCheckClosed(_("This request has changed since we asked: there is no need"))
        event_record(
            case=case,
            kind=CaseEvent.Kind.FIX_CHECKED,
            payload={"fixed": fixed},
        )
        check.answered_at = timezone.now()
        check.fixed = fixed
        if not fixed:
            note = "The resident says it is not fixed"
            if case.service_version.parsed.not_fixed == "follow_up":
                check.follow_up = case_follow_up(case=case, note=note)
            else:
                case_reopen(case=case, actor=None, internal_note=note)
        check.save(update_fields=["answered_at", "fixed", "follow_up"])
    return check
