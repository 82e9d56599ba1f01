from django.urls import path

from townhall.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="services"),
    path("services/<slug:slug>/", views.service_start, name="start"),
    path("services/<slug:slug>/questions/<slug:page_id>/", views.question_page, name="page"),
    path("services/<slug:slug>/check/", views.check_answers, name="check"),
    path("services/<slug:slug>/done/", views.confirmation, name="done"),
    path("track/", views.track, name="track"),
]
