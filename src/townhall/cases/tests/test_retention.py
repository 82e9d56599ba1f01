from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from townhall.cases.contacts import contact_log
from townhall.cases.factories import submitted_case
from townhall.cases.models import Attachment, Case, Contact
from townhall.cases.services import case_transition
from townhall.catalogue.services import service_import
from townhall.notifications.models import Delivery


def _with_retention(fly_tipping, days):
    definition = dict(fly_tipping.published_version.definition, retention_days=days)
    return service_import(organisation=fly_tipping.organisation, definition=definition).service


def _closed(service, staff_user, *, days_ago):
    case = submitted_case(service)
    case = case_transition(
        case=case, to_status="cleared", actor=staff_user, public_message="Cleared for you, Ada"
    )
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=days_ago))
    return case


def test_personal_data_goes_when_retention_ends(
    fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    service = _with_retention(fly_tipping, 365)
    old = _closed(service, staff_user, days_ago=400)
    recent = _closed(service, staff_user, days_ago=10)
    still_open = submitted_case(service)
    Case.objects.filter(pk=still_open.pk).update(created_at=timezone.now() - timedelta(days=900))
    # version 1 (the standard definition) keeps data for longer than this
    earlier_version = _closed(fly_tipping, staff_user, days_ago=400)
    upload = Attachment(
        case=old, filename="a.png", content_type="image/png", size=3, created_at=timezone.now()
    )
    upload.file.save("a", ContentFile(b"png"), save=False)
    upload.save()
    stored = str(upload.file.name)
    chasing = contact_log(
        organisation=old.organisation,
        channel="phone",
        reason=Contact.Reason.PROGRESS_CHASING,
        outcome=Contact.Outcome.CASE_UPDATED,
        actor=staff_user,
        case=old,
        note="Ada rang from 07700 900982",
    )

    Case.objects.filter(pk=old.pk).update(
        contact_phone="07700900982", contact_address="10 Castle Street", contact_postcode="OX1 1AA"
    )
    out = io.StringIO()
    call_command("cases_redact", "--dry-run", stdout=out)
    assert "1 closed case(s) would have" in out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cases_redact", stdout=io.StringIO())

    old.refresh_from_db()
    assert old.redacted_at is not None
    assert (old.answers, old.contact_email, old.summary) == ({}, "", "")
    assert (old.contact_phone, old.contact_address, old.contact_postcode) == ("", "", "")
    assert not old.events.exclude(public_message="").exists()
    assert not Delivery.objects.filter(case=old).exclude(recipient="").exists()
    assert not Attachment.objects.filter(case=old).exists()
    assert not upload.file.storage.exists(stored)
    chasing.refresh_from_db()
    assert (chasing.note, chasing.reason, chasing.channel) == ("", "progress_chasing", "phone")
    assert (old.status, old.channel, old.reference) == ("cleared", "web", old.reference)
    for kept in (recent, still_open, earlier_version):
        kept.refresh_from_db()
        assert kept.redacted_at is None and kept.contact_email == "resident@example.com"


def test_staff_see_that_a_case_was_redacted(staff_client, fly_tipping, staff_user):
    service = _with_retention(fly_tipping, 30)
    case = _closed(service, staff_user, days_ago=31)
    call_command("cases_redact", stdout=io.StringIO())
    body = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "personal data was removed" in body
    assert "Behind the shops" not in body


def test_redaction_deletes_every_file_uploaded_for_the_case(
    fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    service = _with_retention(fly_tipping, 30)
    case = _closed(service, staff_user, days_ago=31)
    other = _closed(service, staff_user, days_ago=1)
    kept = _upload(case=case)  # kept with the case
    left = _upload(draft=case.draft)  # left on its draft, never the case's
    theirs = _upload(case=other)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("cases_redact", stdout=io.StringIO())
    assert not Attachment.objects.filter(pk__in=[kept.pk, left.pk]).exists()
    assert not kept.file.storage.exists(kept.file.name)
    assert not left.file.storage.exists(left.file.name)
    assert Attachment.objects.filter(pk=theirs.pk).exists()
    assert theirs.file.storage.exists(theirs.file.name)


def _upload(**owner):
    upload = Attachment(
        filename="a.png", content_type="image/png", size=3, created_at=timezone.now(), **owner
    )
    upload.file.save("a", ContentFile(b"png"), save=False)
    upload.save()
    return upload
