"""My requests, under /account/requests/ (namespace `my_requests`)."""

from django.urls import path

from townhall.residents import request_views as views

app_name = "my_requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("updates/", views.updates_all, name="updates-all"),
    path("drafts/", views.draft_list, name="drafts"),
    path("drafts/<uuid:draft_id>/continue/", views.draft_continue, name="draft-continue"),
    path("drafts/<uuid:draft_id>/delete/", views.draft_delete, name="draft-delete"),
    path("<str:reference>/", views.request_detail, name="detail"),
    path("<str:reference>/files/<uuid:attachment_id>/", views.request_file, name="file"),
    path("<str:reference>/reply/", views.request_reply, name="reply"),
    path("<str:reference>/withdraw/", views.request_withdraw, name="withdraw"),
    path("<str:reference>/updates/", views.request_updates, name="updates"),
]
