"""What everyone besides a case's own reporter hears about it: its supporters
("I have this problem too") and the reporters and supporters of the cases
staff merged into it as duplicates. The case's own reporter hears through
`cases.notify`; this subscriber writes the others' messages, each with a link
that stops that person's updates and nobody else's.

- a status change or public update: a message to each of them;
- a supporter added: a message confirming it to that supporter;
- a merge: the duplicate's reporter is told their report is now handled as
  the other case, whose updates they will get from now on."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from townhall.cases.events import subscriber_register
from townhall.cases.models import Case, CaseEvent, CaseSupporter
from townhall.cases.public import public_status
from townhall.cases.supporters import (
    active_supporters,
    merged_cases,
    supporter_stop_url,
)
from townhall.cases.updates import Route, updates_route, updates_stop_url
from townhall.catalogue.engine.languages import FALLBACK_LANGUAGE
from townhall.notifications.messages import message_render
from townhall.notifications.services import Outgoing
from townhall.tenancy.selectors import public_url_for

UPDATE_KINDS = frozenset({CaseEvent.Kind.STATUS_CHANGED, CaseEvent.Kind.PUBLIC_UPDATE})


def followers_email(event: CaseEvent) -> list[Outgoing]:
    case = event.case
    if event.kind in UPDATE_KINDS:
        return _updates(event)
    if event.kind == CaseEvent.Kind.SUPPORTER_ADDED:
        supporter = CaseSupporter.objects.filter(
            pk=event.payload.get("supporter"), stopped_at__isnull=True
        ).first()
        if supporter is None:
            return []
        return [
            _message(
                event,
                "supporter_added",
                supporter.email,
                supporter.language,
                supporter_stop_url(supporter),
                channel="email",
            )
        ]
    if event.kind == CaseEvent.Kind.MERGED and event.payload.get("into"):
        route = updates_route(case)
        if route is None:
            return []
        into = Case.objects.filter(reference=event.payload["into"]).first()
        if into is None:
            return []
        return [
            _message(
                event,
                "case_merged",
                route.recipient,
                case.language,
                updates_stop_url(case),
                channel=route.channel,
                about=into,
                own=case,
            )
        ]
    return []


def _updates(event: CaseEvent) -> list[Outgoing]:
    """The update to every reporter of a merged duplicate and every supporter."""
    case = event.case
    duplicates = merged_cases(case)
    messages: list[Outgoing] = []
    sent_to: set[str] = set()
    if case.contact_email:
        sent_to.add(case.contact_email.lower())  # told already, by cases.notify
    for duplicate in duplicates:
        route: Route | None = updates_route(duplicate)
        if route is None or route.recipient.lower() in sent_to:
            continue
        sent_to.add(route.recipient.lower())
        messages.append(
            _message(
                event,
                "followed_update",
                route.recipient,
                duplicate.language,
                updates_stop_url(duplicate),
                channel=route.channel,
                own=duplicate,
            )
        )
    for supporter in active_supporters([case, *duplicates]):
        if supporter.email.lower() in sent_to:
            continue
        sent_to.add(supporter.email.lower())
        messages.append(
            _message(
                event,
                "followed_update",
                supporter.email,
                supporter.language,
                supporter_stop_url(supporter),
                channel="email",
            )
        )
    return messages


def _message(
    event: CaseEvent,
    name: str,
    recipient: str,
    language: str,
    stop_url: str,
    *,
    channel: str,
    about: Case | None = None,
    own: Case | None = None,
) -> Outgoing:
    """One message `name` about `about` (the event's case by default), for
    someone whose own report, if any, is `own`."""
    about = about or event.case
    language = language or FALLBACK_LANGUAGE
    definition = about.service_version.parsed_in(language)
    status = event.to_status if event.kind in UPDATE_KINDS else about.status
    values = {
        "reference": about.reference,
        "own_reference": own.reference if own is not None else "",
        "service_name": definition.name,
        "council_name": about.organisation.name,
        "status": public_status(definition, status or about.status),
        "public_message": event.public_message if event.kind in UPDATE_KINDS else "",
        "report_url": f"{public_url_for(about.organisation)}/reports/{about.reference}/",
    }
    folder = "sms" if channel == "sms" else "email"
    with translation.override(language):
        message = message_render(channel=folder, name=name, context=values, language=language)
        body = "\n\n".join(
            [
                message.body,
                _("To stop getting updates about this: %(url)s") % {"url": stop_url},
            ]
        )
    return Outgoing(
        channel=channel,
        recipient=recipient,
        subject=message.subject,
        body=body,
        payload={"case_reference": about.reference, "stop_url": stop_url},
    )


def has_followers(case: Case) -> bool:
    """Whether anyone besides the reporter hears of `case`: a duplicate (its
    reporter is told of the merge), a case with duplicates or supporters."""
    return (
        case.merged_into_id is not None
        or CaseSupporter.objects.filter(case_id=case.pk, stopped_at__isnull=True).exists()
        or Case.objects.filter(merged_into_id=case.pk).exists()
    )


subscriber_register(
    name="cases.followers_email",
    kinds=[
        CaseEvent.Kind.STATUS_CHANGED,
        CaseEvent.Kind.PUBLIC_UPDATE,
        CaseEvent.Kind.SUPPORTER_ADDED,
        CaseEvent.Kind.MERGED,
    ],
    func=followers_email,
    applies=has_followers,
)
