from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "townhall.tenancy"
    label = "tenancy"
