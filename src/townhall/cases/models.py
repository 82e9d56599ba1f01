"""Cases: what residents submitted, where each stands, and what happened to it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models.functions import Upper
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
    # A signed-in resident's draft, listed in their account.
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="drafts",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Draft {self.id}"


class PostgresOnlyGinIndex(GinIndex):
    """A GIN index on PostgreSQL; nothing on SQLite, which has no GIN (search
    there reads the column, see `cases.search`)."""

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return "SELECT 1"
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model: Any, schema_editor: Any, **kwargs: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return "SELECT 1"
        return super().remove_sql(model, schema_editor, **kwargs)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class UpdatesBy(models.TextChoices):
    """How a resident hears about their case: the outbox channels a person reads."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")
    NONE = "none", _("No updates")


class CaseQuerySet(models.QuerySet["Case"]):
    """The vocabulary of queues: `Case.objects.for_organisation(org).open()
    .for_team(team).overdue(now)`. Every staff read starts with
    `for_organisation`; `cases.queues` builds the queues from these."""

    def for_organisation(self, organisation: Organisation) -> CaseQuerySet:
        return self.filter(organisation=organisation)

    def open(self) -> CaseQuerySet:
        return self.filter(is_open=True)

    def closed(self) -> CaseQuerySet:
        return self.filter(is_open=False)

    def overdue(self, now: datetime) -> CaseQuerySet:
        return self.open().filter(due_at__lt=now)

    def assigned_to(self, user: object) -> CaseQuerySet:
        return self.filter(assignee=user)

    def unassigned(self) -> CaseQuerySet:
        return self.filter(assignee__isnull=True)

    def for_teams(self, teams: list[Team]) -> CaseQuerySet:
        return self.filter(team__in=teams)


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
    # The point of its first location answer, copied out of the answers so
    # "open cases near here" is an indexed range query (cases.nearby for
    # residents, cases.near_me for staff); cleared when personal data goes.
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
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
    # The SLA clock stops while the council waits on the resident (a state
    # that `asks_resident`) and starts again with what was left: `cases.sla_clock`.
    sla_paused_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the SLA clock stopped to wait on the resident.")
    )
    sla_days_left = models.SmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Days the council had left when the clock stopped (below 0: overdue by)."),
    )
    sla_days_are_working = models.BooleanField(
        default=True, help_text=_("Whether those days are working days.")
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
    # The resident whose request it is, when they have an account: set when a
    # signed-in resident sends it, or when their verified email links it later.
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Caseworking (see cases.casework): who has it, how urgent, a version for
    # optimistic locking, the case it duplicates.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    version = models.PositiveIntegerField(
        default=1, help_text=_("Goes up with every change staff make: two never overwrite.")
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # How staff find the resident again (see cases.search): normalised copies
    # of what the answers hold, and the free text that full-text search reads.
    search_email = models.CharField(max_length=254, blank=True)
    search_phone = models.CharField(max_length=20, blank=True)
    search_postcode = models.CharField(max_length=10, blank=True)
    search_name = models.CharField(max_length=200, blank=True)
    search_text = models.TextField(blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "is_open", "-created_at"]),
            # Lists newest first (the REST API's and Open311's), by council,
            # service or status.
            models.Index(fields=["organisation", "-created_at", "-id"], name="cases_case_newest"),
            models.Index(
                fields=["service", "-created_at", "-id"], name="cases_case_service_newest"
            ),
            models.Index(
                fields=["organisation", "status", "-created_at", "-id"],
                name="cases_case_status_newest",
            ),
            # Keyset pagination: every queue is ordered by one column and the id.
            models.Index(
                fields=["organisation", "is_open", "created_at", "id"], name="case_open_created"
            ),
            models.Index(
                fields=["organisation", "team", "is_open", "created_at", "id"],
                name="case_team_created",
            ),
            models.Index(
                fields=["organisation", "assignee", "is_open", "created_at", "id"],
                name="case_assignee_created",
            ),
            models.Index(
                fields=["organisation", "due_at", "id"],
                condition=models.Q(is_open=True),
                name="case_open_due",
            ),
            models.Index(
                fields=["organisation", "-closed_at", "-id"],
                condition=models.Q(is_open=False),
                name="case_closed",
            ),
            # Insight's cases open past their due time now, by service:
            # counted from this index alone, however many cases are open.
            models.Index(
                fields=["organisation", "service", "due_at"],
                condition=models.Q(is_open=True),
                name="case_open_due_service",
            ),
            models.Index(fields=["organisation", "-updated_at", "-id"], name="case_updated"),
            models.Index(fields=["organisation", "search_email"], name="case_search_email"),
            models.Index(fields=["organisation", "search_phone"], name="case_search_phone"),
            models.Index(fields=["organisation", "search_postcode"], name="case_search_postcode"),
            models.Index(
                fields=["organisation", "status", "is_open", "service"], name="case_status"
            ),
            models.Index(
                fields=["organisation", "channel", "is_open", "created_at", "id"],
                name="case_channel_created",
            ),
            models.Index(
                fields=["organisation", "priority", "is_open", "created_at", "id"],
                name="case_priority_created",
            ),
            # Cases near a place: open ones with a point, by latitude band.
            models.Index(
                fields=["organisation", "lat", "lon"],
                condition=models.Q(is_open=True, lat__isnull=False),
                name="case_open_place",
            ),
            PostgresOnlyGinIndex(
                SearchVector("search_text", config="simple"), name="case_search_text"
            ),
            # Linking a resident's earlier cases when they verify their email
            # (residents.linking): the cases no account holds yet, by address.
            models.Index(
                Upper("contact_email"),
                condition=models.Q(resident__isnull=True),
                name="case_unlinked_email",
            ),
            # Nearby open cases of one service: a latitude band, then longitude.
            models.Index(
                fields=["service", "lat", "lon"],
                condition=models.Q(is_open=True, lat__isnull=False),
                name="case_open_nearby",
            ),
        ]

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
        ASSIGNED = "assigned", _("Assigned")
        PUBLIC_UPDATE = "public_update", _("Update")
        PRIORITY_CHANGED = "priority_changed", _("Priority changed")
        REOPENED = "reopened", _("Reopened")
        MERGED = "merged", _("Merged as a duplicate")
        TRANSFERRED = "transferred", _("Transferred")
        UPDATES_CHOSEN = "updates_chosen", _("Updates chosen")
        RESIDENT_REPLIED = "resident_replied", _("Resident replied")
        SUPPORTER_ADDED = "supporter_added", _("Another resident has this problem too")
        FIX_CHECKED = "fix_checked", _("The resident said whether it is fixed")
        DETAILS_CHANGED = "details_changed", _("Resident's details changed")
        ACCOUNT_CLOSED = "account_closed", _("Resident closed their account")

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
            ),
            # Insight's first responses and reopenings of a day (insight.rollup).
            models.Index(fields=["kind", "created_at"], name="case_event_kind_created"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the resident's file name never reaches the file system.
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def from_resident(self) -> AttachmentQuerySet:
        """The files the resident sent: never a photo staff added, which only
        staff see."""
        return self.filter(added_by__isnull=True)


class Attachment(models.Model):
    """A file a resident uploaded, held against their draft and then their
    case; or a photo a member of staff added to the case (`added_by`), which
    only staff see."""

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
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "The member of staff who added it (only staff see it); empty for the resident's"
        ),
    )

    objects = AttachmentQuerySet.as_manager()

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
        # Reported a problem someone already had ("I have this problem too"):
        # no new case, demand avoided.
        ME_TOO = "me_too", _("Same problem as an open report (me too)")

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
    client = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("The integration that sent it (its API key's name), for the API channel."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-created_at", "-id"]),
            models.Index(
                fields=["organisation", "channel", "-created_at", "-id"],
                name="cases_contact_channel_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_reason_display()}"


class ExternalUpdate(models.Model):
    """An update another system sent about a case (mySociety's Open311 updates
    extension): kept whether it was applied or refused, so a refusal can be
    looked into and a repeated `update_id` changes nothing twice."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="external_updates")
    update_id = models.CharField(max_length=100)
    client = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=40)
    external_status_code = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(null=True, blank=True, help_text=_("As the sender gave it."))
    accepted = models.BooleanField()
    refusal = models.CharField(max_length=300, blank=True)
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "update_id"],
                condition=models.Q(accepted=True),
                name="cases_external_update_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.update_id}"


class SavedFilter(models.Model):
    """A queue with its filters, saved by a member of staff under a name."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, help_text=_("The queue's query string."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "name"], name="saved_filter_name_per_user"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CaseFollower(models.Model):
    """A member of staff who follows a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="one_follow_per_case")]

    def __str__(self) -> str:
        return f"{self.user} follows {self.case}"


class ResponseTemplate(models.Model):
    """Words staff reuse when they tell a resident about their case, for one
    service (or any) and a status change to one state (or any), with
    ((placeholders)): reference, council_name, service_name, status."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="response_templates"
    )
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="response_templates",
        help_text=_("Empty: for every service."),
    )
    state = models.CharField(
        max_length=60, blank=True, help_text=_("The status it is for; empty: any status.")
    )
    name = models.CharField(max_length=80)
    text = models.TextField(max_length=2000)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class CaseSupporter(models.Model):
    """A resident who has the same problem as an open case and added
    themselves to it ("I have this problem too") instead of reporting it
    again: no new case; they hear of its updates by email until they stop."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supporters")
    email = models.EmailField()
    language = models.CharField(max_length=10, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "email"], name="one_supporter_per_email")
        ]

    def __str__(self) -> str:
        return f"Supporter of {self.case}"


class FixCheck(models.Model):
    """The question "is it really fixed?" put to the reporter of a case closed
    as fixed: answered once, through a link holding this row's id and random
    nonce, signed (`cases.fix_checks`)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="fix_checks")
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    fixed = models.BooleanField(null=True, blank=True)
    follow_up = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Fix check for {self.case}"


class SlaWarning(models.Model):
    """That a case's team managers were told it is about to breach, or has
    breached, its due time: one row per case, kind and due time, so each
    warning goes once, and again only for a new due time (see `cases.sla`)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        BREACHED = "breached", _("Overdue")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_warnings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    due_at = models.DateTimeField(help_text=_("The due time it was about."))
    recipients = models.PositiveSmallIntegerField(
        default=0, help_text=_("How many managers were emailed.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "due_at"], name="one_sla_warning_per_due_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"
