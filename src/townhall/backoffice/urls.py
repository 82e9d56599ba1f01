from django.urls import path, register_converter

from townhall.backoffice import api_key_views, contact_views, insight_views, service_views, views
from townhall.cases.references import REFERENCE_PATTERN


class ReferenceConverter:
    """A case reference in a URL, in the shape references have (any case):
    anything else, such as a control character, is not a case page (404)."""

    regex = REFERENCE_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

app_name = "backoffice"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("", views.queue, name="queue"),
    path("cases/<reference:reference>/", views.case_detail, name="case"),
    path("cases/<reference:reference>/status/", views.case_status, name="case-status"),
    path("cases/<reference:reference>/notes/", views.case_note, name="case-note"),
    path(
        "cases/<reference:reference>/attachments/<uuid:attachment_id>/",
        views.case_attachment,
        name="case-attachment",
    ),
    path("contacts/", contact_views.contact_list, name="contacts"),
    path("contacts/new/", contact_views.contact_new, name="contact-new"),
    path("services/", service_views.service_list, name="services"),
    path("services/import/", service_views.service_import_upload, name="service-import"),
    path(
        "services/<slug:slug>/versions/<int:number>/",
        service_views.version_detail,
        name="service-version",
    ),
    path(
        "services/<slug:slug>/versions/<int:number>/publish/",
        service_views.version_publish,
        name="service-version-publish",
    ),
    path(
        "services/<slug:slug>/versions/<int:number>/export/",
        service_views.version_export,
        name="service-version-export",
    ),
    path("api-keys/", api_key_views.api_key_list, name="api-keys"),
    path("api-keys/new/", api_key_views.api_key_new, name="api-key-new"),
    path("api-keys/<int:key_id>/revoke/", api_key_views.api_key_revoke_view, name="api-key-revoke"),
    path("insight/", insight_views.insight, name="insight"),
    path(
        "insight/tables/<slug:table>.<str:extension>",
        insight_views.insight_download,
        name="insight-download",
    ),
    path("insight/costs/", insight_views.insight_rates, name="insight-rates"),
]
