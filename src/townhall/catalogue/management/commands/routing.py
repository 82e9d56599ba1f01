"""`townhall routing export|import|check`: the routing table as a CSV file, and its gaps.

It lives in the catalogue because the check compares the table with the
services councils offer; reading and writing the table is `places.routing_table`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.catalogue.place_routing import coverage_gaps
from townhall.places.models import RoutingRule
from townhall.places.routing_table import RoutingFileError, routing_export, routing_import
from townhall.tenancy.models import Organisation


class Command(BaseCommand):
    help = (
        "Export, import (all or nothing) or check the routing table: which council "
        "handles a service in an area."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="Write the table as CSV.")
        export.add_argument("--council", help="Only this council's rows (its slug).")
        export.add_argument("--output", "-o", help="A file to write (default: standard output).")
        load = actions.add_parser(
            "import",
            help="Replace the table (or, with --council, that council's rows) with a CSV file.",
        )
        load.add_argument(
            "file", help="The CSV file: service,lgsl,area_type,area_code,council,team"
        )
        load.add_argument("--council", help="Replace only this council's rows (its slug).")
        load.add_argument("--dry-run", action="store_true", help="Check and count; store nothing.")
        check = actions.add_parser("check", help="List services with areas nobody covers.")
        check.add_argument("--council", help="Only this council's services (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        council = self._council(options.get("council"))
        if options["action"] == "export":
            self._export(council, options.get("output"))
        elif options["action"] == "import":
            self._import(council, options["file"], dry_run=options["dry_run"])
        else:
            self._check(council)

    def _council(self, slug: str | None) -> Organisation | None:
        if not slug:
            return None
        council = Organisation.objects.filter(slug=slug).first()
        if council is None:
            raise CommandError(f"There is no council with the slug {slug!r}.")
        return council

    def _export(self, council: Organisation | None, output: str | None) -> None:
        rows = RoutingRule.objects.select_related("area", "organisation", "team")
        if council is not None:
            rows = rows.for_organisation(council)
        text = routing_export(list(rows.order_by("service_slug", "lgsl", "area__code")))
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def _import(self, council: Organisation | None, path: str, *, dry_run: bool) -> None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            counts = routing_import(text=text, organisation=council, dry_run=dry_run)
        except RoutingFileError as error:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {p}" for p in error.problems)
            ) from error
        done = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{done}: {counts.added} added, {counts.removed} removed, {counts.unchanged} unchanged."
        )

    def _check(self, council: Organisation | None) -> None:
        gaps = coverage_gaps(organisation=council)
        for cover, area in gaps:
            self.stdout.write(f"{cover.slug}\t{area.type}\t{area.code}\t{area.name}")
        if gaps:
            raise CommandError(f"{len(gaps)} service and area pair(s) nobody covers.")
        self.stdout.write("Every area is covered for every service.")
