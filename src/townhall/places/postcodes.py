"""Postcodes: reading the ONS Postcode Directory (ONSPD) and finding a resident's postcode."""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from townhall.places.models import Postcode

# The shape of a UK postcode: an outward code (area, district, perhaps a
# letter) and an inward code (sector digit, two unit letters). Not a list of
# real postcodes: that is what the directory is for.
POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")

# ONSPD marks a postcode with no grid reference with this latitude.
NO_LOCATION_LAT = 99.999999

# Area-code columns, named differently across releases: `oscty` in older
# ones, `cty25cd` (the year changing) in newer ones.
AREA_COLUMNS: dict[str, re.Pattern[str]] = {
    "county_code": re.compile(r"^(oscty|cty\d{2}cd)$"),
    "district_code": re.compile(r"^(oslaua|lad\d{2}cd)$"),
    "ward_code": re.compile(r"^(osward|wd\d{2}cd)$"),
    "parish_code": re.compile(r"^(parish|parncp\d{2}cd)$"),
}

BATCH = 2000


class PostcodeFileError(Exception):
    """A postcode file that cannot be imported; nothing from it was stored."""


class PostcodeNotFound(Exception):
    """A postcode that cannot be used, with a message to show the resident."""


@dataclass(frozen=True)
class PostcodeCounts:
    added: int
    changed: int
    skipped_no_location: int
    terminated: int


def postcode_normalise(text: str) -> str | None:
    """`text` as the directory writes it ("OX1 1BX"), or None if it is not a postcode's shape."""
    compact = re.sub(r"\s+", "", text).upper()
    match = POSTCODE.match(f"{compact[:-3]} {compact[-3:]}") if 5 <= len(compact) <= 7 else None
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


def _area_code(value: str) -> str:
    """ONSPD's pseudo codes (E99999999 and the like: 'no county') mean no area."""
    value = value.strip()
    return "" if not value or value[1:] == "99999999" else value


def _terminated_on(value: str) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{6}", value):
        raise ValueError(value)
    return datetime.date(int(value[:4]), int(value[4:]), 1)


def rows_read(lines: Iterable[str]) -> Iterator[tuple[int, Postcode | None]]:
    """(line number, Postcode or None when the row has no location) for each row of ONSPD CSV."""
    reader = csv.DictReader(lines)
    columns = {name.strip().lower(): name for name in reader.fieldnames or []}
    missing = [name for name in ("pcds", "lat", "long") if name not in columns]
    if missing:
        raise PostcodeFileError(
            _("The file has no %(columns)s column; is it the ONS Postcode Directory CSV?")
            % {"columns": ", ".join(missing)}
        )
    area_columns = {
        target: next((columns[c] for c in sorted(columns) if pattern.match(c)), None)
        for target, pattern in AREA_COLUMNS.items()
    }
    doterm = columns.get("doterm")
    for row in reader:
        line = reader.line_num
        text = (row.get(columns["pcds"]) or "").strip()
        postcode = postcode_normalise(text)
        if postcode is None:
            raise PostcodeFileError(
                _("Line %(line)d: %(value)s is not a postcode.") % {"line": line, "value": text}
            )
        try:
            lat = float(row[columns["lat"]])
            lon = float(row[columns["long"]])
            terminated_on = _terminated_on(row.get(doterm) or "") if doterm else None
        except (TypeError, ValueError) as error:
            raise PostcodeFileError(
                _("Line %(line)d (%(postcode)s): the latitude, longitude or doterm is not valid.")
                % {"line": line, "postcode": postcode}
            ) from error
        if lat == NO_LOCATION_LAT:
            yield line, None
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise PostcodeFileError(
                _("Line %(line)d (%(postcode)s): the latitude or longitude is out of range.")
                % {"line": line, "postcode": postcode}
            )
        codes = {
            target: _area_code(row.get(column) or "") if column else ""
            for target, column in area_columns.items()
        }
        yield (
            line,
            Postcode(postcode=postcode, lon=lon, lat=lat, terminated_on=terminated_on, **codes),
        )


def postcodes_import(*, lines: Iterable[str], dry_run: bool = False) -> PostcodeCounts:
    """Store every located postcode in `lines` (ONSPD CSV), all or nothing.

    Rows without a location are skipped and counted; terminated postcodes are
    stored with their date of termination. Raises PostcodeFileError naming
    the line of the first bad row, having stored nothing.
    """
    added = changed = skipped = terminated = 0
    with transaction.atomic():
        batch: list[Postcode] = []
        for _line, postcode in rows_read(lines):
            if postcode is None:
                skipped += 1
                continue
            terminated += postcode.terminated
            batch.append(postcode)
            if len(batch) >= BATCH:
                a, c = _batch_store(batch)
                added, changed, batch = added + a, changed + c, []
        if batch:
            a, c = _batch_store(batch)
            added, changed = added + a, changed + c
        if dry_run:
            transaction.set_rollback(True)
    return PostcodeCounts(added, changed, skipped, terminated)


FIELDS = ["lon", "lat", "terminated_on", "county_code", "district_code", "ward_code", "parish_code"]


def _batch_store(batch: list[Postcode]) -> tuple[int, int]:
    unique = {p.postcode: p for p in batch}  # a postcode twice in a file: the last row wins
    existing = {p.postcode: p for p in Postcode.objects.filter(postcode__in=list(unique))}
    new = [p for code, p in unique.items() if code not in existing]
    changed = []
    for code, postcode in unique.items():
        old = existing.get(code)
        if old is not None and any(getattr(old, f) != getattr(postcode, f) for f in FIELDS):
            for f in FIELDS:
                setattr(old, f, getattr(postcode, f))
            changed.append(old)
    Postcode.objects.bulk_create(new)
    Postcode.objects.bulk_update(changed, FIELDS)
    return len(new), len(changed)


def postcode_find(text: str) -> Postcode:
    """The postcode a resident typed, or PostcodeNotFound with a message for them."""
    postcode = postcode_normalise(text)
    if postcode is None:
        raise PostcodeNotFound(_("Enter a real postcode, like SW1A 2AA."))
    found = Postcode.objects.filter(postcode=postcode).first()
    if found is None:
        raise PostcodeNotFound(
            _("We cannot find the postcode %(postcode)s. Check it, or describe the place instead.")
            % {"postcode": postcode}
        )
    if found.terminated:
        raise PostcodeNotFound(
            _(
                "The postcode %(postcode)s is no longer in use. Enter the postcode used now, "
                "or describe the place instead."
            )
            % {"postcode": postcode}
        )
    return found
