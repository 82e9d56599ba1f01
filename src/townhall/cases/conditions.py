"""The context a council's conditions are evaluated in.

Every place that decides a route or checks answers for a case (the journey
page by page, submission, the one-shot `case_create`, routing) builds its
context here, so the route shown and the route checked at submission always
agree. The places feature adds its area lookup in this one function."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from townhall.catalogue.engine.conditions import ConditionContext
from townhall.tenancy.models import Organisation


def condition_context(
    *, organisation: Organisation, answers: Mapping[str, Any] | None = None
) -> ConditionContext:
    """Conditions for `organisation`'s services: its answers, today, the council."""
    return ConditionContext(answers=answers or {}, organisation=organisation)
