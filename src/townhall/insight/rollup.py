"""Roll-up tables: each finished local day's contacts and cases counted once
(`ContactDay`, `CaseDay`), so insight sums a few rows a day instead of
counting millions of contacts and cases on every page.

`insight_rollup` recounts whole days from the contacts and cases themselves,
so running it again, or over days already counted, gives the same rows.
Days from an organisation's `RollupState.complete_until` on are not rolled
up yet: the selectors count those live, so figures are right whether or not
the roll-up has run (`townhall insight_rollup`, nightly from cron)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from townhall.cases.models import Case, CaseEvent, Contact
from townhall.insight.models import CaseDay, ContactDay, RollupState
from townhall.places.models import Area, AreaType
from townhall.tenancy.models import Organisation


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def complete_until(organisation: Organisation) -> date | None:
    """The first day not yet in the roll-up tables (None: none are)."""
    return (
        RollupState.objects.filter(organisation=organisation)
        .values_list("complete_until", flat=True)
        .first()
    )


def _ward_of(codes: Any, wards: set[str]) -> str:
    return next((code for code in codes or [] if code in wards), "")


def _contact_rows(organisation: Organisation, start: date, end: date) -> list[ContactDay]:
    rows = (
        Contact.objects.filter(
            organisation=organisation, created_at__gte=_moment(start), created_at__lt=_moment(end)
        )
        .order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day", "service_id", "channel", "reason", "avoidable")
        .annotate(n=Count("id"))
    )
    return [
        ContactDay(
            organisation=organisation,
            day=row["day"],
            service_id=row["service_id"],
            channel=row["channel"],
            reason=row["reason"],
            avoidable=row["avoidable"],
            count=row["n"],
        )
        for row in rows
    ]


def live_case_days(*, organisation: Organisation, dates: Any) -> list[CaseDay]:
    """Unsaved `CaseDay` rows counted from the cases of `dates` (a
    `selectors.DateRange`), for days not rolled up yet."""
    return _case_rows(organisation, dates.start, dates.end + timedelta(days=1))


def _case_rows(organisation: Organisation, start: date, end: date) -> list[CaseDay]:
    wards = set(Area.objects.filter(type=AreaType.WARD).values_list("code", flat=True))
    cases = Case.objects.filter(organisation=organisation).order_by()
    totals: dict[tuple[date, int | None, str], dict[str, int]] = defaultdict(
        lambda: {
            "opened": 0,
            "closed": 0,
            "closed_on_time": 0,
            "close_seconds": 0,
            "responded": 0,
            "response_seconds": 0,
            "reopened": 0,
        }
    )
    opened = (
        cases.filter(created_at__gte=_moment(start), created_at__lt=_moment(end))
        .annotate(day=TruncDate("created_at"))
        .values("day", "service_id", "area_codes")
        .annotate(n=Count("id"))
    )
    for row in opened:
        key = (row["day"], row["service_id"], _ward_of(row["area_codes"], wards))
        totals[key]["opened"] += row["n"]
    taken = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    closed = (
        # Closed now (a reopened case's closed_at is cleared): the closed index.
        cases.filter(is_open=False, closed_at__gte=_moment(start), closed_at__lt=_moment(end))
        .annotate(day=TruncDate("closed_at"))
        .values("day", "service_id", "area_codes")
        .annotate(
            n=Count("id"),
            on_time=Count("id", filter=Q(due_at__isnull=False, closed_at__lte=F("due_at"))),
            taken=Sum(taken),
        )
    )
    for row in closed:
        key = (row["day"], row["service_id"], _ward_of(row["area_codes"], wards))
        totals[key]["closed"] += row["n"]
        totals[key]["closed_on_time"] += row["on_time"]
        totals[key]["close_seconds"] += int(row["taken"].total_seconds()) if row["taken"] else 0
    # A first response is the first status change staff (or a back-office
    # system) made: counted on the day it happened, so past days stay final.
    earlier = CaseEvent.objects.filter(
        case=OuterRef("case"),
        kind=CaseEvent.Kind.STATUS_CHANGED,
        created_at__lt=OuterRef("created_at"),
    )
    waited = ExpressionWrapper(
        F("created_at") - F("case__created_at"), output_field=DurationField()
    )
    responses = (
        CaseEvent.objects.filter(
            case__organisation=organisation,
            kind=CaseEvent.Kind.STATUS_CHANGED,
            created_at__gte=_moment(start),
            created_at__lt=_moment(end),
        )
        .exclude(Exists(earlier))
        .order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day", "case__service_id", "case__area_codes")
        .annotate(n=Count("id"), waited=Sum(waited))
    )
    for response in responses:
        key = (
            response["day"],
            response["case__service_id"],
            _ward_of(response["case__area_codes"], wards),
        )
        totals[key]["responded"] += response["n"]
        totals[key]["response_seconds"] += (
            int(response["waited"].total_seconds()) if response["waited"] else 0
        )
    reopened = (
        CaseEvent.objects.filter(
            case__organisation=organisation,
            kind=CaseEvent.Kind.REOPENED,
            created_at__gte=_moment(start),
            created_at__lt=_moment(end),
        )
        .order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day", "case__service_id", "case__area_codes")
        .annotate(n=Count("id"))
    )
    for event in reopened:
        key = (event["day"], event["case__service_id"], _ward_of(event["case__area_codes"], wards))
        totals[key]["reopened"] += event["n"]
    return [
        CaseDay(organisation=organisation, day=day, service_id=service_id, ward=ward, **counts)
        for (day, service_id, ward), counts in totals.items()
    ]


def insight_rollup(*, organisation: Organisation, start: date, end: date) -> tuple[int, int]:
    """Count the days from `start` up to (not including) `end` again, all or
    nothing; returns the contact and case rows written."""
    if end <= start:
        return 0, 0
    contacts = _contact_rows(organisation, start, end)
    cases = _case_rows(organisation, start, end)
    with transaction.atomic():
        ContactDay.objects.filter(organisation=organisation, day__gte=start, day__lt=end).delete()
        CaseDay.objects.filter(organisation=organisation, day__gte=start, day__lt=end).delete()
        ContactDay.objects.bulk_create(contacts, batch_size=2000)
        CaseDay.objects.bulk_create(cases, batch_size=2000)
    return len(contacts), len(cases)


# A case closed, reopened or redated a few days after the day it counts in
# changes that day's figures: each run counts the last few days again.
RECOUNT = timedelta(days=3)


def insight_rollup_to_date(*, organisation: Organisation, today: date | None = None) -> date:
    """Bring the roll-up tables up to the end of yesterday (local time) and
    return the first day left to live counting (today)."""
    today = today or timezone.localdate()
    state = complete_until(organisation)
    if state is None:
        first = (
            Contact.objects.filter(organisation=organisation)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        first_case = (
            Case.objects.filter(organisation=organisation)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        moments = [m for m in (first, first_case) if m is not None]
        start = timezone.localtime(min(moments)).date() if moments else today
    else:
        start = min(state, today) - RECOUNT
    # A year at a time, so one transaction never holds years of rows.
    while start < today:
        end = min(start + timedelta(days=366), today)
        insight_rollup(organisation=organisation, start=start, end=end)
        start = end
    RollupState.objects.update_or_create(
        organisation=organisation, defaults={"complete_until": today}
    )
    return today
