"""Delete abandoned drafts (answers never sent) and their uploads. Run it daily."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from townhall.cases.services import drafts_purge


class Command(BaseCommand):
    help = "Delete drafts not sent and not touched for --days days (default 30), with their files."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--dry-run", action="store_true", help="Only say how many.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 1:
            raise CommandError("--days must be 1 or more")
        count = drafts_purge(older_than=timedelta(days=options["days"]), dry_run=options["dry_run"])
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(f"{count} abandoned draft(s) {verb} deleted.")
