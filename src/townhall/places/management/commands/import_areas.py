"""`townhall import_areas FILE --type TYPE`: import boundaries from an ONS GeoJSON file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.places import geojson
from townhall.places.models import AreaType, area_type_slug
from townhall.places.services import areas_import
from townhall.tenancy.commands import organisation_for


class Command(BaseCommand):
    help = (
        "Import areas (boundaries) from a GeoJSON FeatureCollection as ONS publishes it, "
        "all or nothing: if any feature is invalid, nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A GeoJSON file of polygons.")
        parser.add_argument(
            "--type",
            required=True,
            dest="area_type",
            help=f"The kind of area: one of {', '.join(AreaType.values)}, or a slug of your "
            "own (waste-round, say).",
        )
        parser.add_argument("--organisation", help="The slug of the council the areas belong to.")
        parser.add_argument(
            "--code-field", help="The property holding each area's code (found if ONS-named)."
        )
        parser.add_argument(
            "--name-field", help="The property holding each area's name (found if ONS-named)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        area_type = options["area_type"]
        try:
            area_type_slug(area_type)
        except ValidationError as error:
            raise CommandError(f"--type {area_type!r}: {' '.join(error.messages)}") from error
        organisation = (
            organisation_for(options["organisation"]) if options["organisation"] else None
        )
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            features = geojson.document_parse(text)
            fields = geojson.fields_detect(
                features,
                area_type=area_type,
                code_field=options["code_field"],
                name_field=options["name_field"],
            )
            records = geojson.features_read(features, fields=fields)
        except geojson.BoundaryFileError as error:
            raise CommandError("\n".join([*error.problems, "Nothing was imported."])) from error
        counts = areas_import(
            area_type=area_type,
            records=records,
            organisation=organisation,
            dry_run=options["dry_run"],
        )
        welsh = f", Welsh names from {fields.name_cy}" if fields.name_cy else ""
        self.stdout.write(f"Codes from {fields.code}, names from {fields.name}{welsh}.")
        summary = (
            f"{counts.added} added, {counts.changed} changed, "
            f"{counts.unchanged} left alone ({area_type})."
        )
        if options["dry_run"]:
            self.stdout.write(f"Dry run, nothing was written: {summary}")
        else:
            self.stdout.write(self.style.SUCCESS(summary))
