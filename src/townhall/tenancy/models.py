"""Councils (organisations), the sites residents reach them through, and staff."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, for example #005ea5.")
)


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
            _(
                "White text on %(colour)s has a contrast of %(ratio).1f:1; it needs at least "
                "4.5:1 (WCAG 2.2 AA). Choose a darker colour."
            ),
            params={"colour": colour, "ratio": ratio},
        )


reference_prefix = RegexValidator(
    r"^[A-Z]{2,5}$", _("Use 2 to 5 capital letters, for example EXA.")
)


def english_only() -> list[str]:
    """The languages a new site offers: the one every text falls back to."""
    return [settings.LANGUAGE_CODE]


def offered_languages(value: object) -> None:
    """A site's languages: codes from LANGUAGES, always with the fallback language."""
    known = {code for code, _name in settings.LANGUAGES}
    if (
        not isinstance(value, list)
        or not all(isinstance(code, str) and code in known for code in value)
        or settings.LANGUAGE_CODE not in value
    ):
        raise ValidationError(
            _("Choose the languages from the list; English is always offered."),
            code="languages",
        )


class Organisation(models.Model):
    """A council. Every row that belongs to a council points here."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=5,
        unique=True,
        validators=[reference_prefix],
        help_text=_("Starts every case reference, for example EXA-2026-12345678."),
    )
    gss_code = models.CharField(_("GSS code"), max_length=9, blank=True)
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#1d70b8", validators=[readable_with_white_text]
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    require_two_factor = models.BooleanField(
        _("staff need a second factor"),
        default=True,
        help_text=_(
            "Staff sign in with a password and a code from an authenticator app. "
            "Switching this off is recorded in the audit log."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("council")
        verbose_name_plural = _("councils")

    def __str__(self) -> str:
        return self.name


class SiteQuerySet(models.QuerySet["Site"]):
    def for_host(self, host: str) -> Site | None:
        hostname = host.split(":", 1)[0].lower()
        return self.filter(host=hostname).first() or self.filter(is_default=True).first()


class Site(models.Model):
    """A host name residents visit, showing the services of the councils it covers."""

    host = models.CharField(_("host name"), max_length=253, unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisations = models.ManyToManyField(
        Organisation, related_name="sites", verbose_name=_("councils")
    )
    is_default = models.BooleanField(
        _("default site"),
        default=False,
        help_text=_("Answer for host names no other site claims."),
    )
    public_url = models.URLField(
        _("public address"),
        blank=True,
        help_text=_(
            "The address residents use, for links in emails, for example "
            "https://services.example.gov.uk. Empty: TOWNHALL_PUBLIC_URL."
        ),
    )
    languages = models.JSONField(
        _("languages"),
        default=english_only,
        validators=[offered_languages],
        help_text=_(
            "The languages residents can choose on this site. A site for a council "
            "in Wales offers Welsh."
        ),
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
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

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="teams", verbose_name=_("council")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=120)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="team_slug_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A staff member's place in a council. Staff see only their council's data."""

    class Role(models.TextChoices):
        """What a member of staff does; what each may do is in `tenancy.permissions`."""

        ADVISER = "adviser", _("Adviser (contact centre)")
        CASEWORKER = "caseworker", _("Caseworker")
        TEAM_MANAGER = "team_manager", _("Team manager")
        SERVICE_DESIGNER = "service_designer", _("Service designer")
        ORGANISATION_ADMIN = "organisation_admin", _("Organisation admin")
        ANALYST = "analyst", _("Analyst")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("council"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.CASEWORKER)
    teams = models.ManyToManyField(
        Team,
        blank=True,
        related_name="members",
        verbose_name=_("teams"),
        help_text=_("The teams whose cases are this person's team's queue."),
    )

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return _("%(user)s at %(council)s") % {"user": self.user, "council": self.organisation}
