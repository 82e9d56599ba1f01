from django.urls import path

from townhall.backoffice import views

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
]
