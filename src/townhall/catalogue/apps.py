from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "townhall.catalogue"
    label = "catalogue"

    def ready(self) -> None:
        from townhall.catalogue.engine.places import place_lookup_set
        from townhall.catalogue.place_lookup import PlacesLookup

        place_lookup_set(PlacesLookup())
