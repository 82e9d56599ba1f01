"""Updates polled from upstream Open311 systems (mySociety's
`servicerequestupdates` GET), for services whose cases go to one.

Each system a council's published services send to (endpoint and
jurisdiction) is asked for the updates made since the end of the last window
read in full (`Open311Poll.polled_until`) up to now. Each update is matched to
the case by the `service_request_id` the system gave when it took the case,
and applied exactly as one POSTed to our own `servicerequestupdates`
(`cases.external.case_external_update`): through the workflow, refused and
recorded when its status is unknown or not allowed, never applied twice. A
system that is down or answers something that is not a list of updates
leaves the window where it was, for the next run."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from townhall.cases.external import ExternalUpdateRefused, case_external_update
from townhall.cases.models import Case
from townhall.catalogue.models import Service
from townhall.connectors.models import Open311Poll
from townhall.connectors.open311 import PROVIDER
from townhall.connectors.secrets import SecretMissing, connector_secret
from townhall.connectors.subscriber import SUBSCRIBER
from townhall.notifications.models import Delivery
from townhall.tenancy.models import Organisation
from townhall.webhooks.addresses import AddressNotAllowed, url_check
from townhall.webhooks.provider import http_session

logger = logging.getLogger(__name__)

FIRST_WINDOW = timedelta(days=1)  # how far back a system never polled before is read
MAX_ANSWER_BYTES = 8 * 1024 * 1024


class PollFailed(Exception):
    """The system could not be read; the window stays for the next run."""


@dataclass(frozen=True)
class Upstream:
    """One system a council's services send cases to."""

    endpoint: str  # the GeoReport v2 base URL, without a trailing slash
    jurisdiction_id: str
    api_key: str  # a name in CONNECTOR_SECRETS


@dataclass
class PollReport:
    upstream: Upstream
    start: datetime
    end: datetime
    applied: int = 0
    repeated: int = 0
    refused: int = 0
    unmatched: int = 0
    error: str = ""
    refusals: list[str] = field(default_factory=list)


def upstreams(organisation: Organisation) -> list[Upstream]:
    """The Open311 systems the council's published services send cases to."""
    found: dict[tuple[str, str], Upstream] = {}
    services = Service.objects.for_organisation(organisation).published()
    for service in services.select_related("published_version"):
        version = service.published_version
        if version is None:
            continue
        for destination in version.parsed.send_to:
            if destination.get("connector") != "open311":
                continue
            upstream = Upstream(
                endpoint=str(destination["endpoint"]).rstrip("/"),
                jurisdiction_id=str(destination.get("jurisdiction_id") or ""),
                api_key=str(destination.get("api_key") or ""),
            )
            found.setdefault((upstream.endpoint, upstream.jurisdiction_id), upstream)
    return list(found.values())


def _w3c(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def updates_fetch(
    *, organisation: Organisation, upstream: Upstream, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The updates the system lists between `start` and `end`, asked with the
    council's own secret. Raises PollFailed."""
    url = f"{upstream.endpoint}/servicerequestupdates.json"
    params = {"start_date": _w3c(start), "end_date": _w3c(end)}
    if upstream.jurisdiction_id:
        params["jurisdiction_id"] = upstream.jurisdiction_id
    try:
        url_check(url)
        api_key = connector_secret(upstream.api_key, council=organisation.slug)
        if api_key:
            params["api_key"] = api_key
        with http_session().get(
            url,
            params=params,
            headers={"Accept": "application/json"},
            timeout=(settings.WEBHOOKS_CONNECT_TIMEOUT, settings.WEBHOOKS_READ_TIMEOUT),
            allow_redirects=False,
            stream=True,
        ) as answer:
            status = answer.status_code
            text = answer.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
    except (AddressNotAllowed, SecretMissing) as error:
        raise PollFailed(f"{type(error).__name__}: {error}") from None
    except requests.RequestException as error:
        raise PollFailed(type(error).__name__) from None
    if not 200 <= status < 300:
        raise PollFailed(f"HTTP {status}")
    if len(text) > MAX_ANSWER_BYTES:
        raise PollFailed("answer too large")
    try:
        data = json.loads(text)
    except ValueError:
        raise PollFailed("not JSON") from None
    if isinstance(data, dict) and isinstance(data.get("service_request_updates"), list):
        data = data["service_request_updates"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise PollFailed("not a list of updates")
    return data


def _text(update: Mapping[str, Any], name: str, limit: int) -> str:
    value = update.get(name)
    return str(value).strip()[:limit] if value not in (None, "") else ""


def _cases_by_request_id(
    organisation: Organisation, upstream: Upstream, request_ids: set[str]
) -> dict[str, Case]:
    rows = (
        Delivery.objects.filter(
            organisation=organisation,
            subscriber=SUBSCRIBER,
            provider=PROVIDER,
            recipient=f"{upstream.endpoint}/requests.json",
            provider_reference__in=request_ids,
            case__isnull=False,
        )
        .select_related("case")
        .order_by("pk")
    )
    return {row.provider_reference: row.case for row in rows if row.case is not None}


def _updated_at(update: Mapping[str, Any]) -> datetime | None:
    """The update's updated_datetime (UTC when it gives no offset), or None
    when it has none or it is not a date and time."""
    try:
        moment = parse_datetime(_text(update, "updated_datetime", 40))
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def _sorted(updates: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Oldest first, so a case's updates are applied in the order they were
    made (those without a time first, in the order given)."""
    oldest = datetime.min.replace(tzinfo=UTC)
    yield from sorted(updates, key=lambda update: _updated_at(update) or oldest)


def updates_apply(
    *,
    organisation: Organisation,
    upstream: Upstream,
    updates: list[dict[str, Any]],
    report: PollReport,
) -> None:
    """Apply each update to its case as our own servicerequestupdates POST would."""
    client = f"open311 poll {urlsplit(upstream.endpoint).hostname or ''}"[:100]
    ids = {_text(u, "service_request_id", 200) for u in updates}
    cases = _cases_by_request_id(organisation, upstream, ids - {""})
    for update in _sorted(updates):
        case = cases.get(_text(update, "service_request_id", 200))
        update_id = _text(update, "update_id", 100)
        if case is None or not update_id:
            report.unmatched += 1
            continue
        updated_at = _updated_at(update)
        already = case.external_updates.filter(update_id=update_id, accepted=True).exists()
        try:
            case_external_update(
                case=case,
                status=_text(update, "status", 40).upper(),
                description=_text(update, "description", 4000),
                update_id=update_id,
                updated_at=updated_at,
                external_status_code=_text(update, "external_status_code", 100),
                client=client,
            )
        except ExternalUpdateRefused as refused:
            report.refused += 1
            report.refusals.append(f"{case.reference} {update_id[:40]}: {refused}")
            logger.warning(
                "open311 poll: update %s for %s refused: %s",
                update_id[:40],
                case.reference,
                refused,
            )
            continue
        if already:
            report.repeated += 1
        else:
            report.applied += 1


def upstream_poll(
    *,
    organisation: Organisation,
    upstream: Upstream,
    until: datetime | None = None,
    since: datetime | None = None,
    dry_run: bool = False,
) -> PollReport:
    """Read and apply the system's updates from the end of its last full
    window (or `since`) to `until` (default now), and move the window on
    only if that all worked. With `dry_run`, read and match them only: the
    report's `applied` counts the updates matched to a case."""
    now = timezone.now()
    end = until or now
    lookup: dict[str, Any] = {
        "organisation": organisation,
        "endpoint": upstream.endpoint,
        "jurisdiction_id": upstream.jurisdiction_id,
    }
    if dry_run:
        poll = Open311Poll.objects.filter(**lookup).first() or Open311Poll(**lookup)
        start = since or poll.polled_until or (end - FIRST_WINDOW)
        report = PollReport(upstream=upstream, start=start, end=end)
        try:
            updates = updates_fetch(
                organisation=organisation, upstream=upstream, start=start, end=end
            )
        except PollFailed as failed:
            report.error = str(failed)[:200]
            return report
        request_ids = {_text(u, "service_request_id", 200) for u in updates}
        cases = _cases_by_request_id(organisation, upstream, request_ids - {""})
        report.applied = sum(1 for u in updates if _text(u, "service_request_id", 200) in cases)
        report.unmatched = len(updates) - report.applied
        return report
    poll, _created = Open311Poll.objects.get_or_create(**lookup)
    start = since or poll.polled_until or (end - FIRST_WINDOW)
    report = PollReport(upstream=upstream, start=start, end=end)
    poll.last_attempt_at = now
    if start >= end:
        poll.save(update_fields=["last_attempt_at"])
        return report
    try:
        updates = updates_fetch(organisation=organisation, upstream=upstream, start=start, end=end)
    except PollFailed as failed:
        report.error = str(failed)[:200]
        poll.last_error = report.error
        poll.save(update_fields=["last_attempt_at", "last_error"])
        # The host and the reason only: no case or person is named.
        logger.warning(
            "open311 poll of %s failed: %s", urlsplit(upstream.endpoint).hostname, report.error
        )
        return report
    updates_apply(organisation=organisation, upstream=upstream, updates=updates, report=report)
    poll.polled_until = max(end, poll.polled_until) if poll.polled_until else end
    poll.last_success_at = now
    poll.last_error = ""
    poll.save(update_fields=["polled_until", "last_attempt_at", "last_success_at", "last_error"])
    return report
