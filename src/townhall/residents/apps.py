from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "townhall.residents"
    label = "residents"
    verbose_name = _("Residents")

    def ready(self) -> None:
        # Staff are told when a resident replies to a request (residents.reply_notify).
        from townhall.residents import reply_notify

        reply_notify.register()
