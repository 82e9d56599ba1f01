"""What residents are told about their case: a message when it is submitted,
each time its status changes, when it passes to another council, and when
they choose how to hear, by the way they chose (email, text message or
letter; `cases.updates`).

The words come from the service definition (its `submitted_message`, the new
state's `message`, or its `update_message`, with ((placeholders))), or else
from the default templates in `notifications/templates/notifications/<channel>/`.
A definition's messages are data from councils, so they are filled in, never
run as templates. Text messages always use the short default templates. Every
message ends with the link that stops updates.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from townhall.accounts.models import User
from townhall.cases.events import subscriber_register
from townhall.cases.fix_checks import fix_check_for_event, fix_check_url
from townhall.cases.models import Case, CaseEvent, UpdatesBy
from townhall.cases.updates import (
    Route,
    UpdatesRefused,
    case_updates_choose,
    updates_route,
    updates_stop_url,
)
from townhall.catalogue.engine.definition import Message, ServiceDefinition, render_message
from townhall.catalogue.engine.languages import FALLBACK_LANGUAGE
from townhall.core.service_text import render_text
from townhall.notifications.messages import Rendered, message_render
from townhall.notifications.models import Delivery
from townhall.notifications.services import Outgoing, delivery_queue
from townhall.tenancy.selectors import public_url_for


def resident_email(event: CaseEvent) -> list[Outgoing]:
    """The message telling the resident about a submission, a status change
    or the way they chose to hear (by that way; nothing once they stopped)."""
    case = event.case
    if event.kind == CaseEvent.Kind.UPDATES_CHOSEN and (
        event.payload.get("updates_by") in ("", UpdatesBy.NONE)
        or not event.payload.get("confirm", True)
    ):
        return []
    route = updates_route(case)
    if route is None:
        return []
    extra = ""
    if event.kind == CaseEvent.Kind.STATUS_CHANGED and (check := fix_check_for_event(event)):
        with translation.override(case.language or FALLBACK_LANGUAGE):
            extra = _("Is it really fixed? Tell us here: %(url)s") % {"url": fix_check_url(check)}
    return [resident_message(event, route, extra=extra)]


def resident_message(event: CaseEvent, route: Route, *, extra: str = "") -> Outgoing:
    """The message about `event` for `route`, in the resident's language,
    with `extra` (a question for the resident) before the stop link."""
    case = event.case
    # The language the resident used: the service's own words in it (English
    # where it has none), and the default templates translated into it.
    language = case.language or FALLBACK_LANGUAGE
    definition = case.service_version.parsed_in(language)
    own: Message | None
    if event.kind == CaseEvent.Kind.SUBMITTED:
        own, default = definition.workflow.submitted_message, "case_submitted"
    elif event.kind in {CaseEvent.Kind.PUBLIC_UPDATE, CaseEvent.Kind.TRANSFERRED}:
        # News with the status unchanged, or the case now with another council.
        own, default = definition.workflow.update_message, "case_updated"
    elif event.kind == CaseEvent.Kind.UPDATES_CHOSEN:
        own, default = None, "updates_chosen"
    else:
        state = definition.workflow.state(event.to_status)
        own, default = state.message or definition.workflow.update_message, "case_updated"
    if route.channel == UpdatesBy.SMS:
        own = None  # a definition's messages are written for email: too long for a text
    stop_url = updates_stop_url(case)
    with translation.override(language):
        values = message_values(case, definition, event)
        message = _render(own, default, values, language, route.channel)
        body = "\n\n".join(
            [
                message.body,
                *([extra] if extra else []),
                _("To stop getting updates about this request: %(url)s") % {"url": stop_url},
            ]
        )
    return Outgoing(
        channel=route.channel,
        recipient=route.recipient,
        subject=message.subject,
        body=body,
        payload={"case_reference": case.reference, "stop_url": stop_url},
    )


def message_values(case: Case, definition: ServiceDefinition, event: CaseEvent) -> dict[str, str]:
    """What a message's placeholders stand for. The status is the one the
    event moved to, which the case may since have left."""
    return {
        "reference": case.reference,
        "service_name": definition.name,
        "council_name": case.organisation.name,
        "status": definition.workflow.state(event.to_status or case.status).public_label,
        "public_message": event.public_message,
        "track_url": f"{public_url_for(case.organisation)}/track/",
        "updates_by": UpdatesBy(case.updates_by or UpdatesBy.EMAIL).label.lower(),
    }


def _render(
    own: Message | None, default: str, values: dict[str, str], language: str, channel: str
) -> Rendered:
    if own is not None:
        # The author's Markdown becomes plain text before the values go in, so
        # nothing in a value (an underscore in an address) is read as Markdown.
        plain = Message(subject=own.subject, body=render_text(own.body))
        filled = render_message(plain, values)
        return Rendered(subject=filled.subject, body=filled.body)
    # Letters say what emails say.
    folder = "sms" if channel == UpdatesBy.SMS else "email"
    return message_render(channel=folder, name=default, context=values, language=language)


def message_resend(*, delivery: Delivery, updates_by: str, actor: User, **details: str) -> Delivery:
    """Send a message that did not reach the resident again another way
    (`updates_by`, with the `details` it needs, as `case_updates_choose`
    takes them), which becomes the way they hear from now on. Raises
    UpdatesRefused, naming what is missing; ValueError for a message about
    no case or no event."""
    if delivery.case is None or delivery.event is None:
        raise ValueError("only a message about a case event can be sent again")
    case = case_updates_choose(
        case=delivery.case, updates_by=updates_by, actor=actor, confirm=False, **details
    )
    route = updates_route(case)
    if route is None or route.channel != updates_by:
        raise UpdatesRefused(_("The council cannot send updates that way"))
    event = delivery.event
    event.case = case
    return delivery_queue(
        organisation=case.organisation, outgoing=resident_message(event, route), case=case
    )


subscriber_register(
    # The name events record: kept, though it now sends texts and letters too.
    name="cases.resident_email",
    kinds=[
        CaseEvent.Kind.SUBMITTED,
        CaseEvent.Kind.STATUS_CHANGED,
        CaseEvent.Kind.PUBLIC_UPDATE,
        CaseEvent.Kind.TRANSFERRED,
        CaseEvent.Kind.UPDATES_CHOSEN,
    ],
    func=resident_email,
)
