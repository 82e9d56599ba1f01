"""A resident's profile and their data rights, under /account/profile/."""

from django.urls import path

from townhall.residents import profile_views as views

app_name = "profile"

urlpatterns = [
    path("", views.show, name="show"),
    path("change/", views.edit, name="edit"),
    path("household/add/", views.household_member, name="household_add"),
    path("household/<int:member_id>/", views.household_member, name="household_edit"),
    path("household/<int:member_id>/remove/", views.household_remove, name="household_remove"),
    path("reuse/", views.reuse, name="reuse"),
    path("data/", views.data, name="data"),
    path("data.json", views.data_json, name="data_json"),
    path("close/", views.close, name="close"),
    path("closed/", views.closed, name="closed"),
]
