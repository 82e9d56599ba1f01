from django.urls import path

from townhall.web import (
    alert_views,
    demand_views,
    form_views,
    map_views,
    place_views,
    public_data_views,
    report_views,
    task_views,
    updates_views,
    views,
)
from townhall.web.place import place_first

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="services"),
    path("place/", place_views.place_choose, name="place"),
    path("services/<slug:slug>/where/", place_views.where, name="where"),
    path("services/<slug:slug>/", place_first(form_views.service_start), name="start"),
    path(
        "services/<slug:slug>/questions/<slug:page_id>/",
        place_first(form_views.question_page),
        name="page",
    ),
    path("services/<slug:slug>/privacy/", place_first(form_views.privacy_notice), name="privacy"),
    path("services/<slug:slug>/tasks/", place_first(task_views.task_list), name="tasks"),
    path("services/<slug:slug>/check/", place_first(form_views.check_answers), name="check"),
    path("services/<slug:slug>/done/", place_first(form_views.confirmation), name="done"),
    path(
        "services/<slug:slug>/updates/", place_first(updates_views.updates_choose), name="updates"
    ),
    path(
        "services/<slug:slug>/same-problem/<str:reference>/",
        place_first(demand_views.same_problem),
        name="same-problem",
    ),
    path(
        "updates/stop-report/<str:token>/", demand_views.supporter_stop_view, name="supporter-stop"
    ),
    path("fixed/<str:token>/", demand_views.fixed, name="fixed"),
    path("updates/stop/<str:token>/", updates_views.updates_stop, name="updates-stop"),
    path("services/<slug:slug>/save/", place_first(form_views.save_for_later), name="save"),
    path(
        "services/<slug:slug>/resume/<str:token>/",
        place_first(form_views.resume_answers),
        name="resume",
    ),
    path("track/", views.track, name="track"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports.<str:extension>", report_views.report_list, name="reports-data"),
    path("reports/<str:reference>/", report_views.report_detail, name="report"),
    path("places/boundaries.geojson", map_views.boundaries, name="boundaries"),
    path("places/postcode/", map_views.postcode_find, name="postcode-find"),
    path(
        "reports/<str:reference>/photos/<str:photo_id>/",
        demand_views.report_photo,
        name="report-photo",
    ),
    path("alerts/", alert_views.alert_subscribe, name="alerts"),
    path("alerts/confirm/<str:token>/", alert_views.alert_confirm, name="alert-confirm"),
    path(
        "alerts/unsubscribe/<str:token>/", alert_views.alert_unsubscribe, name="alert-unsubscribe"
    ),
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
