"""Turning what a browser sends into answers. Each type reads its own fields
(its module under `types/`); a refusal is always an AnswerError, whose message
is shown to the resident, and `questions.check_answer` then checks the answer."""

from __future__ import annotations

from townhall.catalogue.engine.types import AnswerError, AnswerPending, NewFiles, parse_input
from townhall.catalogue.engine.types.file import sniff_content_type
from townhall.catalogue.engine.types.group import group_item_count

__all__ = [
    "AnswerError",
    "AnswerPending",
    "NewFiles",
    "group_item_count",
    "parse_input",
    "sniff_content_type",
]
