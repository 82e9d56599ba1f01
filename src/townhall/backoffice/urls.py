from django.urls import path, register_converter

from townhall.backoffice import (
    admin_views,
    contact_views,
    service_views,
    sign_in_views,
    views,
)
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
    path("login/", sign_in_views.StaffLoginView.as_view(), name="login"),
    path("logout/", sign_in_views.StaffLogoutView.as_view(), name="logout"),
    path("login/code/", sign_in_views.sign_in_code, name="sign-in-code"),
    path("password-reset/", sign_in_views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        sign_in_views.PasswordResetSentView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        sign_in_views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        sign_in_views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path("account/", admin_views.account, name="account"),
    path("account/two-factor/", sign_in_views.two_factor_setup, name="two-factor-setup"),
    path("account/recovery-codes/", sign_in_views.recovery_codes, name="recovery-codes"),
    path("council/security/", admin_views.council_security, name="council-security"),
    path("council/sign-ins/", admin_views.council_sign_ins, name="council-sign-ins"),
    path("audit/", admin_views.audit_log, name="audit"),
    path("audit/export/", admin_views.audit_export, name="audit-export"),
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
]
