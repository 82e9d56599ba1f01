"""The task list of a long application: its sections, the status of each, and
a link into the first page of a section still needing attention."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from townhall.cases import journey as journeys
from townhall.web.form_views import journey_for, page_url, resident_service, sign_in_first
from townhall.web.modes import RESIDENT


def tasks_url(slug: str) -> str:
    return reverse("web:tasks", args=[slug])


@require_GET
def task_list(request: HttpRequest, slug: str) -> HttpResponse:
    service = resident_service(request, slug)
    if (elsewhere := sign_in_first(request, service)) is not None:
        return elsewhere
    try:
        journey = journey_for(request, service, RESIDENT)
    except journeys.ChannelNeeded as error:  # residents are never asked one
        raise Http404("No such service") from error
    except journeys.SignInNeeded:  # another resident's draft
        return redirect("web:start", slug=slug)
    if not journey.definition.has_sections:
        return redirect("web:start", slug=slug)
    tasks = journeys.task_list(journey)
    done = sum(1 for task in tasks if task.status == "completed")
    complete = journeys.first_gap(journey) is None and journey.draft is not None
    return render(
        request,
        "web/tasks.html",
        {
            "service": service,
            "definition": journey.definition,
            "tasks": [(task, page_url(service, task.page) if task.page else "") for task in tasks],
            "done": done,
            "complete": complete,
            "check_url": reverse("web:check", args=[slug]),
            "back_url": reverse("web:start", args=[slug]),
            "can_save": journey.can_save and journey.draft is not None,
        },
    )
