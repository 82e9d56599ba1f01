"""How a service's questions meet Open311's fields.

Open311 has fields of its own for a place (`lat`/`long`, `address_string`,
`address_id`), the resident's email, a `description` and files (`media`);
each fills the service's question of that kind. Every other question whose
type has an Open311 datatype (the question-type registry says which) is an
attribute, named by the question's id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from townhall.catalogue.engine.definition import Question, ServiceDefinition
from townhall.catalogue.engine.types.registry import question_type


@dataclass(frozen=True)
class ServiceFields:
    definition: ServiceDefinition

    @cached_property
    def place(self) -> Question | None:
        """The question lat/long or an address fills: the first location question."""
        return next((q for _p, q in self.definition.questions() if q.type == "location"), None)

    @cached_property
    def email(self) -> Question | None:
        return self.definition.contact_question

    @cached_property
    def description(self) -> Question | None:
        """The question `description` fills: one with that id, else the first long text."""
        questions = [q for _p, q in self.definition.questions()]
        named = next((q for q in questions if q.id == "description" and _is_text(q)), None)
        return named or next((q for q in questions if q.type == "textarea"), None)

    @cached_property
    def media(self) -> Question | None:
        """The question `media` uploads go to: the first file question."""
        return next((q for _p, q in self.definition.questions() if q.type == "file"), None)

    @cached_property
    def attributes(self) -> list[Question]:
        """The questions asked as attributes, in the order the service asks them."""
        taken = {q.id for q in (self.place, self.email, self.description, self.media) if q}
        return [
            question
            for _page, question in self.definition.questions()
            if question.id not in taken and question_type(question.type).api_datatype
        ]

    def field_name(self, question_id: str) -> str:
        """The Open311 name of what answers a question, for error messages."""
        head = question_id.split(".")[0].split("[")[0]
        rest = question_id[len(head) :]
        if head in {"media_url", "declaration", "answers"}:  # not a question's
            return question_id
        for name, question in (
            ("lat/long or address_string", self.place),
            ("email", self.email),
            ("description", self.description),
            ("media", self.media),
        ):
            if question is not None and question.id == head:
                return name + rest
        return f"attribute[{head}]{rest}"


def _is_text(question: Question) -> bool:
    return question.type in {"text", "textarea"}


def attribute_document(question: Question, order: int) -> dict[str, Any]:
    """One attribute of a service definition, as the specification lists it."""
    kind = question_type(question.type)
    values = kind.api_values(question)
    document: dict[str, Any] = {
        "variable": True,
        "code": question.id,
        "datatype": kind.api_datatype,
        "required": question.required and question.when is None,
        "datatype_description": question.hint or None,
        "order": order,
        "description": question.label,
    }
    if kind.api_datatype in {"singlevaluelist", "multivaluelist"}:
        document["values"] = [{"key": key, "name": name} for key, name in values]
    return document


def attribute_answers(
    fields: ServiceFields, sent: Mapping[str, str | list[str]]
) -> tuple[dict[str, Any], list[str]]:
    """The answers the attributes sent give (by question id), and the codes
    sent that are no attribute of the service."""
    by_code = {question.id: question for question in fields.attributes}
    answers: dict[str, Any] = {}
    unknown: list[str] = []
    for code, raw in sent.items():
        question = by_code.get(code)
        if question is None:
            unknown.append(code)
            continue
        answers[code] = question_type(question.type).api_answer(question, raw)
    return answers, unknown
