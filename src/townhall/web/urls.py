from django.urls import path

from townhall.web import (
    form_views,
    public_data_views,
    report_views,
    task_views,
    updates_views,
    views,
)

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="services"),
    path("services/<slug:slug>/", form_views.service_start, name="start"),
    path("services/<slug:slug>/questions/<slug:page_id>/", form_views.question_page, name="page"),
    path("services/<slug:slug>/privacy/", form_views.privacy_notice, name="privacy"),
    path("services/<slug:slug>/tasks/", task_views.task_list, name="tasks"),
    path("services/<slug:slug>/check/", form_views.check_answers, name="check"),
    path("services/<slug:slug>/done/", form_views.confirmation, name="done"),
    path("services/<slug:slug>/updates/", updates_views.updates_choose, name="updates"),
    path("updates/stop/<str:token>/", updates_views.updates_stop, name="updates-stop"),
    path("services/<slug:slug>/save/", form_views.save_for_later, name="save"),
    path("services/<slug:slug>/resume/<str:token>/", form_views.resume_answers, name="resume"),
    path("track/", views.track, name="track"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports.<str:extension>", report_views.report_list, name="reports-data"),
    path("reports/<str:reference>/", report_views.report_detail, name="report"),
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
