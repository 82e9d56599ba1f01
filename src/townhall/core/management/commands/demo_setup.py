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
from townhall.places.demo import demo_place_load
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
        postcodes = demo_place_load(organisation=council)
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
            state = "  (no longer in use)" if postcode.terminated else ""
            self.stdout.write(
                f"  {postcode.postcode}  {postcode.ward} ward, {postcode.district}{state}"
            )
