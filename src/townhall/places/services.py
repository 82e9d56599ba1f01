"""Writing areas: importing a boundary file, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from townhall.places.geojson import AreaRecord
from townhall.places.models import Area, AreaSetVersion
from townhall.tenancy.models import Organisation


@dataclass(frozen=True)
class ImportCounts:
    added: int
    changed: int
    unchanged: int


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def areas_version_bump() -> None:
    """Tell every process that the areas changed, so each drops its geometry cache.

    Call it inside the transaction that changes the areas: the new number and
    the new areas become visible together.
    """
    if not AreaSetVersion.objects.filter(pk=1).update(number=F("number") + 1):
        AreaSetVersion.objects.create(pk=1, number=1)


def areas_import(
    *,
    area_type: str,
    records: list[AreaRecord],
    organisation: Organisation | None = None,
    dry_run: bool = False,
) -> ImportCounts:
    """Add or update the areas of `area_type` that `records` describe, in one transaction.

    Areas are matched by type and code. An area is changed when its names,
    geometry or (if `organisation` is given) council differ; areas the file
    does not mention are left as they are. With `dry_run`, nothing is written
    but the counts are the same.
    """
    try:
        with transaction.atomic():
            counts = _areas_write(area_type=area_type, records=records, organisation=organisation)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return counts


def _areas_write(
    *, area_type: str, records: list[AreaRecord], organisation: Organisation | None
) -> ImportCounts:
    existing = {
        area.code: area
        # The whole type, not `code__in`: a ward file has thousands of codes,
        # more than some SQLite builds take as parameters.
        for area in Area.objects.select_for_update().filter(type=area_type)
    }
    new: list[Area] = []
    changed: list[Area] = []
    for record in records:
        values = {
            "name": record.name,
            "name_cy": record.name_cy,
            "geometry": record.geometry,
            "min_lon": record.bbox[0],
            "min_lat": record.bbox[1],
            "max_lon": record.bbox[2],
            "max_lat": record.bbox[3],
        }
        if organisation is not None:
            values["organisation_id"] = organisation.pk
        area = existing.get(record.code)
        if area is None:
            new.append(Area(type=area_type, code=record.code, **values))
        elif any(getattr(area, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(area, key, value)
            changed.append(area)
    Area.objects.bulk_create(new, batch_size=500)
    for area in changed:
        area.save()
    if new or changed:
        areas_version_bump()
    return ImportCounts(
        added=len(new), changed=len(changed), unchanged=len(records) - len(new) - len(changed)
    )
