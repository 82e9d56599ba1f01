from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "townhall.notifications"
    label = "notifications"

    def ready(self) -> None:
        # Built-in providers register themselves when imported.
        from townhall.notifications.providers import email, notify  # noqa: F401
