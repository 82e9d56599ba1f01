"""Residents who have the same problem as an open case ("I have this
problem too"), and everyone else who hears of a case's updates besides its
own reporter: its supporters, and the reporters (and supporters) of the
cases staff merged into it as duplicates.

Adding oneself makes no new case: it records a supporter, who hears of the
case's updates by email, and a contact whose reason is `me_too` (demand
avoided, counted by insight). Every message carries a signed link that stops
it, holding the supporter's id and nothing about the person."""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from townhall.cases.events import event_record
from townhall.cases.models import Case, CaseEvent, CaseSupporter, Channel, Contact
from townhall.tenancy.selectors import public_url_for

SUPPORTER_STOP_SALT = "townhall.cases.supporter-stop"
# Duplicates of duplicates are followed this deep (a merge into a case that
# is later merged itself); deeper chains are not made by `case_merge`.
MERGE_DEPTH = 5


class SupportRefused(Exception):
    """The case cannot take supporters (closed, private); the message says why."""


def case_support(
    *, case: Case, email: str, language: str = "en", channel: str = Channel.WEB
) -> tuple[CaseSupporter, bool]:
    """Add the resident with `email` to an open public case instead of making
    a new one. Returns the supporter and whether they are new; a new one is a
    contact avoided (reason `me_too`) and an event whose subscriber confirms
    it to them. Adding the same address twice adds it once (and starts its
    updates again if it had stopped them)."""
    email = email.strip()
    if not email:
        raise SupportRefused("Enter an email address")
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("service_version", "organisation")
            .get(pk=case.pk)
        )
        if not case.is_open or case.merged_into_id is not None:
            raise SupportRefused("This report is closed: report the problem as a new one")
        if not case.service_version.parsed.public_on_map:
            raise SupportRefused("This service's reports are not public")
        supporter, created = CaseSupporter.objects.get_or_create(
            case=case, email__iexact=email, defaults={"email": email, "language": language}
        )
        if not created:
            if supporter.stopped_at is not None:
                supporter.stopped_at = None
                supporter.save(update_fields=["stopped_at"])
            return supporter, False
        Contact.objects.create(
            organisation_id=case.organisation_id,
            channel=channel,
            service_id=case.service_id,
            case=case,
            reason=Contact.Reason.ME_TOO,
            outcome=Contact.Outcome.CASE_UPDATED,
        )
        event_record(
            case=case,
            kind=CaseEvent.Kind.SUPPORTER_ADDED,
            payload={"supporter": supporter.pk},
        )
    return supporter, True


def supporter_stop_token(supporter: CaseSupporter) -> str:
    return signing.Signer(salt=SUPPORTER_STOP_SALT).sign(str(supporter.pk))


def supporter_stop_url(supporter: CaseSupporter) -> str:
    path = reverse("web:supporter-stop", kwargs={"token": supporter_stop_token(supporter)})
    return f"{public_url_for(supporter.case.organisation)}{path}"


def supporter_for_stop_token(token: str) -> CaseSupporter | None:
    """The supporter a stop link names, or None for a link that was altered."""
    try:
        supporter_id = signing.Signer(salt=SUPPORTER_STOP_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return CaseSupporter.objects.select_related("case").filter(pk=supporter_id).first()


def supporter_stop(*, supporter: CaseSupporter) -> bool:
    """Stop a supporter's updates. False when they were stopped already."""
    return bool(
        CaseSupporter.objects.filter(pk=supporter.pk, stopped_at__isnull=True).update(
            stopped_at=timezone.now()
        )
    )


def merged_cases(case: Case) -> list[Case]:
    """The cases merged into `case` as duplicates, and theirs, a few levels deep."""
    found: list[Case] = []
    level = [case.pk]
    for _depth in range(MERGE_DEPTH):
        duplicates = list(
            Case.objects.filter(merged_into_id__in=level).select_related(
                "organisation", "service_version"
            )
        )
        if not duplicates:
            break
        found += duplicates
        level = [d.pk for d in duplicates]
    return found


def active_supporters(cases: list[Case]) -> list[CaseSupporter]:
    """The supporters of any of `cases` who have not stopped their updates,
    one per address (the first added)."""
    seen: set[str] = set()
    found = []
    for supporter in (
        CaseSupporter.objects.filter(case__in=cases, stopped_at__isnull=True)
        .select_related("case__organisation")
        .order_by("created_at", "pk")
    ):
        key = supporter.email.lower()
        if key not in seen:
            seen.add(key)
            found.append(supporter)
    return found
