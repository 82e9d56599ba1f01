"""Service definitions: validated against the JSON Schema, then parsed, in one
language, into immutable objects the rest of the engine reads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from townhall.catalogue.engine.languages import FALLBACK_LANGUAGE, language_for, localise
from townhall.catalogue.engine.plain_data import plain_data_problems
from townhall.catalogue.engine.validation import PLACEHOLDER, definition_problems


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
    exclusive: bool = False  # checkboxes: chosen on its own ("None of these")


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
    publishable: bool = False  # shown on public reports and in open data
    prefill: str = ""  # "profile.<field>": filled from a signed-in resident's profile
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
    # Properties with no field of their own: those of a type added later, and
    # authors' own messages (`too_long_message`, ...).
    extra: Mapping[str, Any] = field(default_factory=dict)

    def option_label(self, value: str) -> str:
        return next((o.label for o in self.options if o.value == value), value)

    def setting(self, name: str, default: Any = None) -> Any:
        """A property as the definition gave it, whether or not it has a field."""
        if name in _QUESTION_FIELDS:
            return getattr(self, name)
        return self.extra.get(name, default)


_QUESTION_FIELDS = frozenset(f.name for f in fields(Question)) - {"extra"}


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
    section: str = ""  # its task-list section's title

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
    sla_working_days: int | None = None
    external_statuses: tuple[str, ...] = ()  # as the definition gave them; see Workflow
    # The council is waiting for the resident (more information, evidence):
    # a signed-in resident can reply from their account.
    asks_resident: bool = False


# The statuses other systems speak (Open311 and mySociety's updates extension).
# "Closed, not fixed" and "not the council's responsibility" stay distinct.
EXTERNAL_STATUSES = (
    "OPEN",
    "CLOSED",
    "FIXED",
    "IN_PROGRESS",
    "ACTION_SCHEDULED",
    "INVESTIGATING",
    "DUPLICATE",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
    "CANCELLED",
    "REOPEN",
)


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

    def external_statuses(self, state: State) -> tuple[str, ...]:
        """The external statuses `state` stands for: those the definition gives,
        or by default the one its id names (a state `fixed` is FIXED), else
        OPEN for the initial state, CLOSED for a closed one and IN_PROGRESS
        for any other. The first is the one reported to other systems."""
        if state.external_statuses:
            return state.external_statuses
        if state.id.upper() in EXTERNAL_STATUSES and state.id.upper() != "REOPEN":
            return (state.id.upper(),)
        if state.id == self.initial:
            return ("OPEN",)
        return ("CLOSED",) if state.closed else ("IN_PROGRESS",)

    def external_status(self, state_id: str) -> str:
        """The external status reported for a case in `state_id`."""
        return self.external_statuses(self.state(state_id))[0]


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
    keywords: tuple[str, ...] = ()
    kind: str = "report"
    lgsl: int | None = None
    confirmation_title: str = "Submission complete"
    next_steps: str = ""
    audience: str = "anyone"
    needs_location: bool = False
    public_on_map: bool = False
    # Demand avoidance (public services only): open cases this near and this
    # recent are offered before a report is sent; photos shown with them.
    nearby_radius_metres: int = 100
    nearby_days: int = 30
    publish_photos: bool = False
    # What "no, it is not fixed" does to a case closed as fixed: reopen it,
    # start a follow-up case, or nothing is asked ("off").
    not_fixed: str = "reopen"
    retention_days: int | None = None
    privacy_notice: str = ""  # Markdown: how the council uses what it collects
    cost_per_transaction: Mapping[str, float] = field(default_factory=dict)
    save_and_return: bool = False
    declaration: str = ""
    sla_days: int | None = None
    sla_working_days: int | None = None
    routing: Routing = field(default_factory=Routing)
    # Where its cases go once submitted (connector destinations, as written).
    send_to: tuple[Mapping[str, Any], ...] = ()
    language: str = FALLBACK_LANGUAGE  # the language its text is in
    # As stored and exported: text in several languages keeps its maps here.
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
    def has_sections(self) -> bool:
        """Whether the service starts on a task list (a page names a section)."""
        return any(page.section for page in self.pages)

    def section_of(self, page: Page) -> str:
        """A page's section: its own, else that of the nearest page before it."""
        found = ""
        for each in self.pages:
            found = each.section or found
            if each.id == page.id:
                return found
        return found

    @property
    def prefilled_questions(self) -> tuple[Question, ...]:
        """The questions a signed-in resident's profile may fill in."""
        return tuple(q for _p, q in self.questions() if q.prefill)

    @property
    def contact_question(self) -> Question | None:
        return next((q for _p, q in self.questions() if q.contact == "email"), None)


def parse_definition(data: Any, *, language: str = FALLBACK_LANGUAGE) -> ServiceDefinition:
    """Check that `data` is plain data a definition can hold, then check it against
    the schema and the rules a schema cannot express, and return the parsed
    definition with its text in `language` (English where it has none in that
    language). Raises DefinitionError naming every problem."""
    problems = plain_data_problems(data) or definition_problems(data)
    if problems:
        raise DefinitionError(problems)
    language = language_for(language)
    return _build(localise(data, language), raw=data, language=language)


def _message(data: Mapping[str, Any] | None) -> Message | None:
    return Message(subject=data["subject"], body=data["body"]) if data else None


def _build(data: Mapping[str, Any], *, raw: Mapping[str, Any], language: str) -> ServiceDefinition:
    pages = tuple(
        Page(
            id=page["id"],
            title=page.get("title", ""),
            intro=page.get("intro", ""),
            when=page.get("when"),
            questions=tuple(_build_question(q) for q in page.get("questions", [])),
            exit_body=page.get("exit", {}).get("body", ""),
            goto=tuple(Goto(when=g["when"], page=g["page"]) for g in page.get("goto", [])),
            section=page.get("section", ""),
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
        keywords=tuple(data.get("keywords", ())),
        kind=data.get("kind", "report"),
        lgsl=data.get("lgsl"),
        confirmation_title=confirmation.get("title", "Submission complete"),
        next_steps=confirmation.get("next_steps", ""),
        audience=data.get("audience", "anyone"),
        needs_location=data.get("needs_location", False),
        public_on_map=data.get("public_on_map", False),
        nearby_radius_metres=data.get("nearby_radius_metres", 100),
        nearby_days=data.get("nearby_days", 30),
        publish_photos=data.get("publish_photos", False),
        not_fixed=data.get("not_fixed", "reopen"),
        retention_days=data.get("retention_days"),
        privacy_notice=data.get("privacy_notice", ""),
        cost_per_transaction=dict(data.get("cost_per_transaction", {})),
        save_and_return=data.get("save_and_return", False),
        declaration=data.get("declaration", ""),
        sla_days=data.get("sla_days"),
        sla_working_days=data.get("sla_working_days"),
        routing=Routing(
            team=routing.get("team"),
            rules=tuple(
                RoutingRule(when=r["when"], team=r["team"]) for r in routing.get("rules", [])
            ),
        ),
        send_to=tuple(dict(destination) for destination in data.get("send_to", [])),
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
                    sla_working_days=s.get("sla_working_days"),
                    external_statuses=tuple(s.get("external_statuses", ())),
                    asks_resident=s.get("asks_resident", False),
                )
                for s in workflow["states"]
            ),
            transitions={k: tuple(v) for k, v in workflow["transitions"].items()},
            submitted_message=_message(workflow.get("submitted_message")),
            update_message=_message(workflow.get("update_message")),
        ),
        language=language,
        raw=raw,
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
        publishable=data.get("publishable", False),
        prefill=data.get("prefill", ""),
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
        extra={key: value for key, value in data.items() if key not in _QUESTION_FIELDS},
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
