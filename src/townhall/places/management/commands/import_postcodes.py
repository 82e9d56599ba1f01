"""`townhall import_postcodes FILE`: import the ONS Postcode Directory (CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.places.postcodes import PostcodeFileError, postcodes_import


class Command(BaseCommand):
    help = (
        "Import postcodes from the ONS Postcode Directory CSV, all or nothing. Rows without "
        "a location are skipped; terminated postcodes are kept, marked as such."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The ONSPD CSV file (or an extract of it).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            with path.open(encoding="utf-8-sig", newline="") as lines:
                counts = postcodes_import(lines=lines, dry_run=options["dry_run"])
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text. Nothing was imported.") from error
        except PostcodeFileError as error:
            raise CommandError(f"{error} Nothing was imported.") from error
        summary = (
            f"{counts.added} added, {counts.changed} changed ({counts.terminated} terminated), "
            f"{counts.skipped_no_location} skipped without a location."
        )
        if options["dry_run"]:
            self.stdout.write(f"Dry run, nothing was written: {summary}")
        else:
            self.stdout.write(self.style.SUCCESS(summary))
