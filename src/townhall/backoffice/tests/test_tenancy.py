"""Staff of one council can never reach another council's cases, on any staff URL."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, reverse

from townhall.backoffice import urls as staff_urls
from townhall.cases.factories import submitted_case
from townhall.cases.models import Attachment
from townhall.tenancy.factories import MembershipFactory, UserFactory

PUBLIC = {"login", "logout"}
CASE_URLS = [p for p in staff_urls.urlpatterns if "reference" in p.pattern.converters]


def _kwargs(pattern: URLPattern, reference: str, attachment_id: uuid.UUID) -> dict[str, object]:
    kwargs: dict[str, object] = {"reference": reference}
    if "attachment_id" in pattern.pattern.converters:
        kwargs["attachment_id"] = attachment_id
    return kwargs


@pytest.fixture
def other_case(other_fly_tipping):  # type: ignore[no-untyped-def]
    case = submitted_case(other_fly_tipping)
    attachment = Attachment(
        case=case, filename="x.png", content_type="image/png", size=1, created_at=case.created_at
    )
    attachment.file.save("x", __import__("io").BytesIO(b"\x89PNG\r\n\x1a\n"), save=False)
    attachment.save()
    return case, attachment


def test_every_staff_url_is_covered_here():
    names = {p.name for p in staff_urls.urlpatterns}
    assert names == PUBLIC | {"queue"} | {p.name for p in CASE_URLS}
    assert len(CASE_URLS) >= 4


@pytest.mark.parametrize("pattern", CASE_URLS, ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_councils_case_is_not_found(staff_client, fly_tipping, other_case, pattern, method):
    case, attachment = other_case
    url = reverse(
        f"backoffice:{pattern.name}", kwargs=_kwargs(pattern, case.reference, attachment.pk)
    )
    response = getattr(staff_client, method)(url, {"status": "cleared", "note": "x"})
    assert response.status_code in {404, 405}
    assert case.reference not in response.content.decode()
    case.refresh_from_db()
    assert case.status == "received"
    assert case.events.count() == 1


def test_the_queue_shows_only_this_councils_cases(staff_client, fly_tipping, other_case):
    mine = submitted_case(fly_tipping)
    body = staff_client.get("/staff/").content.decode()
    assert mine.reference in body
    assert other_case[0].reference not in body


@pytest.mark.parametrize("pattern", CASE_URLS, ids=lambda p: p.name)
def test_signed_out_people_are_sent_to_sign_in(client, fly_tipping, pattern):
    case = submitted_case(fly_tipping)
    url = reverse(
        f"backoffice:{pattern.name}", kwargs=_kwargs(pattern, case.reference, uuid.uuid4())
    )
    response = client.get(url)
    assert response.status_code in {302, 405}
    if response.status_code == 302:
        assert response["Location"].startswith("/staff/login/")


def test_signed_in_people_without_a_council_are_refused(client, fly_tipping):
    case = submitted_case(fly_tipping)
    client.force_login(UserFactory())
    assert client.get("/staff/").status_code == 403
    assert client.get(f"/staff/cases/{case.reference}/").status_code == 403


def test_staff_of_both_councils_see_the_one_they_work_in(client, fly_tipping, other_case):
    user = MembershipFactory(organisation=fly_tipping.organisation).user
    client.force_login(user)
    assert client.get(f"/staff/cases/{other_case[0].reference}/").status_code == 404


def test_staff_download_their_own_councils_attachments_only(staff_client, fly_tipping, other_case):
    _case, attachment = other_case
    url = reverse(
        "backoffice:case-attachment",
        kwargs={"reference": _case.reference, "attachment_id": attachment.pk},
    )
    assert staff_client.get(url).status_code == 404
