"""The audit log: who viewed or changed which case and which personal data,
and when. Append-only: an entry is never changed or deleted through the ORM
(the model and its queryset refuse), and on PostgreSQL a trigger refuses it
in the database too (see docs/decisions/0033)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.tenancy.models import Organisation


class AppendOnly(Exception):
    """An audit entry was about to be changed or deleted."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def for_organisation(self, organisation: Organisation) -> AuditEntryQuerySet:
        return self.filter(organisation=organisation)

    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("Audit entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("Audit entries cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnly("Audit entries cannot be changed")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("Audit entries cannot be changed")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        VIEWED_CASE = "viewed_case", _("Viewed the case")
        DOWNLOADED_FILE = "downloaded_file", _("Downloaded a file")
        CHANGED_STATUS = "changed_status", _("Changed the status")
        ADDED_NOTE = "added_note", _("Added an internal note")
        EXPORTED = "exported", _("Exported records")
        CHANGED_SETTING = "changed_setting", _("Changed a council setting")
        ASSIGNED = "assigned", _("Assigned the case")
        CHANGED_PRIORITY = "changed_priority", _("Changed the priority")
        REOPENED = "reopened", _("Reopened the case")
        MERGED = "merged", _("Merged the case as a duplicate")
        TRANSFERRED = "transferred", _("Passed the case to another council")
        FOLLOWED = "followed", _("Followed or stopped following the case")
        CHANGED_UPDATES = "changed_updates", _("Changed how the resident hears")
        RESENT_MESSAGE = "resent_message", _("Sent a message to the resident again")
        RESENT_CASE = "resent_case", _("Sent the case to another system again")
        VIEWED_CONTACTS = "viewed_contacts", _("Viewed the list of contacts")
        RECORDED_CONTACT = "recorded_contact", _("Recorded a contact")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("council")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member of staff"),
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    case_reference = models.CharField(_("case reference"), max_length=40, blank=True)
    personal_data = models.CharField(
        _("personal data"),
        max_length=200,
        blank=True,
        help_text=_("Which of the resident's personal data was shown or changed."),
    )
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["organisation", "-at", "-id"], name="audit_org_at"),
            models.Index(fields=["organisation", "case_reference"], name="audit_org_case"),
            models.Index(fields=["organisation", "actor", "-at"], name="audit_org_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.case_reference}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("Audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("Audit entries cannot be deleted")
