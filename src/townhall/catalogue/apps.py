from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "townhall.catalogue"
    label = "catalogue"
