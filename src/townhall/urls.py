from django.contrib import admin
from django.urls import include, path

from townhall.core import views as core_views
from townhall.integrations.api.main import api as rest_api

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("branding.css", core_views.branding_css, name="branding-css"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the language switcher
    path("notifications/", include("townhall.notifications.urls")),
    path("account/oidc/", include("townhall.residents.oidc_urls")),
    path("account/requests/", include("townhall.residents.request_urls")),
    path("staff/assisted/", include("townhall.backoffice.assisted")),
    path("staff/", include("townhall.backoffice.urls")),
    path("account/profile/", include("townhall.residents.profile_urls")),
    path("open311/", include("townhall.integrations.open311.urls")),
    path("api/v1/", rest_api.urls),
    path("account/", include("townhall.residents.account_urls")),
    path("", include("townhall.web.urls")),
]

handler400 = "townhall.core.views.bad_request"
handler403 = "townhall.core.views.permission_denied"
handler404 = "townhall.core.views.page_not_found"
handler500 = "townhall.core.views.server_error"
