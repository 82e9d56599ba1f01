"""Pick up outbox work that was lost or given up on: case events some subscriber
has not handled, and messages not sent. Run it from cron (say every 15 minutes)
so a stopped worker never leaves a resident unanswered."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from townhall.cases.events import event_redispatch, events_to_dispatch
from townhall.notifications.models import Delivery
from townhall.notifications.services import deliveries_to_retry, delivery_retry


class Command(BaseCommand):
    help = (
        "Dispatch again case events whose subscribers did not all run, and queue delivery "
        "again for messages that are stuck (and, with --include-failed, given up)."
    )
    channel: str | None = None

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--include-failed", action="store_true")
        parser.add_argument(
            "--waiting",
            action="store_true",
            help=(
                "Also those waiting for their next attempt: send them now (once the "
                "mail server is back, say) instead of at the end of their wait."
            ),
        )
        parser.add_argument("--dry-run", action="store_true", help="Only say how many.")
        if self.channel is None:
            parser.add_argument(
                "--channel", choices=Delivery.Channel.values, help="Only messages of this channel."
            )

    def handle(self, *args: Any, **options: Any) -> None:
        include_failed = options["include_failed"]
        channel = self.channel or options.get("channel")
        waiting = options["waiting"]
        with transaction.atomic():
            events = list(
                events_to_dispatch(include_failed=include_failed, include_waiting=waiting)
            )
            deliveries = list(
                deliveries_to_retry(
                    include_failed=include_failed, include_waiting=waiting, channel=channel
                )
            )
            if not options["dry_run"]:
                for event in events:
                    event_redispatch(event=event)
                for delivery in deliveries:
                    delivery_retry(delivery=delivery)
        self.report(events=len(events), deliveries=len(deliveries), dry_run=options["dry_run"])

    def report(self, *, events: int, deliveries: int, dry_run: bool) -> None:
        verb = "would be" if dry_run else "were"
        self.stdout.write(f"{events} case event(s) {verb} dispatched again.")
        self.stdout.write(f"{deliveries} message(s) {verb} queued for delivery again.")
