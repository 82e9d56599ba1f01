"""The route a resident takes through a service, and whether their answers will do."""

from __future__ import annotations

import pytest

from townhall.catalogue.engine.definition import parse_definition
from townhall.catalogue.engine.flow import (
    case_summary_line,
    first_incomplete_page,
    next_page,
    previous_page,
    relevant_answers,
    route,
    summary,
    validate_answers,
    visible_questions,
)
from townhall.catalogue.factories import (
    branching_definition,
    definition_data,
    options_data,
    page_data,
    question_data,
)
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file

POTHOLE = {"problem": "pothole", "depth": 12, "email": "ada@example.com"}
LIGHT = {"problem": "street_light", "column": "SL42", "state": "off", "email": "ada@example.com"}


@pytest.fixture(scope="module")
def street():
    return parse_definition(branching_definition())


def ids(pages) -> list[str]:
    return [page.id for page in pages]


def page(definition, page_id):
    found = definition.page(page_id)
    assert found is not None
    return found


# ---- the route -----------------------------------------------------------------


def test_before_any_answer_only_unconditional_pages_are_on_the_route(street):
    assert ids(route(street, {})) == ["problem", "details", "contact"]


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        ("pothole", ["problem", "depth", "contact"]),
        ("street_light", ["problem", "light", "contact"]),
        ("other", ["problem", "details", "contact"]),
    ],
)
def test_page_conditions_choose_the_route(street, problem, expected):
    assert ids(route(street, {"problem": problem})) == expected


def test_a_question_condition_shows_a_question_only_when_it_holds(street):
    light = page(street, "light")
    assert [q.id for q in visible_questions(light, {"state": "off"})] == ["column", "state"]
    assert [q.id for q in visible_questions(light, {"state": "flicker"})] == [
        "column", "state", "how_often",
    ]  # fmt: skip


def test_a_page_whose_questions_are_all_hidden_is_skipped():
    definition = parse_definition(
        definition_data(
            page_data("pets", question_data("has_pet", "yes_no", "Do you have a pet")),
            page_data(
                "pet",
                question_data("pet_name", when={"question": "has_pet", "equals": True}),
            ),
            page_data("end", question_data("name")),
        )
    )
    assert ids(route(definition, {"has_pet": False})) == ["pets", "end"]
    assert ids(route(definition, {"has_pet": True})) == ["pets", "pet", "end"]


def test_nested_conditions_on_a_page():
    definition = parse_definition(
        definition_data(
            page_data(
                "about",
                question_data("age", "number", "Your age"),
                question_data("resident", "yes_no", "Do you live here"),
            ),
            page_data(
                "discount",
                question_data("card", "text", "Concession card number"),
                when={
                    "all": [
                        {"question": "resident", "equals": True},
                        {
                            "any": [
                                {"question": "age", "greater_than": 64},
                                {"question": "age", "less_than": 18},
                            ]
                        },
                    ]
                },
            ),
        )
    )
    on_route = {
        (age, resident): "discount" in ids(route(definition, {"age": age, "resident": resident}))
        for age in (12, 40, 70)
        for resident in (True, False)
    }
    assert on_route == {
        (12, True): True, (40, True): False, (70, True): True,
        (12, False): False, (40, False): False, (70, False): False,
    }  # fmt: skip


# ---- moving between pages ------------------------------------------------------------


def test_next_page_follows_the_residents_route(street):
    answers = {"problem": "pothole"}
    assert next_page(street, answers, page(street, "problem")).id == "depth"
    assert next_page(street, answers, page(street, "depth")).id == "contact"
    assert next_page(street, answers, page(street, "contact")) is None


def test_next_page_after_changing_a_choice_takes_the_new_branch(street):
    answers = {"problem": "street_light"}
    assert next_page(street, answers, page(street, "problem")).id == "light"


def test_next_page_from_a_page_off_the_route_goes_to_the_first_gap(street):
    answers = {"problem": "street_light"}
    assert next_page(street, answers, page(street, "depth")).id == "light"
    assert next_page(street, LIGHT, page(street, "depth")) is None


def test_previous_page_goes_back_along_the_route(street):
    answers = {"problem": "street_light"}
    assert previous_page(street, answers, page(street, "contact")).id == "light"
    assert previous_page(street, answers, page(street, "light")).id == "problem"
    assert previous_page(street, answers, page(street, "problem")) is None


def test_previous_page_from_a_page_off_the_route_is_none(street):
    assert previous_page(street, {"problem": "street_light"}, page(street, "depth")) is None


def test_the_first_incomplete_page_is_the_first_gap(street):
    assert first_incomplete_page(street, {}).id == "problem"
    assert first_incomplete_page(street, {"problem": "pothole"}).id == "depth"
    # an optional page counts as done once seen, even with an empty answer
    assert first_incomplete_page(street, {"problem": "pothole", "depth": 5}).id == "contact"
    seen = {"problem": "pothole", "depth": 5, "email": ""}
    assert first_incomplete_page(street, seen) is None


def test_an_unacceptable_stored_answer_makes_its_page_incomplete(street):
    assert first_incomplete_page(street, {**POTHOLE, "depth": 500}).id == "depth"
    assert first_incomplete_page(street, {**POTHOLE, "email": "not-an-email"}).id == "contact"


def test_a_question_shown_by_an_answer_on_its_own_page_must_be_answered(street):
    answers = {**LIGHT, "state": "flicker"}
    assert first_incomplete_page(street, answers).id == "light"
    assert first_incomplete_page(street, {**answers, "how_often": "Every night"}) is None


# ---- answers left behind --------------------------------------------------------------


def test_answers_left_behind_by_a_changed_choice_are_dropped(street):
    answers = {**POTHOLE, "problem": "street_light", "column": "SL42", "state": "off"}
    assert relevant_answers(street, answers) == {
        "problem": "street_light", "column": "SL42", "state": "off", "email": "ada@example.com",
    }  # fmt: skip


def test_a_hidden_questions_answer_is_dropped(street):
    answers = {**LIGHT, "state": "off", "how_often": "Every night"}
    assert "how_often" not in relevant_answers(street, answers)
    assert relevant_answers(street, {**answers, "state": "flicker"})["how_often"] == "Every night"


def test_answers_to_questions_the_service_does_not_ask_are_dropped(street):
    assert relevant_answers(street, {**POTHOLE, "is_admin": True}) == POTHOLE


def test_relevant_answers_keep_the_values_as_given(street):
    assert relevant_answers(street, {"problem": "pothole", "depth": ""}) == {
        "problem": "pothole",
        "depth": "",
    }


def test_a_chain_of_conditions_drops_everything_that_depended_on_a_changed_answer():
    definition = parse_definition(
        definition_data(
            page_data("a", question_data("a", "yes_no", "A")),
            page_data(
                "b", question_data("b", "yes_no", "B"), when={"question": "a", "equals": True}
            ),
            page_data("c", question_data("c", "text", "C"), when={"question": "b", "equals": True}),
        )
    )
    assert relevant_answers(definition, {"a": True, "b": True, "c": "x"}) == {
        "a": True, "b": True, "c": "x",
    }  # fmt: skip
    assert relevant_answers(definition, {"a": False, "b": True, "c": "x"}) == {"a": False}


# ---- validating a complete set of answers ---------------------------------------------


@pytest.mark.parametrize("answers", [POTHOLE, LIGHT, {"problem": "other", "details": "Graffiti"}])
def test_complete_answers_on_any_branch_are_acceptable(street, answers):
    assert validate_answers(street, answers) == {}


def test_every_gap_is_reported_by_question(street):
    assert validate_answers(street, {"problem": "street_light"}) == {
        "column": "Enter an answer",
        "state": "Select an option",
    }


def test_an_optional_question_may_be_left_out(street):
    assert validate_answers(street, {"problem": "pothole", "depth": 1}) == {}


def test_an_answer_left_behind_is_not_checked(street):
    answers = {**LIGHT, "depth": 9999}
    assert validate_answers(street, answers) == {}


def test_an_unacceptable_answer_is_reported(street):
    assert validate_answers(street, {**POTHOLE, "depth": 101}) == {
        "depth": "The number must be 100 or less"
    }


def test_nothing_answered_lists_every_required_question_on_the_route(street):
    assert set(validate_answers(street, {})) == {"problem", "details"}


# ---- showing the answers back ------------------------------------------------------------


def test_summary_has_a_row_per_question_on_the_route(street):
    rows = summary(street, {**LIGHT, "depth": 12, "email": ""})
    assert [(row.page.id, row.question.id, row.value, row.text) for row in rows] == [
        ("problem", "problem", "street_light", "Street light"),
        ("light", "column", "SL42", "SL42"),
        ("light", "state", "off", "Off"),
        ("contact", "email", "", "Not provided"),
    ]


def test_case_summary_line_uses_the_question_marked_summary(street):
    assert case_summary_line(street, POTHOLE) == "Pothole"
    assert case_summary_line(street, {}) == ""


def test_case_summary_line_is_at_most_200_characters():
    definition = parse_definition(
        definition_data(page_data("what", question_data("what", "textarea", "What", summary=True)))
    )
    assert case_summary_line(definition, {"what": "x" * 300}) == "x" * 200


def test_the_fly_tipping_route_asks_every_page_and_accepts_the_standard_answers():
    from townhall.cases.factories import FLY_TIPPING_ANSWERS

    definition = parse_definition(load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml"))
    assert ids(route(definition, {})) == [p.id for p in definition.pages]
    assert validate_answers(definition, FLY_TIPPING_ANSWERS) == {}
    assert case_summary_line(definition, FLY_TIPPING_ANSWERS) == "Furniture or white goods"


# ---- skipping ahead and exit pages ---------------------------------------------------------


@pytest.fixture(scope="module")
def bulky_waste():
    return parse_definition(
        definition_data(
            page_data(
                "business",
                question_data("business", "yes_no", "Is the waste from a business"),
                goto=[{"when": {"question": "business", "equals": True}, "page": "trade"}],
            ),
            page_data(
                "items",
                question_data(
                    "items", "checkboxes", "Items", options=options_data("sofa", "fridge")
                ),
                goto=[{"when": {"question": "items", "contains": "fridge"}, "page": "contact"}],
            ),
            page_data("sofa", question_data("sofa_count", "number", "How many sofas", min=1)),
            page_data("trade", exit={"body": "Businesses must use a licensed waste carrier."}),
            page_data("contact", question_data("email", "email", "Email", contact="email")),
        )
    )


def test_goto_skips_ahead_to_the_named_page(bulky_waste):
    answers = {"business": False, "items": ["fridge"], "sofa_count": 2}
    assert ids(route(bulky_waste, answers)) == ["business", "items", "contact"]
    assert relevant_answers(bulky_waste, answers) == {"business": False, "items": ["fridge"]}
    assert next_page(bulky_waste, answers, page(bulky_waste, "items")).id == "contact"
    assert previous_page(bulky_waste, answers, page(bulky_waste, "contact")).id == "items"


def test_without_a_matching_goto_the_route_continues_in_order(bulky_waste):
    answers = {"business": False, "items": ["sofa"]}
    assert ids(route(bulky_waste, answers)) == ["business", "items", "sofa", "trade"]


def test_an_exit_page_ends_the_journey_and_refuses_the_answers(bulky_waste):
    answers = {"business": True, "items": ["sofa"], "email": "ada@example.com"}
    assert ids(route(bulky_waste, answers)) == ["business", "trade"]
    assert first_incomplete_page(bulky_waste, answers).id == "trade"
    assert relevant_answers(bulky_waste, answers) == {"business": True}
    assert "trade" in validate_answers(bulky_waste, answers)
