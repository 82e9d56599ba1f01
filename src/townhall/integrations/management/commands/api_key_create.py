"""`townhall api_key_create --organisation SLUG --name NAME [--scope read|write|admin]`:
make an API key for one integration and print it once, on its own line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from townhall.integrations.keys import api_key_create
from townhall.integrations.models import ApiKey
from townhall.tenancy.commands import organisation_for


class Command(BaseCommand):
    help = (
        "Make an API key for one of a council's integrations and print it once on its own "
        "line; only a hash is kept, so it cannot be shown again."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organisation", required=True, metavar="SLUG")
        parser.add_argument("--name", required=True, help="Who will use it, e.g. 'Highways'.")
        parser.add_argument(
            "--scope",
            choices=ApiKey.Scope.values,
            default=ApiKey.Scope.READ,
            help="read (the default), write (also create and update cases) or admin.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_for(options["organisation"])
        try:
            new = api_key_create(
                organisation=organisation, name=options["name"], scope=options["scope"]
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stderr.write(
            f"API key {new.api_key.prefix} ({new.api_key.scope}) for {organisation.name}, "
            f"“{new.api_key.name}”. Keep it secret: it is not shown again."
        )
        self.stdout.write(new.key)
