"""`townhall insight_rollup [--organisation SLUG]`: count every finished day's
contacts and cases into the roll-up tables insight reads. Run it nightly
from cron; figures are right without it, only slower at scale."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from townhall.insight.rollup import insight_rollup_to_date
from townhall.tenancy.commands import organisation_for
from townhall.tenancy.models import Organisation


class Command(BaseCommand):
    help = (
        "Count each finished day's contacts and cases into insight's roll-up tables "
        "(the last few days again, as cases close and reopen). Safe to run at any time."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organisation", metavar="SLUG", help="Only this council.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["organisation"]:
            organisations = [organisation_for(options["organisation"])]
        else:
            organisations = list(Organisation.objects.order_by("slug"))
        for organisation in organisations:
            until = insight_rollup_to_date(organisation=organisation)
            last = until - timedelta(days=1)
            self.stdout.write(f"{organisation.slug}: counted up to the end of {last:%d %B %Y}")
