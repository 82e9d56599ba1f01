"""`townhall cases_sla_warn [--organisation SLUG] [--dry-run]`: email team
managers about their teams' cases that are about to breach their due time or
have breached it, once each. Run it from cron every 15 minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from townhall.cases.sla import sla_warnings_send
from townhall.tenancy.commands import organisation_for
from townhall.tenancy.models import Organisation


class Command(BaseCommand):
    help = (
        "Email team managers about cases that are due soon or overdue, once for each "
        "case and due time."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organisation", metavar="SLUG", help="Only this council.")
        parser.add_argument("--dry-run", action="store_true", help="Only say how many.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["organisation"]:
            organisations = [organisation_for(options["organisation"])]
        else:
            organisations = list(Organisation.objects.order_by("slug"))
        verb = "would be" if options["dry_run"] else "were"
        for organisation in organisations:
            run = sla_warnings_send(organisation=organisation, dry_run=options["dry_run"])
            self.stdout.write(
                f"{organisation.slug}: {run.breached} overdue and {run.due_soon} due-soon "
                f"case(s) {verb} warned about in {run.emails} email(s); "
                f"{run.without_manager} in teams without a team manager."
            )
