"""Long applications start on a task list: sections with a status each, back
to the list after each section, check answers grouped by section."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from townhall.catalogue.services import service_import

START = "/services/help/"
DEFINITION: dict[str, Any] = {
    "schema": "townhall/service/1",
    "slug": "help",
    "name": "Apply for help",
    "summary": "Help for households.",
    "save_and_return": True,
    "pages": [
        {"id": "name", "section": "About you", "questions": [
            {"id": "name", "type": "name", "label": "Full name", "error_name": "your full name"}]},
        {"id": "born", "questions": [
            {"id": "born", "type": "date", "label": "Date of birth",
             "error_name": "your date of birth", "date": "past"}]},
        {"id": "savings", "section": "Money", "questions": [
            {"id": "savings", "type": "money", "label": "Savings", "error_name": "your savings"}]},
        {"id": "contact", "section": "Contact", "questions": [
            {"id": "email", "type": "email", "label": "Email address", "contact": "email",
             "error_name": "your email address"}]},
    ],
    "workflow": {"initial": "received", "states": [{"id": "received", "label": "Received"}],
                 "transitions": {}},
}  # fmt: skip


@pytest.fixture
def service(council):
    return service_import(organisation=council, definition=DEFINITION).service


def page(name: str) -> str:
    return f"{START}questions/{name}/"


def test_the_start_page_leads_to_the_task_list(client, service):
    assert f'href="{START}tasks/"' in client.get(START).content.decode()
    body = client.get(f"{START}tasks/").content.decode()
    assert "You have completed 0 of 3 sections." in body
    assert f'href="{page("name")}"' in body and "Not yet started" in body
    assert body.count("Cannot start yet") == 2


def test_each_section_returns_to_the_list_and_its_status_moves_on(client, service):
    assert client.post(page("name"), {"name": "Ada"})["Location"] == page("born")
    body = client.get(f"{START}tasks/").content.decode()
    assert "In progress" in body and f'href="{page("born")}"' in body
    born = timezone.localdate() - dt.timedelta(days=365 * 30)
    dates = {"born-day": born.day, "born-month": born.month, "born-year": born.year}
    assert client.post(page("born"), dates)["Location"] == f"{START}tasks/"
    body = client.get(f"{START}tasks/").content.decode()
    assert "You have completed 1 of 3 sections." in body
    assert f'href="{page("savings")}"' in body
    client.post(page("savings"), {"savings": "£1,200"})
    client.post(page("contact"), {"email": "ada@example.com"})
    body = client.get(f"{START}tasks/").content.decode()
    assert "You have completed 3 of 3 sections." in body
    assert f'href="{START}check/"' in body
    check = client.get(f"{START}check/").content.decode()
    assert check.index('<h2 class="govuk-heading-m">About you</h2>') < check.index("Ada")
    assert check.index("Ada") < check.index('<h2 class="govuk-heading-m">Money</h2>')
    assert "£1,200" in check


def test_a_service_without_sections_has_no_task_list(client, fly_tipping):
    response = client.get("/services/report-fly-tipping/tasks/")
    assert response["Location"] == "/services/report-fly-tipping/"
