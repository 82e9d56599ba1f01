"""Councils (organisations), the sites residents reach them through, and staff."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #RRGGBB, for example #005ea5.")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of white text on `colour` (#RRGGBB)."""
    return 1.05 / (_luminance(colour) + 0.05)


def readable_with_white_text(colour: str) -> None:
    """The header shows white text on the brand colour: WCAG AA needs 4.5:1."""
    hex_colour(colour)
    ratio = contrast_with_white(colour)
    if ratio < 4.5:
        raise ValidationError(
            f"White text on {colour} has a contrast of {ratio:.1f}:1; it needs at least 4.5:1 "
            "(WCAG 2.2 AA). Choose a darker colour."
        )


reference_prefix = RegexValidator(r"^[A-Z]{2,5}$", "Use 2 to 5 capital letters, for example EXA.")


class Organisation(models.Model):
    """A council. Every row that belongs to a council points here."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    reference_prefix = models.CharField(
        max_length=5,
        unique=True,
        validators=[reference_prefix],
        help_text="Starts every case reference, for example EXA-2026-12345678.",
    )
    gss_code = models.CharField("GSS code", max_length=9, blank=True)
    brand_colour = models.CharField(
        max_length=7, default="#1d70b8", validators=[readable_with_white_text]
    )
    contact_email = models.EmailField(blank=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SiteQuerySet(models.QuerySet["Site"]):
    def for_host(self, host: str) -> Site | None:
        hostname = host.split(":", 1)[0].lower()
        return self.filter(host=hostname).first() or self.filter(is_default=True).first()


class Site(models.Model):
    """A host name residents visit, showing the services of the councils it covers."""

    host = models.CharField(max_length=253, unique=True)
    name = models.CharField(max_length=200)
    organisations = models.ManyToManyField(Organisation, related_name="sites")
    is_default = models.BooleanField(
        default=False, help_text="Answer for host names no other site claims."
    )
    public_url = models.URLField(
        blank=True,
        help_text=(
            "The address residents use, for links in emails, for example "
            "https://services.example.gov.uk. Empty: TOWNHALL_PUBLIC_URL."
        ),
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_site",
            )
        ]

    def __str__(self) -> str:
        return self.host


class TeamQuerySet(models.QuerySet["Team"]):
    def for_organisation(self, organisation: Organisation) -> TeamQuerySet:
        return self.filter(organisation=organisation)


class Team(models.Model):
    """A group of staff that cases are routed to. Service definitions name teams
    by slug, so another council's import routes to its own team of that name."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="team_slug_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A staff member's place in a council. Staff see only their council's data."""

    class Role(models.TextChoices):
        CASEWORKER = "caseworker", "Caseworker"
        MANAGER = "manager", "Manager"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CASEWORKER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation}"
