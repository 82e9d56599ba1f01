"""Re-send outbox emails whose delivery was lost or given up on. Run it from
cron (say every 15 minutes) so a stopped worker never leaves a resident unanswered."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from townhall.notifications.services import email_retry, emails_to_retry


class Command(BaseCommand):
    help = "Queue delivery again for emails that are stuck (and, with --include-failed, given up)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--include-failed", action="store_true")
        parser.add_argument("--dry-run", action="store_true", help="Only say how many.")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            emails = emails_to_retry(include_failed=options["include_failed"])
            if not options["dry_run"]:
                for email in emails:
                    email_retry(email=email)
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(f"{len(emails)} email(s) {verb} queued for delivery again.")
