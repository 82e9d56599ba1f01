"""`text`: a one-line text box. The base of the other free-text types."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from townhall.catalogue.engine.patterns import PatternError, pattern_matches, pattern_problem
from townhall.catalogue.engine.types.base import QuestionType, Schema
from townhall.catalogue.engine.types.registry import register

if TYPE_CHECKING:
    from townhall.catalogue.engine.definition import Question

logger = logging.getLogger(__name__)

TEXT_PROPERTIES: dict[str, Schema] = {
    "min_length": {"type": "integer", "minimum": 0},
    "max_length": {"type": "integer", "minimum": 1},
    "pattern": {
        "type": "string",
        "maxLength": 500,
        "description": "A regular expression the whole answer must match, run by RE2.",
    },
}


@register
class TextType(QuestionType):
    name = "text"
    api_datatype = "string"
    in_groups = True
    default_max_length: ClassVar[int] = 500
    properties = TEXT_PROPERTIES
    internal_messages = frozenset({"not_text"})
    messages = {
        "required": gettext_lazy("Enter an answer"),
        "not_text": gettext_lazy("The answer must be text"),
        "too_long": ngettext_lazy(
            "The answer must be %(limit)d character or fewer",
            "The answer must be %(limit)d characters or fewer",
            "limit",
        ),
        "too_short": ngettext_lazy(
            "The answer must be %(limit)d character or more",
            "The answer must be %(limit)d characters or more",
            "limit",
        ),
        "pattern": gettext_lazy("The answer is not in the right format"),
    }
    named_messages: ClassVar[Mapping[str, Any]] = {
        "required": gettext_lazy("Enter %(what)s"),
        "too_long": ngettext_lazy(
            "%(What)s must be %(limit)d character or less",
            "%(What)s must be %(limit)d characters or less",
            "limit",
        ),
        "too_short": ngettext_lazy(
            "%(What)s must be %(limit)d character or more",
            "%(What)s must be %(limit)d characters or more",
            "limit",
        ),
        "pattern": gettext_lazy("%(What)s must be in the right format"),
    }

    def definition_problems(self, question: Mapping[str, Any], where: str) -> list[str]:
        problems = []
        low, high = question.get("min_length"), question.get("max_length")
        if low is not None and high is not None and low > high:
            problems.append(_("%(where)s.min_length: is more than max_length") % {"where": where})
        if "pattern" in question and (reason := pattern_problem(question["pattern"])):
            problems.append(
                _("%(where)s.pattern: this pattern cannot be used (%(reason)s)")
                % {"where": where, "reason": reason}
            )
        return problems

    def check(self, question: Question, value: Any) -> str | None:
        if not isinstance(value, str):
            return self.message(question, "not_text")
        limit = question.max_length or self.default_max_length
        if len(value) > limit:
            return self.message(question, "too_long", limit=limit)
        if question.min_length and len(value) < question.min_length:
            return self.message(question, "too_short", limit=question.min_length)
        if question.pattern and not self._matches(question, value):
            return self.message(question, "pattern")
        return None

    def possible_errors(self, question: Question) -> tuple[str, ...]:
        unreachable = {"too_short": not question.min_length, "pattern": not question.pattern}
        return tuple(k for k in super().possible_errors(question) if not unreachable.get(k))

    def example_values(self, question: Question, key: str) -> dict[str, Any]:
        if key == "too_short":
            return {"limit": question.min_length or 1}
        return {"limit": question.max_length or self.default_max_length}

    def _matches(self, question: Question, value: str) -> bool:
        try:
            return pattern_matches(question.pattern or "", value)
        except PatternError:
            # Stored before such patterns were refused on import: the answer
            # is taken unchecked rather than refused whatever is typed.
            logger.warning("Question %r has a pattern that cannot be used", question.id)
            return True
