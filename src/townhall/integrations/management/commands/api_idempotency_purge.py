"""Forget the answers kept for retried API requests (`Idempotency-Key`) once
they are older than a day. Run it daily."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from townhall.integrations.idempotency import idempotent_requests_purge


class Command(BaseCommand):
    help = "Delete the answers kept for Idempotency-Key retries older than --hours (default 24)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hours"] < 1:
            raise CommandError("--hours must be 1 or more")
        count = idempotent_requests_purge(older_than=timedelta(hours=options["hours"]))
        self.stdout.write(f"{count} kept answer(s) deleted.")
