"""Areas (boundaries with a type and a GSS code) and postcodes.

Geometries are GeoJSON text, so Townhall needs no spatial database; the
bounding-box columns let SQL narrow a point lookup to a few candidates before
shapely tests the shapes (see `lookup.py`).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaType(models.TextChoices):
    """The kinds of area ONS publishes. Any other slug is a custom type (a waste round)."""

    COUNTY = "county", _("County")
    DISTRICT = "district", _("District")
    UNITARY = "unitary", _("Unitary authority")
    METROPOLITAN_DISTRICT = "metropolitan-district", _("Metropolitan district")
    LONDON_BOROUGH = "london-borough", _("London borough")
    WARD = "ward", _("Ward")
    PARISH = "parish", _("Parish")


area_type_slug = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Use lower-case letters, digits and single hyphens, for example waste-round."),
)


class Area(models.Model):
    """A boundary: a council's area, a ward, a parish or a custom area such as a waste round."""

    type = models.CharField(_("type"), max_length=50, validators=[area_type_slug])
    code = models.CharField(
        _("code"), max_length=20, help_text=_("The GSS code, or the code the file gave it.")
    )
    name = models.CharField(_("name"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "tenancy.Organisation",
        verbose_name=_("council"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="areas",
    )
    geometry = models.TextField(_("geometry (GeoJSON)"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["type", "code"]
        constraints = [
            models.UniqueConstraint(fields=["type", "code"], name="places_area_unique_code"),
        ]
        indexes = [
            models.Index(
                fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="places_area_bbox"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def type_label(self) -> str:
        """The type's name for people; a custom type shows its slug."""
        try:
            return str(AreaType(self.type).label)
        except ValueError:
            return self.type


class AreaSetVersion(models.Model):
    """One row whose number goes up whenever any area changes.

    Every process compares it with the number its geometry cache was built
    for, so an import in one process empties the caches of all the others.
    """

    number = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("version of the areas")

    def __str__(self) -> str:
        return str(self.number)


class Postcode(models.Model):
    """A postcode from the ONS Postcode Directory: where it is and the areas ONS puts it in."""

    postcode = models.CharField(_("postcode"), max_length=8, unique=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    terminated_on = models.DateField(
        _("terminated"), null=True, blank=True, help_text=_("When the postcode went out of use.")
    )
    county_code = models.CharField(_("county code"), max_length=9, blank=True)
    district_code = models.CharField(_("district code"), max_length=9, blank=True)
    ward_code = models.CharField(_("ward code"), max_length=9, blank=True)
    parish_code = models.CharField(_("parish code"), max_length=9, blank=True)

    class Meta:
        verbose_name = _("postcode")
        verbose_name_plural = _("postcodes")
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode

    @property
    def terminated(self) -> bool:
        return self.terminated_on is not None


class RoutingRuleQuerySet(models.QuerySet["RoutingRule"]):
    def for_organisation(self, organisation: object) -> RoutingRuleQuerySet:
        """The rows a council owns: those naming it as responsible."""
        return self.filter(organisation=organisation)


class RoutingRule(models.Model):
    """One row of the routing table: in `area`, the service (by slug, or by
    LGSL code for every slug that carries it) is `organisation`'s, handled by
    `team` if one is named. A row belongs to the council it names, which
    alone may change it."""

    service_slug = models.SlugField(_("service"), max_length=100, blank=True)
    lgsl = models.PositiveIntegerField(_("LGSL code"), null=True, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("area")
    )
    organisation = models.ForeignKey(
        "tenancy.Organisation",
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("council"),
    )
    team = models.ForeignKey(
        "tenancy.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("team"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["service_slug", "lgsl", "area__type", "area__code"]
        permissions = [
            ("view_every_council_routing", "Can see every council's routing rows and gaps"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (models.Q(service_slug="") & models.Q(lgsl__isnull=False))
                    | (~models.Q(service_slug="") & models.Q(lgsl__isnull=True))
                ),
                name="places_routing_slug_or_lgsl",
            ),
            models.UniqueConstraint(
                fields=["service_slug", "area"],
                condition=models.Q(lgsl__isnull=True),
                name="places_routing_one_slug_per_area",
            ),
            models.UniqueConstraint(
                fields=["lgsl", "area"],
                condition=models.Q(service_slug=""),
                name="places_routing_one_lgsl_per_area",
            ),
        ]

    def __str__(self) -> str:
        service = self.service_slug or f"LGSL {self.lgsl}"
        return f"{service} in {self.area.name}: {self.organisation}"
