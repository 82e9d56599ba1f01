"""The same bad answers are refused on every path into a case: the resident
front door, staff recording a contact, and a caller that behaves like an API
(a JSON answers document through `case_create`). One table of bad answers,
each tried on all three."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from townhall.cases.journey import AnswersRefused, case_create
from townhall.cases.models import Case, Channel, Draft
from townhall.catalogue.services import service_import
from townhall.testing.sign_in import sign_in
from townhall.web.tests.test_engine_journeys import ABOUT_YOU, DEFINITION

RESIDENT = "/services/household-help/"
STAFF = "/staff/assisted/household-help/"

GOOD_FORM: dict[str, dict[str, str]] = {
    "area": {"in_area": "yes"},
    "you": ABOUT_YOU,
    "household": {"members-items": "1", "members-0-name": "Bob", "members-0-age": "12"},
    "contact": {"email": "ada@example.com"},
}
GOOD_DOCUMENT: dict[str, Any] = {
    "in_area": True,
    "full_name": "Ada Lovelace",
    "home": {"line1": "1 High Street", "line2": "", "town": "Example", "postcode": "EX1 1AA"},
    "ni_number": "qq123456c",
    "members": [{"name": "Bob", "age": 12}],
    "email": "ada@example.com",
}
EXIT = "These answers lead to an exit page: the service cannot be used"


@dataclass(frozen=True)
class Bad:
    """One bad answer: as typed into a page, and as sent in a document."""

    name: str
    page: str  # the page it is typed on ("check" for the declaration)
    form: dict[str, str]
    document: dict[str, Any]  # replaces these answers in the good document
    path: str
    message: str
    shown: str = ""  # what the page shows, when not the message itself
    staff_refused: bool = True
    only: bool = field(default=False)  # the document is only these answers

    @property
    def web_text(self) -> str:
        return self.shown or self.message


BAD = [
    Bad(
        "postcode",
        "you",
        {"home-postcode": "NOT A POSTCODE"},
        {"home": dict(GOOD_DOCUMENT["home"], postcode="NOT A POSTCODE")},
        "home.postcode",
        "Enter a full UK postcode, like SW1A 2AA",
    ),
    Bad(
        "town",
        "you",
        {"home-town": ""},
        {"home": dict(GOOD_DOCUMENT["home"], town="")},
        "home.town",
        "Enter the town or city",
    ),
    Bad(
        "pattern",
        "you",
        {"ni_number": "12"},
        {"ni_number": "12"},
        "ni_number",
        "Enter a National Insurance number like QQ123456C",
    ),
    Bad("required", "you", {"full_name": ""}, {"full_name": ""}, "full_name", "Enter a name"),
    Bad(
        "group-item",
        "household",
        {"members-items": "2", "members-1-name": "Cy", "members-1-age": "200"},
        {"members": [{"name": "Bob", "age": 12}, {"name": "Cy", "age": 200}]},
        "members[1].age",
        "The number must be 120 or less",
        shown="Household member 2: The number must be 120 or less",
    ),
    Bad(
        "email",
        "contact",
        {"email": "not an email"},
        {"email": "not an email"},
        "email",
        "Enter an email address in the correct format, like name@example.com",
    ),
    # Staff may record a contact without an email address; residents may not.
    Bad(
        "no-email",
        "contact",
        {"email": ""},
        {"email": ""},
        "email",
        "Enter an email address",
        staff_refused=False,
    ),
    Bad(
        "exit",
        "area",
        {"in_area": "no"},
        {"in_area": False},
        "outside",
        EXIT,
        shown="Only residents of Example can apply",
        only=True,
    ),
    Bad(
        "declaration",
        "check",
        {},
        {},
        "declaration",
        "Confirm the declaration to send your application",
    ),
]


@pytest.fixture
def household_help(council):
    return service_import(organisation=council, definition=DEFINITION).service


def _answer_pages(client, prefix: str, bad: Bad | None = None, *, send: bool = True) -> str:
    """Answer every page, the bad answer on its page; then try to send.
    Returns what the page the bad answer was given on showed."""
    shown = ""
    for name, good in GOOD_FORM.items():
        data = {**good, **bad.form} if bad and bad.page == name else good
        response = client.post(f"{prefix}questions/{name}/", data, follow=True)
        if bad and bad.page == name:
            shown = response.content.decode()
    if not send:
        return shown
    declaration = {} if bad and bad.page == "check" else {"declaration": "yes"}
    sent = client.post(f"{prefix}check/", declaration, follow=True)
    return shown or sent.content.decode()


def _document(bad: Bad) -> dict[str, Any]:
    document = {} if bad.only else copy.deepcopy(GOOD_DOCUMENT)
    document.update(bad.document)
    return document


def _send(service, document: dict[str, Any], declaration: Any) -> Case:
    """An API-like caller: a JSON body, parsed, handed to the journey service."""
    body = json.loads(json.dumps({"answers": document, "declaration": declaration}))
    return case_create(
        service_version=service.published_version,
        answers=body["answers"],
        declaration=body["declaration"],
        channel=Channel.API,
    )


@pytest.mark.parametrize("bad", BAD, ids=lambda bad: bad.name)
def test_the_resident_journey_refuses(client, household_help, bad):
    assert bad.web_text in _answer_pages(client, RESIDENT, bad)
    assert not Case.objects.exists()


@pytest.mark.parametrize("bad", BAD, ids=lambda bad: bad.name)
def test_a_staff_recorded_contact_refuses(staff_client, household_help, bad):
    staff_client.post(STAFF, {"channel": "phone"})
    shown = _answer_pages(staff_client, STAFF, bad)
    if bad.staff_refused:
        assert bad.web_text in shown
        assert not Case.objects.exists()
    else:
        assert Case.objects.get().contact_email == ""


@pytest.mark.parametrize("bad", BAD, ids=lambda bad: bad.name)
def test_an_api_caller_is_refused_with_the_field_path(household_help, bad):
    declaration = None if bad.page == "check" else True
    with pytest.raises(AnswersRefused) as caught:
        _send(household_help, _document(bad), declaration)
    assert caught.value.problems == [f"{bad.path}: {bad.message}"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("prefix", [RESIDENT, STAFF])
@pytest.mark.parametrize("bad", [b for b in BAD if b.document], ids=lambda bad: bad.name)
def test_bad_answers_that_got_into_a_draft_are_refused_at_submission(
    client, staff_user, household_help, bad, prefix
):
    """Checks on each page are not the only guard: submission checks again."""
    if prefix == STAFF:
        sign_in(client, staff_user)
        client.post(STAFF, {"channel": "phone"})
    _answer_pages(client, prefix, send=False)
    Draft.objects.update(answers=_document(bad))  # as if the page checks were skipped
    sent = client.post(f"{prefix}check/", {"declaration": "yes"})
    if prefix == STAFF and not bad.staff_refused:
        assert sent["Location"] == f"{prefix}done/"
        return
    assert sent["Location"].startswith(f"{prefix}questions/")
    assert not Case.objects.exists()


def test_good_answers_make_the_same_case_on_every_path(
    client, staff_user, household_help, django_capture_on_commit_callbacks
):
    _answer_pages(client, RESIDENT)
    sign_in(client, staff_user)
    client.post(STAFF, {"channel": "phone"})
    _answer_pages(client, STAFF)
    _send(household_help, GOOD_DOCUMENT, True)
    web, staff, api = Case.objects.order_by("created_at", "pk")
    assert (web.channel, staff.channel, api.channel) == (Channel.WEB, Channel.PHONE, Channel.API)
    assert web.answers == staff.answers == api.answers
    assert web.answers["home"]["postcode"] == "EX1 1AA"
    assert {case.status for case in (web, staff, api)} == {"received"}
