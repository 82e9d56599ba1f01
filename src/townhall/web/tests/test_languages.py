"""A resident whose browser asks for Welsh goes through a service in Welsh,
with English wherever the service has no Welsh text."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils.html import escape

from townhall.cases.models import Case, Draft
from townhall.catalogue.factories import service_create, welsh_definition

START = "/services/report-street-problem/"
WELSH = {"HTTP_ACCEPT_LANGUAGE": "cy"}


@pytest.fixture
def street_service(council):
    return service_create(organisation=council, definition=welsh_definition())


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_welsh_resident_sees_the_welsh_text(client, street_service):
    start = text(client.get(START, **WELSH))
    assert "Rhoi gwybod am broblem ar y stryd" in start
    page = text(client.get(f"{START}questions/problem/", **WELSH))
    assert escape("Beth yw'r broblem?") in page
    assert "Twll yn y ffordd" in page and "Golau stryd" in page
    assert "What is the problem?" not in page


def test_text_with_no_welsh_is_shown_in_english(client, street_service):
    page = text(client.get(f"{START}questions/problem/", **WELSH))
    assert 'for="problem-3">Other</label>' in page  # the option has no Welsh label
    client.post(f"{START}questions/problem/", {"problem": "other"}, **WELSH)
    client.post(f"{START}questions/where/", {"location": "Stryd y Castell"}, **WELSH)
    details = text(client.get(f"{START}questions/details/", **WELSH))
    assert "Describe the problem" in details


def test_an_english_resident_sees_the_english_text(client, street_service):
    page = text(client.get(f"{START}questions/where/"))
    assert "Where is it?" in page and "Ble mae e?" not in page


def test_the_case_remembers_the_residents_language_and_is_acknowledged_in_it(
    client, street_service, django_capture_on_commit_callbacks
):
    steps = [
        ("problem", {"problem": "pothole"}),
        ("where", {"location": "Stryd y Castell"}),
        ("depth", {"depth": "12"}),
        ("contact", {"email": "preswylydd@example.com"}),
    ]
    for page_id, data in steps:
        response = client.post(f"{START}questions/{page_id}/", data, **WELSH)
        assert response.status_code == 302, (page_id, response.content.decode()[:1000])
    assert Draft.objects.get().language == "cy"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{START}check/", **WELSH)
    assert response["Location"] == f"{START}done/"
    case = Case.objects.get()
    assert case.language == "cy"
    assert "Adroddiad wedi&#x27;i anfon" in text(client.get(f"{START}done/", **WELSH))
    assert mail.outbox[0].subject == f"Rydym wedi cael eich adroddiad {case.reference}"
    assert street_service.name == "Report a street problem"  # lists and search use English
