"""Text in several languages: a text field is a string or a map of languages
with English as the fallback; a definition is read in one language, and what
was imported is exported unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from townhall.catalogue.engine.definition import DefinitionError, parse_definition
from townhall.catalogue.engine.languages import (
    active_language,
    language_coverage,
    language_for,
    text_fields,
)
from townhall.catalogue.factories import (
    definition_data,
    page_data,
    question_data,
    service_create,
    welsh_definition,
)
from townhall.catalogue.models import ServiceVersion
from townhall.catalogue.tests.test_transfer import (
    CONTROL,
    PROPERTY,
    definitions,
    in_order,
)
from townhall.catalogue.transfer import definition_dump, definition_read


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    return caught.value.problems


def labelled(label: Any) -> dict[str, Any]:
    """A definition of one question whose label is `label`."""
    data = definition_data(page_data("where", question_data("where", "text")))
    data["pages"][0]["questions"][0]["label"] = label
    return data


# ---- reading a definition in one language ------------------------------------------


def test_a_welsh_reader_gets_the_welsh_text():
    definition = parse_definition(welsh_definition(), language="cy")
    assert definition.language == "cy"
    assert definition.name == "Rhoi gwybod am broblem ar y stryd"
    assert definition.pages[0].questions[0].label == "Beth yw'r broblem?"
    assert definition.page("where").questions[0].label == "Ble mae e?"
    assert definition.confirmation_title == "Adroddiad wedi'i anfon"
    assert definition.workflow.state("received").label == "Wedi dod i law"
    message = definition.workflow.submitted_message
    assert message is not None and message.body == "Eich cyfeirnod yw ((reference))."


def test_text_missing_in_welsh_is_shown_in_english():
    definition = parse_definition(welsh_definition(), language="cy")
    problem = definition.question("problem")
    assert [o.label for o in problem.options] == ["Twll yn y ffordd", "Golau stryd", "Other"]
    assert definition.question("details").label == "Describe the problem"  # a map, English only
    assert definition.question("column").label == "Column number"  # a plain string
    assert definition.workflow.state("done").label == "Done"


def test_an_empty_welsh_text_counts_as_missing():
    data = labelled("Where is it?")
    data["pages"][0]["questions"][0]["hint"] = {"en": "A street name", "cy": ""}
    question = parse_definition(data, language="cy").pages[0].questions[0]
    assert question.hint == "A street name"


def test_an_english_reader_gets_the_english_text():
    definition = parse_definition(welsh_definition(), language="en")
    assert definition.language == "en"
    assert definition.name == "Report a street problem"
    assert definition.page("where").questions[0].label == "Where is it?"


def test_the_definition_keeps_its_maps_as_imported():
    data = welsh_definition()
    assert parse_definition(data, language="cy").raw == data


@pytest.mark.parametrize(
    ("code", "language"),
    [("en-gb", "en"), ("en", "en"), ("cy", "cy"), ("cy-GB", "cy"), ("fr", "en"), (None, "en")],
)
def test_django_language_codes_become_definition_languages(code, language):
    assert language_for(code) == language


def test_the_active_language_chooses_the_text(db, council):
    version = service_create(organisation=council, definition=welsh_definition()).published_version
    assert version is not None
    assert version.parsed.name == "Report a street problem"  # en-gb, the default
    with translation.override("cy"):
        assert active_language() == "cy"
        assert version.parsed.name == "Rhoi gwybod am broblem ar y stryd"
        assert version.parsed is version.parsed  # cached for each language
    with translation.override("en-us"):
        assert version.parsed.name == "Report a street problem"
    assert version.parsed_in("cy").name == "Rhoi gwybod am broblem ar y stryd"


def test_the_service_row_keeps_the_english_name_whoever_publishes(db, council):
    with translation.override("cy"):
        service = service_create(organisation=council, definition=welsh_definition())
    assert service.name == "Report a street problem"
    assert service.summary == "Use this service to report a street problem."
    version = ServiceVersion.objects.get(service=service)
    assert version.definition == welsh_definition()


# ---- refusing bad maps, by path -------------------------------------------------


def test_an_unknown_language_is_refused_with_its_path():
    data = labelled({"en": "Where is it?", "fr": "Où est-ce ?"})
    assert problems(data) == ["pages[0].questions[0].label.fr: unknown language 'fr'"]


def test_a_language_the_installation_does_not_offer_is_refused(settings):
    settings.LANGUAGES = [("en", "English")]
    assert problems(labelled({"en": "Where is it?", "cy": "Ble mae e?"})) == [
        "pages[0].questions[0].label.cy: unknown language 'cy'"
    ]


def test_a_map_without_english_is_refused():
    assert problems(labelled({"cy": "Ble mae e?"})) == [
        "pages[0].questions[0].label: text in several languages needs its English ('en'), "
        "used where a language has none"
    ]
    assert problems(labelled({})) == problems(labelled({"cy": "Ble mae e?"}))


def test_each_language_must_be_text():
    assert problems(labelled({"en": "Where is it?", "cy": 5})) == [
        "pages[0].questions[0].label.cy: 5 is not of type 'string'"
    ]
    assert problems(labelled(["Where is it?"])) == [
        "pages[0].questions[0].label: must be text, or a map from language code to text"
    ]


def test_each_language_keeps_the_fields_length_limits():
    assert problems(labelled({"en": "Where is it?", "cy": ""})) == [
        "pages[0].questions[0].label.cy: '' should be non-empty"
    ]
    long = "a" * 301
    assert problems(labelled({"en": "Where is it?", "cy": long})) == [
        f"pages[0].questions[0].label.cy: {long!r} is too long"
    ]


def test_only_text_fields_take_languages():
    data = labelled("Where is it?")
    data["slug"] = {"en": "where"}
    data["pages"][0]["questions"][0]["id"] = {"en": "where"}
    assert problems(data) == [
        "pages[0].questions[0].id: {'en': 'where'} is not of type 'string'",
        "slug: {'en': 'where'} is not of type 'string'",
    ]


def test_every_languages_text_is_checked_for_control_characters_and_placeholders():
    data = welsh_definition()
    data["name"]["cy"] = "Rhoi gwybod\x00"
    data["workflow"]["submitted_message"]["subject"]["cy"] = "Cyfeirnod ((cyfeirnod))"
    data["workflow"]["states"][1]["message"] = {
        "subject": "Update ((Reference))",
        "body": {"en": "Hello", "cy": "Helo ((statws))"},
    }
    assert problems(data) == [
        "name.cy: contains a control character",
        "workflow.submitted_message.subject.cy: unknown placeholder ((cyfeirnod))",
        "workflow.states[1].message: unknown placeholder ((Reference))",
        "workflow.states[1].message.body.cy: unknown placeholder ((statws))",
    ]


def test_every_text_field_of_the_format_takes_languages():
    """Each field docs/service-definitions.md lists as text, found through the schema."""
    data = welsh_definition()
    data |= {"description": "About", "category": "Streets", "declaration": "I confirm"}
    data["confirmation"]["next_steps"] = "We will look"
    data["pages"][0]["title"] = "Problem"
    data["pages"][0]["intro"] = "Tell us"
    data["pages"].insert(1, page_data("exit", when={"question": "problem", "equals": "x"}))
    data["pages"][1]["exit"] = {"body": "Call us"}
    problem = data["pages"][0]["questions"][0]
    problem |= {"hint": "One", "required_message": "Choose one"}
    problem["options"][0]["hint"] = "A hole"
    column = data["pages"][4]["questions"][0]
    column |= {"pattern": "[0-9]+", "pattern_message": "Numbers only"}
    group = question_data("people", "group", "People", item_label="person")
    group["questions"] = [question_data("first", "text", "First name")]
    data["pages"][-1]["questions"].append(group)
    data["workflow"]["states"][1]["message"] = {"subject": "Update", "body": "Hello"}
    data["workflow"]["update_message"] = {"subject": "Update", "body": "Hello"}
    parse_definition(data)

    found = {tuple(part for part in f.where if isinstance(part, str)) for f in text_fields(data)}
    assert found == {
        ("name",), ("summary",), ("description",), ("category",), ("declaration",),
        ("confirmation", "title"), ("confirmation", "next_steps"),
        ("pages", "title"), ("pages", "intro"), ("pages", "exit", "body"),
        ("pages", "questions", "label"), ("pages", "questions", "hint"),
        ("pages", "questions", "required_message"), ("pages", "questions", "pattern_message"),
        ("pages", "questions", "item_label"), ("pages", "questions", "questions", "label"),
        ("pages", "questions", "options", "label"), ("pages", "questions", "options", "hint"),
        ("workflow", "states", "label"), ("workflow", "states", "public_label"),
        ("workflow", "states", "message", "subject"), ("workflow", "states", "message", "body"),
        ("workflow", "submitted_message", "subject"), ("workflow", "submitted_message", "body"),
        ("workflow", "update_message", "subject"), ("workflow", "update_message", "body"),
    }  # fmt: skip


# ---- what a version offers ----------------------------------------------------------


def test_coverage_names_each_language_and_the_text_it_lacks():
    english, welsh = language_coverage(welsh_definition())
    assert (english.language, english.missing) == ("en", ())
    assert welsh.language == "cy"
    assert ("pages", 0, "questions", 0, "options", 2, "label") in welsh.missing  # "Other"
    assert ("pages", 4, "questions", 0, "label") in welsh.missing  # details, English only
    assert ("name",) not in welsh.missing
    assert ("pages", 1, "questions", 0, "label") not in welsh.missing  # Where is it?


def test_a_definition_in_english_only_offers_english():
    assert [c.language for c in language_coverage(definition_data())] == ["en"]


# ---- export keeps what was imported -------------------------------------------------


def test_a_yaml_file_with_languages_is_read_and_exported_unchanged():
    text = definition_dump(welsh_definition())
    assert "cy: Ble mae e?" in text
    read = definition_read(text.encode(), name="street.yaml")
    assert in_order(read) == in_order(welsh_definition())
    assert definition_dump(read) == text


welsh_text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters=CONTROL + "()"),
    min_size=1,
    max_size=20,
)


@st.composite
def in_languages(draw: st.DrawFn) -> tuple[dict[str, Any], dict[tuple[Any, ...], Any]]:
    """A generated definition with some of its text fields made maps (English
    and perhaps Welsh, in either order), and the value written at each."""
    data = draw(definitions())
    written: dict[tuple[Any, ...], Any] = {}
    for field in list(text_fields(data)):
        value = field.value
        if draw(st.booleans()):
            pairs = [("en", value)] + ([("cy", draw(welsh_text))] if draw(st.booleans()) else [])
            value = dict(draw(st.permutations(pairs)))
            parent: Any = data
            for part in field.where[:-1]:
                parent = parent[part]
            parent[field.where[-1]] = value
        written[field.where] = value
    return data, written


@PROPERTY
@given(generated=in_languages(), fmt=st.sampled_from(["yaml", "json"]))
def test_definitions_with_languages_export_and_load_back_exactly(generated, fmt):
    data, _written = generated
    text = definition_dump(data, fmt=fmt)
    loaded = yaml.safe_load(text) if fmt == "yaml" else json.loads(text)
    assert in_order(loaded) == in_order(data)
    assert in_order(definition_read(text.encode("utf-8"), name=f"service.{fmt}")) == in_order(data)


@PROPERTY
@given(generated=in_languages())
def test_each_text_is_read_in_welsh_where_written_and_else_in_english(generated):
    data, written = generated
    welsh = parse_definition(data, language="cy")
    english = parse_definition(data, language="en")
    texts = {f.where: f.value for f in text_fields(data)}
    assert texts == written
    for where, value in written.items():
        if isinstance(value, dict):
            assert read_at(welsh, where) == (value.get("cy") or value["en"])
            assert read_at(english, where) == value["en"]
        else:
            assert read_at(welsh, where) == read_at(english, where) == value


def read_at(definition: Any, where: tuple[Any, ...]) -> Any:
    """The parsed value that the field at `where` in the file became."""
    if where[0] == "confirmation":
        return {"title": definition.confirmation_title, "next_steps": definition.next_steps}[
            where[1]
        ]
    value = definition
    for part in where:
        if isinstance(part, int):
            value = value[part]
        elif part == "exit":
            value = value.exit_body  # the page's exit.body
        elif not isinstance(value, str):
            value = getattr(value, part)
    return value
