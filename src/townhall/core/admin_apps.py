"""Django's admin app with Townhall's admin site (`core.admin_site`): listed in
INSTALLED_APPS in place of `django.contrib.admin`. Apart from the site
module, so that loading the app imports no models."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "townhall.core.admin_site.TownhallAdminSite"
