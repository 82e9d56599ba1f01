"""What residents are told about their case: an email when it is submitted,
each time its status changes and when it passes to another council, if they
gave an address.

The words come from the service definition (its `submitted_message`, the new
state's `message`, or its `update_message`, with ((placeholders))), or else
from the default templates in `notifications/templates/notifications/email/`.
A definition's messages are data from councils, so they are filled in, never
run as templates.
"""

from __future__ import annotations

from django.utils import translation

from townhall.cases.events import subscriber_register
from townhall.cases.models import Case, CaseEvent
from townhall.catalogue.engine.definition import Message, ServiceDefinition, render_message
from townhall.catalogue.engine.languages import FALLBACK_LANGUAGE
from townhall.core.service_text import render_text
from townhall.notifications.messages import Rendered, message_render
from townhall.notifications.models import Delivery
from townhall.notifications.services import Outgoing
from townhall.tenancy.selectors import public_url_for


def resident_email(event: CaseEvent) -> list[Outgoing]:
    """The email telling the resident about a submission or a status change."""
    case = event.case
    if not case.contact_email:
        return []
    # The language the resident used: the service's own words in it (English
    # where it has none), and the default templates translated into it.
    language = case.language or FALLBACK_LANGUAGE
    definition = case.service_version.parsed_in(language)
    if event.kind == CaseEvent.Kind.SUBMITTED:
        own, default = definition.workflow.submitted_message, "case_submitted"
    elif event.kind in {CaseEvent.Kind.PUBLIC_UPDATE, CaseEvent.Kind.TRANSFERRED}:
        # News with the status unchanged, or the case now with another council.
        own, default = definition.workflow.update_message, "case_updated"
    else:
        state = definition.workflow.state(event.to_status)
        own, default = state.message or definition.workflow.update_message, "case_updated"
    with translation.override(language):
        values = message_values(case, definition, event)
        message = _render(own, default, values, language)
    return [
        Outgoing(
            channel=Delivery.Channel.EMAIL,
            recipient=case.contact_email,
            subject=message.subject,
            body=message.body,
        )
    ]


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
    }


def _render(own: Message | None, default: str, values: dict[str, str], language: str) -> Rendered:
    if own is not None:
        # The author's Markdown becomes plain text before the values go in, so
        # nothing in a value (an underscore in an address) is read as Markdown.
        plain = Message(subject=own.subject, body=render_text(own.body))
        filled = render_message(plain, values)
        return Rendered(subject=filled.subject, body=filled.body)
    return message_render(channel="email", name=default, context=values, language=language)


subscriber_register(
    name="cases.resident_email",
    kinds=[
        CaseEvent.Kind.SUBMITTED,
        CaseEvent.Kind.STATUS_CHANGED,
        CaseEvent.Kind.PUBLIC_UPDATE,
        CaseEvent.Kind.TRANSFERRED,
    ],
    func=resident_email,
)
