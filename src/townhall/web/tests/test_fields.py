"""What question templates are given: each type's anchor, the value to put
back, and the parts its widget draws."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from townhall.catalogue.engine.definition import Option, Question
from townhall.web.fields import QuestionField, question_fields


def field(kind: str, answer=None, raw=None, **extra) -> QuestionField:
    return QuestionField(Question(id="q", type=kind, label="Q", **extra), answer, raw or {}, None)


def test_a_date_shows_its_stored_answer_or_what_was_typed():
    assert [part[3] for part in field("date", "2026-01-05").date_parts] == ["5", "1", "2026"]
    typed = field("date", "2026-01-05", {"q-day": "31", "q-month": "2", "q-year": "26"})
    assert [part[3] for part in typed.date_parts] == ["31", "2", "26"]
    assert [part[:3] for part in field("date").date_parts] == [
        ("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4),
    ]  # fmt: skip
    assert field("date").anchor == "q-day"
    assert field("date").fieldset and field("date").grouped_inputs


def test_an_address_shows_each_line():
    stored = {"line1": "1 High St", "line2": "", "town": "Town", "postcode": "EX1 1AA"}
    assert [f[3] for f in field("address", stored).address_fields] == [
        "1 High St", "", "Town", "EX1 1AA",
    ]  # fmt: skip
    typed = field("address", stored, {"q-line1": "2 Low St"})
    assert [f[3] for f in typed.address_fields] == ["2 Low St", "", "", ""]
    assert field("address").anchor == "q-line1"


def test_choices_are_put_back_as_the_form_sends_them():
    assert field("yes_no", False).value == "no"
    assert field("yes_no", False, {"q": "yes"}).value == "yes"
    raw = QueryDict(mutable=True)
    raw.setlist("q", ["a", "b"])
    options = (Option("a", "A"), Option("b", "B"))
    assert field("checkboxes", ["a"], raw, options=options).value == ["a", "b"]
    assert field("checkboxes", ["a"], options=options).value == ["a"]
    assert field("text", "stored").value == "stored"
    assert field("text", "stored", {"q": "typed"}).value == "typed"


def test_a_group_shows_its_items_with_their_titles():
    members = (Question(id="name", type="name", label="Name"),)
    group = Question(
        id="people", type="group", label="People", questions=members, max_items=2,
        extra={"item_title": "Person"},
    )  # fmt: skip
    (shown,) = question_fields([group], {"people": [{"name": "Ada"}]}, {}, {}, add_item_to="people")
    assert [item.title for item in shown.items] == ["Person 1", "Person 2"]
    assert [[(f.question.id, f.value) for f in item] for item in shown.items] == [
        [("people-0-name", "Ada")], [("people-1-name", None)],
    ]  # fmt: skip
    assert shown.can_add_item is False
    assert shown.anchor == "people-0-name"


def test_a_field_knows_its_template_and_whether_the_form_sends_files():
    assert field("textarea").template == "questions/textarea.html"
    assert field("file").multipart and not field("text").multipart
    assert not field("select", options=(Option("a", "A"),)).fieldset


def test_a_name_the_widget_does_not_give_is_not_an_attribute():
    with pytest.raises(AttributeError):
        _ = field("text").date_parts


def test_radios_and_checkboxes_are_given_each_inputs_id_and_whether_it_is_chosen():
    options = (Option("a", "A"), Option("b", "B", hint="About B"), Option("c", "C"))
    shown = [
        (c.option.value, c.id, c.hint_id, c.checked)
        for c in field("radios", "b", options=options).choices
    ]
    assert shown == [
        ("a", "q", "q-1-hint", False),
        ("b", "q-2", "q-2-hint", True),
        ("c", "q-3", "q-3-hint", False),
    ]
    typed = field("radios", "b", {"q": "c"}, options=options)
    assert [c.checked for c in typed.choices] == [False, False, True]
    ticked = field("checkboxes", ["a", "c"], options=options)
    assert [(c.id, c.checked) for c in ticked.choices] == [
        ("q", True),
        ("q-2", False),
        ("q-3", True),
    ]
    raw = QueryDict(mutable=True)
    raw.setlist("q", ["b"])
    assert [c.checked for c in field("checkboxes", ["a"], raw, options=options).choices] == [
        False, True, False,
    ]  # fmt: skip
