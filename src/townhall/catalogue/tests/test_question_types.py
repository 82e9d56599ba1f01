"""The question-type registry: adding a type is one module and one template.

A throwaway `colour` type is registered here with its own template, and goes
through everything a built-in type does: a definition using it is accepted,
its page is drawn, input is read and checked, the answer is shown and
exported; unregistering it leaves no trace."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.template.loader import get_template

from townhall.cases.models import Draft
from townhall.catalogue.engine.definition import DefinitionError, Question, parse_definition
from townhall.catalogue.engine.inputs import AnswerError, parse_input
from townhall.catalogue.engine.questions import check_answer, display_answer, export_value
from townhall.catalogue.engine.schema import definition_schema
from townhall.catalogue.engine.types import (
    QuestionType,
    UnknownQuestionType,
    question_type,
    question_types,
    register,
    unregister,
)
from townhall.catalogue.engine.types.base import FormData, single
from townhall.catalogue.factories import definition_data, page_data, question_data
from townhall.catalogue.services import service_import

COLOUR = re.compile(r"^#[0-9a-f]{6}$")
WIDGET = (
    '<input class="govuk-input" type="color" id="{{ q.id }}" name="{{ q.id }}"'
    ' value="{{ field.value|default:field.default_colour }}">'
)


class ColourType(QuestionType):
    """A colour as #rrggbb, from a colour picker; a definition may limit it to a palette."""

    name = "colour"
    template = "questions/colour.html"
    in_groups = True
    properties = {"palette": {"type": "array", "items": {"type": "string"}}}
    own_messages = ("required", "invalid")
    messages = {
        "required": "Choose a colour",
        "invalid": "Enter a colour like #1d70b8",
        "off_palette": "Choose one of the colours offered",
    }

    def definition_problems(self, question: Mapping[str, Any], where: str) -> list[str]:
        bad = [c for c in question.get("palette", []) if not COLOUR.match(c)]
        return [f"{where}.palette: {c!r} is not a colour" for c in bad]

    def parse(self, question: Question, data: FormData, files: FormData) -> Any:
        typed = single(data, question.id).lower()
        if typed and not typed.startswith("#"):
            raise AnswerError(self.message(question, "invalid"))
        return typed

    def check(self, question: Question, value: Any) -> str | None:
        if not isinstance(value, str) or not COLOUR.match(value):
            return self.message(question, "invalid")
        palette = question.setting("palette")
        if palette and value not in palette:
            return self.message(question, "off_palette")
        return None

    def display(self, question: Question, value: Any) -> str:
        return f"Colour {value.upper()}"

    def export(self, question: Question, value: Any) -> Any:
        return {"hex": value}

    def widget(
        self, question: Question, answer: Any, raw: FormData, *, extra_items: int = 0
    ) -> dict[str, Any]:
        return {"default_colour": "#1d70b8"}


@pytest.fixture
def colour(settings, tmp_path: Path):
    """The colour type registered, with its template where Django finds templates."""
    (tmp_path / "questions").mkdir()
    (tmp_path / "questions" / "colour.html").write_text(WIDGET)
    engine: dict[str, Any] = dict(django_settings.TEMPLATES[0])
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    register(ColourType)
    try:
        yield question_type("colour")
    finally:
        unregister("colour")


def colour_definition(**extra: Any) -> dict[str, Any]:
    return definition_data(
        page_data(
            "colour",
            question_data("colour", "colour", "What colour is your front door?", **extra),
        ),
        slug="paint-my-door",
        name="Paint my door",
    )


def problems_of(data: object) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    return caught.value.problems


# ---- adding a type ---------------------------------------------------------------


def test_a_definition_using_a_registered_type_is_accepted(colour):
    definition = parse_definition(colour_definition(palette=["#1d70b8", "#d4351c"]))
    question = definition.question("colour")
    assert question.type == "colour"
    assert question.setting("palette") == ["#1d70b8", "#d4351c"]
    assert "colour" in definition_schema()["$defs"]["question"]["properties"]["type"]["enum"]


def test_a_registered_types_own_rules_and_properties_are_checked(colour):
    assert problems_of(colour_definition(palette=["red"])) == [
        "pages[0].questions[0].palette: 'red' is not a colour"
    ]
    assert problems_of(colour_definition(max_files=2)) == [
        "pages[0].questions[0].max_files: a question of type 'colour' does not take max_files"
    ]
    text_with_palette = definition_data(page_data("p", question_data(palette=["#000000"])))
    assert problems_of(text_with_palette) == [
        "pages[0].questions[0].palette: a question of type 'text' does not take palette"
    ]


def test_a_registered_types_input_checks_display_and_export(colour):
    question = parse_definition(colour_definition(palette=["#1d70b8"])).question("colour")
    assert parse_input(question, {"colour": " #1D70B8 "}, {}) == "#1d70b8"
    with pytest.raises(AnswerError, match=r"^Enter a colour like #1d70b8$"):
        parse_input(question, {"colour": "blue"}, {})
    assert check_answer(question, "") == "Choose a colour"
    assert check_answer(question, "#1d70b8") is None
    assert check_answer(question, "#d4351c") == "Choose one of the colours offered"
    assert display_answer(question, "#1d70b8") == "Colour #1D70B8"
    assert export_value(question, "#1d70b8") == {"hex": "#1d70b8"}
    assert export_value(question, "") is None


def test_an_authors_own_message_replaces_the_types(colour):
    own = "Give the colour as # and six letters or digits"
    question = parse_definition(colour_definition(invalid_message=own)).question("colour")
    assert check_answer(question, "blue") == own


def test_a_page_with_a_registered_type_is_drawn_read_and_shown_back(client, council, colour):
    service_import(organisation=council, definition=colour_definition())
    page = "/services/paint-my-door/questions/colour/"

    body = client.get(page).content.decode()
    assert 'type="color" id="colour" name="colour" value="#1d70b8"' in body
    assert "What colour is your front door?" in body

    refused = client.post(page, {"colour": "blue"}).content.decode()
    assert "Enter a colour like #1d70b8" in refused
    assert 'href="#colour"' in refused
    assert not Draft.objects.exists()

    assert client.post(page, {"colour": "#D4351C"})["Location"].endswith("/check/")
    assert Draft.objects.get().answers == {"colour": "#d4351c"}
    check = client.get("/services/paint-my-door/check/").content.decode()
    assert "Colour #D4351C" in check


def test_unregistering_a_type_leaves_no_trace(settings, tmp_path):
    before = definition_schema()
    data = colour_definition(palette=["#1d70b8"])
    register(ColourType)
    parse_definition(data)
    unregister("colour")

    assert problems_of(data) == [
        "pages[0].questions[0]: Additional properties are not allowed ('palette' was unexpected)",
        "pages[0].questions[0].type: unknown type 'colour'",
    ]
    assert definition_schema() == before
    assert "palette" not in definition_schema()["$defs"]["question"]["properties"]
    assert "colour" not in [kind.name for kind in question_types()]
    with pytest.raises(UnknownQuestionType):
        question_type("colour")


# ---- the registry's own rules ------------------------------------------------------


def test_a_type_name_can_be_registered_only_once():
    class AnotherText(QuestionType):
        name = "text"

    with pytest.raises(ValueError, match="already registered"):
        register(AnotherText)


def test_a_property_two_types_share_must_have_one_schema():
    class Swatch(QuestionType):
        name = "swatch"
        properties = {"options": {"type": "string"}}

    with pytest.raises(ValueError, match="'options'"):
        register(Swatch)
    assert "swatch" not in [kind.name for kind in question_types()]


def test_the_schema_lists_exactly_the_registered_types():
    schema = definition_schema()["$defs"]["question"]["properties"]
    assert schema["type"]["enum"] == [kind.name for kind in question_types()]
    for kind in question_types():
        for name, fragment in kind.schema_properties().items():
            assert schema[name] == fragment


@pytest.mark.parametrize("kind", question_types(), ids=lambda kind: kind.name)
def test_every_registered_type_has_its_widget_template(kind):
    assert get_template(kind.template_name)
