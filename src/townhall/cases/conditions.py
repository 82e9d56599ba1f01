"""The context a council's conditions are evaluated in.

Every place that decides a route or checks answers for a case (the journey
page by page, submission, the one-shot `case_create`, routing) builds its
context here, so the route shown and the route checked at submission always
agree. The place hook (`areas_containing`) asks the places app which areas
hold a location answer's point."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from townhall.catalogue.engine.conditions import ConditionContext
from townhall.catalogue.engine.definition import ServiceDefinition
from townhall.places.lookup import areas_at
from townhall.tenancy.models import Organisation


def answer_point(answer: Any) -> tuple[float, float] | None:
    """The (longitude, latitude) of a location answer, or None: a description,
    or an answer stored as plain text before places existed, has no point."""
    if not isinstance(answer, Mapping):
        return None
    point = answer.get("point")
    if not isinstance(point, Mapping):
        return None
    lon, lat = point.get("lon"), point.get("lat")
    numbers = [n for n in (lon, lat) if isinstance(n, int | float) and not isinstance(n, bool)]
    if len(numbers) != 2:
        return None
    return float(numbers[0]), float(numbers[1])


def areas_containing(answer: Any) -> frozenset[str]:
    """The codes of every area containing a location answer's point."""
    point = answer_point(answer)
    if point is None:
        return frozenset()
    return frozenset(area.code for area in areas_at(*point))


def case_area_codes(*, definition: ServiceDefinition, answers: Mapping[str, Any]) -> list[str]:
    """The codes of the areas the case's places lie in, sorted: every location
    answer with a point, as the boundaries are now."""
    codes: set[str] = set()
    for _page, question in definition.questions():
        if question.type == "location":
            codes |= areas_containing(answers.get(question.id))
    return sorted(codes)


def case_point(
    *, definition: ServiceDefinition, answers: Mapping[str, Any]
) -> tuple[float, float] | None:
    """The (longitude, latitude) of the case's first location answer with a point."""
    for _page, question in definition.questions():
        if question.type == "location":
            point = answer_point(answers.get(question.id))
            if point is not None:
                return point
    return None


def condition_context(
    *, organisation: Organisation, answers: Mapping[str, Any] | None = None
) -> ConditionContext:
    """Conditions for `organisation`'s services: its answers, today, the council
    and the areas its boundaries put a place in."""
    return ConditionContext(
        answers=answers or {}, organisation=organisation, areas_containing=areas_containing
    )
