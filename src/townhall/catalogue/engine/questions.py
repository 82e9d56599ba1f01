"""Checking, showing and exporting answers, whatever the question's type. Each
type's own rules are in its module under `types/`; these are the entry points
the rest of Townhall calls. Turning form input into answers is `inputs`.

An answer is JSON: a string, number, bool, list of strings, a mapping (an
address), a list of mappings (a group), or for files a list of
{"id", "name", "size", "type"} records of stored attachments.
"""

from __future__ import annotations

from townhall.catalogue.engine.types import check_answer, display_answer, export_value, is_empty

__all__ = ["check_answer", "display_answer", "export_value", "is_empty"]
