"""Remove personal data from closed cases past their retention period. Run daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from townhall.cases.retention import cases_redact_due


class Command(BaseCommand):
    help = "Remove personal data from closed cases older than their service's retention_days."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only say how many.")

    def handle(self, *args: Any, **options: Any) -> None:
        count = cases_redact_due(dry_run=options["dry_run"])
        verb = "would have" if options["dry_run"] else "had"
        self.stdout.write(f"{count} closed case(s) {verb} their personal data removed.")
