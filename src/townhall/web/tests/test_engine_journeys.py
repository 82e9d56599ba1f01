"""Branching, exit pages, repeatable groups, declarations and save and return,
through the resident front door."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from townhall.cases.models import Case, Draft
from townhall.catalogue.services import service_import
from townhall.web import resume

START = "/services/household-help/"

DEFINITION: dict[str, Any] = {
    "schema": "townhall/service/1",
    "slug": "household-help",
    "name": "Apply for household help",
    "summary": "Help with costs for households on a low income.",
    "category": "Benefits",
    "kind": "application",
    "save_and_return": True,
    "declaration": "The information I have given is correct and complete.",
    "pages": [
        {
            "id": "area",
            "questions": [{"id": "in_area", "type": "yes_no", "label": "Do you live in Example?"}],
            "goto": [{"when": {"question": "in_area", "equals": False}, "page": "outside"}],
        },
        {
            "id": "you",
            "title": "About you",
            "questions": [
                {"id": "full_name", "type": "name", "label": "Full name"},
                {"id": "home", "type": "address", "label": "Home address"},
                {
                    "id": "ni_number",
                    "type": "text",
                    "label": "National Insurance number",
                    "pattern": r"(?i)^[a-z]{2}\d{6}[a-d]$",
                    "pattern_message": "Enter a National Insurance number like QQ123456C",
                },
            ],
        },
        {
            "id": "household",
            "questions": [
                {
                    "id": "members",
                    "type": "group",
                    "label": "Who else lives with you?",
                    "item_label": "household member",
                    "item_title": "Household member",
                    "required": False,
                    "max_items": 3,
                    "questions": [
                        {"id": "name", "type": "name", "label": "Name"},
                        {"id": "age", "type": "number", "label": "Age", "min": 0, "max": 120},
                    ],
                }
            ],
        },
        {
            "id": "contact",
            "questions": [
                {"id": "email", "type": "email", "label": "Email address", "contact": "email"}
            ],
        },
        {
            "id": "outside",
            "title": "Contact your own council",
            "when": {"question": "in_area", "equals": False},
            "exit": {"body": "Only residents of Example can apply. Contact your own council."},
        },
    ],
    "workflow": {
        "initial": "received",
        "states": [{"id": "received", "label": "Received"}],
        "transitions": {},
    },
}


@pytest.fixture
def household_help(council):
    return service_import(organisation=council, definition=DEFINITION).service


def page(name: str) -> str:
    return f"{START}questions/{name}/"


ABOUT_YOU = {
    "full_name": "Ada Lovelace",
    "home-line1": "1 High Street",
    "home-town": "Example",
    "home-postcode": "ex1 1aa",
    "ni_number": "qq123456c",
}


def test_an_exit_page_ends_the_journey(client, household_help):
    response = client.post(page("area"), {"in_area": "no"})
    assert response["Location"] == page("outside")
    body = client.get(page("outside")).content.decode()
    assert "Contact your own council" in body
    assert "Only residents of Example can apply" in body
    assert "Continue" not in body
    assert client.get(f"{START}check/")["Location"] == page("outside")


def test_goto_skips_nothing_when_its_rule_does_not_match(client, household_help):
    assert client.post(page("area"), {"in_area": "yes"})["Location"] == page("you")
    assert client.get(page("outside"))["Location"] == page("you")  # not on this route


def test_address_and_pattern_are_validated(client, household_help):
    client.post(page("area"), {"in_area": "yes"})
    response = client.post(page("you"), dict(ABOUT_YOU, **{"home-town": "", "ni_number": "12"}))
    body = response.content.decode()
    assert "Enter the town or city" in body
    assert "Enter a National Insurance number like QQ123456C" in body
    assert 'href="#home-line1"' in body
    response = client.post(page("you"), ABOUT_YOU)
    assert response["Location"] == page("household")


def test_group_items_can_be_added_without_javascript_and_are_checked(client, household_help):
    client.post(page("area"), {"in_area": "yes"})
    client.post(page("you"), ABOUT_YOU)
    first = {"members-items": "1", "members-0-name": "Bob", "members-0-age": "12"}
    response = client.post(page("household"), dict(first, action="add:members"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="members-1-name"' in body and 'value="Bob"' in body
    assert "There is a problem" not in body
    second = dict(first, **{"members-items": "2", "members-1-name": "Cy", "members-1-age": "200"})
    body = client.post(page("household"), second).content.decode()
    assert "Household member 2: The number must be 120 or less" in body
    second["members-1-age"] = "9"
    assert client.post(page("household"), second)["Location"] == page("contact")
    client.post(page("contact"), {"email": "ada@example.com"})
    check = client.get(f"{START}check/").content.decode()
    assert "Household member 1: Bob, 12" in check
    assert "Household member 2: Cy, 9" in check


def test_a_group_never_holds_more_than_its_limit(client, household_help):
    client.post(page("area"), {"in_area": "yes"})
    client.post(page("you"), ABOUT_YOU)
    data = {"members-items": "50"}
    for i in range(5):
        data.update({f"members-{i}-name": f"P{i}", f"members-{i}-age": "30"})
    client.post(page("household"), data)
    client.post(page("contact"), {"email": "ada@example.com"})
    client.post(f"{START}check/", {"declaration": "yes"})
    assert len(Case.objects.get().answers["members"]) == 3


def _complete(client):
    client.post(page("area"), {"in_area": "yes"})
    client.post(page("you"), ABOUT_YOU)
    client.post(page("household"), {"members-items": "1"})
    client.post(page("contact"), {"email": "ada@example.com"})


def test_the_declaration_must_be_confirmed_before_sending(client, household_help):
    _complete(client)
    response = client.post(f"{START}check/")
    assert "Confirm the declaration to send your application" in response.content.decode()
    assert not Case.objects.exists()
    assert client.post(f"{START}check/", {"declaration": "yes"})["Location"] == f"{START}done/"
    case = Case.objects.get()
    assert case.answers["home"]["postcode"] == "EX1 1AA"
    assert case.answers["members"] == []


def test_save_and_return_by_emailed_link(
    client, household_help, django_capture_on_commit_callbacks
):
    client.post(page("area"), {"in_area": "yes"})
    response = client.post(page("you"), dict(ABOUT_YOU, action="save"))
    assert response["Location"] == f"{START}save/"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"{START}save/", {"email": "ada@example.com"})
    assert "Your answers are saved" in sent.content.decode()
    link = re.search(r"http://testserver(\S+)", str(mail.outbox[0].body)).group(1)

    client.logout()  # a new browser session
    fresh = client.get(link)
    assert fresh["Location"] == page("household")
    assert 'value="Ada Lovelace"' in client.get(page("you")).content.decode()


def test_a_tampered_or_expired_resume_link_is_refused(client, household_help, monkeypatch):
    body = client.get(f"{START}resume/not-a-token/").content.decode()
    assert "This link does not work" in body
    _complete(client)
    token = resume.resume_token(Draft.objects.get())
    assert client.get(f"{START}resume/{token[:-2]}xx/").status_code == 200  # tampered
    monkeypatch.setattr(resume, "RESUME_DAYS", -1)
    assert "This link has expired" in client.get(f"{START}resume/{token}/").content.decode()


def test_services_can_be_searched(client, fly_tipping, household_help):
    body = client.get("/services/?q=rubbish").content.decode()
    assert "Report fly-tipping" in body and "Apply for household help" not in body
    assert "1 service matching" in body
    body = client.get("/services/?q=zzz").content.decode()
    assert "0 services matching" in body


def test_staff_only_services_are_not_offered_to_residents(client, council):
    service_import(organisation=council, definition=dict(DEFINITION, audience="staff"))
    assert "Apply for household help" not in client.get("/services/").content.decode()
    assert client.get(START).status_code == 404


def test_a_question_can_depend_on_an_earlier_one_on_the_same_page(client, council):
    definition = {
        "schema": "townhall/service/1",
        "slug": "same-page",
        "name": "Same page",
        "summary": "A condition on the same page.",
        "pages": [
            {
                "id": "one",
                "title": "Your contact",
                "intro": "Tell us how to reach you.",
                "questions": [
                    {"id": "by_phone", "type": "yes_no", "label": "Can we phone you?"},
                    {
                        "id": "phone",
                        "type": "phone",
                        "label": "Phone number",
                        "required_message": "Enter a phone number we can call",
                        "when": {"question": "by_phone", "equals": True},
                    },
                ],
            }
        ],
        "workflow": {
            "initial": "new",
            "states": [{"id": "new", "label": "New"}],
            "transitions": {},
        },
    }
    service_import(organisation=council, definition=definition)
    url = "/services/same-page/questions/one/"
    first = client.get(url).content.decode()
    assert 'name="phone"' not in first and 'value="by_phone"' in first
    # "Yes" reveals the phone question: shown without an error (JavaScript off)
    body = client.post(url, {"by_phone": "yes", "shown": "by_phone"}).content.decode()
    assert 'name="phone"' in body
    assert "There is a problem" not in body
    assert "Tell us how to reach you." in body
    body = client.post(url, {"by_phone": "yes", "shown": "by_phone,phone"}).content.decode()
    assert "Enter a phone number we can call" in body and 'href="#phone"' in body
    assert client.post(url, {"by_phone": "no", "shown": "by_phone"})["Location"] == (
        "/services/same-page/check/"
    )
    response = client.post(
        url, {"by_phone": "yes", "phone": "01632 960001", "shown": "by_phone,phone"}
    )
    assert response["Location"] == "/services/same-page/check/"
    assert "01632960001" in client.get("/services/same-page/check/").content.decode()


def test_resume_links_are_limited_per_client(
    client, household_help, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(resume, "EMAILS_PER_CLIENT", 1)
    client.post(page("area"), {"in_area": "yes"})
    client.post(page("you"), dict(ABOUT_YOU, action="save"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{START}save/", {"email": "ada@example.com"})
        second = client.post(f"{START}save/", {"email": "someone@example.com"})
    assert "Wait an hour and try again" in second.content.decode()
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_an_item_is_removed_with_its_remove_button_after_confirming(client, household_help):
    client.post(page("area"), {"in_area": "yes"})
    client.post(page("you"), ABOUT_YOU)
    two = {
        "members-items": "2",
        "members-0-name": "Bob", "members-0-age": "12",
        "members-1-name": "Cy", "members-1-age": "9",
    }  # fmt: skip
    body = client.post(page("household"), {**two, "action": "continue"})
    assert body["Location"] == page("contact")
    body = client.get(page("household")).content.decode()
    assert 'value="remove:members:0"' in body
    assert 'Remove<span class="govuk-visually-hidden"> Household member 1</span>' in body
    asked = client.post(page("household"), {**two, "action": "remove:members:0"})
    asked_body = asked.content.decode()
    assert "Are you sure you want to remove Household member 1?" in asked_body
    assert "There is a problem" not in asked_body
    kept = client.post(page("household"), {**two, "action": "keep:members"}).content.decode()
    assert 'value="Bob"' in kept and "Are you sure" not in kept
    removed = client.post(page("household"), {**two, "action": "removed:members:0"})
    removed_body = removed.content.decode()
    assert 'value="Bob"' not in removed_body
    assert 'name="members-0-name"' in removed_body and 'value="Cy"' in removed_body
    assert 'name="members-1-name"' not in removed_body
    one = {"members-items": "1", "members-0-name": "Cy", "members-0-age": "9"}
    assert client.post(page("household"), {**one, "action": "continue"})["Location"] == page(
        "contact"
    )
    draft = Draft.objects.get()
    assert draft.answers["members"] == [{"name": "Cy", "age": 9}]
