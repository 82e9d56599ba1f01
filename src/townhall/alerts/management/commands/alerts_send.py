"""`townhall alerts_send --daily`: the daily digest of new public reports
(from cron, once a day). `--immediate` sends immediate subscriptions anything
a lost task left (their alerts normally go as each report is made)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from townhall.alerts.models import Frequency
from townhall.alerts.services import alerts_send


class Command(BaseCommand):
    help = "Send alerts of new public reports: the daily digest, or immediate ones left behind."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--daily", action="store_true", help="send the daily digests")
        group.add_argument(
            "--immediate", action="store_true", help="send immediate alerts left behind"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        frequency = Frequency.DAILY if options["daily"] else Frequency.IMMEDIATE
        sent = alerts_send(frequency=frequency)
        self.stdout.write(f"{sent} alerts sent")
