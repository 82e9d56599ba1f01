"""GOV.UK patterns through the resident front door: errors that name the
answer, date rules, and an exclusive "None of these" checkbox."""

from __future__ import annotations

from typing import Any

import pytest

from townhall.catalogue.services import service_import

START = "/services/patterns/"

DEFINITION: dict[str, Any] = {
    "schema": "townhall/service/1",
    "slug": "patterns",
    "name": "Apply for help",
    "summary": "Help for households.",
    "pages": [
        {
            "id": "benefits",
            "questions": [
                {
                    "id": "benefits",
                    "type": "checkboxes",
                    "label": "Do you get any of these?",
                    "error_name": "the benefits you get",
                    "options": [
                        {"value": "pip", "label": "Personal Independence Payment"},
                        {"value": "uc", "label": "Universal Credit"},
                        {"value": "none", "label": "None of these", "exclusive": True},
                    ],
                }
            ],
        },
        {
            "id": "when",
            "questions": [
                {
                    "id": "collection",
                    "type": "date",
                    "label": "When should we collect?",
                    "error_name": "the collection date",
                    "earliest": {"days": 1},
                    "weekdays_only": True,
                    "no_bank_holidays": True,
                }
            ],
        },
        {
            "id": "contact",
            "questions": [
                {"id": "email", "type": "email", "label": "Email address", "contact": "email",
                 "error_name": "your email address"},
            ],
        },
    ],
    "workflow": {
        "initial": "received",
        "states": [{"id": "received", "label": "Received"}],
        "transitions": {},
    },
}  # fmt: skip


@pytest.fixture
def service(council):
    return service_import(organisation=council, definition=DEFINITION).service


def page(name: str) -> str:
    return f"{START}questions/{name}/"


def test_none_of_these_is_exclusive_in_the_browser_and_on_the_server(client, service):
    body = client.get(page("benefits")).content.decode()
    assert 'value="none" data-behaviour="exclusive"' in body
    assert 'class="govuk-checkboxes__divider"' in body
    response = client.post(page("benefits"), {"benefits": ["pip", "none"]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select the benefits you get, or select \u2018None of these\u2019, not both" in body
    response = client.post(page("benefits"), {"benefits": ["none"]})
    assert response["Location"] == page("when")


def test_an_empty_page_names_the_answer_in_its_error(client, service):
    body = client.post(page("benefits"), {}).content.decode()
    assert "Select the benefits you get, or select \u2018None of these\u2019" in body
    client.post(page("benefits"), {"benefits": ["uc"]})
    body = client.post(page("when"), {"collection-day": "3"}).content.decode()
    assert "The collection date must include a month and year" in body


def test_date_rules_refuse_a_sunday_and_christmas_day(client, service, settings):
    client.post(page("benefits"), {"benefits": ["uc"]})
    sunday = {"collection-day": "5", "collection-month": "12", "collection-year": "2100"}
    body = client.post(page("when"), sunday).content.decode()
    assert "The collection date must be a weekday, Monday to Friday" in body
    christmas = {"collection-day": "25", "collection-month": "12", "collection-year": "2098"}
    body = client.post(page("when"), christmas).content.decode()
    assert "The collection date must not be a bank holiday" in body
    monday = {"collection-day": "6", "collection-month": "12", "collection-year": "2100"}
    assert client.post(page("when"), monday)["Location"] == page("contact")


def test_long_text_has_a_character_count_whose_limit_holds_without_javascript(client, council):
    definition = {
        **DEFINITION,
        "slug": "long-text",
        "pages": [
            {"id": "details", "questions": [
                {"id": "details", "type": "textarea", "label": "Tell us more",
                 "error_name": "the details", "max_length": 20},
            ]},
            DEFINITION["pages"][2],
        ],
    }  # fmt: skip
    service_import(organisation=council, definition=definition)
    url = "/services/long-text/questions/details/"
    body = client.get(url).content.decode()
    assert 'data-module="govuk-character-count" data-maxlength="20"' in body
    assert "You can enter up to 20 characters" in body
    body = client.post(url, {"details": "x" * 21}).content.decode()
    assert "The details must be 20 characters or less" in body
    assert client.post(url, {"details": "x" * 20})["Location"].endswith("/contact/")


def test_money_is_typed_with_a_pound_sign_and_shown_in_pounds(client, council):
    definition = {
        **DEFINITION,
        "slug": "money",
        "pages": [
            {"id": "savings", "questions": [
                {"id": "savings", "type": "money", "label": "How much do you have in savings?",
                 "error_name": "your savings"},
            ]},
            DEFINITION["pages"][2],
        ],
    }  # fmt: skip
    service_import(organisation=council, definition=definition)
    url = "/services/money/questions/savings/"
    assert 'class="govuk-input__prefix" aria-hidden="true">£<' in client.get(url).content.decode()
    body = client.post(url, {"savings": "£1,200.5.0"}).content.decode()
    assert "Your savings must be in pounds and pence, like 150 or 150.50" in body
    client.post(url, {"savings": "£1,200.50"})
    client.post("/services/money/questions/contact/", {"email": "ada@example.com"})
    assert "£1,200.50" in client.get("/services/money/check/").content.decode()
    assert 'value="1200.50"' in client.get(url).content.decode()


def test_keywords_find_a_service_by_other_words_and_misspellings(client, fly_tipping):
    for words in ("flytipping", "dumping", "Fly tipping"):
        body = client.get(f"/services/?q={words}").content.decode()
        assert "Report fly-tipping" in body, words
    assert "Report fly-tipping" not in client.get("/services/?q=pothole").content.decode()


def test_save_and_come_back_later_saves_without_checking_the_page(client, council):
    service_import(
        organisation=council, definition={**DEFINITION, "slug": "saving", "save_and_return": True}
    )
    url = "/services/saving/questions/benefits/"
    response = client.post(url, {"action": "save"})
    assert response["Location"] == "/services/saving/save/"
    assert "<title>Save your answers" in client.get(response["Location"]).content.decode()
    # What was acceptable is kept; the page is asked again.
    client.post(url, {"benefits": ["uc"], "action": "continue"})
    when = "/services/saving/questions/when/"
    response = client.post(when, {"collection-day": "40", "action": "save"})
    assert response["Location"] == "/services/saving/save/"
    assert client.get("/services/saving/check/")["Location"] == when
