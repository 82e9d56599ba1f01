from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "townhall.alerts"
    label = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from townhall.alerts import subscriber  # noqa: F401  (registers the case-event subscriber)
