"""Pages with personal data tell browsers and proxies not to store them: every
back-office and admin page, the answer to any form post (such as a tracking
result), and every page drawn from a session holding a resident's answers.
Public pages keep their own caching."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from townhall.backoffice import urls as staff_urls
from townhall.cases.factories import submitted_case
from townhall.cases.models import Attachment

START = "/services/report-fly-tipping/"


def _private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.fixture
def case_with_file(fly_tipping):
    case = submitted_case(fly_tipping)
    attachment = Attachment(
        case=case, filename="x.png", content_type="image/png", size=8, created_at=case.created_at
    )
    attachment.file.save("x", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    attachment.save()
    return case, attachment


def test_every_back_office_page_a_caseworker_sees_is_private(staff_client, case_with_file):
    case, attachment = case_with_file
    for url in [
        "/staff/",
        f"/staff/?reference={case.reference}",
        "/staff/?reference=nothing",
        f"/staff/cases/{case.reference}/",
        f"/staff/cases/{case.reference}/attachments/{attachment.pk}/",
        "/staff/services/",
        "/staff/assisted/",
        "/staff/cases/EXA-2026-00000000/",  # not found
    ]:
        response = staff_client.get(url)
        assert _private(response), url
    note = staff_client.post(f"/staff/cases/{case.reference}/notes/", {"note": "Called back"})
    assert note.status_code == 302
    assert _private(note)


@pytest.mark.parametrize("pattern", staff_urls.urlpatterns, ids=lambda p: p.name)
def test_every_staff_url_is_private_signed_out_too(client, council, pattern):
    values = {
        "reference": "EXA-2026-00000000",
        "attachment_id": "00000000-0000-0000-0000-000000000000",
        "slug": "report-fly-tipping",
        "uidb64": "MQ",
        "token": "cz1qdk-0123456789abcdef",
        "number": 1,
        "key_id": 1,
        "table": "channels",
        "extension": "csv",
        "pk": 1,
        "delivery_id": 1,
        "rule_id": 1,
    }
    url = reverse(
        f"backoffice:{pattern.name}",
        kwargs={name: values[name] for name in pattern.pattern.converters},
    )
    assert _private(client.get(url))
    assert _private(client.post(url))


def test_the_admin_site_is_private(admin_client):
    assert _private(admin_client.get("/admin/"))
    assert _private(admin_client.get("/admin/accounts/user/"))


def test_a_tracking_result_is_private(client, fly_tipping):
    case = submitted_case(fly_tipping)
    answers = {"reference": case.reference, "email": "resident@example.com"}
    response = client.post("/track/", answers)
    assert case.reference in response.content.decode()
    assert _private(response)


def test_a_residents_answers_are_private_on_every_page_that_shows_them(client, fly_tipping):
    answered = client.post(f"{START}questions/what/", {"waste_type": "tyres"})
    assert _private(answered)
    for url in [f"{START}questions/what/", f"{START}questions/how-much/", f"{START}check/"]:
        response = client.get(url, follow=True)
        assert _private(response), url


def test_a_confirmation_with_the_reference_is_private(client, fly_tipping):
    steps = [
        ("what", {"waste_type": "furniture"}),
        ("how-much", {"size": "small_van"}),
        ("where", {"location": "Behind the shops on Castle Street"}),
        ("when", {"seen_on-day": "5", "seen_on-month": "1", "seen_on-year": "2026"}),
        ("details", {"description": "A sofa"}),
        ("photo", {}),
        ("contact", {"email": "resident@example.com"}),
    ]
    for name, data in steps:
        assert client.post(f"{START}questions/{name}/", data).status_code == 302
    done = client.post(f"{START}check/", follow=True)
    assert "EXA-" in done.content.decode()
    assert _private(done)


def test_public_pages_for_a_new_visitor_keep_their_own_caching(client, fly_tipping):
    for url in ["/", "/services/", START, "/track/"]:
        response = client.get(url)
        assert response.status_code == 200
        assert not _private(response), url
    branding = client.get("/branding.css")
    assert "public" in branding["Cache-Control"]
    assert "no-store" not in branding["Cache-Control"]
