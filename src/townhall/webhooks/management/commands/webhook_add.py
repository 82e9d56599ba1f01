"""`townhall webhook_add --organisation SLUG --url URL [--events ...]`: subscribe
an endpoint to a council's events and print its signing secret, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.tenancy.commands import organisation_for
from townhall.webhooks.payloads import EVENT_TYPES
from townhall.webhooks.services import EndpointRefused, endpoint_add


class Command(BaseCommand):
    help = (
        "Subscribe a URL to a council's events (all of them unless --events names some) "
        "and print the secret its requests are signed with. The secret is not shown again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="The council's slug.")
        parser.add_argument("--url", required=True, help="Where to POST the events.")
        parser.add_argument(
            "--events",
            nargs="+",
            metavar="EVENT",
            help=f"The event types to send (default: all): {', '.join(EVENT_TYPES)}.",
        )
        parser.add_argument("--description", default="", help="A note for staff.")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_for(options["organisation"])
        events = [
            name.strip() for value in options["events"] or [] for name in value.split(",") if name
        ]
        try:
            endpoint = endpoint_add(
                organisation=organisation,
                url=options["url"],
                events=events or None,
                description=options["description"],
            )
        except EndpointRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Endpoint {endpoint.pk} added for {organisation.name}: {endpoint.url}")
        self.stdout.write(f"Events: {', '.join(endpoint.events)}")
        self.stdout.write(f"Signing secret (shown once, keep it now): {endpoint.secret}")
