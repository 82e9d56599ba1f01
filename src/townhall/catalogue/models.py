"""Services a council offers, each a series of versioned definitions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.catalogue.engine.languages import active_language
from townhall.catalogue.engine.registry import definition_for_version
from townhall.catalogue.fields import OrderedJSONField
from townhall.tenancy.models import Organisation


class Audience(models.TextChoices):
    ANYONE = "anyone", _("Anyone")
    SIGNED_IN = "signed_in", _("Signed-in residents")
    STAFF = "staff", _("Staff only")


class ServiceQuerySet(models.QuerySet["Service"]):
    def for_organisation(self, organisation: Organisation) -> ServiceQuerySet:
        return self.filter(organisation=organisation)

    def published(self) -> ServiceQuerySet:
        return self.filter(is_active=True, published_version__isnull=False)

    def for_residents(self) -> ServiceQuerySet:
        """Published services anyone may use online (not staff-only ones)."""
        return self.published().filter(audience=Audience.ANYONE)

    def online(self) -> ServiceQuerySet:
        """Published services offered on the front door: those open to anyone
        and those for signed-in residents (never staff-only ones)."""
        return self.published().filter(audience__in=[Audience.ANYONE, Audience.SIGNED_IN])


class Service(models.Model):
    """One council's service. What it asks and does lives in its versions."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    summary = models.CharField(max_length=500)
    category = models.CharField(max_length=120, default="Other services")
    # Other words residents search for it by, from the published definition.
    keywords = models.CharField(max_length=2500, blank=True, default="")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.ANYONE)
    is_active = models.BooleanField(default=True)
    published_version = models.ForeignKey(
        "ServiceVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="service_slug_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def needs_sign_in(self) -> bool:
        """Whether only a signed-in resident with a confirmed email may use it online."""
        return self.audience == Audience.SIGNED_IN


class ServiceVersion(models.Model):
    """An immutable snapshot of a service definition. Cases keep the version
    they were submitted under, so publishing a change never rewrites history."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    definition = OrderedJSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["service", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="version_number_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.service.name} v{self.number}"

    @property
    def parsed(self) -> ServiceDefinition:
        """The definition in the active language (English where it has no text in it)."""
        return self.parsed_in(active_language())

    def parsed_in(self, language: str) -> ServiceDefinition:
        """The definition with its text in `language`, such as a case's own."""
        key = (self.pk, self.created_at) if self.pk else None
        frozen = self.status != self.Status.DRAFT
        return definition_for_version(key, self.definition, frozen=frozen, language=language)
