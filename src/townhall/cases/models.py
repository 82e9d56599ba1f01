"""Cases: what residents submitted, where each stands, and what happened to it."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.catalogue.models import Service, ServiceVersion
from townhall.tenancy.models import Organisation, Team


class Channel(models.TextChoices):
    """How a contact reached the council: the basis of channel-shift figures."""

    WEB = "web", _("Online")
    PHONE = "phone", _("Phone")
    FACE_TO_FACE = "face_to_face", _("Face to face")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    SOCIAL_MEDIA = "social_media", _("Social media")
    API = "api", _("API")


# Staff recording a contact say which of these it came by (not web or API).
STAFF_CHANNELS = (
    Channel.PHONE,
    Channel.FACE_TO_FACE,
    Channel.EMAIL,
    Channel.LETTER,
    Channel.SOCIAL_MEDIA,
)
# A contact's duration is recorded for these: time staff spent with the resident.
TIMED_CHANNELS = frozenset({Channel.PHONE, Channel.FACE_TO_FACE})


class Draft(models.Model):
    """Answers a resident has given so far, before they submit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service_version = models.ForeignKey(ServiceVersion, on_delete=models.CASCADE)
    answers = models.JSONField(default=dict)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(
        max_length=10, default="en", help_text=_("The language the resident started in (en, cy).")
    )
    case = models.OneToOneField(
        "Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Draft {self.id}"


class UpdatesBy(models.TextChoices):
    """How a resident hears about their case: the outbox channels a person reads."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")
    NONE = "none", _("No updates")


class CaseQuerySet(models.QuerySet["Case"]):
    def for_organisation(self, organisation: Organisation) -> CaseQuerySet:
        return self.filter(organisation=organisation)

    def open(self) -> CaseQuerySet:
        return self.filter(is_open=True)

    def overdue(self, now: datetime) -> CaseQuerySet:
        return self.open().filter(due_at__lt=now)


class Case(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    service_version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=24, unique=True)
    status = models.CharField(max_length=60)
    is_open = models.BooleanField(default=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    language = models.CharField(
        max_length=10, default="en", help_text=_("The language the resident sent it in (en, cy).")
    )
    answers = models.JSONField()
    area_codes = models.JSONField(
        default=list,
        blank=True,
        help_text=_("The codes of the areas its location lies in (ward, district, county)."),
    )
    summary = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    # For updates by text message or letter (a caller without email), and for
    # tracking by reference and phone number or postcode.
    contact_phone = models.CharField(max_length=20, blank=True, default="")
    contact_address = models.TextField(blank=True, default="")
    contact_postcode = models.CharField(max_length=10, blank=True, default="")
    updates_by = models.CharField(
        max_length=10,
        choices=UpdatesBy.choices,
        blank=True,
        default="",
        help_text=_("How the resident chose to hear about it. Empty: by email, if given."),
    )
    updates_stopped_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the resident asked for no more updates.")
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    due_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the SLA expects it done.")
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    redacted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When personal data was removed at the end of retention."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "is_open", "-created_at"])]

    def __str__(self) -> str:
        return self.reference


class CaseEvent(models.Model):
    """Something that happened to a case: one line of its timeline, written in
    the same transaction as the change, and the record its subscribers (the
    resident's email, later webhooks and others) react to once it commits.
    See `cases.events`."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        STATUS_CHANGED = "status_changed", _("Status changed")
        NOTE = "note", _("Note")
        CONTACT_LOGGED = "contact_logged", _("Contact logged")
        UPDATES_CHOSEN = "updates_chosen", _("Updates chosen")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=60, blank=True)
    to_status = models.CharField(max_length=60, blank=True)
    public_message = models.TextField(blank=True)
    internal_note = models.TextField(blank=True)
    payload = models.JSONField(
        default=dict, blank=True, help_text="What else the event's subscribers need to know."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Dispatch to subscribers, after commit: which have handled it, how many
    # tries, and when every subscriber had.
    handled_by = models.JSONField(default=list, blank=True)
    dispatch_attempts = models.PositiveSmallIntegerField(default=0)
    last_dispatch_at = models.DateTimeField(null=True, blank=True)
    dispatch_error = models.CharField(max_length=200, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(dispatched_at__isnull=True),
                name="cases_event_undispatched",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the resident's file name never reaches the file system.
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file a resident uploaded, held against their draft and then their case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    draft = models.ForeignKey(
        Draft, null=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    case = models.ForeignKey(Case, null=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.filename


class ContactQuerySet(models.QuerySet["Contact"]):
    def for_organisation(self, organisation: Organisation) -> ContactQuerySet:
        return self.filter(organisation=organisation)


class Contact(models.Model):
    """One time a resident got in touch, by any channel, whether or not it
    made or concerned a case: what channel-shift figures count. A web or API
    submission writes one with its case (`services.case_open`); staff log the
    others (`contacts.contact_log`)."""

    class Reason(models.TextChoices):
        NEW_REQUEST = "new_request", _("New request")
        PROGRESS_CHASING = "progress_chasing", _("Chasing progress")
        COMPLAINT = "complaint", _("Complaint")
        GENERAL_ENQUIRY = "general_enquiry", _("General enquiry")
        SIGNPOSTED = "signposted", _("Signposted elsewhere")

    class Outcome(models.TextChoices):
        CASE_OPENED = "case_opened", _("Case opened")
        RESOLVED = "resolved", _("Resolved at first contact")
        CASE_UPDATED = "case_updated", _("Existing case updated or explained")
        REFERRED = "referred", _("Referred to another team or organisation")
        NO_ACTION = "no_action", _("No action needed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contacts"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    avoidable = models.BooleanField(
        null=True, blank=True, help_text=_("Whether the resident need not have got in touch.")
    )
    duration_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Phone and face to face only.")
    )
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_reason_display()}"
