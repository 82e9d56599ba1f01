from django.urls import path

from townhall.backoffice import service_views, views

app_name = "backoffice"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("", views.queue, name="queue"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/status/", views.case_status, name="case-status"),
    path("cases/<str:reference>/notes/", views.case_note, name="case-note"),
    path(
        "cases/<str:reference>/attachments/<uuid:attachment_id>/",
        views.case_attachment,
        name="case-attachment",
    ),
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
