"""Replying when the council asks, withdrawing, updates per request and
overall, and unfinished applications."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from townhall.accounts.models import User
from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.models import Attachment, CaseEvent, Draft
from townhall.cases.services import case_submit, case_transition, draft_save_answers, draft_start
from townhall.residents.tests.conftest import make_case, owned
from townhall.tenancy.models import Membership, Team
from townhall.testing.sign_in import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(blue_badge, ann, staff_user):
    """Ann's Blue Badge application, on which the council asked for more information."""
    case = owned(make_case(blue_badge, email="ann@example.org"), ann)
    return case_transition(
        case=case,
        to_status="more_information",
        actor=staff_user,
        public_message="Please send a letter from your GP.",
    )


def test_the_request_page_offers_a_reply_when_the_council_asks(ann_client, asked):
    text = ann_client.get(reverse("my_requests:detail", args=[asked.reference])).content.decode()

    assert "Reply to the council" in text
    assert "Please send a letter from your GP." in text


def test_no_reply_is_offered_or_taken_when_nothing_was_asked(ann_client, ann, blue_badge):
    case = owned(make_case(blue_badge, email="ann@example.org"), ann)

    page = ann_client.get(reverse("my_requests:detail", args=[case.reference]))
    sent = ann_client.post(reverse("my_requests:reply", args=[case.reference]), {"reply": "Hi"})

    assert "Reply to the council" not in page.content.decode()
    assert sent.status_code == 400
    assert "The council is not waiting for a reply" in sent.content.decode()
    assert not case.events.filter(kind=CaseEvent.Kind.RESIDENT_REPLIED).exists()


def test_a_reply_joins_the_timeline_and_the_assignee_is_told(
    ann_client, asked, staff_user, django_capture_on_commit_callbacks
):
    asked.assignee = staff_user
    asked.save(update_fields=["assignee"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = ann_client.post(
            reverse("my_requests:reply", args=[asked.reference]),
            {"reply": "I have posted the GP's letter today."},
        )

    assert response.status_code == 302
    event = asked.events.get(kind=CaseEvent.Kind.RESIDENT_REPLIED)
    assert event.payload["reply"] == "I have posted the GP's letter today."
    page = ann_client.get(reverse("my_requests:detail", args=[asked.reference])).content.decode()
    assert "You replied" in page and "posted the GP" in page
    told = [message for message in mail.outbox if message.to == ["caseworker@example.gov.uk"]]
    assert len(told) == 1
    assert asked.reference in told[0].subject
    assert "posted the GP" not in told[0].body  # the reply stays behind staff sign-in
    assert f"/staff/cases/{asked.reference}/" in told[0].body
    # Staff see it on the case page; the resident's messages do not list the staff email.
    staff_page = sign_in(Client(), staff_user).get(
        reverse("backoffice:case", args=[asked.reference])
    )
    assert "The resident replied" in staff_page.content.decode()
    assert "by the resident" in staff_page.content.decode()
    assert "posted the GP" in staff_page.content.decode()
    assert "The resident replied: " not in page


def test_with_no_assignee_the_team_is_told(
    ann_client, asked, council, django_capture_on_commit_callbacks
):
    team = Team.objects.create(organisation=council, slug="badges", name="Badges")
    member = Membership.objects.create(
        organisation=council, user=User.objects.create_user(email="badges@example.gov.uk")
    )
    member.teams.add(team)
    asked.team = team
    asked.save(update_fields=["team"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ann_client.post(reverse("my_requests:reply", args=[asked.reference]), {"reply": "Sent."})

    assert [m.to for m in mail.outbox if "replied" in m.subject] == [["badges@example.gov.uk"]]


@pytest.mark.parametrize(
    ("reply", "error"), [("   ", "Enter your reply"), ("x" * 5001, "5000 characters")]
)
def test_an_empty_or_long_reply_is_refused_with_a_message(ann_client, asked, reply, error):
    response = ann_client.post(
        reverse("my_requests:reply", args=[asked.reference]), {"reply": reply}
    )

    assert response.status_code == 400
    assert error in response.content.decode()
    assert "Error:" in response.content.decode()  # the title says so


def test_withdrawing_asks_first_then_closes_the_case_on_the_timeline(
    ann_client, ann, blue_badge, staff_user
):
    case = owned(make_case(blue_badge, email="ann@example.org"), ann)
    url = reverse("my_requests:withdraw", args=[case.reference])

    confirm = ann_client.get(url)
    case.refresh_from_db()
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    assert case.is_open

    response = ann_client.post(url)

    case.refresh_from_db()
    assert response.status_code == 302
    assert case.status == "withdrawn" and not case.is_open
    event = case.events.get(kind=CaseEvent.Kind.STATUS_CHANGED)
    assert event.actor is None and event.payload["withdrawn_by"] == "resident"
    page = ann_client.get(reverse("my_requests:detail", args=[case.reference])).content.decode()
    assert "Closed: withdrawn" in page
    assert "Withdraw this request" not in page
    staff_page = sign_in(Client(), staff_user).get(
        reverse("backoffice:case", args=[case.reference])
    )
    assert "(withdrawn by the resident)" in staff_page.content.decode()


def test_a_request_whose_workflow_has_no_withdrawal_cannot_be_withdrawn(
    ann_client, ann, fly_tipping
):
    case = owned(submitted_case(fly_tipping), ann)

    page = ann_client.get(reverse("my_requests:detail", args=[case.reference]))
    refused = ann_client.post(reverse("my_requests:withdraw", args=[case.reference]))

    case.refresh_from_db()
    assert "Withdraw this request" not in page.content.decode()
    assert refused.status_code == 409
    assert "cannot withdraw" in refused.content.decode()
    assert case.is_open


def test_a_closed_request_cannot_be_withdrawn_again(ann_client, ann, blue_badge):
    case = owned(make_case(blue_badge, email="ann@example.org"), ann)
    ann_client.post(reverse("my_requests:withdraw", args=[case.reference]))

    again = ann_client.post(reverse("my_requests:withdraw", args=[case.reference]))

    assert again.status_code == 409
    assert case.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED).count() == 1


def test_updates_about_one_request_stop_and_start(ann_client, ann, fly_tipping):
    case = owned(submitted_case(fly_tipping), ann)
    url = reverse("my_requests:updates", args=[case.reference])

    ann_client.post(url, {"updates": "off"})
    case.refresh_from_db()
    assert case.updates_stopped_at is not None
    assert (
        "Start updates about this request"
        in ann_client.get(reverse("my_requests:detail", args=[case.reference])).content.decode()
    )

    ann_client.post(url, {"updates": "on"})
    case.refresh_from_db()
    assert case.updates_stopped_at is None


def test_a_request_without_an_email_starts_updates_to_the_accounts_address(
    ann_client, ann, blue_badge, staff_user
):
    case = owned(make_case(blue_badge, channel="phone", actor=staff_user), ann)
    ann_client.post(reverse("my_requests:updates", args=[case.reference]), {"updates": "off"})

    ann_client.post(reverse("my_requests:updates", args=[case.reference]), {"updates": "on"})

    case.refresh_from_db()
    assert case.contact_email == "ann@example.org"
    assert case.updates_stopped_at is None


def test_a_tampered_updates_form_gets_a_message(ann_client, ann, fly_tipping):
    case = owned(submitted_case(fly_tipping), ann)

    one = ann_client.post(reverse("my_requests:updates", args=[case.reference]), {"updates": "x"})
    every = ann_client.post(reverse("my_requests:updates-all"), {})

    assert one.status_code == 400 and "Choose whether to get updates" in one.content.decode()
    assert every.status_code == 400 and "Choose whether to get updates" in every.content.decode()


def test_updates_about_every_open_request_stop_and_start(ann_client, ann, fly_tipping, bob):
    mine = [owned(submitted_case(fly_tipping), ann) for _ in range(2)]
    theirs = owned(submitted_case(fly_tipping), bob)

    ann_client.post(reverse("my_requests:updates-all"), {"updates": "off"})

    for case in [*mine, theirs]:
        case.refresh_from_db()
    assert all(case.updates_stopped_at is not None for case in mine)
    assert theirs.updates_stopped_at is None

    ann_client.post(reverse("my_requests:updates-all"), {"updates": "on"})
    for case in mine:
        case.refresh_from_db()
    assert all(case.updates_stopped_at is None for case in mine)


def _draft(service, user, answers=None) -> Draft:
    draft = draft_start(service_version=service.published_version)
    draft_save_answers(draft=draft, answers=answers or {"waste_type": "furniture"})
    draft.resident = user
    draft.save(update_fields=["resident"])
    return draft


def test_unfinished_applications_are_listed_with_continue_and_delete(ann_client, ann, fly_tipping):
    draft = _draft(fly_tipping, ann)
    sent = _draft(fly_tipping, ann, FLY_TIPPING_ANSWERS)
    case_submit(draft=sent)

    text = ann_client.get(reverse("my_requests:drafts")).content.decode()

    assert reverse("my_requests:draft-continue", args=[draft.pk]) in text
    assert reverse("my_requests:draft-delete", args=[draft.pk]) in text
    assert str(sent.pk) not in text  # sent: no longer unfinished


def test_continuing_takes_the_resident_back_into_their_answers(ann_client, ann, fly_tipping):
    draft = _draft(fly_tipping, ann)

    response = ann_client.get(reverse("my_requests:draft-continue", args=[draft.pk]), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[0][0].startswith(f"/services/{fly_tipping.slug}/resume/")
    assert "/questions/" in response.redirect_chain[-1][0]


def test_deleting_asks_first_then_deletes_the_draft_and_its_files(
    ann_client, ann, fly_tipping, django_capture_on_commit_callbacks
):
    draft = _draft(fly_tipping, ann)
    attachment = Attachment(
        draft=draft, filename="a.png", content_type="image/png", size=3, created_at=timezone.now()
    )
    attachment.file.save("x", ContentFile(b"png"), save=False)
    attachment.save()
    storage, name = attachment.file.storage, str(attachment.file.name)
    url = reverse("my_requests:draft-delete", args=[draft.pk])

    assert "Are you sure" in ann_client.get(url).content.decode()
    assert Draft.objects.filter(pk=draft.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = ann_client.post(url)

    assert response.status_code == 302
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not storage.exists(name)


def test_replies_are_limited_so_staff_cannot_be_flooded(ann_client, asked):
    from townhall.residents.request_views import REPLY_LIMIT

    url = reverse("my_requests:reply", args=[asked.reference])
    for number in range(REPLY_LIMIT):
        assert ann_client.post(url, {"reply": f"Reply {number}"}).status_code == 302

    refused = ann_client.post(url, {"reply": "One more"})

    assert refused.status_code == 429
    assert "many replies in a short while" in refused.content.decode()
    assert asked.events.filter(kind=CaseEvent.Kind.RESIDENT_REPLIED).count() == REPLY_LIMIT


def test_with_no_one_assigned_and_no_team_the_councils_address_is_told(
    ann_client, asked, council, django_capture_on_commit_callbacks
):
    council.contact_email = "contact@example.gov.uk"
    council.save(update_fields=["contact_email"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ann_client.post(reverse("my_requests:reply", args=[asked.reference]), {"reply": "Sent."})

    assert [m.to for m in mail.outbox if "replied" in m.subject] == [["contact@example.gov.uk"]]
