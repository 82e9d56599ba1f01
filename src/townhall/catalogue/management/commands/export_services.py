"""`townhall export_services --organisation SLUG`: write service definitions to files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.catalogue import transfer
from townhall.tenancy.commands import organisation_for


class Command(BaseCommand):
    help = (
        "Export a council's service definitions, each to <slug>.yaml (or .json) in a "
        "folder, or one service's to standard output. The files import back unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisation", required=True, help="The slug of the council to export."
        )
        parser.add_argument("--output", type=Path, help="The folder to write to (made if missing).")
        parser.add_argument("--service", help="Export only the service with this slug.")
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")
        parser.add_argument(
            "--latest",
            action="store_true",
            help="Export each service's newest version, even a draft, not the published one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_for(options["organisation"])
        slug, latest, fmt = options["service"], options["latest"], options["format"]
        if options["output"] is None:
            if slug is None:
                raise CommandError("Give --output DIR to export every service, or --service SLUG")
            self.stdout.write(self._one(organisation, slug, latest=latest, fmt=fmt), ending="")
            return
        written, skipped = transfer.services_export(
            organisation=organisation,
            directory=Path(options["output"]),
            fmt=fmt,
            slug=slug,
            latest=latest,
        )
        if slug is not None and not written:
            raise CommandError(self._missing(organisation, slug))
        for service in skipped:
            self.stderr.write(f"{service.slug}: skipped, no published version (see --latest)")
        for path in written:
            self.stdout.write(str(path))
        self.stdout.write(self.style.SUCCESS(f"Exported {len(written)} service(s)."))

    def _one(self, organisation: Any, slug: str, *, latest: bool, fmt: transfer.Format) -> str:
        found = list(transfer.export_versions(organisation=organisation, slug=slug, latest=latest))
        if not found or found[0][1] is None:
            raise CommandError(self._missing(organisation, slug))
        return transfer.definition_dump(found[0][1].definition, fmt=fmt)

    def _missing(self, organisation: Any, slug: str) -> str:
        if not organisation.services.filter(slug=slug).exists():
            return f"{organisation.name} has no service with the slug {slug!r}"
        return f"{slug!r} has no published version to export (use --latest for the newest)"
