"""What a question type is: the class each type's module subclasses, and the
small pieces several types share.

A type owns every aspect of its questions: the properties a definition may
give them (its JSON Schema fragment) and the rules a schema cannot express,
reading form input, checking a stored answer, showing and exporting it, and
what its widget template needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.files.uploadedfile import UploadedFile

from townhall.catalogue.engine.characters import CONTROL_CHARACTERS

if TYPE_CHECKING:
    from townhall.catalogue.engine.conditions.context import ConditionContext
    from townhall.catalogue.engine.definition import Question

Schema = dict[str, Any]
FormData = Mapping[str, Any]


class AnswerError(ValueError):
    """The answer cannot be accepted; the message is shown to the resident."""


class AnswerPending(AnswerError):
    """The answer is understood but not yet confirmed (a postcode found, to be
    checked by the resident): the page is shown again, without an error."""


@dataclass(frozen=True)
class NewFiles:
    """Files uploaded on this request, checked but not yet stored."""

    files: tuple[UploadedFile, ...]


@dataclass(frozen=True)
class Item:
    """One item of a question asked once per item (a group): its heading, and
    each of its questions (with the id its form fields use) and stored answer."""

    title: str
    questions: tuple[tuple[Question, Any], ...]


def is_empty(value: Any) -> bool:
    """No answer: nothing, an empty string or an empty list (0 and False are answers)."""
    return value is None or value == "" or value == []


def single(data: FormData, key: str) -> str:
    """One typed value, trimmed, without control characters."""
    value = data.get(key, "")
    return CONTROL_CHARACTERS.sub("", value).strip() if isinstance(value, str) else ""


def author_text(max_length: int, description: str = "") -> Schema:
    """The schema of text an author writes for people to read, such as a message:
    a string, or a map of languages (see `languages`)."""
    schema: Schema = {"$ref": "#/$defs/text", "maxLength": max_length}
    if description:
        schema["description"] = description
    return schema


def plain_number(value: float) -> str:
    """A number as people write it: no needless decimals, no exponent."""
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


class _ExampleValues(dict[str, Any]):
    """Values for messages' placeholders, with a stand-in for any not given."""

    def __missing__(self, key: str) -> Any:
        return 2


class QuestionType:
    """The behaviour every question of one `type` shares. Subclass it in a module
    of its own, set `name`, and decorate the class with `registry.register`."""

    name: ClassVar[str]
    # The widget: questions/<name>.html unless set.
    template: ClassVar[str] = ""
    # Drawn as a fieldset whose legend is the label (several inputs, or choices);
    # `grouped_inputs` adds role="group" (inputs that make one answer together).
    fieldset: ClassVar[bool] = False
    grouped_inputs: ClassVar[bool] = False
    # Its form sends files, so the page must be multipart.
    upload: ClassVar[bool] = False
    # Its answer is a place (for `needs_location`, and areas later).
    is_place: ClassVar[bool] = False
    # It may be one of a group's questions.
    in_groups: ClassVar[bool] = False
    # The properties a definition may give this type's questions, beyond those
    # every question has (id, type, label, hint, required, when, ...).
    properties: ClassVar[Mapping[str, Schema]] = {}
    # Every message the type shows, by key, as whole translatable sentences that
    # read naturally about any question ("Enter a date").
    messages: ClassVar[Mapping[str, Any]] = {}
    # The same messages about a question with an `error_name`, which they name
    # as %(what)s, or %(What)s at the start of a sentence ("Enter %(what)s",
    # "%(What)s must be a real date"). A key missing here uses `messages`.
    named_messages: ClassVar[Mapping[str, Any]] = {}
    # Keys of `messages` that are not errors (an item's heading): authors do not
    # reword them one by one and the error rules do not apply to them.
    internal_messages: ClassVar[frozenset[str]] = frozenset()
    # The keys an author may word themselves, as the property `<key>_message`:
    # every error message unless a type says otherwise.
    own_messages: ClassVar[tuple[str, ...] | None] = None
    # What Open311 calls an answer of this type (string, number, datetime, text,
    # singlevaluelist, multivaluelist); "" when the type is no Open311
    # attribute (a place, files, a group: sent another way, or not at all).
    api_datatype: ClassVar[str] = ""

    @property
    def template_name(self) -> str:
        return self.template or f"questions/{self.name}.html"

    def schema_properties(self) -> dict[str, Schema]:
        """This type's JSON Schema fragment: its properties and its authors' messages.
        (`required_message` is every question's, so it is in the shared schema.)"""
        found = dict(self.properties)
        for key in self.error_keys():
            if key != "required":
                found[f"{key}_message"] = author_text(300)
        return found

    # ---- the definition ----------------------------------------------------

    def definition_problems(self, question: Mapping[str, Any], where: str) -> list[str]:
        """Rules the schema cannot express, each as 'path: what is wrong'."""
        return []

    # ---- answers -----------------------------------------------------------

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        """Turn form fields into an answer (or NewFiles). Raises AnswerError."""
        return single(data, question.id)

    def check(self, question: Question, value: Any) -> str | None:
        """Why a stored, non-empty answer is not acceptable, or None."""
        return None

    def check_in(
        self, question: Question, value: Any, context: ConditionContext | None
    ) -> str | None:
        """`check` for a type whose rules depend on the day or the council
        (`context`); others need not override it."""
        return self.check(question, value)

    def display(self, question: Question, value: Any) -> str:
        """A non-empty answer as plain text: check answers, the staff case page,
        emails and summaries."""
        return str(value)

    def export(self, question: Question, value: Any) -> Any:
        """A non-empty answer as a plain JSON value, for Open311 attributes and
        open data: text, a number, true or false, a list or a mapping of them."""
        return value

    def api_values(self, question: Question) -> list[tuple[str, str]]:
        """The values an API client may choose from, as (key, name)."""
        return [(option.value, option.label) for option in question.options]

    def api_answer(self, question: Question, raw: str | list[str]) -> Any:
        """An answer from the text an API client sent (a list for a question
        with several values), as the answers document holds it. What cannot
        be read is passed on as sent, for the type's check to refuse."""
        text = raw if isinstance(raw, str) else (raw[0] if raw else "")
        try:
            parsed = self.parse(question, {question.id: text}, {})
        except AnswerError:
            return text
        return parsed if parsed != "" or not text.strip() else text

    def error_keys(self) -> tuple[str, ...]:
        """The keys of the error messages an author may word themselves."""
        if self.own_messages is not None:
            return self.own_messages
        return tuple(key for key in self.messages if key not in self.internal_messages)

    def message(self, question: Question, key: str, **values: Any) -> str:
        """The message `key`: the author's own words if they gave them, else
        this type's, naming the question by its `error_name` when it has one,
        with `values` filled in."""
        return self._message(question, key, values)

    def _message(self, question: Question, key: str, values: dict[str, Any]) -> str:
        if key in self.error_keys():
            own = question.setting(f"{key}_message")
            if own:
                return str(own)
        what = question.setting("error_name")
        if what and key in self.named_messages:
            named = str(what)
            values = type(values)(values)
            values.update(what=named, What=named[:1].upper() + named[1:])
            return str(self.named_messages[key] % values)
        text = self.messages[key]
        return str(text % values) if values or isinstance(values, _ExampleValues) else str(text)

    def message_examples(self, question: Question) -> dict[str, str]:
        """Every error message this question can show, by key, with values as
        they would be filled in (for tests and authors' previews)."""
        return {
            key: self._message(question, key, _ExampleValues(self.example_values(question, key)))
            for key in self.possible_errors(question)
        }

    def possible_errors(self, question: Question) -> tuple[str, ...]:
        """The keys of the errors this question can show, given its settings."""
        return tuple(key for key in self.error_keys() if key in self.messages)

    def example_values(self, question: Question, key: str) -> dict[str, Any]:
        """Values the message `key` is filled in with, where the question decides
        them (its limits); others get a stand-in."""
        return {}

    def required_message(self, question: Question) -> str:
        return self.message(question, "required")

    # ---- what the widget template needs --------------------------------------

    def anchor(self, question: Question) -> str:
        """The id of the input an error links to."""
        return question.id

    def redisplay(self, question: Question, answer: Any, raw: FormData) -> Any:
        """What to put back in the input: what was just typed, else the answer."""
        if raw:
            return raw.get(question.id, "")
        return answer

    def widget(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> dict[str, Any]:
        """Anything else the template needs, by name (read as `field.<name>`)."""
        return {}

    def items(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> list[Item]:
        """For a question asked once per item: the items to show."""
        return []
