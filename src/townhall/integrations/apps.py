from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "townhall.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from townhall.core.machine_errors import machine_errors_register
        from townhall.integrations.api.errors import error_for_status as api_error
        from townhall.integrations.open311.endpoint import error_for_status

        machine_errors_register(prefix="/open311/", writer=error_for_status)
        machine_errors_register(prefix="/api/v1/", writer=api_error)
