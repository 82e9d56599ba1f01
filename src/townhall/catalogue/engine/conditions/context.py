"""What a condition is tested against: the answers, today's date, the council
running the service and a way to ask which areas contain a place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from townhall.tenancy.models import Organisation

# Given a location answer, the identifiers (such as GSS codes) of the areas
# that contain it.
AreaLookup = Callable[[Any], frozenset[str]]


def no_areas(answer: Any) -> frozenset[str]:
    """The place hook while Townhall knows no areas: no answer lies in any."""
    return frozenset()


def _today() -> dt.date:
    # Looked up when a context is made, not when this module is imported, so
    # that tests which patch timezone.localdate are obeyed.
    return timezone.localdate()


@dataclass(frozen=True)
class ConditionContext:
    """Everything an operator may look at. The engine makes one from the
    answers alone; callers that know more (the council, the places feature)
    pass it in."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    today: dt.date = field(default_factory=_today)
    organisation: Organisation | None = None
    areas_containing: AreaLookup = no_areas

    def answer(self, question_id: str) -> Any:
        return self.answers.get(question_id)

    def with_answers(self, answers: Mapping[str, Any]) -> ConditionContext:
        """The same context over other answers (the route so far, say)."""
        return self if answers is self.answers else replace(self, answers=answers)
