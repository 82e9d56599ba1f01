from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from townhall.cases import services
from townhall.cases.factories import submitted_case
from townhall.cases.models import Attachment, Draft
from townhall.cases.services import draft_start


def test_abandoned_drafts_and_their_files_are_deleted(
    fly_tipping, django_capture_on_commit_callbacks
):
    kept_case = submitted_case(fly_tipping)
    old = draft_start(service_version=fly_tipping.published_version)
    recent = draft_start(service_version=fly_tipping.published_version)
    upload = Attachment(
        draft=old, filename="a.png", content_type="image/png", size=3, created_at=timezone.now()
    )
    upload.file.save("a", ContentFile(b"png"), save=False)
    upload.save()
    stored = str(upload.file.name)
    Draft.objects.filter(pk__in=[old.pk, kept_case.draft.pk]).update(
        updated_at=timezone.now() - timedelta(days=40)
    )
    out = io.StringIO()
    call_command("drafts_purge", "--dry-run", stdout=out)
    assert "1 abandoned draft(s) would be deleted" in out.getvalue()
    assert Draft.objects.filter(pk=old.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("drafts_purge", stdout=io.StringIO())
    assert not Draft.objects.filter(pk=old.pk).exists()
    assert Draft.objects.filter(pk=recent.pk).exists()
    assert Draft.objects.filter(pk=kept_case.draft.pk).exists()  # sent: kept with its case
    assert not Attachment.objects.filter(pk=upload.pk).exists()
    assert not upload.file.storage.exists(stored)


def test_drafts_are_purged_in_batches_each_with_its_files(
    fly_tipping, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "PURGE_BATCH", 2)
    old = [draft_start(service_version=fly_tipping.published_version) for _ in range(5)]
    uploads = []
    for draft in old:
        upload = Attachment(
            draft=draft,
            filename="a.png",
            content_type="image/png",
            size=3,
            created_at=timezone.now(),
        )
        upload.file.save("a", ContentFile(b"png"), save=False)
        upload.save()
        uploads.append(upload)
    Draft.objects.update(updated_at=timezone.now() - timedelta(days=40))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.drafts_purge(older_than=timedelta(days=30)) == 5
    assert not Draft.objects.exists() and not Attachment.objects.exists()
    assert not any(u.file.storage.exists(str(u.file.name)) for u in uploads)
