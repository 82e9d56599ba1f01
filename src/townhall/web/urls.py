from django.urls import path

from townhall.web import form_views, public_data_views, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="services"),
    path("services/<slug:slug>/", form_views.service_start, name="start"),
    path("services/<slug:slug>/questions/<slug:page_id>/", form_views.question_page, name="page"),
    path("services/<slug:slug>/check/", form_views.check_answers, name="check"),
    path("services/<slug:slug>/done/", form_views.confirmation, name="done"),
    path("services/<slug:slug>/save/", form_views.save_for_later, name="save"),
    path("services/<slug:slug>/resume/<str:token>/", form_views.resume_answers, name="resume"),
    path("track/", views.track, name="track"),
    path("performance/", public_data_views.performance, name="performance"),
    path("open-data/", public_data_views.open_data_index, name="open-data"),
    path(
        "open-data/cases.<str:extension>", public_data_views.open_data_cases, name="open-data-cases"
    ),
    path(
        "open-data/catalogue.jsonld",
        public_data_views.open_data_catalogue,
        name="open-data-catalogue",
    ),
]
