"""Reading boundary files as ONS publishes them: GeoJSON FeatureCollections of polygons.

Everything here is pure: it turns a parsed document into `AreaRecord`s or
raises `BoundaryFileError` with every problem found, each naming the feature.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from townhall.places.models import AreaType

# ONS property names carry a prefix for the kind of area, a two-digit vintage
# and CD (code), NM (name) or NMW (Welsh name): WD13CD, LAD23NM, CTY13CD, LAD13NMW.
ONS_FIELD = re.compile(r"^(WD|LAD|CTY|UTLA|CTYUA|PAR|PARNCP|LTLA|CED)(\d{2})(CD|NM|NMW)$", re.I)

# The prefixes that suit each standard type, best first.
PREFIXES_FOR_TYPE: dict[str, tuple[str, ...]] = {
    AreaType.WARD: ("WD",),
    AreaType.DISTRICT: ("LAD", "LTLA"),
    AreaType.METROPOLITAN_DISTRICT: ("LAD", "LTLA"),
    AreaType.LONDON_BOROUGH: ("LAD", "LTLA"),
    AreaType.UNITARY: ("UTLA", "CTYUA", "LAD"),
    AreaType.COUNTY: ("CTY", "CTYUA", "UTLA"),
    AreaType.PARISH: ("PAR", "PARNCP"),
}

MAX_PROBLEMS = 20


class BoundaryFileError(Exception):
    """A boundary file that cannot be imported; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Fields:
    code: str
    name: str
    name_cy: str | None


@dataclass(frozen=True)
class AreaRecord:
    """One feature, checked: its code, names, GeoJSON text and bounding box."""

    code: str
    name: str
    name_cy: str
    geometry: str
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def document_parse(text: str) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection, or BoundaryFileError."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BoundaryFileError(
            [
                _("The file is not valid JSON (line %(line)d, column %(column)d: %(reason)s).")
                % {"line": error.lineno, "column": error.colno, "reason": error.msg}
            ]
        ) from error
    if (
        not isinstance(document, dict)
        or document.get("type") != "FeatureCollection"
        or not isinstance(document.get("features"), list)
    ):
        raise BoundaryFileError(
            [_("The file is not a GeoJSON FeatureCollection (a list of features).")]
        )
    features = document["features"]
    if not features:
        raise BoundaryFileError([_("The file has no features.")])
    bad = [i for i, f in enumerate(features) if not isinstance(f, dict)]
    if bad:
        raise BoundaryFileError(
            [_("Feature %(index)d is not a GeoJSON feature.") % {"index": bad[0]}]
        )
    return features


def fields_detect(
    features: list[dict[str, Any]],
    *,
    area_type: str,
    code_field: str | None = None,
    name_field: str | None = None,
) -> Fields:
    """Which properties hold the code, name and Welsh name, across ONS vintages."""
    keys: set[str] = set()
    for feature in features:
        properties = feature.get("properties")
        if isinstance(properties, dict):
            keys.update(str(k) for k in properties)
    ons = {key: ONS_FIELD.match(key) for key in keys}
    matched = {key: m for key, m in ons.items() if m}
    prefixes = sorted({m.group(1).upper() for m in matched.values()})
    wanted = [p for p in PREFIXES_FOR_TYPE.get(area_type, ()) if p in prefixes]
    prefix = wanted[0] if wanted else (prefixes[0] if len(prefixes) == 1 else None)

    def field(suffix: str) -> str | None:
        found = sorted(
            key
            for key, m in matched.items()
            if m.group(1).upper() == prefix and m.group(3).upper() == suffix
        )
        return found[-1] if found else None  # the latest vintage if a file has two

    code = code_field or field("CD")
    name = name_field or field("NM")
    if code is None or code not in keys:
        raise BoundaryFileError([_missing_field_message(code_field, "code", sorted(keys))])
    if name is None or name not in keys:
        raise BoundaryFileError([_missing_field_message(name_field, "name", sorted(keys))])
    return Fields(code=code, name=name, name_cy=field("NMW") if prefix else None)


def _missing_field_message(given: str | None, role: str, keys: list[str]) -> str:
    listed = ", ".join(keys) or "-"
    if given:
        return _("No feature has the property %(field)s (properties: %(keys)s).") % {
            "field": given,
            "keys": listed,
        }
    if role == "code":
        return _(
            "Could not tell which property holds the area code (properties: %(keys)s). "
            "Name it with --code-field."
        ) % {"keys": listed}
    return _(
        "Could not tell which property holds the area name (properties: %(keys)s). "
        "Name it with --name-field."
    ) % {"keys": listed}


def features_read(features: list[dict[str, Any]], *, fields: Fields) -> list[AreaRecord]:
    """Every feature as an AreaRecord, or BoundaryFileError listing every bad feature."""
    records: list[AreaRecord] = []
    problems: list[str] = []
    first_index: dict[str, int] = {}
    for index, feature in enumerate(features):
        properties = feature.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        code = str(properties.get(fields.code) or "").strip()
        name = str(properties.get(fields.name) or "").strip()
        welsh = str(properties.get(fields.name_cy) or "").strip() if fields.name_cy else ""
        label = feature_label(index, code, name)
        if not code:
            problems.append(_("%(feature)s has no code.") % {"feature": label})
            continue
        if not name:
            problems.append(_("%(feature)s has no name.") % {"feature": label})
            continue
        if code in first_index:
            problems.append(
                _("%(feature)s has the same code as feature %(other)d.")
                % {"feature": label, "other": first_index[code]}
            )
            continue
        first_index[code] = index
        reason = geometry_problem(feature.get("geometry"))
        if reason:
            problems.append(
                _("%(feature)s has an invalid geometry: %(reason)s")
                % {"feature": label, "reason": reason}
            )
            continue
        geometry = feature["geometry"]
        text = json.dumps(
            {"type": geometry["type"], "coordinates": geometry["coordinates"]},
            separators=(",", ":"),
        )
        bounds = shape(geometry).bounds
        records.append(AreaRecord(code, name, welsh, text, bounds))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(
                _("... and %(count)d more problems.") % {"count": len(problems) - MAX_PROBLEMS}
            )
        raise BoundaryFileError(shown)
    return records


def feature_label(index: int, code: str, name: str) -> str:
    """How messages name a feature: its place in the file, and its code and name if known."""
    known = " ".join(part for part in (code, name) if part)
    if known:
        return _("Feature %(index)d (%(known)s)") % {"index": index, "known": known}
    return _("Feature %(index)d") % {"index": index}


def geometry_problem(geometry: object) -> str | None:
    """Why `geometry` cannot be an area's boundary, or None if it can."""
    if not isinstance(geometry, dict):
        return _("the feature has no geometry")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon" and isinstance(coordinates, list):
        polygons = coordinates
    else:
        return _("a boundary must be a Polygon or MultiPolygon, not %(kind)s") % {
            "kind": kind if isinstance(kind, str) else "-"
        }
    if not polygons:
        return _("the geometry is empty")
    for polygon in polygons:
        problem = _polygon_problem(polygon)
        if problem:
            return problem
    try:
        parsed = shape(geometry)
    except (ValueError, TypeError, shapely.errors.ShapelyError) as error:
        return str(error)
    if parsed.is_empty:
        return _("the geometry is empty")
    if not parsed.is_valid:
        return explain_validity(parsed)
    return None


def _polygon_problem(polygon: object) -> str | None:
    if not isinstance(polygon, list) or not polygon:
        return _("a polygon has no rings")
    for number, ring in enumerate(polygon, start=1):
        if not isinstance(ring, list) or not all(_is_position(p) for p in ring):
            return _("ring %(ring)d is not a list of [longitude, latitude] positions") % {
                "ring": number
            }
        if not all(-180 <= p[0] <= 180 and -90 <= p[1] <= 90 for p in ring):
            return _(
                "ring %(ring)d has positions outside longitude and latitude; is the file in "
                "British National Grid? Export it in WGS84 (EPSG:4326)."
            ) % {"ring": number}
        if len(ring) < 4:
            return _("ring %(ring)d has %(count)d positions; a closed ring needs at least 4") % {
                "ring": number,
                "count": len(ring),
            }
        if ring[0][:2] != ring[-1][:2]:
            return _("ring %(ring)d is not closed: its last position is not its first") % {
                "ring": number
            }
    return None


def _is_position(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in value[:2])
    )
