"""`townhall import_services PATH --organisation SLUG`: import service definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from townhall.catalogue import transfer
from townhall.catalogue.engine.definition import DefinitionError
from townhall.tenancy.commands import organisation_for


class Command(BaseCommand):
    help = (
        "Import service definitions (a .yaml, .yml or .json file, or a folder of them) "
        "for a council, all or nothing: if any file is invalid, nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A definition file, or a folder of them.")
        parser.add_argument(
            "--organisation", required=True, help="The slug of the council to import for."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; write nothing."
        )
        parser.add_argument(
            "--draft", action="store_true", help="Store new versions as drafts, unpublished."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_for(options["organisation"])
        try:
            definitions = transfer.definitions_read(transfer.definition_paths(options["path"]))
            plan = transfer.services_import(
                organisation=organisation,
                definitions=definitions,
                publish=not options["draft"],
                dry_run=options["dry_run"],
            )
        except (transfer.TransferError, DefinitionError) as error:
            raise CommandError("\n".join([*error.problems, _("Nothing was imported.")])) from error
        for step in plan:
            self.stdout.write(f"{step.name}: {step.slug}: {step.describe()}")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        else:
            changed = sum(step.change is not transfer.Change.UNCHANGED for step in plan)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Imported {len(plan)} definition(s) for {organisation.name}: "
                    f"{changed} new version(s)."
                )
            )
