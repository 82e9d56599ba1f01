"""My requests: the list, a request's page and its files, as the resident sees them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.models import Attachment, Channel
from townhall.cases.services import case_add_note, case_transition
from townhall.residents.requests import PAGE_SIZE
from townhall.residents.tests.conftest import make_case, owned

pytestmark = pytest.mark.django_db


def test_signing_in_is_needed(client):
    response = client.get(reverse("my_requests:list"))

    assert response.status_code == 302
    assert "next=/account/requests/" in response["Location"]


def test_the_list_shows_every_channel_newest_first_with_status(
    ann_client, ann, fly_tipping, staff_user
):
    web = owned(submitted_case(fly_tipping), ann)
    phone = owned(
        make_case(fly_tipping, email="ann@example.org", channel=Channel.PHONE, actor=staff_user),
        ann,
    )
    api = owned(make_case(fly_tipping, email="ann@example.org", channel=Channel.API), ann)
    case_transition(case=web, to_status="inspecting", actor=staff_user)

    response = ann_client.get(reverse("my_requests:list"))

    text = response.content.decode()
    assert response.status_code == 200
    assert text.index(api.reference) < text.index(phone.reference) < text.index(web.reference)
    assert "Being looked into" in text  # the public label, not staff's "Being inspected"
    assert "Phone" in text and "API" in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_list_is_paged_and_its_queries_do_not_grow(ann_client, ann, fly_tipping):
    for _ in range(PAGE_SIZE + 1):
        owned(make_case(fly_tipping, email="ann@example.org"), ann)
    ann_client.get(reverse("my_requests:list"))  # warm the session and site caches

    with CaptureQueriesContext(connection) as first:
        page_one = ann_client.get(reverse("my_requests:list"))
    with CaptureQueriesContext(connection) as second:
        page_two = ann_client.get(reverse("my_requests:list"), {"page": "2"})

    assert page_one.content.decode().count("/account/requests/EXA") == PAGE_SIZE
    assert page_two.content.decode().count("/account/requests/EXA") == 1
    assert len(first) == len(second)
    assert len(first) <= 6  # session, user, site, count, page, versions


@pytest.mark.parametrize("page", ["x", "999", "-1", "1e9"])
def test_a_page_number_that_is_not_one_shows_a_page(ann_client, ann, fly_tipping, page):
    owned(make_case(fly_tipping, email="ann@example.org"), ann)

    response = ann_client.get(reverse("my_requests:list"), {"page": page})

    assert response.status_code == 200


def test_a_request_page_shows_the_public_timeline_and_messages_but_never_notes(
    ann_client, ann, fly_tipping, staff_user
):
    case = owned(submitted_case(fly_tipping), ann)
    case_transition(
        case=case, to_status="inspecting", actor=staff_user, public_message="We are on our way."
    )
    case_add_note(case=case, actor=staff_user, note="Neighbour dispute, careful")
    from townhall.cases.events import event_dispatch

    for event in case.events.all():
        event_dispatch(event_id=event.pk)

    response = ann_client.get(reverse("my_requests:detail", args=[case.reference.lower()]))

    text = response.content.decode()
    assert response.status_code == 200
    assert "We are on our way." in text
    assert "Neighbour dispute" not in text
    assert "Request received" in text
    assert "Fly-tipping report received" in text  # the acknowledgement email they were sent


def test_files_i_sent_are_listed_and_download(ann_client, ann, fly_tipping):
    case = owned(submitted_case(fly_tipping, {**FLY_TIPPING_ANSWERS}), ann)
    attachment = _attach(case, b"%PDF-1.4 letter")

    page = ann_client.get(reverse("my_requests:detail", args=[case.reference]))
    download = ann_client.get(reverse("my_requests:file", args=[case.reference, attachment.pk]))

    assert "letter.pdf" in page.content.decode()
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 letter"
    assert 'attachment; filename="letter.pdf"' in download["Content-Disposition"]


def test_a_reference_that_cannot_be_one_is_a_404(ann_client):
    assert ann_client.get("/account/requests/%20%0A/").status_code == 404
    assert ann_client.get(reverse("my_requests:detail", args=["nothing"])).status_code == 404


def _attach(case, content: bytes, name: str = "letter.pdf") -> Attachment:
    """A file held against `case`, stored the way uploads are (a random name)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    attachment = Attachment(
        case=case,
        filename=name,
        content_type="application/pdf",
        size=len(content),
        created_at=timezone.now(),
    )
    attachment.file.save("ignored", ContentFile(content), save=False)
    attachment.save()
    return attachment
