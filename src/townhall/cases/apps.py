from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "townhall.cases"
    label = "cases"

    def ready(self) -> None:
        # Built-in event subscribers register themselves when imported.
        from townhall.cases import follower_notify, notify  # noqa: F401
