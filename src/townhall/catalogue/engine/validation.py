"""Checks a service definition must pass before it is stored: its JSON Schema,
then the rules a schema cannot express (references between questions, pages
and states; placeholders; control characters; languages of text). Each
problem names its path, for example `pages[2].questions[0].type: unknown type 'dat'`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any, cast

import jsonschema
from django.utils.translation import gettext as _

from townhall.catalogue.engine import types
from townhall.catalogue.engine.characters import CONTROL_CHARACTERS
from townhall.catalogue.engine.conditions import Subject, condition_problems
from townhall.catalogue.engine.languages import language_problems, texts_of
from townhall.catalogue.engine.schema import (
    SCHEMA_PATH,
    definition_schema,
    schema_generation,
    shared_question_properties,
)

__all__ = ["CONTROL_CHARACTERS", "SCHEMA_PATH", "definition_problems", "field_path"]
PLACEHOLDER = re.compile(r"\(\(([a-z_]+)\)\)")
# Anything written like a placeholder, so that one the engine would not fill
# (((Reference)), ((track url))) is refused on import, not emailed as written.
PLACEHOLDER_LIKE = re.compile(r"\(\(([^()]*)\)\)")
MESSAGE_PLACEHOLDERS = frozenset(
    {"reference", "service_name", "council_name", "status", "public_message", "track_url"}
)


@lru_cache(maxsize=4)
def _validator(generation: tuple[int, int]) -> jsonschema.protocols.Validator:
    schema = definition_schema()
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def field_path(parts: Iterable[Any]) -> str:
    """Where a problem is, as every message writes it: pages[2].questions[0].type."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(definition)"


def _schema_problems(data: Any) -> list[str]:
    problems = []
    validator = _validator(schema_generation())
    condition = cast(Mapping[str, Any], validator.schema)["$defs"]["condition"]
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        location = field_path(list(error.absolute_path))
        if error.schema is condition:
            # The operators say what is wrong with a condition, at its own path.
            problems += condition_problems(error.instance, where=location) or [
                f"{location}: {error.message}"
            ]
        elif error.schema == definition_schema()["$defs"]["text"]:
            problems.append(f"{location}: {_text_problem(error)}")
        elif error.validator == "enum" and isinstance(error.instance, str):
            field_name = str(error.absolute_path[-1]) if error.absolute_path else "value"
            problems.append(f"{location}: unknown {field_name} {error.instance!r}")
        elif error.validator == "additionalProperties":
            problems.append(f"{location}: {error.message}")
        else:
            problems.append(f"{location}: {error.message}")
    return problems


def _text_problem(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return "text in several languages needs its English ('en'), used where a language has none"
    if error.validator == "type":
        return "must be text, or a map from language code to text"
    return error.message


def definition_problems(data: Any) -> list[str]:
    """Every problem with `data` as a definition; empty when it is acceptable."""
    return _schema_problems(data) or _semantic_problems(data)


def _control_character_problems(value: Any, where: str) -> list[str]:
    """Text a definition holds is shown to residents and stored in databases
    that refuse NUL: control characters other than tab and newlines are refused."""
    if isinstance(value, str):
        if CONTROL_CHARACTERS.search(value):
            return [f"{where}: contains a control character"]
        return []
    if isinstance(value, Mapping):
        return [
            problem
            for key, item in value.items()
            for problem in _control_character_problems(item, f"{where}.{key}" if where else key)
        ]
    if isinstance(value, list):
        return [
            problem
            for i, item in enumerate(value)
            for problem in _control_character_problems(item, f"{where}[{i}]")
        ]
    return []


def _semantic_problems(data: Mapping[str, Any]) -> list[str]:
    problems: list[str] = _control_character_problems(data, "")
    problems += [f"{field_path(where)}: {problem}" for where, problem in language_problems(data)]
    seen_pages: set[str] = set()
    seen_questions: dict[str, Subject] = {}  # what conditions may name, so far
    page_ids = [page["id"] for page in data["pages"]]
    for p, page in enumerate(data["pages"]):
        if page["id"] in seen_pages:
            problems.append(f"pages[{p}].id: {page['id']!r} is used by an earlier page")
        seen_pages.add(page["id"])
        if "when" in page:
            problems += _condition_problems(page["when"], seen_questions, f"pages[{p}].when")
        problems += _page_shape_problems(page, f"pages[{p}]")
        for g, rule in enumerate(page.get("goto", [])):
            where = f"pages[{p}].goto[{g}]"
            if rule["page"] not in page_ids[p + 1 :]:
                problems.append(f"{where}.page: {rule['page']!r} is not a later page")
        for q, question in enumerate(page.get("questions", [])):
            where = f"pages[{p}].questions[{q}]"
            if question["id"] in seen_questions:
                problems.append(f"{where}.id: {question['id']!r} is used by an earlier question")
            if "when" in question:
                problems += _condition_problems(question["when"], seen_questions, f"{where}.when")
            problems += question_problems(question, where)
            seen_questions[question["id"]] = Subject.from_data(question)
        for g, rule in enumerate(page.get("goto", [])):
            problems += _condition_problems(
                rule["when"], seen_questions, f"pages[{p}].goto[{g}].when"
            )
    questions = [q for page in data["pages"] for q in page.get("questions", [])]
    if len([q for q in questions if q.get("contact")]) > 1:
        problems.append("pages: only one question may be the contact email")
    if data.get("needs_location") and not any(
        types.question_type(q["type"]).is_place for q in questions
    ):
        problems.append("needs_location: no location, address or postcode question is asked")
    for r, rule in enumerate(data.get("routing", {}).get("rules", [])):
        problems += _condition_problems(rule["when"], seen_questions, f"routing.rules[{r}].when")
    problems += _workflow_problems(data["workflow"])
    problems += _public_problems(data, questions)
    problems += _sla_problems(data)
    return problems


def _public_problems(data: Mapping[str, Any], questions: list[Mapping[str, Any]]) -> list[str]:
    """Keys that publish a service's cases make sense only for a public one:
    a private service (anti-social behaviour) never shows its cases anywhere."""
    problems = []
    if not data.get("public_on_map"):
        for key in ("nearby_radius_metres", "nearby_days", "publish_photos"):
            if key in data:
                problems.append(f"{key}: only a service with public_on_map: true shows its cases")
    elif "nearby_radius_metres" in data and not any(q["type"] == "location" for q in questions):
        problems.append("nearby_radius_metres: no location question gives a case its place")
    return problems


def _sla_problems(data: Mapping[str, Any]) -> list[str]:
    """A service, and each state, counts its deadline one way or the other."""
    levels = [("", data)] + [
        (f"workflow.states[{i}].", state) for i, state in enumerate(data["workflow"]["states"])
    ]
    return [
        f"{where}sla_working_days: give sla_days or sla_working_days, not both"
        for where, level in levels
        if "sla_days" in level and "sla_working_days" in level
    ]


def _page_shape_problems(page: Mapping[str, Any], where: str) -> list[str]:
    if "exit" in page and (page.get("questions") or page.get("goto")):
        return [f"{where}.exit: an exit page has no questions and no goto"]
    if "exit" not in page and not page.get("questions"):
        return [f"{where}: a page needs questions, or an exit"]
    return []


# Types whose answers a council may choose to publish (`publishable`): never
# names, contact details, addresses, files or exact places.
PUBLISHABLE_TYPES = frozenset(
    {"text", "textarea", "radios", "select", "checkboxes", "yes_no", "number", "money", "date"}
)


# The question types each profile field may fill (`prefill`): an answer of
# the type's own shape, which the type then checks like any other.
PREFILL_TYPES: dict[str, frozenset[str]] = {
    "profile.name": frozenset({"name", "text"}),
    "profile.email": frozenset({"email"}),
    "profile.phone": frozenset({"phone", "text"}),
    "profile.address": frozenset({"address", "textarea"}),
    "profile.postcode": frozenset({"postcode"}),
    "profile.date_of_birth": frozenset({"date"}),
}


def question_problems(question: Mapping[str, Any], where: str) -> list[str]:
    """The problems with one question the schema cannot see: a property its type
    does not take, and the rules its type states."""
    kind = types.question_type(question["type"])
    takes = shared_question_properties() | kind.schema_properties().keys()
    problems = [
        _("%(where)s.%(property)s: a question of type '%(type)s' does not take %(property)s")
        % {"where": where, "property": name, "type": kind.name}
        for name in question
        if name not in takes
    ]
    problems += kind.definition_problems(question, where)
    if question.get("contact") == "email" and kind.name != "email":
        problems.append(f"{where}.contact: the contact question must be of type 'email'")
    prefill = question.get("prefill")
    if prefill in PREFILL_TYPES and kind.name not in PREFILL_TYPES[prefill]:
        problems.append(
            _(
                "%(where)s.prefill: %(field)s cannot fill a question of type '%(type)s' "
                "(it fills %(types)s)"
            )
            % {
                "where": where,
                "field": prefill,
                "type": kind.name,
                "types": ", ".join(sorted(PREFILL_TYPES[prefill])),
            }
        )
    if question.get("publishable") and kind.name not in PUBLISHABLE_TYPES:
        problems.append(
            _(
                "%(where)s.publishable: a question of type '%(type)s' is personal or a file "
                "and is never published"
            )
            % {"where": where, "type": kind.name}
        )
    return problems


def _condition_problems(
    condition: Mapping[str, Any], asked: Mapping[str, Subject], where: str
) -> list[str]:
    return condition_problems(condition, where=where, asked=asked)


def _workflow_problems(workflow: Mapping[str, Any]) -> list[str]:
    problems = []
    ids = [s["id"] for s in workflow["states"]]
    if len(ids) != len(set(ids)):
        problems.append("workflow.states: state ids must be different")
    if workflow["initial"] not in ids:
        problems.append(f"workflow.initial: unknown state {workflow['initial']!r}")
    for source, targets in workflow["transitions"].items():
        if source not in ids:
            problems.append(f"workflow.transitions.{source}: unknown state {source!r}")
        for i, target in enumerate(targets):
            if target not in ids:
                problems.append(f"workflow.transitions.{source}[{i}]: unknown state {target!r}")
    for where, message in _messages(workflow):
        for part in ("subject", "body"):
            for language, text in texts_of(message[part]):
                # A plain string keeps the message's path; a language's text names itself.
                at = field_path([*where, part, *language]) if language else field_path(where)
                for name in PLACEHOLDER_LIKE.findall(text):
                    if name not in MESSAGE_PLACEHOLDERS:
                        problems.append(f"{at}: unknown placeholder (({name}))")
    return problems


def _messages(workflow: Mapping[str, Any]) -> Iterator[tuple[list[Any], Mapping[str, Any]]]:
    for key in ("submitted_message", "update_message"):
        if key in workflow:
            yield ["workflow", key], workflow[key]
    for i, state in enumerate(workflow["states"]):
        if "message" in state:
            yield ["workflow", "states", i, "message"], state["message"]
