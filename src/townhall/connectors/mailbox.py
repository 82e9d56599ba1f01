"""The team-mailbox connector: an email to the team with the case's answers
and a link to it in the back office."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from townhall.cases.conditions import condition_context
from townhall.cases.models import CaseEvent
from townhall.catalogue.engine import flow
from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.connectors import Connector, connector_register
from townhall.notifications.messages import message_render
from townhall.notifications.models import Delivery
from townhall.notifications.services import Outgoing
from townhall.tenancy.selectors import public_url_for


class MailboxConnector(Connector):
    name = "mailbox"

    def outgoing(
        self, *, event: CaseEvent, definition: ServiceDefinition, destination: Mapping[str, Any]
    ) -> Outgoing:
        case = event.case
        rows = flow.summary(
            definition, case.answers, context=condition_context(organisation=case.organisation)
        )
        message = message_render(
            channel="email",
            name="case_to_mailbox",
            context={
                "reference": case.reference,
                "service_name": definition.name,
                "council_name": case.organisation.name,
                "answers": [(str(row.question.label), row.text) for row in rows],
                "staff_url": public_url_for(case.organisation)
                + reverse("backoffice:case", args=[case.reference]),
            },
        )
        return Outgoing(
            channel=Delivery.Channel.EMAIL,
            recipient=destination["address"],
            subject=message.subject,
            body=message.body,
        )


connector_register(MailboxConnector())
