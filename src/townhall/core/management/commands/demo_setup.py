"""Set up a demo council with the standard services, a staff login and a
resident's account."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from townhall.accounts.two_factor import demo_authenticator, otpauth_uri, secret_text
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import standard_definitions
from townhall.places.demo import COUNTY, DISTRICTS, demo_place_load
from townhall.places.models import Area, AreaType, RoutingRule
from townhall.residents.identity import resident_for_verified_email
from townhall.tenancy.models import Membership, Organisation, Site, Team

STAFF_USERNAME = "staff@example.gov.uk"
RESIDENT_USERNAME = "resident@example.org"
DEMO_TEAMS = {
    "waste-services": "Waste services",
    "street-scene": "Street scene",
    "highways": "Highways",
    "community-safety": "Community safety",
    "revenues-benefits": "Revenues and benefits",
    "libraries": "Libraries",
    "leisure": "Leisure",
    "electoral-services": "Electoral services",
    "information-governance": "Information governance",
    "customer-services": "Customer services",
    "blue-badges": "Blue badges",
    "complaints": "Complaints",
}
# Exampleshire is two-tier: Example Council is the county, and these district
# councils, on the same site, collect the bins and clear fly-tipping.
DISTRICT_COUNCILS = {
    "Westvale": ("westvale", "Westvale District Council", "WVL", "#4c2c92"),
    "Eastvale": ("eastvale", "Eastvale District Council", "EVL", "#005ea5"),
}
DISTRICT_TEAMS = {"waste-services": "Waste services", "street-scene": "Street scene"}
# The district services, and the district team the routing rows name for each.
DISTRICT_SERVICES = {
    "report-fly-tipping": "street-scene",
    "report-a-missed-bin-collection": "waste-services",
    "order-a-new-or-replacement-bin": "waste-services",
    "book-a-bulky-waste-collection": "waste-services",
}


class Command(BaseCommand):
    help = (
        "Create (or refresh) the Example Council demo: services, a site, a staff login "
        "and a resident account."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="Host name the demo site answers to."
        )
        parser.add_argument("--port", default="8000", help="Port shown in the printed links.")

    def _districts(self, site: Site) -> dict[str, Organisation]:
        """The district councils, on the demo site, with their teams and services."""
        districts = {}
        standard = {definition["slug"]: definition for _path, definition in standard_definitions()}
        for district, (slug, name, prefix, colour) in DISTRICT_COUNCILS.items():
            council, _ = Organisation.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "reference_prefix": prefix,
                    "brand_colour": colour,
                    "contact_email": f"contact@{slug}.example.gov.uk",
                },
            )
            site.organisations.add(council)
            for team, team_name in DISTRICT_TEAMS.items():
                Team.objects.get_or_create(
                    organisation=council, slug=team, defaults={"name": team_name}
                )
            for service in DISTRICT_SERVICES:
                service_import(organisation=council, definition=standard[service])
            districts[district] = council
        return districts

    def _routing(self, county: Organisation, districts: dict[str, Organisation]) -> None:
        """Rows that give the district services to the districts, and potholes to the county,
        even though the county council offers every service on the site."""
        by_code = {code: name for code, name, *_rest in DISTRICTS}
        for area in Area.objects.filter(type=AreaType.DISTRICT, code__in=by_code):
            council = districts[by_code[area.code]]
            teams = {t.slug: t for t in Team.objects.for_organisation(council)}
            for service, team in DISTRICT_SERVICES.items():
                RoutingRule.objects.get_or_create(
                    service_slug=service,
                    lgsl=None,
                    area=area,
                    defaults={"organisation": council, "team": teams.get(team)},
                )
        county_area = Area.objects.get(type=AreaType.COUNTY, code=COUNTY[0])
        RoutingRule.objects.get_or_create(
            service_slug="report-a-pothole",
            lgsl=None,
            area=county_area,
            defaults={
                "organisation": county,
                "team": Team.objects.filter(organisation=county, slug="highways").first(),
            },
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        council, _ = Organisation.objects.get_or_create(
            slug="example",
            defaults={
                "name": "Example Council",
                "reference_prefix": "EXA",
                "brand_colour": "#00703c",
                "contact_email": "contact@example.gov.uk",
            },
        )
        site, _ = Site.objects.get_or_create(
            host=options["host"], defaults={"name": "Example Council", "is_default": True}
        )
        site.public_url = f"http://{options['host']}:{options['port']}"
        site.languages = ["en", "cy"]  # so the demo shows the language switcher
        site.save(update_fields=["public_url", "languages"])
        site.organisations.add(council)
        for slug, name in DEMO_TEAMS.items():
            Team.objects.get_or_create(organisation=council, slug=slug, defaults={"name": name})
        for _path, definition in standard_definitions():
            service_import(organisation=council, definition=definition)

        user_model = get_user_model()
        password = secrets.token_urlsafe(9)
        user, _created = user_model.objects.get_or_create(
            email=STAFF_USERNAME, defaults={"first_name": "Sam", "last_name": "Staff"}
        )
        user.set_password(password)
        user.save()
        membership, _created = Membership.objects.get_or_create(
            user=user, organisation=council, defaults={"role": Membership.Role.ORGANISATION_ADMIN}
        )
        # In every team, so the "My teams" queue shows the demo's cases.
        membership.teams.add(*Team.objects.for_organisation(council))
        # Kept from one start to the next, so a tester's app keeps working.
        authenticator = demo_authenticator(user=user)
        resident_password = secrets.token_urlsafe(12)
        resident = resident_for_verified_email(RESIDENT_USERNAME)
        resident.first_name, resident.last_name = "Rita", "Resident"
        resident.set_password(resident_password)
        resident.save()
        districts = self._districts(site)
        postcodes = demo_place_load(organisation=council, districts=districts)
        self._routing(council, districts)
        services = council.services.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"\nExample Council is ready with {services} service(s).\n"
                f"  Residents: http://{options['host']}:{options['port']}/\n"
                f"  Staff:     http://{options['host']}:{options['port']}/staff/\n"
                f"  Staff sign-in: {STAFF_USERNAME}  password: {password}\n"
                "  (a new password is made each time the demo starts)\n"
                "  Second step: add this to an authenticator app, then enter the code it shows:\n"
                f"    {otpauth_uri(authenticator)}\n"
                f"    (or type the key {secret_text(authenticator)})\n"
                f"  Resident sign-in: http://{options['host']}:{options['port']}/account/\n"
                f"    {RESIDENT_USERNAME}  password: {resident_password}\n"
                "    (email confirmed; or sign in with a code from var/mail/)\n"
                "  Emails to residents are written to var/mail/.\n"
            )
        )
        self.stdout.write(
            "The demo's made-up place, Exampleshire (county) with Westvale and Eastvale "
            "(districts), has postcodes to try:"
        )
        for postcode in [p for i, p in enumerate(postcodes) if i % 8 == 0 or p.terminated]:
            if not postcode.ward:
                continue
            state = "  (no longer in use)" if postcode.terminated else ""
            self.stdout.write(
                f"  {postcode.postcode}  {postcode.ward} ward, {postcode.district}{state}"
            )
        neighbour = next(p for p in postcodes if not p.ward)
        self.stdout.write(
            "One site serves the county (Example Council) and both district councils: "
            "a pothole goes to the county, fly-tipping and missed bins to the district.\n"
            "  Try 'Report fly-tipping' with ZX1 1AA (Westvale) and ZX2 1AE (Eastvale),\n"
            f"  and {neighbour.postcode} ({neighbour.district}), which no demo council serves."
        )
