"""Which areas contain a point.

SQL narrows the areas to those whose bounding box holds the point (an indexed
range query on four columns); shapely then tests their shapes. The parsed,
prepared shapes stay in a per-process cache keyed by area id and valid for
one number of `AreaSetVersion`. The candidate query reads that number in the
same statement, so a process notices another's import at its next lookup and
starts its cache afresh; no message between processes is needed.

Inside `one_lookup_per_point()` (one case creation: its answers checked,
its team and area codes found) a point's areas are looked up once and the
same answer is used throughout, instead of once per step that needs them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.db.models import Subquery
from shapely import Point
from shapely.geometry.base import BaseGeometry

from townhall.places.models import Area, AreaSetVersion


@dataclass
class _Cache:
    version: int | None = None
    shapes: dict[int, BaseGeometry] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_cache = _Cache()

# What one creation has looked up already (None outside `one_lookup_per_point`).
_remembered: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar(
    "places_remembered", default=None
)


@contextmanager
def one_lookup_per_point() -> Iterator[None]:
    """Within the block, `areas_at` and `organisation_covers` ask the database
    once per point (and council): every step of one creation sees the same
    areas. Kept for the block only, never between requests."""
    if _remembered.get() is not None:  # already inside one: keep what it found
        yield
        return
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def cache_clear() -> None:
    """Forget this process's shapes (tests use it to play a fresh process)."""
    with _cache.lock:
        _cache.version = None
        _cache.shapes = {}


def cached_shape_count() -> int:
    """How many shapes this process holds, for tests and the benchmark."""
    return len(_cache.shapes)


def candidates(lon: float, lat: float, *, types: Iterable[str] | None = None) -> list[Area]:
    """The areas whose bounding box holds the point, geometry text left unread.

    Each carries `places_version`, the number of `AreaSetVersion` at the time.
    """
    query = Area.objects.filter(
        min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
    )
    if types is not None:
        query = query.filter(type__in=list(types))
    version = AreaSetVersion.objects.filter(pk=1).values("number")[:1]
    # Sorted here, not in SQL: an ORDER BY tempts SQLite to walk the (type, code)
    # index over every area instead of the bounding-box index.
    found = query.defer("geometry").select_related("organisation")
    found = found.annotate(places_version=Subquery(version)).order_by()
    return sorted(found, key=lambda area: (area.type, area.code, area.pk))


def _shapes_for(areas: list[Area]) -> dict[int, BaseGeometry]:
    """Prepared shapes for `areas`, read from the database only for those not cached."""
    version = getattr(areas[0], "places_version", None) if areas else None
    with _cache.lock:
        if version != _cache.version:
            _cache.version = version
            _cache.shapes = {}  # replaced, never emptied in place: `held` stays whole
        held = _cache.shapes
        missing = [area.pk for area in areas if area.pk not in held]
    loaded: dict[int, BaseGeometry] = {}
    if missing:
        for pk, text in Area.objects.filter(pk__in=missing).values_list("pk", "geometry"):
            geometry = shapely.from_geojson(text)
            shapely.prepare(geometry)
            loaded[pk] = geometry
        with _cache.lock:
            held.update(loaded)
    shapes: dict[int, BaseGeometry] = {}
    for area in areas:
        shape = loaded.get(area.pk, held.get(area.pk))
        if shape is not None:  # None: the area was deleted between the two queries
            shapes[area.pk] = shape
    return shapes


def areas_at(lon: float, lat: float, *, types: Iterable[str] | None = None) -> list[Area]:
    """Every area containing the point (longitude, latitude in WGS84), by type then code.

    A point on the border between areas of one type belongs to one of them:
    of those whose boundary it lies on, the one with the lowest code (then the
    lowest id). A point inside an area belongs to it, whatever borders it also
    touches in areas of its type. Types never affect each other: a point can
    be in one ward, one district and one county.
    """
    types = None if types is None else tuple(sorted(types))
    return list(_once(("areas", lon, lat, types), lambda: _areas_at(lon, lat, types=types)))


def _areas_at(lon: float, lat: float, *, types: Iterable[str] | None = None) -> list[Area]:
    found = candidates(lon, lat, types=types)
    if not found:
        return []
    shapes = _shapes_for(found)
    point = Point(lon, lat)
    inside: dict[str, list[Area]] = {}
    on_border: dict[str, list[Area]] = {}
    for area in found:
        shape = shapes.get(area.pk)
        if shape is None:
            continue
        if shape.contains(point):
            inside.setdefault(area.type, []).append(area)
        elif shape.covers(point):
            on_border.setdefault(area.type, []).append(area)
    result: list[Area] = []
    for area_type in sorted(inside.keys() | on_border.keys()):
        if area_type in inside:
            result.extend(inside[area_type])
        else:
            result.append(min(on_border[area_type], key=lambda a: (a.code, a.pk)))
    return result


def organisation_covers(organisation_id: int, lon: float, lat: float) -> bool:
    """Whether a location question of the council's accepts a point: one in
    any council's area on this installation. A point in another council's
    area is accepted here so that check answers can say which council looks
    after it (routing by place, web.place.handling_for) rather than a bare
    refusal; only a point no council covers is refused at the question. A
    council with no areas imported covers everywhere: there is nothing to
    check against."""
    has_areas = _once(
        ("has-areas", organisation_id),
        lambda: Area.objects.filter(organisation_id=organisation_id).exists(),
    )
    if not has_areas:
        return True
    return any(area.organisation_id is not None for area in areas_at(lon, lat))


def _once(key: tuple[Any, ...], find: Callable[[], Any]) -> Any:
    """`find()`, asked once per `key` inside `one_lookup_per_point`, every time outside it."""
    remembered = _remembered.get()
    if remembered is None:
        return find()
    if key not in remembered:
        remembered[key] = find()
    return remembered[key]
