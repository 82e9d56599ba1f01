"""Connectors: how a submitted case reaches the back-office system that
handles it, as a service's definition says in `send_to`.

A connector turns a case and one destination of its definition into a
message for the outbox (`notifications.services.Outgoing`); the outbox's
provider then delivers it, retried until the system takes it, and records
the system's own reference for the case. One module per connector (a team
mailbox, a webhook, an upstream Open311 endpoint), each registering itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from townhall.cases.models import CaseEvent
    from townhall.catalogue.engine.definition import ServiceDefinition
    from townhall.notifications.services import Outgoing


class Connector:
    """Makes the message that sends a case to one kind of destination."""

    name: ClassVar[str]  # what a definition's `connector` says

    def outgoing(
        self, *, event: CaseEvent, definition: ServiceDefinition, destination: Mapping[str, Any]
    ) -> Outgoing:
        raise NotImplementedError


class ConnectorMissing(LookupError):
    """A definition names a connector that is not registered."""


_connectors: dict[str, Connector] = {}


def connector_register(connector: Connector) -> Connector:
    _connectors[connector.name] = connector
    return connector


def connector_get(name: str) -> Connector:
    """The connector called `name`. Raises ConnectorMissing."""
    try:
        return _connectors[name]
    except KeyError:
        raise ConnectorMissing(name) from None


def connector_names() -> list[str]:
    return sorted(_connectors)
