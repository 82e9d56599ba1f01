"""Fuzzing: malformed, oversized, control-character, wrong-type and duplicated
form fields sent to every resident page of every standard service and to every
staff POST. Whatever arrives, the answer is a page or a redirect, never a 5xx.

Bounded in count (hypothesis `max_examples`) so the suite stays fast; the
Django test client raises any exception a view lets escape, so an error page
fails the test with its traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall.catalogue.engine.definition import Page, Question, ServiceDefinition
from townhall.catalogue.models import Service
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import standard_definitions
from townhall.testing.sign_in import sign_in

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Each standard service is walked on its own, fewer times.
PER_SERVICE = settings(FUZZ, max_examples=12)
SLUGS = sorted(path.stem for path, _definition in standard_definitions())
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)

# Text a hostile or broken client might send in one field.
NASTY = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),  # control characters
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "yes",
            "no",
            "0",
            "-1",
            "1e309",
            "nan",
            "-inf",
            "9" * 5000,
            "0x" + "f" * 500,
            "2026-02-30",
            "31",
            "13",
            "0000",
            "99999",
            "Σ" * 300,
            "x" * 20_000,
            "<script>alert(1)</script>",
            "{{ request }}",
            "%(label)s",
            "items",
            "add:items",
            "add:nonexistent",
            "save",
        ]
    ),
)


def _field_names(question: Question) -> Iterator[str]:
    """The names a question's widget posts, as the browser would send them."""
    yield question.id
    for part in ("day", "month", "year", "line1", "line2", "town", "postcode", "items"):
        yield f"{question.id}-{part}"
    for index in (0, 1, 9, 99, -1):
        for member in question.questions:
            yield f"{question.id}-{index}-{member.id}"


def _page_names(page: Page) -> list[str]:
    names = [name for question in page.questions for name in _field_names(question)]
    return [*names, "shown", "action", "declaration", "csrfmiddlewaretoken", "channel"]


def _body(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A form body: known and unknown field names, each once or repeated."""
    name = st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=12))
    value = st.one_of(NASTY, st.lists(NASTY, min_size=2, max_size=4))
    return st.dictionaries(name, value, max_size=12)


def _filler(question: Question, pick: int) -> dict[str, Any]:
    """A plausible answer to `question`, so the walk can move past its page;
    `pick` chooses among options, so different walks take different routes."""
    today = dt.date.today()  # noqa: DTZ011 - any recent date is plausible
    kind, qid = question.type, question.id
    if kind == "date":
        return {f"{qid}-day": today.day, f"{qid}-month": today.month, f"{qid}-year": today.year}
    if kind == "address":
        parts = {
            "line1": "1 High Street",
            "line2": "",
            "town": "Exampleton",
            "postcode": "SW1A 2AA",
        }
        return {f"{qid}-{part}": value for part, value in parts.items()}
    if kind == "group":
        item = {
            f"{qid}-0-{member.id}": next(iter(_filler(member, pick).values()), "")
            for member in question.questions
        }
        return {f"{qid}-items": "1", **item}
    if kind in {"radios", "select", "checkboxes"}:
        return {qid: question.options[pick % len(question.options)].value}
    if kind == "file":
        return {qid: SimpleUploadedFile("photo.png", PNG, "image/png")}
    plain = {
        "email": "resident@example.com",
        "phone": "01632 960 001",
        "postcode": "SW1A 2AA",
        "number": str(int(question.min or 1)),
        "yes_no": ("no", "yes")[pick % 2],
        "declaration": "yes",
    }
    return {qid: plain.get(kind, "Beside the bus stop on Castle Street")}


@pytest.fixture
def manager_user(council):
    from townhall.tenancy.factories import MembershipFactory
    from townhall.tenancy.models import Membership

    return MembershipFactory(
        organisation=council, user__password="!", role=Membership.Role.ORGANISATION_ADMIN
    ).user


@pytest.fixture
def catalogue(council) -> dict[str, Service]:
    return {
        definition["slug"]: service_import(organisation=council, definition=definition).service
        for _path, definition in standard_definitions()
    }


def _walk(client: Client, namespace: str, service: Service, steps: list[Any]) -> None:
    """Go through a service's pages: at each step either fuzz the current page
    (it must answer without a 5xx) or answer it plausibly and move on."""
    definition: ServiceDefinition = service.published_version.parsed
    page = definition.pages[0]
    for fuzz, body, pick in steps:
        url = reverse(f"{namespace}:page", args=[service.slug, page.id])
        if fuzz:
            response = client.post(url, body)
            assert response.status_code < 500
            continue
        data: dict[str, Any] = {}
        for question in page.questions:
            data.update(_filler(question, pick))
        response = client.post(url, data)
        assert response.status_code < 500
        location = response.get("Location", "")
        next_id = location.rstrip("/").rsplit("/", 1)[-1] if "/questions/" in location else None
        if next_id is None:  # check answers, or stuck on a page that did not accept filler
            check = client.post(reverse(f"{namespace}:check", args=[service.slug]), body)
            assert check.status_code < 500
            return
        page = definition.page(next_id) or page


STEPS = st.lists(st.tuples(st.booleans(), st.integers(0, 7)), min_size=1, max_size=20)


@pytest.mark.django_db
class TestResidentPages:
    @pytest.mark.parametrize("slug", SLUGS)
    @PER_SERVICE
    @given(data=st.data())
    def test_every_page_of_every_standard_service_answers_without_an_error(
        self, client: Client, catalogue: dict[str, Service], slug: str, data: st.DataObject
    ) -> None:
        service = catalogue[slug]
        definition = service.published_version.parsed
        names = sorted({n for page in definition.pages for n in _page_names(page)})
        steps = [
            (fuzz, data.draw(_body(names)), pick) for fuzz, pick in data.draw(STEPS, label="steps")
        ]
        if not any(page.questions for page in definition.pages):
            return
        client.cookies.clear()  # a new resident each time
        _walk(client, "web", service, steps)

    @FUZZ
    @given(
        slug=st.sampled_from(["report-fly-tipping", "book-a-bulky-waste-collection"]),
        raw=st.binary(max_size=200),
    )
    def test_undecodable_bodies_are_refused_cleanly(
        self, client: Client, catalogue: dict[str, Service], slug: str, raw: bytes
    ) -> None:
        definition = catalogue[slug].published_version.parsed
        url = reverse("web:page", args=[slug, definition.pages[0].id])
        for content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            response = client.generic("POST", url, raw + b"%ff%fe&a=%00", content_type=content_type)
            assert response.status_code < 500

    def test_a_bad_page_id_or_slug_is_a_404(self, client: Client, catalogue) -> None:
        for url in ("/services/%00/", "/services/report-fly-tipping/questions/%00/"):
            assert client.post(url, {"a": "b"}).status_code in {400, 404}


STAFF_POSTS: list[tuple[str, dict[str, Any]]] = [
    ("backoffice:login", {}),
    ("backoffice:case-status", {"reference": "REF"}),
    ("backoffice:case-note", {"reference": "REF"}),
    ("backoffice:service-import", {}),
    ("backoffice:service-version-publish", {"slug": "report-fly-tipping", "number": 1}),
    ("assisted:start", {"slug": "report-fly-tipping"}),
    ("assisted:check", {"slug": "report-fly-tipping"}),
]
STAFF_FIELDS = [
    "username",
    "password",
    "status",
    "public_message",
    "internal_note",
    "note",
    "file",
    "action",
    "channel",
    "declaration",
]


@pytest.mark.django_db
class TestStaffPosts:
    @pytest.fixture
    def case_reference(self, catalogue: dict[str, Service]) -> str:
        from townhall.cases.factories import submitted_case

        return submitted_case(catalogue["report-fly-tipping"]).reference

    @FUZZ
    @given(data=st.data())
    def test_every_staff_post_answers_without_an_error(
        self, client: Client, manager_user, case_reference: str, data: st.DataObject
    ) -> None:
        name, kwargs = data.draw(st.sampled_from(STAFF_POSTS), label="url")
        kwargs = {k: (case_reference if v == "REF" else v) for k, v in kwargs.items()}
        sign_in(client, manager_user)
        body = data.draw(_body(STAFF_FIELDS), label="body")
        if name == "backoffice:service-import" and data.draw(st.booleans(), label="upload"):
            content = data.draw(st.binary(max_size=300), label="file")
            body["file"] = SimpleUploadedFile("service.yaml", content, "application/x-yaml")
        response = client.post(reverse(name, kwargs=kwargs), body)
        assert response.status_code < 500

    @FUZZ
    @given(data=st.data())
    def test_the_staff_journey_answers_without_an_error(
        self, client: Client, manager_user, catalogue: dict[str, Service], data: st.DataObject
    ) -> None:
        slug = data.draw(st.sampled_from(sorted(catalogue)), label="service")
        service = catalogue[slug]
        definition = service.published_version.parsed
        sign_in(client, manager_user)
        channel = data.draw(st.sampled_from(["phone", "face_to_face", "email", "web", "x"]))
        assert (
            client.post(reverse("assisted:start", args=[slug]), {"channel": channel}).status_code
            < 500
        )
        names = sorted({n for page in definition.pages for n in _page_names(page)})
        steps = [
            (fuzz, data.draw(_body(names)), pick) for fuzz, pick in data.draw(STEPS, label="steps")
        ]
        _walk(client, "assisted", service, steps)

    @FUZZ
    @given(text=NASTY, data=st.data())
    def test_staff_urls_with_control_characters_answer_without_an_error(
        self, client: Client, manager_user, case_reference: str, text: str, data: st.DataObject
    ) -> None:
        from urllib.parse import quote

        sign_in(client, manager_user)
        part = quote(text[:200], safe="")
        url = data.draw(
            st.sampled_from(
                [
                    f"/staff/?reference={part}",
                    f"/staff/?team={part}",
                    f"/staff/?closed={part}",
                    f"/staff/cases/{part}/",
                    f"/staff/cases/{case_reference}{part}/",
                    f"/staff/cases/{part}/notes/",
                    f"/staff/cases/{part}/status/",
                    f"/staff/cases/{part}/attachments/00000000-0000-0000-0000-000000000000/",
                    f"/staff/services/{part}/versions/1/",
                    f"/staff/assisted/{part}/",
                    f"/track/?reference={part}",
                ]
            ),
            label="url",
        )
        assert client.get(url).status_code < 500
        assert client.post(url, {"note": text, "status": text}).status_code < 500
