from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "townhall.connectors"
    label = "connectors"

    def ready(self) -> None:
        # Connectors, their providers and the subscriber register themselves when imported.
        from townhall.connectors import mailbox, open311, subscriber, webhook  # noqa: F401
