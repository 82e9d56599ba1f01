"""What of a case may be shown to anyone: the rules every public page shares
(public reports, nearby cases before a report is sent, alerts).

Only services whose definition says `public_on_map` ever show their cases. A
summary is shown only when the summary question's answer is one of the
author's own options (a radio or select), never words a resident typed."""

from __future__ import annotations

import math
from typing import Any

from townhall.catalogue.engine.definition import ServiceDefinition, State
from townhall.catalogue.engine.questions import display_answer, is_empty

# Answers chosen from the author's own options: safe to publish.
CHOSEN_TYPES = frozenset({"radios", "select", "yes_no"})
# The photo types a browser shows (those the upload question accepts).
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
METRES_PER_DEGREE = 111_320.0
EARTH_RADIUS_METRES = 6_371_000.0


def public_summary(definition: ServiceDefinition, answers: dict[str, Any]) -> str:
    """The case's summary answer if it is one of the author's own options, else ""."""
    for _page, question in definition.questions():
        if question.summary and question.type in CHOSEN_TYPES:
            value = answers.get(question.id)
            if not is_empty(value):
                return str(display_answer(question, value))[:200]
    return ""


def public_status(definition: ServiceDefinition, status: str) -> str:
    """A state's public label (the id itself for a state the version lacks)."""
    try:
        return str(definition.workflow.state(status).public_label)
    except KeyError:
        return status


def is_fixed(state: State) -> bool:
    """Whether a state means "fixed": closed, and standing for Open311's FIXED."""
    return state.closed and "FIXED" in state.external_statuses


def bounding_box(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a square holding the circle of
    `metres` round the point: what an index on latitude and longitude can use."""
    lat_delta = metres / METRES_PER_DEGREE
    lon_delta = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return lon - lon_delta, lat - lat_delta, lon + lon_delta, lat + lat_delta


def distance_metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """The great-circle (haversine) distance between two points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(a)))
