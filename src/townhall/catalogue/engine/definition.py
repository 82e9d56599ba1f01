"""Service definitions: validated against the JSON Schema, then parsed into
immutable objects the rest of the engine reads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).with_name("service-definition.schema.json")
PLACEHOLDER = re.compile(r"\(\(([a-z_]+)\)\)")
# Anything written like a placeholder, so that one the engine would not fill
# (((Reference)), ((track url))) is refused on import, not emailed as written.
PLACEHOLDER_LIKE = re.compile(r"\(\(([^()]*)\)\)")
MESSAGE_PLACEHOLDERS = frozenset(
    {"reference", "service_name", "council_name", "status", "public_message", "track_url"}
)


class DefinitionError(ValueError):
    """A definition is invalid. `problems` lists each as 'path: what is wrong'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    hint: str = ""
    required: bool = True
    when: Mapping[str, Any] | None = None
    contact: str | None = None
    summary: bool = False
    options: tuple[Option, ...] = ()
    min_length: int | None = None
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    date: str = "any"
    accept: tuple[str, ...] = ()
    max_size_mb: float = 10
    max_files: int = 1
    pattern: str | None = None
    pattern_message: str = ""
    required_message: str = ""
    questions: tuple[Question, ...] = ()  # a group's questions, asked about each item
    min_items: int = 0
    max_items: int = 10
    item_label: str = "item"

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)


@dataclass(frozen=True)
class Goto:
    when: Mapping[str, Any]
    page: str


@dataclass(frozen=True)
class Page:
    id: str
    questions: tuple[Question, ...]
    title: str = ""
    intro: str = ""
    when: Mapping[str, Any] | None = None
    exit_body: str = ""  # an exit page ends the journey with this advice
    goto: tuple[Goto, ...] = ()

    @property
    def is_exit(self) -> bool:
        return bool(self.exit_body)

    @property
    def heading(self) -> str:
        """A page of one question uses its label as the heading, as GOV.UK does."""
        return self.title or (self.questions[0].label if self.questions else "")


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


@dataclass(frozen=True)
class State:
    id: str
    label: str
    public_label: str
    closed: bool = False
    message: Message | None = None
    sla_days: int | None = None


@dataclass(frozen=True)
class Workflow:
    initial: str
    states: tuple[State, ...]
    transitions: Mapping[str, tuple[str, ...]]
    submitted_message: Message | None = None
    update_message: Message | None = None

    def state(self, state_id: str) -> State:
        for state in self.states:
            if state.id == state_id:
                return state
        raise KeyError(state_id)

    def next_states(self, state_id: str) -> tuple[State, ...]:
        return tuple(self.state(s) for s in self.transitions.get(state_id, ()))


@dataclass(frozen=True)
class RoutingRule:
    when: Mapping[str, Any]
    team: str


@dataclass(frozen=True)
class Routing:
    team: str | None = None
    rules: tuple[RoutingRule, ...] = ()


@dataclass(frozen=True)
class ServiceDefinition:
    slug: str
    name: str
    summary: str
    pages: tuple[Page, ...]
    workflow: Workflow
    description: str = ""
    category: str = "Other services"
    kind: str = "report"
    lgsl: int | None = None
    confirmation_title: str = "Submission complete"
    next_steps: str = ""
    audience: str = "anyone"
    needs_location: bool = False
    public_on_map: bool = False
    retention_days: int | None = None
    cost_per_transaction: Mapping[str, float] = field(default_factory=dict)
    save_and_return: bool = False
    declaration: str = ""
    sla_days: int | None = None
    routing: Routing = field(default_factory=Routing)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def questions(self) -> Iterator[tuple[Page, Question]]:
        for page in self.pages:
            for question in page.questions:
                yield page, question

    def question(self, question_id: str) -> Question:
        for _page, question in self.questions():
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def page(self, page_id: str) -> Page | None:
        return next((p for p in self.pages if p.id == page_id), None)

    @property
    def contact_question(self) -> Question | None:
        return next((q for _p, q in self.questions() if q.contact == "email"), None)


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _path(parts: Iterator[Any] | list[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(definition)"


def _schema_problems(data: Any) -> list[str]:
    problems = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path)):
        location = _path(list(error.absolute_path))
        if error.validator == "enum" and isinstance(error.instance, str):
            field_name = str(error.absolute_path[-1]) if error.absolute_path else "value"
            problems.append(f"{location}: unknown {field_name} {error.instance!r}")
        elif error.validator == "additionalProperties":
            problems.append(f"{location}: {error.message}")
        else:
            problems.append(f"{location}: {error.message}")
    return problems


def parse_definition(data: Any) -> ServiceDefinition:
    """Check `data` against the schema and the rules a schema cannot express,
    and return the parsed definition. Raises DefinitionError naming every problem."""
    problems = _schema_problems(data)
    if problems:
        raise DefinitionError(problems)
    problems = _semantic_problems(data)
    if problems:
        raise DefinitionError(problems)
    return _build(data)


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


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _semantic_problems(data: Mapping[str, Any]) -> list[str]:
    problems: list[str] = _control_character_problems(data, "")
    seen_pages: set[str] = set()
    seen_questions: set[str] = set()
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
            problems += _question_problems(question, where)
            seen_questions.add(question["id"])
        for g, rule in enumerate(page.get("goto", [])):
            problems += _condition_problems(
                rule["when"], seen_questions, f"pages[{p}].goto[{g}].when"
            )
    questions = [q for page in data["pages"] for q in page.get("questions", [])]
    if len([q for q in questions if q.get("contact")]) > 1:
        problems.append("pages: only one question may be the contact email")
    if data.get("needs_location") and not any(q["type"] in PLACE_TYPES for q in questions):
        problems.append("needs_location: no location, address or postcode question is asked")
    for r, rule in enumerate(data.get("routing", {}).get("rules", [])):
        problems += _condition_problems(rule["when"], seen_questions, f"routing.rules[{r}].when")
    problems += _workflow_problems(data["workflow"])
    return problems


PLACE_TYPES = frozenset({"location", "address", "postcode"})
GROUP_MEMBER_TYPES = frozenset(
    {
        "text",
        "textarea",
        "email",
        "phone",
        "postcode",
        "number",
        "date",
        "radios",
        "select",
        "yes_no",
        "name",
    }
)


def _page_shape_problems(page: Mapping[str, Any], where: str) -> list[str]:
    if "exit" in page and (page.get("questions") or page.get("goto")):
        return [f"{where}.exit: an exit page has no questions and no goto"]
    if "exit" not in page and not page.get("questions"):
        return [f"{where}: a page needs questions, or an exit"]
    return []


CHOICE_TYPES = frozenset({"radios", "checkboxes", "select"})


def _question_problems(question: Mapping[str, Any], where: str) -> list[str]:
    problems = []
    kind = question["type"]
    if kind in CHOICE_TYPES:
        values = [o["value"] for o in question.get("options", [])]
        if not values:
            problems.append(f"{where}.options: a {kind} question needs options")
        if len(values) != len(set(values)):
            problems.append(f"{where}.options: option values must be different")
    elif "options" in question:
        problems.append(f"{where}.options: a {kind} question does not take options")
    if question.get("contact") == "email" and kind != "email":
        problems.append(f"{where}.contact: the contact question must be of type 'email'")
    low, high = question.get("min_length"), question.get("max_length")
    if low is not None and high is not None and low > high:
        problems.append(f"{where}.min_length: is more than max_length")
    if "min" in question and "max" in question and question["min"] > question["max"]:
        problems.append(f"{where}.min: is more than max")
    if "pattern" in question:
        try:
            re.compile(question["pattern"])
        except re.error as error:
            problems.append(f"{where}.pattern: not a regular expression ({error})")
    problems += _group_problems(question, where)
    return problems


def _group_problems(question: Mapping[str, Any], where: str) -> list[str]:
    if question["type"] != "group":
        if "questions" in question:
            return [f"{where}.questions: only a group question has questions"]
        return []
    problems = []
    if not question.get("questions"):
        problems.append(f"{where}.questions: a group needs questions")
    if question.get("min_items", 0) > question.get("max_items", 10):
        problems.append(f"{where}.min_items: is more than max_items")
    seen: set[str] = set()
    for i, member in enumerate(question.get("questions", [])):
        if member["type"] not in GROUP_MEMBER_TYPES:
            problems.append(
                f"{where}.questions[{i}].type: a group cannot hold a {member['type']!r} question"
            )
        if member["id"] in seen:
            problems.append(f"{where}.questions[{i}].id: {member['id']!r} is used twice")
        if "when" in member:
            problems.append(f"{where}.questions[{i}].when: questions in a group are always asked")
        if "contact" in member:
            problems.append(
                f"{where}.questions[{i}].contact: the contact email cannot be in a group"
            )
        seen.add(member["id"])
        problems += _question_problems(member, f"{where}.questions[{i}]")
    return problems


def _condition_problems(condition: Mapping[str, Any], known: set[str], where: str) -> list[str]:
    if "all" in condition or "any" in condition:
        key = "all" if "all" in condition else "any"
        return [
            problem
            for i, part in enumerate(condition[key])
            for problem in _condition_problems(part, known, f"{where}.{key}[{i}]")
        ]
    if "not" in condition:
        return _condition_problems(condition["not"], known, f"{where}.not")
    if condition["question"] not in known:
        return [f"{where}.question: {condition['question']!r} is not asked before this point"]
    return []


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
        for text in (message["subject"], message["body"]):
            for name in PLACEHOLDER_LIKE.findall(text):
                if name not in MESSAGE_PLACEHOLDERS:
                    problems.append(f"{where}: unknown placeholder (({name}))")
    return problems


def _messages(workflow: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for key in ("submitted_message", "update_message"):
        if key in workflow:
            yield f"workflow.{key}", workflow[key]
    for i, state in enumerate(workflow["states"]):
        if "message" in state:
            yield f"workflow.states[{i}].message", state["message"]


def _message(data: Mapping[str, Any] | None) -> Message | None:
    return Message(subject=data["subject"], body=data["body"]) if data else None


def _build(data: Mapping[str, Any]) -> ServiceDefinition:
    pages = tuple(
        Page(
            id=page["id"],
            title=page.get("title", ""),
            intro=page.get("intro", ""),
            when=page.get("when"),
            questions=tuple(_build_question(q) for q in page.get("questions", [])),
            exit_body=page.get("exit", {}).get("body", ""),
            goto=tuple(Goto(when=g["when"], page=g["page"]) for g in page.get("goto", [])),
        )
        for page in data["pages"]
    )
    routing = data.get("routing", {})
    workflow = data["workflow"]
    confirmation = data.get("confirmation", {})
    return ServiceDefinition(
        slug=data["slug"],
        name=data["name"],
        summary=data["summary"],
        description=data.get("description", ""),
        category=data.get("category", "Other services"),
        kind=data.get("kind", "report"),
        lgsl=data.get("lgsl"),
        confirmation_title=confirmation.get("title", "Submission complete"),
        next_steps=confirmation.get("next_steps", ""),
        audience=data.get("audience", "anyone"),
        needs_location=data.get("needs_location", False),
        public_on_map=data.get("public_on_map", False),
        retention_days=data.get("retention_days"),
        cost_per_transaction=dict(data.get("cost_per_transaction", {})),
        save_and_return=data.get("save_and_return", False),
        declaration=data.get("declaration", ""),
        sla_days=data.get("sla_days"),
        routing=Routing(
            team=routing.get("team"),
            rules=tuple(
                RoutingRule(when=r["when"], team=r["team"]) for r in routing.get("rules", [])
            ),
        ),
        pages=pages,
        workflow=Workflow(
            initial=workflow["initial"],
            states=tuple(
                State(
                    id=s["id"],
                    label=s["label"],
                    public_label=s.get("public_label", s["label"]),
                    closed=s.get("closed", False),
                    message=_message(s.get("message")),
                    sla_days=s.get("sla_days"),
                )
                for s in workflow["states"]
            ),
            transitions={k: tuple(v) for k, v in workflow["transitions"].items()},
            submitted_message=_message(workflow.get("submitted_message")),
            update_message=_message(workflow.get("update_message")),
        ),
        raw=data,
    )


def _build_question(data: Mapping[str, Any]) -> Question:
    return Question(
        id=data["id"],
        type=data["type"],
        label=data["label"],
        hint=data.get("hint", ""),
        required=data.get("required", True),
        when=data.get("when"),
        contact=data.get("contact"),
        summary=data.get("summary", False),
        options=tuple(Option(**o) for o in data.get("options", [])),
        min_length=data.get("min_length"),
        max_length=data.get("max_length"),
        min=data.get("min"),
        max=data.get("max"),
        date=data.get("date", "any"),
        accept=tuple(data.get("accept", ())),
        max_size_mb=data.get("max_size_mb", 10),
        max_files=data.get("max_files", 1),
        pattern=data.get("pattern"),
        pattern_message=data.get("pattern_message", ""),
        required_message=data.get("required_message", ""),
        questions=tuple(_build_question(q) for q in data.get("questions", [])),
        min_items=data.get("min_items", 0),
        max_items=data.get("max_items", 10),
        item_label=data.get("item_label", "item"),
    )


def render_message(message: Message, values: Mapping[str, str]) -> Message:
    """Fill ((placeholders)) in a message; unknown ones were refused on import."""

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)

    return Message(subject=fill(message.subject), body=fill(message.body))


def with_optional_contact(definition: ServiceDefinition) -> ServiceDefinition:
    """The definition with its contact email optional: for staff recording a
    phone or face-to-face contact from someone without email, who is given
    their reference there and then."""
    contact = definition.contact_question
    if contact is None or not contact.required:
        return definition
    pages = tuple(
        replace(
            page,
            questions=tuple(
                replace(q, required=False) if q.id == contact.id else q for q in page.questions
            ),
        )
        for page in definition.pages
    )
    return replace(definition, pages=pages)
