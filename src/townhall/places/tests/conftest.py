from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from townhall.places import lookup


def square(
    code: str, name: str, west: float, south: float, east: float, north: float, prefix: str = "WD23"
) -> dict[str, Any]:
    """A rectangular feature with ONS-style properties."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {
        "type": "Feature",
        "properties": {f"{prefix}CD": code, f"{prefix}NM": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def geojson_file(tmp_path: Path) -> Callable[[Any], Path]:
    """Writes a document (or raw text) to a file and returns its path."""
    counter = iter(range(1000))

    def write(document: Any) -> Path:
        path = tmp_path / f"areas-{next(counter)}.geojson"
        path.write_text(document if isinstance(document, str) else json.dumps(document))
        return path

    return write


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Each test starts as a new process would: no shapes cached."""
    lookup.cache_clear()
