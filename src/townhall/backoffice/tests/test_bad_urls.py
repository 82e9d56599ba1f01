"""Every staff URL answers a NUL or another control character, in its path or
its query string, with a page, never a 500: a NUL is refused (400) before any
view, and a case reference with another control character is not a reference
(404; the queue's search leaves control characters out)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, reverse

from townhall.backoffice import assisted
from townhall.backoffice import urls as staff_urls
from townhall.cases.factories import submitted_case

NUL = "%00"
# Other control characters, as a URL carries them: C0 controls, DEL, a C1
# control (NEL, U+0085) and a line break that could split a header.
CONTROLS = ["%01", "%08", "%09", "%0A", "%0D%0A", "%1B", "%1F", "%7F", "%C2%85"]
QUERY_NAMES = ["reference", "team", "show", "page", "next"]
PATTERNS = [("backoffice", p) for p in staff_urls.urlpatterns] + [
    ("assisted", p) for p in assisted.urlpatterns
]


def _send(client, method: str, url: str):
    # A GET's data would replace the query string under test.
    if method == "get":
        return client.get(url)
    return client.post(url, {"note": "x", "status": "cleared"})


def _ids(item: tuple[str, URLPattern]) -> str:
    return f"{item[0]}:{item[1].name}"


@pytest.fixture
def case(fly_tipping):
    return submitted_case(fly_tipping)


def _values(pattern: URLPattern, case) -> dict[str, object]:
    """A real value for each of the pattern's parameters."""
    real = {
        "reference": case.reference,
        "attachment_id": uuid.uuid4(),
        "delivery_id": 1,
        "slug": case.service.slug,
        "number": 1,
        "page_id": "what",
        "key_id": 1,
        "table": "channels",
        "extension": "csv",
        "pk": 1,
        "rule_id": 1,
        "uidb64": "MQ",
        "token": "cz1qdk-0123456789abcdef",
    }
    return {name: real[name] for name in pattern.pattern.converters}


def _variants(namespace: str, pattern: URLPattern, case, bad: str) -> list[str]:
    """The URL with `bad` in its query string, after it, and in and instead of
    each parameter."""
    values = _values(pattern, case)
    url = reverse(f"{namespace}:{pattern.name}", kwargs=values)
    query = "&".join(f"{name}={bad}" for name in QUERY_NAMES)
    urls = [f"{url}?{query}", f"{url}?reference=EXA-2026-1234{bad}5678", f"{url}{bad}/"]
    for value in map(str, values.values()):
        urls += [url.replace(value, bad, 1), url.replace(value, f"{value}{bad}", 1)]
    return urls


@pytest.mark.parametrize("item", PATTERNS, ids=_ids)
def test_a_nul_anywhere_in_a_staff_url_is_a_bad_request(staff_client, case, item):
    namespace, pattern = item
    urls = _variants(namespace, pattern, case, NUL)
    for method in ["get", "post"]:
        for url in urls:
            response = _send(staff_client, method, url)
            assert response.status_code == 400, (method, url)
            assert "Sorry, there is a problem with your request" in response.content.decode()
    # Signed out too: refused before the sign-in check.
    staff_client.logout()
    for url in urls:
        assert _send(staff_client, "get", url).status_code == 400, url
    case.refresh_from_db()
    assert case.events.count() == 1


@pytest.mark.parametrize("item", PATTERNS, ids=_ids)
def test_other_control_characters_in_a_staff_url_never_fail(staff_client, case, item):
    namespace, pattern = item
    for method in ["get", "post"]:
        for bad in CONTROLS:
            for url in _variants(namespace, pattern, case, bad):
                response = _send(staff_client, method, url)
                assert response.status_code < 500, (method, url)


@pytest.mark.parametrize("suffix", ["", "status/", "notes/", f"attachments/{uuid.uuid4()}/"])
def test_a_case_reference_with_a_control_character_is_not_a_case(staff_client, case, suffix):
    for bad in [NUL, *CONTROLS]:
        for reference in [bad, f"{case.reference}{bad}", f"{bad}{case.reference}"]:
            for method in ["get", "post"]:
                response = _send(staff_client, method, f"/staff/cases/{reference}/{suffix}")
                assert response.status_code == (400 if bad == NUL else 404), (method, reference)


def test_the_queue_search_leaves_control_characters_out(staff_client, case):
    for bad in CONTROLS:
        # Like spaces, a stray control character in a pasted reference is ignored.
        response = staff_client.get(f"/staff/?reference={case.reference}{bad}")
        assert response["Location"] == f"/staff/cases/{case.reference}/"
        response = staff_client.get(f"/staff/?reference=no{bad}such{bad}case")
        body = response.content.decode()
        assert response.status_code == 200
        assert "No case of your council has the reference" in body
        assert not {"\x01", "\x08", "\x1b", "\x1f", "\x7f"} & set(body)


def test_the_queue_search_still_finds_a_reference_typed_loosely(staff_client, case):
    typed = " ".join(case.reference.lower())
    response = staff_client.get("/staff/", {"reference": typed})
    assert response["Location"] == f"/staff/cases/{case.reference}/"


def test_a_case_page_answers_a_lower_case_reference(staff_client, case):
    assert staff_client.get(f"/staff/cases/{case.reference.lower()}/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/?q=%00",
        "/admin/accounts/user/%00/change/",
        "/admin/login/?next=%00",
        "/staff/login/?next=/staff/%00",
        "/track/?x=%00",
        "/services/?q=%00",
        "/%00",
    ],
)
def test_a_nul_is_refused_everywhere_else_too(admin_client, url):
    assert admin_client.get(url).status_code == 400


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x1b", "\x7f"])
def test_control_characters_in_staff_forms_never_fail(manager_client, case, bad):
    reference = case.reference
    for url, data in [
        (f"/staff/cases/{reference}/notes/", {"note": f"call{bad}back"}),
        (f"/staff/cases/{reference}/status/", {"status": f"cleared{bad}"}),
        (f"/staff/cases/{reference}/status/", {"status": "cleared", "public_message": bad}),
        ("/staff/services/import/", {"action": f"draft{bad}"}),
        ("/staff/assisted/report-fly-tipping/", {"channel": f"phone{bad}"}),
        ("/staff/?reference=", {}),
    ]:
        response = manager_client.post(url, data)
        assert response.status_code < 500, (url, data)
    assert not any("\x00" in event.internal_note for event in case.events.all())
