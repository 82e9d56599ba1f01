from django.urls import path, register_converter

from townhall.backoffice import (
    admin_views,
    api_key_views,
    casework_views,
    contact_views,
    insight_views,
    message_views,
    near_views,
    notify_views,
    queue_views,
    routing_views,
    service_views,
    setup_views,
    sign_in_views,
    views,
    webhook_views,
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
    path("council/teams/", setup_views.team_list, name="teams"),
    path("council/teams/<int:pk>/", setup_views.team_edit, name="team"),
    path(
        "response-templates/",
        setup_views.response_template_list,
        name="response-templates",
    ),
    path(
        "response-templates/new/",
        setup_views.response_template_edit,
        name="response-template-new",
    ),
    path(
        "response-templates/<int:pk>/",
        setup_views.response_template_edit,
        name="response-template",
    ),
    path(
        "response-templates/<int:pk>/delete/",
        setup_views.response_template_delete,
        name="response-template-delete",
    ),
    path("audit/", admin_views.audit_log, name="audit"),
    path("audit/export/", admin_views.audit_export, name="audit-export"),
    path("", queue_views.queue, name="queue"),
    path("saved-filters/", queue_views.saved_filter_create, name="saved-filter-create"),
    path(
        "saved-filters/<int:pk>/delete/",
        queue_views.saved_filter_delete,
        name="saved-filter-delete",
    ),
    path("cases/bulk/", queue_views.bulk_action, name="bulk"),
    path("near/", near_views.cases_near_me, name="near"),
    path("cases/<reference:reference>/assign/", casework_views.case_assign, name="case-assign"),
    path(
        "cases/<reference:reference>/priority/", casework_views.case_priority, name="case-priority"
    ),
    path("cases/<reference:reference>/reopen/", casework_views.case_reopen, name="case-reopen"),
    path("cases/<reference:reference>/merge/", casework_views.case_merge, name="case-merge"),
    path("cases/<reference:reference>/follow/", casework_views.case_follow, name="case-follow"),
    path(
        "cases/<reference:reference>/transfer/",
        casework_views.case_transfer,
        name="case-transfer",
    ),
    path(
        "cases/<reference:reference>/attachments/<uuid:attachment_id>/thumbnail/",
        casework_views.case_thumbnail,
        name="case-thumbnail",
    ),
    path("cases/<reference:reference>/", views.case_detail, name="case"),
    path("cases/<reference:reference>/status/", views.case_status, name="case-status"),
    path("cases/<reference:reference>/notes/", views.case_note, name="case-note"),
    path(
        "cases/<reference:reference>/sent/<int:delivery_id>/resend/",
        views.case_resend,
        name="case-resend",
    ),
    path(
        "cases/<reference:reference>/attachments/<uuid:attachment_id>/",
        views.case_attachment,
        name="case-attachment",
    ),
    path(
        "cases/<reference:reference>/messages/<int:delivery_id>/resend/",
        message_views.case_message_resend,
        name="case-message-resend",
    ),
    path(
        "cases/<reference:reference>/updates/",
        message_views.case_updates,
        name="case-updates",
    ),
    path("notify/", notify_views.notify_settings, name="notify-settings"),
    path("contacts/", contact_views.contact_list, name="contacts"),
    path("contacts/new/", contact_views.contact_new, name="contact-new"),
    path("contacts/export/", contact_views.contact_export, name="contacts-export"),
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
    path("routing/", routing_views.routing_list, name="routing"),
    path("routing/add/", routing_views.routing_add, name="routing-add"),
    path("routing/<int:rule_id>/remove/", routing_views.routing_remove, name="routing-remove"),
    path("routing/routing.csv", routing_views.routing_download, name="routing-export"),
    path("routing/import/", routing_views.routing_upload, name="routing-import"),
    path("routing/gaps/", routing_views.routing_gaps, name="routing-gaps"),
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
    path("webhooks/", webhook_views.endpoint_list, name="webhooks"),
    path("webhooks/new/", webhook_views.endpoint_new, name="webhook-new"),
    path("webhooks/failed/", webhook_views.dead_letter_list, name="webhook-dead-letters"),
    path("webhooks/<int:pk>/disable/", webhook_views.endpoint_disable, name="webhook-disable"),
    path("webhooks/<int:pk>/enable/", webhook_views.endpoint_enable, name="webhook-enable"),
    path("webhooks/<int:pk>/delete/", webhook_views.endpoint_delete, name="webhook-delete"),
]
