"""Areas: the council's boundaries (wards, parishes, its own custom areas),
and which of them a point lies in."""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import StringConstraints

from townhall.integrations.api.auth import council
from townhall.integrations.api.errors import COMMON_ERRORS, ErrorOut, not_found
from townhall.integrations.api.inputs import NO_NUL, Slug
from townhall.integrations.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, by_id
from townhall.places.lookup import areas_at
from townhall.places.models import Area
from townhall.tenancy.models import Organisation

router = Router(tags=["areas"])

AreaCode = Annotated[str, StringConstraints(pattern=NO_NUL, min_length=1, max_length=20)]


class AreaOut(Schema):
    type: str
    code: str
    name: str
    name_cy: str
    bbox: list[float] = Field(description="West, south, east, north (WGS84).")


class AreaDetailOut(AreaOut):
    geometry: dict[str, Any] = Field(description="The boundary as a GeoJSON geometry.")


class AreaList(Schema):
    results: list[AreaOut]
    next_cursor: str | None = None


class AreaFilters(Schema):
    type: Slug | None = Field(None, description="Only areas of this type (ward, parish, …).")
    cursor: str | None = Field(None, description="`next_cursor` of the page before.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class Point(Schema):
    lon: float = Field(ge=-180, le=180, description="Longitude (WGS84).")
    lat: float = Field(ge=-90, le=90, description="Latitude (WGS84).")


def area_out(area: Area) -> dict[str, Any]:
    return {
        "type": area.type,
        "code": area.code,
        "name": area.name,
        "name_cy": area.name_cy,
        "bbox": [area.min_lon, area.min_lat, area.max_lon, area.max_lat],
    }


def _areas(organisation: Organisation) -> QuerySet[Area]:
    return Area.objects.filter(organisation=organisation)


@router.get("/areas", response={200: AreaList, **COMMON_ERRORS})
def area_list(request: HttpRequest, filters: Query[AreaFilters]) -> dict[str, Any]:
    """The council's areas (without their boundaries), a page at a time."""
    areas = _areas(council(request)).defer("geometry")
    if filters.type is not None:
        areas = areas.filter(type=filters.type)
    page, next_cursor = by_id(areas, cursor=filters.cursor, limit=filters.limit)
    return {"results": [area_out(a) for a in page], "next_cursor": next_cursor}


@router.get("/areas/at", response={200: AreaList, **COMMON_ERRORS})
def area_at(request: HttpRequest, point: Query[Point]) -> dict[str, Any]:
    """The council's areas that contain a point, by type then code."""
    organisation = council(request)
    found = [a for a in areas_at(point.lon, point.lat) if a.organisation_id == organisation.pk]
    return {"results": [area_out(a) for a in found], "next_cursor": None}


@router.get("/areas/{type}/{code}", response={200: AreaDetailOut, 404: ErrorOut, **COMMON_ERRORS})
def area_detail(request: HttpRequest, type: Slug, code: AreaCode) -> dict[str, Any]:
    """One of the council's areas, with its boundary."""
    area = _areas(council(request)).filter(type=type, code=code).first()
    if area is None:
        raise not_found(_("This council has no such area."))
    return {**area_out(area), "geometry": json.loads(area.geometry)}
