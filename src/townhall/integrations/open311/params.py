"""Reading what an Open311 client sent: the council (`jurisdiction_id`), the
API key, dates, paging and attributes. Anything unreadable is an
Open311Error naming the parameter, never a server error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.dateparse import parse_datetime

from townhall.core import memo
from townhall.integrations.keys import api_key_authenticate, api_key_rate_allows, scope_allows
from townhall.integrations.models import ApiKey
from townhall.integrations.open311.output import Open311Error
from townhall.tenancy.models import Organisation
from townhall.tenancy.selectors import site_organisations

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
MAX_SPAN = timedelta(days=90)  # the longest date range one query may ask for
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,100})\](\[\])?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(data: QueryDict, name: str, *, limit: int = 200) -> str:
    """One parameter as text, trimmed, without control characters."""
    value = _CONTROL.sub("", data.get(name, "") or "").strip()
    if len(value) > limit:
        raise Open311Error(400, (400, f"{name} is too long: at most {limit:,} characters"))
    return value


def form_data(request: HttpRequest) -> tuple[QueryDict, MultiValueDict[str, UploadedFile]]:
    """A POST's fields and files; a body that cannot be read is a 400."""
    try:
        return request.POST, request.FILES
    except (
        MultiPartParserError,
        RequestDataTooBig,
        SuspiciousOperation,
        BadRequest,
        UnicodeDecodeError,
        ValueError,
    ) as error:
        message = f"The request body cannot be read: {type(error).__name__}"
        raise Open311Error(400, (400, message)) from error


def jurisdiction(request: HttpRequest, data: QueryDict) -> Organisation:
    """The council the request is for: `jurisdiction_id` (a council's slug),
    else the only council of the site asked, else the installation's only one.
    The councils are kept by slug per process for CONFIG_MEMO_SECONDS
    (core.memo), like the site's councils: callers must not change them."""
    wanted = text(data, "jurisdiction_id", limit=80)
    if wanted:
        found = _councils_by_slug().get(wanted)
        if found is None:
            raise Open311Error(404, (404, f"jurisdiction_id not found: {wanted}"))
        return found
    on_site = site_organisations(request)
    if len(on_site) == 1:
        return on_site[0]
    only = list(Organisation.objects.all()[:2])
    if len(only) == 1:
        return only[0]
    raise Open311Error(400, (400, "jurisdiction_id is required: this installation has several"))


def _councils_by_slug() -> dict[str, Organisation]:
    """Every council by its slug: one entry in the memo however many slugs
    clients send, so unknown ones cost nothing and push nothing out."""
    return memo.remembered(
        ("open311-councils",), lambda: {o.slug: o for o in Organisation.objects.all()}
    )


def jurisdiction_and_key(
    request: HttpRequest, data: QueryDict, *, scope: str
) -> tuple[Organisation, ApiKey]:
    """The council (`jurisdiction`) and checked API key (`key_checked`) of a
    request that writes. The key is read with its council, so a good key and
    a `jurisdiction_id` naming its council need no look-up of the council;
    anything else (no `jurisdiction_id`, another council, a bad key) is found
    by `jurisdiction` first, so an unknown council is still a 404 whatever
    the key."""
    given = data.get("api_key", "") or ""
    found = api_key_authenticate(given) if given else None
    wanted = text(data, "jurisdiction_id", limit=80)
    if found is not None and wanted and found.organisation.slug == wanted:
        organisation = found.organisation
    else:
        organisation = jurisdiction(request, data)
    return organisation, key_checked(found, organisation, scope=scope)


def key_checked(found: ApiKey | None, organisation: Organisation, *, scope: str) -> ApiKey:
    """The request's API key as `api_key_authenticate` found it (None: missing,
    wrong or revoked), checked: no key, one for another council, or one
    without `scope` is a 403; past its rate limit a 429."""
    if found is None:
        raise Open311Error(403, (403, "api_key is missing or not valid"))
    if found.organisation_id != organisation.pk:
        raise Open311Error(403, (403, "api_key is not valid for this jurisdiction_id"))
    if not scope_allows(found.scope, scope):
        raise Open311Error(403, (403, f"api_key does not have the {scope} scope"))
    if not api_key_rate_allows(found):
        raise Open311Error(429, (429, "Too many requests for this api_key: try again in a minute"))
    return found


def moment(data: QueryDict, name: str) -> datetime | None:
    """A W3C date and time parameter (2010-01-01T00:00:00Z); a date alone is midnight UTC."""
    raw = text(data, name, limit=40)
    if not raw:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raw += "T00:00:00Z"
    try:
        parsed = parse_datetime(raw.replace(" ", "+"))  # a "+" in a query string arrives as " "
    except ValueError:
        parsed = None
    offset = parsed.utcoffset() if parsed is not None else None
    if (
        parsed is None
        or not 1900 <= parsed.year <= 9000
        or (offset is not None and abs(offset) > timedelta(hours=14))
    ):
        raise Open311Error(
            400, (400, f"{name} must be a W3C date and time, like 2026-01-31T09:00:00Z")
        )
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime


def span(data: QueryDict) -> Span:
    """`start_date` to `end_date`, 90 days at most; by default the last 90 days."""
    start, end = moment(data, "start_date"), moment(data, "end_date")
    if start is None:
        end = end or timezone.now()
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, (400, "end_date must not be before start_date"))
    if end - start > MAX_SPAN:
        raise Open311Error(400, (400, "start_date and end_date may not span more than 90 days"))
    return Span(start=start, end=end)


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page(data: QueryDict) -> Page:
    """`page` (from 1) and `page_size` (1 to MAX_PAGE_SIZE)."""
    return Page(
        number=_whole(data, "page", 1, 1, 100_000),
        size=_whole(data, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
    )


def _whole(data: QueryDict, name: str, default: int, low: int, high: int) -> int:
    raw = text(data, name, limit=20)
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Open311Error(400, (400, f"{name} must be a whole number from {low} to {high:,}"))
    return int(raw)


def comma_list(data: QueryDict, name: str, *, limit: int = 100) -> list[str]:
    """A comma-separated parameter (also accepted repeated), without empties."""
    values = [
        part.strip()
        for given in data.getlist(name)
        for part in _CONTROL.sub("", given).split(",")
        if part.strip()
    ]
    if len(values) > limit:
        raise Open311Error(400, (400, f"{name} lists too many values: at most {limit}"))
    return values


def attributes(data: QueryDict) -> dict[str, str | list[str]]:
    """`attribute[code]` (one value) and `attribute[code][]` (several) by code."""
    found: dict[str, str | list[str]] = {}
    for key in data:
        match = _ATTRIBUTE.match(key)
        if match is None:
            continue
        values = [_CONTROL.sub("", value) for value in data.getlist(key)]
        code = match.group(1)
        if match.group(2):
            earlier = found.get(code)
            found[code] = [*(earlier if isinstance(earlier, list) else []), *values]
        else:
            found[code] = values[-1] if values else ""
    return found


def flag(data: Mapping[str, str], name: str) -> bool:
    return str(data.get(name, "")).strip().lower() in {"true", "1", "yes"}
