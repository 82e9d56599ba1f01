"""Service definitions: what is accepted, and how each problem is named."""

from __future__ import annotations

import copy

import pytest

from townhall.catalogue.engine.definition import (
    DefinitionError,
    Message,
    parse_definition,
    render_message,
)
from townhall.catalogue.factories import (
    branching_definition,
    definition_data,
    options_data,
    page_data,
    question_data,
)
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file, standard_definitions


def problems_of(data: object) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    return caught.value.problems


@pytest.fixture
def fly_tipping_data():
    return load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")


# ---- what parses ------------------------------------------------------------


def test_the_standard_catalogue_is_not_empty():
    assert [path.name for path, _data in standard_definitions()]


@pytest.mark.parametrize(
    "data", [data for _path, data in standard_definitions()], ids=lambda d: d["slug"]
)
def test_every_shipped_standard_definition_parses(data):
    definition = parse_definition(data)
    assert definition.slug == data["slug"]
    assert [p.id for p in definition.pages] == [p["id"] for p in data["pages"]]


def test_fly_tipping_is_parsed_into_what_the_file_says(fly_tipping_data):
    definition = parse_definition(fly_tipping_data)

    assert definition.name == "Report fly-tipping"
    assert definition.category == "Bins, rubbish and recycling"
    assert definition.lgsl == fly_tipping_data["lgsl"]
    assert definition.confirmation_title == "Fly-tipping reported"
    assert [p.id for p in definition.pages] == [
        "what", "how-much", "where", "when", "details", "photo", "contact",
    ]  # fmt: skip
    assert definition.contact_question.id == "email"
    waste = definition.question("waste_type")
    assert waste.summary is True
    assert waste.option_label("furniture") == "Furniture or white goods"
    assert waste.option_label("not-an-option") == "not-an-option"
    assert definition.question("description").required is False
    photos = definition.question("photos")
    assert photos.accept == ("image/jpeg", "image/png")
    assert photos.max_files == 3
    assert definition.page("where").heading == "Where is it?"
    assert definition.page("nowhere") is None
    with pytest.raises(KeyError):
        definition.question("nonexistent")


def test_fly_tipping_workflow(fly_tipping_data):
    workflow = parse_definition(fly_tipping_data).workflow

    assert workflow.initial == "received"
    assert [s.id for s in workflow.next_states("scheduled")] == ["cleared"]
    assert workflow.next_states("cleared") == ()
    assert workflow.state("cleared").closed is True
    assert workflow.state("received").closed is False
    assert workflow.state("not_found").public_label == "Closed: we could not find it"
    assert "((reference))" in workflow.state("cleared").message.subject
    assert workflow.submitted_message.subject == "Fly-tipping report received: ((reference))"
    assert workflow.update_message is None


def test_a_minimal_definition_takes_the_documented_defaults():
    definition = parse_definition(definition_data())

    assert definition.category == "Other services"
    assert definition.kind == "report"
    assert definition.description == ""
    assert definition.confirmation_title == "Submission complete"
    question = definition.question("name")
    assert question.required is True
    assert question.date == "any"
    assert question.max_size_mb == 10
    assert question.max_files == 1
    assert definition.contact_question is None
    # A state without a public label shows residents its staff label.
    assert definition.workflow.state("received").public_label == "Received"
    assert definition.workflow.state("in_progress").public_label == "Being dealt with"


def test_a_page_with_a_title_uses_it_as_its_heading():
    definition = parse_definition(branching_definition())
    assert definition.page("light").heading == "About the street light"
    assert definition.page("problem").heading == "What is the problem?"


def test_parsing_does_not_change_the_data(fly_tipping_data):
    before = copy.deepcopy(fly_tipping_data)
    parse_definition(fly_tipping_data)
    assert fly_tipping_data == before


def test_conditions_may_refer_to_an_earlier_question_on_the_same_page():
    data = definition_data(
        page_data(
            "both",
            question_data("has_pet", "yes_no", "Do you have a pet"),
            question_data("pet", "text", "Pet name", when={"question": "has_pet", "equals": True}),
        )
    )
    assert parse_definition(data).question("pet").when == {"question": "has_pet", "equals": True}


# ---- how problems are named -------------------------------------------------


def test_an_unknown_question_type_is_named_by_its_path():
    data = definition_data(
        page_data("one", question_data("a")),
        page_data("two", question_data("b")),
        page_data("three", question_data("seen", "dat", "When did you see it")),
    )
    assert problems_of(data) == ["pages[2].questions[0].type: unknown type 'dat'"]


def test_a_duplicate_question_id_is_named():
    data = definition_data(
        page_data("one", question_data("name")),
        page_data("two", question_data("other"), question_data("name")),
    )
    assert problems_of(data) == ["pages[1].questions[1].id: 'name' is used by an earlier question"]


def test_a_duplicate_page_id_is_named():
    data = definition_data(
        page_data("one", question_data("a")), page_data("one", question_data("b"))
    )
    assert problems_of(data) == ["pages[1].id: 'one' is used by an earlier page"]


def test_a_page_condition_on_a_later_question_is_refused():
    data = definition_data(
        page_data("one", question_data("a"), when={"question": "b", "answered": True}),
        page_data("two", question_data("b")),
    )
    assert problems_of(data) == ["pages[0].when.question: 'b' is not asked before this point"]


def test_a_nested_question_condition_on_a_later_question_is_named_by_its_path():
    data = definition_data(
        page_data(
            "one",
            question_data("a"),
            question_data(
                "b",
                when={
                    "all": [
                        {"question": "a", "answered": True},
                        {"not": {"question": "c", "equals": "x"}},
                    ]
                },
            ),
        ),
        page_data("two", question_data("c")),
    )
    assert problems_of(data) == [
        "pages[0].questions[1].when.all[1].not.question: 'c' is not asked before this point"
    ]


def test_a_question_cannot_depend_on_its_own_answer():
    data = definition_data(
        page_data("one", question_data("a", when={"question": "a", "answered": True}))
    )
    assert problems_of(data) == [
        "pages[0].questions[0].when.question: 'a' is not asked before this point"
    ]


def test_a_condition_on_a_question_that_does_not_exist_is_refused():
    data = definition_data(
        page_data("one", question_data("a")),
        page_data("two", question_data("b"), when={"any": [{"question": "zz", "equals": 1}]}),
    )
    assert problems_of(data) == [
        "pages[1].when.any[0].question: 'zz' is not asked before this point"
    ]


def test_a_transition_to_an_unknown_state_is_named():
    data = definition_data()
    data["workflow"]["transitions"]["received"] = ["in_progress", "closed"]
    assert problems_of(data) == ["workflow.transitions.received[1]: unknown state 'closed'"]


def test_a_transition_from_an_unknown_state_is_named():
    data = definition_data()
    data["workflow"]["transitions"]["archived"] = ["done"]
    assert problems_of(data) == ["workflow.transitions.archived: unknown state 'archived'"]


def test_an_unknown_initial_state_is_named():
    data = definition_data()
    data["workflow"]["initial"] = "new"
    assert problems_of(data) == ["workflow.initial: unknown state 'new'"]


def test_duplicate_state_ids_are_refused():
    data = definition_data()
    data["workflow"]["states"].append({"id": "done", "label": "Done again"})
    assert problems_of(data) == ["workflow.states: state ids must be different"]


def test_an_unknown_placeholder_in_a_state_message_is_named():
    data = definition_data()
    data["workflow"]["states"][2]["message"] = {
        "subject": "Done: ((reference))",
        "body": "Your request ((refrence)) is done.",
    }
    assert problems_of(data) == ["workflow.states[2].message: unknown placeholder ((refrence))"]


def test_an_unknown_placeholder_in_the_submitted_message_is_named():
    data = definition_data()
    data["workflow"]["submitted_message"] = {"subject": "((councilname))", "body": "Thanks"}
    assert problems_of(data) == ["workflow.submitted_message: unknown placeholder ((councilname))"]


def test_a_placeholder_the_engine_could_not_fill_is_refused_not_sent_verbatim():
    """((Reference)) would otherwise reach residents' inboxes as written."""
    data = definition_data()
    data["workflow"]["update_message"] = {"subject": "Update on ((Reference))", "body": "Hi"}
    assert problems_of(data) == ["workflow.update_message: unknown placeholder ((Reference))"]


def test_every_known_placeholder_is_accepted():
    data = definition_data()
    data["workflow"]["update_message"] = {
        "subject": "((reference)) ((service_name)) ((council_name))",
        "body": "((status)) ((public_message)) ((track_url))",
    }
    parse_definition(data)


def test_options_on_a_text_question_are_refused():
    data = definition_data(page_data("one", question_data(options=options_data("a", "b"))))
    assert problems_of(data) == [
        "pages[0].questions[0].options: a question of type 'text' does not take options"
    ]


@pytest.mark.parametrize("kind", ["radios", "checkboxes", "select"])
def test_a_choice_question_without_options_is_refused(kind):
    data = definition_data(page_data("one", question_data("choice", kind, "Pick one")))
    assert problems_of(data) == [f"pages[0].questions[0].options: a {kind} question needs options"]


def test_repeated_option_values_are_refused():
    options = [{"value": "a", "label": "A"}, {"value": "a", "label": "Also A"}]
    data = definition_data(page_data("one", question_data("c", "radios", "Pick", options=options)))
    assert problems_of(data) == ["pages[0].questions[0].options: option values must be different"]


def test_the_contact_question_must_be_an_email_question():
    data = definition_data(
        page_data("one", question_data("phone", "phone", "Phone", contact="email"))
    )
    assert problems_of(data) == [
        "pages[0].questions[0].contact: the contact question must be of type 'email'"
    ]


def test_only_one_question_may_be_the_contact():
    data = definition_data(
        page_data("one", question_data("a", "email", "Email", contact="email")),
        page_data("two", question_data("b", "email", "Email again", contact="email")),
    )
    assert problems_of(data) == ["pages: only one question may be the contact email"]


def test_contradictory_limits_are_refused():
    data = definition_data(
        page_data(
            "one",
            question_data("a", min_length=10, max_length=5),
            question_data("b", "number", "How many", min=10, max=1),
        )
    )
    assert problems_of(data) == [
        "pages[0].questions[0].min_length: is more than max_length",
        "pages[0].questions[1].min: is more than max",
    ]


def test_every_semantic_problem_is_reported_at_once():
    data = definition_data(
        page_data("one", question_data("a", options=options_data("x"))),
        page_data("two", question_data("a")),
    )
    data["workflow"]["initial"] = "nowhere"
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    assert caught.value.problems == [
        "pages[0].questions[0].options: a question of type 'text' does not take options",
        "pages[1].questions[0].id: 'a' is used by an earlier question",
        "workflow.initial: unknown state 'nowhere'",
    ]
    assert str(caught.value) == "; ".join(caught.value.problems)
    assert isinstance(caught.value, ValueError)


# ---- schema problems ----------------------------------------------------------


def test_a_missing_required_field_is_named():
    data = definition_data()
    del data["name"]
    assert problems_of(data) == ["(definition): 'name' is a required property"]


def test_a_misspelt_field_is_named():
    data = definition_data(page_data("one", question_data(lable="Typo")))
    (problem,) = problems_of(data)
    assert problem.startswith("pages[0].questions[0]: Additional properties are not allowed")
    assert "'lable'" in problem


def test_an_unknown_kind_is_named():
    assert problems_of(definition_data(kind="complaint")) == ["kind: unknown kind 'complaint'"]


def test_the_schema_version_is_checked():
    data = definition_data()
    data["schema"] = "townhall/service/2"
    (problem,) = problems_of(data)
    assert problem.startswith("schema: ")


@pytest.mark.parametrize("slug", ["Report Fly Tipping", "report_fly_tipping", "-report", ""])
def test_a_slug_must_be_lowercase_words_and_hyphens(slug):
    (problem,) = problems_of(definition_data(slug=slug))
    assert problem.startswith("slug: ")


def test_a_question_id_must_be_an_identifier():
    (problem,) = problems_of(definition_data(page_data("one", question_data("Full-name"))))
    assert problem.startswith("pages[0].questions[0].id: ")


def test_a_page_needs_questions_or_an_exit():
    assert problems_of(definition_data(page_data("empty"))) == [
        "pages[0]: a page needs questions, or an exit"
    ]
    (problem,) = problems_of(definition_data({"id": "empty", "questions": []}))
    assert problem.startswith("pages[0].questions: ")


def test_an_exit_page_may_not_ask_questions():
    data = definition_data(page_data("stop", question_data(), exit={"body": "Call us instead."}))
    assert problems_of(data) == ["pages[0].exit: an exit page has no questions and no goto"]


def test_goto_must_name_a_later_page():
    rule = {"when": {"question": "a", "answered": True}, "page": "one"}
    data = definition_data(
        page_data("one", question_data("a")),
        page_data("two", question_data("b"), goto=[rule]),
        page_data("three", question_data("c")),
    )
    assert problems_of(data) == ["pages[1].goto[0].page: 'one' is not a later page"]


def test_an_empty_options_list_is_refused():
    data = definition_data(page_data("one", question_data("c", "radios", "Pick", options=[])))
    (problem,) = problems_of(data)
    assert problem.startswith("pages[0].questions[0].options: ")


def test_a_malformed_condition_is_refused():
    data = definition_data(
        page_data("one", question_data("a")),
        page_data("two", question_data("b"), when={"question": "a", "resembles": "x"}),
    )
    (problem,) = problems_of(data)
    assert problem.startswith("pages[1].when: ")


@pytest.mark.parametrize("data", [None, [], "slug: x", 42])
def test_something_that_is_not_a_definition_is_refused(data):
    assert problems_of(data) == [f"(definition): {data!r} is not of type 'object'"]


def test_schema_problems_are_all_reported_in_document_order():
    data = definition_data(page_data("one", question_data("a", "dat")), kind="complaint")
    del data["summary"]
    assert problems_of(data) == [
        "(definition): 'summary' is a required property",
        "kind: unknown kind 'complaint'",
        "pages[0].questions[0].type: unknown type 'dat'",
    ]


# ---- messages ------------------------------------------------------------------


def test_render_message_fills_placeholders_in_subject_and_body():
    message = Message(
        subject="((service_name)): ((reference))",
        body="Dear resident, ((council_name)) has your report ((reference)).",
    )
    rendered = render_message(
        message,
        {"reference": "EXA-2026-00000042", "service_name": "Report fly-tipping",
         "council_name": "Example Council"},
    )  # fmt: skip
    assert rendered == Message(
        subject="Report fly-tipping: EXA-2026-00000042",
        body="Dear resident, Example Council has your report EXA-2026-00000042.",
    )


def test_render_message_leaves_a_placeholder_without_a_value_empty():
    rendered = render_message(Message("Update", "Status: ((status)).\n((public_message))"), {})
    assert rendered.body == "Status: .\n"


def test_render_message_does_not_expand_placeholders_inside_values():
    rendered = render_message(
        Message("((public_message))", "x"), {"public_message": "((reference))", "reference": "R"}
    )
    assert rendered.subject == "((reference))"


def test_the_contact_email_cannot_sit_in_a_group():
    from townhall.catalogue.engine.definition import DefinitionError, parse_definition

    data = {
        "schema": "townhall/service/1",
        "slug": "grouped",
        "name": "Grouped",
        "summary": "A group.",
        "pages": [
            {
                "id": "people",
                "questions": [
                    {
                        "id": "people",
                        "type": "group",
                        "label": "People",
                        "questions": [
                            {"id": "email", "type": "email", "label": "Email", "contact": "email"}
                        ],
                    }
                ],
            }
        ],
        "workflow": {
            "initial": "new",
            "states": [{"id": "new", "label": "New"}],
            "transitions": {},
        },
    }
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    assert "pages[0].questions[0].questions[0].contact: the contact email cannot be in a group" in (
        caught.value.problems
    )


def test_control_characters_in_a_definition_are_refused_with_their_path():
    from townhall.catalogue.engine.definition import DefinitionError, parse_definition

    data = {
        "schema": "townhall/service/1",
        "slug": "nul",
        "name": "Bad\x00name",
        "summary": "S",
        "pages": [{"id": "p", "questions": [{"id": "q", "type": "text", "label": "Q\x07"}]}],
        "workflow": {
            "initial": "new",
            "states": [{"id": "new", "label": "New"}],
            "transitions": {},
        },
    }
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    assert caught.value.problems == [
        "name: contains a control character",
        "pages[0].questions[0].label: contains a control character",
    ]


# ---- what each question type takes ----------------------------------------------


def test_a_property_the_question_type_does_not_take_is_named():
    data = definition_data(
        page_data(
            "one",
            question_data("a", "text", "A", max_files=2),
            question_data("b", "email", "B", min=1, item_title="Person"),
        )
    )
    assert problems_of(data) == [
        "pages[0].questions[0].max_files: a question of type 'text' does not take max_files",
        "pages[0].questions[1].min: a question of type 'email' does not take min",
        "pages[0].questions[1].item_title: a question of type 'email' does not take item_title",
    ]


def test_an_authors_messages_are_taken_only_by_the_types_that_show_them():
    data = definition_data(
        page_data(
            "one",
            question_data("a", "number", "A", too_small_message="At least one", min=1),
            question_data("b", "yes_no", "B", too_small_message="At least one"),
        )
    )
    assert problems_of(data) == [
        "pages[0].questions[1].too_small_message: "
        "a question of type 'yes_no' does not take too_small_message"
    ]


def group_data(*members: dict, **extra: object) -> dict:
    return definition_data(
        page_data("people", question_data("people", "group", "People", questions=list(members),
                                          **extra))
    )  # fmt: skip


def test_a_group_may_hold_only_simple_questions_asked_every_time():
    data = group_data(
        question_data("photo", "file", "Photo"),
        question_data("name", "name", "Name"),
        question_data("name", "text", "Name again"),
        question_data("age", "number", "Age", when={"question": "name", "answered": True}),
        min_items=5,
        max_items=2,
    )
    assert problems_of(data) == [
        "pages[0].questions[0].min_items: is more than max_items",
        "pages[0].questions[0].questions[0].type: a group cannot hold a 'file' question",
        "pages[0].questions[0].questions[2].id: 'name' is used twice",
        "pages[0].questions[0].questions[3].when: questions in a group are always asked",
    ]


def test_a_groups_questions_are_checked_like_any_other():
    data = group_data(question_data("age", "number", "Age", min=9, max=1, options=[]))
    (problem, *_rest) = problems_of(data)
    assert problem.startswith("pages[0].questions[0].questions[0].options: ")
    data = group_data(question_data("age", "number", "Age", min=9, max=1))
    assert problems_of(data) == ["pages[0].questions[0].questions[0].min: is more than max"]


def test_a_group_needs_questions():
    data = definition_data(page_data("people", question_data("people", "group", "People")))
    assert problems_of(data) == ["pages[0].questions[0].questions: a group needs questions"]


def test_needs_location_is_met_by_any_question_whose_type_is_a_place():
    for kind in ["location", "address", "postcode"]:
        parse_definition(
            definition_data(page_data("p", question_data("where", kind, "Where")),
                            needs_location=True)
        )  # fmt: skip
    data = definition_data(page_data("p", question_data("where", "text", "Where")),
                           needs_location=True)  # fmt: skip
    assert problems_of(data) == [
        "needs_location: no location, address or postcode question is asked"
    ]


def test_an_authors_own_message_may_be_written_in_several_languages():
    from townhall.catalogue.engine.questions import check_answer

    data = definition_data(
        page_data(
            "when",
            question_data(
                "seen", "date", "When?", date="past",
                too_late_message={"en": "That is in the future", "cy": "Mae hynny yn y dyfodol"},
            ),
        )
    )  # fmt: skip
    welsh = parse_definition(data, language="cy").question("seen")
    english = parse_definition(data).question("seen")
    assert check_answer(welsh, "2999-01-01") == "Mae hynny yn y dyfodol"
    assert check_answer(english, "2999-01-01") == "That is in the future"
