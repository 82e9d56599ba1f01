"""Answers a council marks `publishable`: shown on public reports and in
open data, with email addresses and phone numbers taken out; other answers,
and personal question types, never."""

from __future__ import annotations

import json

import pytest

from townhall.cases.factories import submitted_case
from townhall.cases.models import Case
from townhall.catalogue.engine.validation import definition_problems
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.insight.published import scrub

DESCRIPTION = (
    "Three bags and a fridge. Call Jo on 07700 900123 or +44 20 7946 0958, "
    "or jo.bloggs@example.com. Next to lamp post 12345."
)
PERSONAL = ["07700 900123", "+44 20 7946 0958", "jo.bloggs@example.com"]


def _fly_tipping(**question_changes: object) -> dict:
    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    for page in definition["pages"]:
        for question in page["questions"]:
            if question["id"] == "description":
                question.update(question_changes)
    return definition


def test_scrub_removes_emails_and_phone_numbers_but_not_short_numbers():
    text = scrub(DESCRIPTION)
    for secret in PERSONAL:
        assert secret not in text
    assert text.count("[phone number removed]") == 2
    assert "[email address removed]" in text
    assert "lamp post 12345" in text


def test_only_types_that_are_not_personal_may_be_published():
    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    for page in definition["pages"]:
        for question in page["questions"]:
            if question["type"] == "email":
                question["publishable"] = True
    problems = definition_problems(definition)
    assert any(
        "publishable: a question of type 'email' is personal" in problem for problem in problems
    ), problems
    assert definition_problems(_fly_tipping(publishable=True)) == []


@pytest.fixture
def published_description(council):
    service = service_import(
        organisation=council, definition=_fly_tipping(publishable=True)
    ).service
    case = submitted_case(service)
    answers = {**case.answers, "description": DESCRIPTION}
    Case.objects.filter(pk=case.pk).update(answers=answers)
    return case


@pytest.mark.parametrize("url", ["/open-data/cases.csv", "/open-data/cases.json"])
def test_open_data_carries_the_published_answer_without_contact_details(
    client, published_description, url
):
    body = b"".join(client.get(url).streaming_content).decode()
    assert "Three bags and a fridge" in body
    for secret in PERSONAL:
        assert secret not in body


def test_a_public_report_shows_the_published_answer(client, published_description):
    reference = published_description.reference
    page = client.get(f"/reports/{reference}/").content.decode()
    assert "Three bags and a fridge" in page
    listing = json.loads(client.get("/reports.json").content)
    assert listing["reports"][0]["details"]["description"].startswith("Three bags")
    for secret in PERSONAL:
        assert secret not in page and secret not in json.dumps(listing)


def test_an_answer_not_marked_publishable_stays_private(client, fly_tipping):
    case = submitted_case(fly_tipping)
    Case.objects.filter(pk=case.pk).update(answers={**case.answers, "description": DESCRIPTION})
    body = b"".join(client.get("/open-data/cases.json").streaming_content).decode()
    assert case.reference in body
    assert "Three bags" not in body
    assert "Three bags" not in client.get(f"/reports/{case.reference}/").content.decode()
