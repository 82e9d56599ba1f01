"""One resident can never see or change another's request, file or draft by
changing ids in URLs, and staff cannot use these pages to see residents' cases."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from townhall.cases.models import Attachment, Case, Draft
from townhall.cases.services import case_transition, draft_start
from townhall.residents.tests.conftest import make_case, owned
from townhall.testing.sign_in import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def bobs(blue_badge, bob, staff_user):
    """Bob's case (waiting for his reply), its file and his unfinished application."""
    case = owned(make_case(blue_badge, email="bob@example.org"), bob)
    case = case_transition(case=case, to_status="more_information", actor=staff_user)
    attachment = Attachment(
        case=case,
        filename="bob.pdf",
        content_type="application/pdf",
        size=3,
        created_at=timezone.now(),
    )
    attachment.file.save("x", ContentFile(b"bob"), save=False)
    attachment.save()
    draft = draft_start(service_version=blue_badge.published_version)
    draft.resident = bob
    draft.save(update_fields=["resident"])
    return case, attachment, draft


def _urls(case: Case, attachment: Attachment, draft: Draft) -> list[tuple[str, str]]:
    ref = case.reference
    return [
        ("get", reverse("my_requests:detail", args=[ref])),
        ("get", reverse("my_requests:detail", args=[ref.lower()])),
        ("get", reverse("my_requests:file", args=[ref, attachment.pk])),
        ("post", reverse("my_requests:reply", args=[ref])),
        ("get", reverse("my_requests:withdraw", args=[ref])),
        ("post", reverse("my_requests:withdraw", args=[ref])),
        ("post", reverse("my_requests:updates", args=[ref])),
        ("get", reverse("my_requests:draft-continue", args=[draft.pk])),
        ("get", reverse("my_requests:draft-delete", args=[draft.pk])),
        ("post", reverse("my_requests:draft-delete", args=[draft.pk])),
    ]


def _nothing_changed(case: Case, draft: Draft, events: int) -> None:
    case.refresh_from_db()
    assert case.is_open and case.updates_stopped_at is None
    assert case.events.count() == events
    assert Draft.objects.filter(pk=draft.pk).exists()
    assert Attachment.objects.filter(case=case).count() == 1


def test_another_resident_gets_404_for_every_page_and_action(ann_client, bobs):
    case, attachment, draft = bobs
    events = case.events.count()

    for method, url in _urls(case, attachment, draft):
        data = {"reply": "mine now", "updates": "off"} if method == "post" else None
        response = getattr(ann_client, method)(url, data)
        assert response.status_code == 404, url
        assert b"bob" not in response.content.lower(), url

    _nothing_changed(case, draft, events)
    lists = ann_client.get(reverse("my_requests:list")).content.decode()
    drafts = ann_client.get(reverse("my_requests:drafts")).content.decode()
    assert case.reference not in lists
    assert str(draft.pk) not in drafts


def test_my_own_file_under_another_reference_is_a_404(ann_client, ann, bobs, blue_badge):
    _case, attachment, _draft = bobs
    mine = owned(make_case(blue_badge, email="ann@example.org"), ann)

    swapped = ann_client.get(reverse("my_requests:file", args=[mine.reference, attachment.pk]))
    guessed = ann_client.get(reverse("my_requests:file", args=[mine.reference, uuid.uuid4()]))

    assert swapped.status_code == 404
    assert guessed.status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in_for_every_page(client, bobs):
    case, attachment, draft = bobs
    events = case.events.count()

    for method, url in [*_urls(case, attachment, draft), ("get", reverse("my_requests:list"))]:
        response = getattr(client, method)(url, {"updates": "off"} if method == "post" else None)
        assert response.status_code == 302, url
        assert "next=" in response["Location"], url

    _nothing_changed(case, draft, events)


@pytest.mark.parametrize("role", ["caseworker", "organisation_admin"])
def test_staff_of_the_council_cannot_use_these_pages_to_see_residents_cases(bobs, council, role):
    from townhall.tenancy.factories import MembershipFactory

    case, attachment, draft = bobs
    member = MembershipFactory(organisation=council, role=role, user__password="!").user
    staff = sign_in(Client(), member)
    events = case.events.count()

    for method, url in _urls(case, attachment, draft):
        data = {"reply": "x", "updates": "off"} if method == "post" else None
        assert getattr(staff, method)(url, data).status_code == 404, url

    assert case.reference not in staff.get(reverse("my_requests:list")).content.decode()
    _nothing_changed(case, draft, events)
