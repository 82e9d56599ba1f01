from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "townhall.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        # The provider and the case-event subscriber register themselves when imported.
        from townhall.webhooks import provider, subscriber  # noqa: F401
