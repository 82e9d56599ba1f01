from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "townhall.backoffice"
    label = "backoffice"
