"""What changed between two versions of a service's definition, in words staff
read before they publish: settings changed, pages and questions added, removed
or changed (and which of their properties), workflow states added or removed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _

# Shown by id, or handled on their own below.
_LISTED = {"pages", "workflow", "schema"}


def _questions(pages: list[Mapping[str, Any]]) -> dict[str, tuple[str, Mapping[str, Any]]]:
    """Every question by id (a group's too), with the id of its page."""
    found: dict[str, tuple[str, Mapping[str, Any]]] = {}

    def walk(page_id: str, questions: list[Mapping[str, Any]], prefix: str = "") -> None:
        for question in questions:
            found[f"{prefix}{question['id']}"] = (page_id, question)
            walk(page_id, question.get("questions", []), f"{prefix}{question['id']}.")

    for page in pages:
        walk(page["id"], page.get("questions", []))
    return found


def _label(question: Mapping[str, Any]) -> str:
    label = question.get("label", "")
    if isinstance(label, Mapping):
        label = label.get("en") or next(iter(label.values()), "")
    return str(label)


def _changed_keys(old: Mapping[str, Any], new: Mapping[str, Any], skip: set[str]) -> list[str]:
    keys = (set(old) | set(new)) - skip
    return sorted(key for key in keys if old.get(key) != new.get(key))


def definition_changes(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[str]:
    """Each change from `old` to `new` as a sentence; everything is new without `old`."""
    if old is None:
        return [_("This is the first version to be published.")]
    return list(_changes(old, new))


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> Iterator[str]:
    for key in _changed_keys(old, new, _LISTED):
        yield _("The setting %(key)s changed.") % {"key": key}
    old_pages = {p["id"]: p for p in old.get("pages", [])}
    new_pages = {p["id"]: p for p in new.get("pages", [])}
    for page_id in new_pages.keys() - old_pages.keys():
        yield _("Page %(page)s was added.") % {"page": page_id}
    for page_id in old_pages.keys() - new_pages.keys():
        yield _("Page %(page)s was removed.") % {"page": page_id}
    if [p for p in old_pages if p in new_pages] != [p for p in new_pages if p in old_pages]:
        yield _("The pages are in a different order.")
    for page_id in sorted(old_pages.keys() & new_pages.keys()):
        keys = _changed_keys(old_pages[page_id], new_pages[page_id], {"questions"})
        if keys:
            yield _("Page %(page)s: %(keys)s changed.") % {"page": page_id, "keys": ", ".join(keys)}
    yield from _question_changes(old.get("pages", []), new.get("pages", []))
    old_states = {s["id"] for s in old.get("workflow", {}).get("states", [])}
    new_states = {s["id"] for s in new.get("workflow", {}).get("states", [])}
    for state in sorted(new_states - old_states):
        yield _("Status %(state)s was added.") % {"state": state}
    for state in sorted(old_states - new_states):
        yield _("Status %(state)s was removed.") % {"state": state}
    old_flow = {k: v for k, v in old.get("workflow", {}).items() if k != "states"}
    new_flow = {k: v for k, v in new.get("workflow", {}).items() if k != "states"}
    kept = old_states & new_states
    old_by_id = {s["id"]: s for s in old.get("workflow", {}).get("states", [])}
    new_by_id = {s["id"]: s for s in new.get("workflow", {}).get("states", [])}
    if old_flow != new_flow or any(old_by_id[s] != new_by_id[s] for s in kept):
        yield _("The workflow (statuses, their messages or transitions) changed.")


def _question_changes(old_pages: list[Any], new_pages: list[Any]) -> Iterator[str]:
    old_questions, new_questions = _questions(old_pages), _questions(new_pages)
    for qid in sorted(new_questions.keys() - old_questions.keys()):
        page_id, question = new_questions[qid]
        yield _("Question “%(label)s” (%(id)s) was added on page %(page)s.") % {
            "label": _label(question), "id": qid, "page": page_id
        }  # fmt: skip
    for qid in sorted(old_questions.keys() - new_questions.keys()):
        _page_id, question = old_questions[qid]
        yield _("Question “%(label)s” (%(id)s) was removed.") % {
            "label": _label(question), "id": qid
        }  # fmt: skip
    for qid in sorted(old_questions.keys() & new_questions.keys()):
        (old_page, before), (new_page, after) = old_questions[qid], new_questions[qid]
        keys = _changed_keys(before, after, {"questions"})
        if old_page != new_page:
            keys.append(_("its page"))
        if keys:
            yield _("Question “%(label)s” (%(id)s): %(keys)s changed.") % {
                "label": _label(after), "id": qid, "keys": ", ".join(keys)
            }  # fmt: skip
