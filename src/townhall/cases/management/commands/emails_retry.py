"""`outbox_retry` for emails: the messages it queues again are emails only.
Case events are dispatched again too, since they are what the emails are
written from."""

from __future__ import annotations

from townhall.cases.management.commands import outbox_retry
from townhall.notifications.models import Delivery


class Command(outbox_retry.Command):
    help = (
        "Queue delivery again for emails that are stuck (and, with --include-failed, "
        "given up), and dispatch again case events whose subscribers did not all run."
    )
    channel = Delivery.Channel.EMAIL

    def report(self, *, events: int, deliveries: int, dry_run: bool) -> None:
        verb = "would be" if dry_run else "were"
        if events:
            self.stdout.write(f"{events} case event(s) {verb} dispatched again.")
        self.stdout.write(f"{deliveries} email(s) {verb} queued for delivery again.")
