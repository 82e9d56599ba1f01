"""`townhall open311_poll [--organisation SLUG] [--since TIME] [--until TIME]`:
fetch the updates upstream Open311 systems made to the cases sent to them
and apply them through each service's workflow. Run it on a schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from townhall.connectors.polling import upstream_poll, upstreams
from townhall.tenancy.commands import organisation_for
from townhall.tenancy.models import Organisation


def _moment(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    parsed = parse_datetime(raw) if "T" in raw or " " in raw else parse_datetime(raw + "T00:00")
    if parsed is None:
        raise CommandError(f"{name} must be a date and time, like 2026-01-31T09:00:00Z")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


class Command(BaseCommand):
    help = (
        "Fetch the updates (mySociety servicerequestupdates) that the upstream Open311 "
        "systems services send cases to have made since the last successful poll, and apply "
        "each to its case through the service's workflow. A system that cannot be read keeps "
        "its window for the next run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", help="Only this council's systems (its slug).")
        parser.add_argument(
            "--since",
            help="Read from this time (ISO 8601) instead of the end of the last successful poll.",
        )
        parser.add_argument("--until", help="Read up to this time (ISO 8601; default: now).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read the updates and say how many match a case; apply nothing, move no window.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = _moment(options["since"], "--since")
        until = _moment(options["until"], "--until")
        if since and until and since >= until:
            raise CommandError("--since must be before --until")
        if options["organisation"]:
            organisations = [organisation_for(options["organisation"])]
        else:
            organisations = list(Organisation.objects.order_by("slug"))
        failed = 0
        for organisation in organisations:
            for upstream in upstreams(organisation):
                report = upstream_poll(
                    organisation=organisation,
                    upstream=upstream,
                    since=since,
                    until=until,
                    dry_run=options["dry_run"],
                )
                where = f"{organisation.slug} {upstream.endpoint}"
                if report.error:
                    failed += 1
                    self.stderr.write(f"{where}: not read ({report.error}); tried again next run")
                    continue
                if options["dry_run"]:
                    self.stdout.write(
                        f"{where}: {report.applied} would be applied or refused, "
                        f"{report.unmatched} not matched to a case"
                    )
                    continue
                self.stdout.write(
                    f"{where}: {report.applied} applied, {report.repeated} seen before, "
                    f"{report.refused} refused, {report.unmatched} not matched to a case"
                )
                for refusal in report.refusals:
                    self.stdout.write(f"  refused {refusal}")
        if failed:
            raise CommandError(f"{failed} system(s) could not be read")
