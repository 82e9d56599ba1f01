"""The definition keys of "ask once" (`prefill`) and of a service's privacy notice."""

import copy

import pytest

from townhall.catalogue.engine.definition import DefinitionError, parse_definition
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file


@pytest.fixture
def definition():
    return copy.deepcopy(load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml"))


def _email_question(data):
    return next(q for p in data["pages"] for q in p.get("questions", []) if q["type"] == "email")


def test_a_question_may_be_filled_from_the_profile(definition):
    _email_question(definition)["prefill"] = "profile.email"

    parsed = parse_definition(definition)

    (question,) = parsed.prefilled_questions
    assert question.prefill == "profile.email"


def test_an_unknown_profile_field_is_refused(definition):
    _email_question(definition)["prefill"] = "profile.shoe_size"

    with pytest.raises(DefinitionError) as error:
        parse_definition(definition)

    assert "prefill: unknown prefill 'profile.shoe_size'" in str(error.value)


def test_a_profile_field_fills_only_questions_of_its_kind(definition):
    _email_question(definition)["prefill"] = "profile.date_of_birth"

    with pytest.raises(DefinitionError) as error:
        parse_definition(definition)

    assert (
        "prefill: profile.date_of_birth cannot fill a question of type 'email' (it fills date)"
        in str(error.value)
    )


def test_a_privacy_notice_in_several_languages(definition):
    definition["privacy_notice"] = {"en": "We use your data to clear it.", "cy": "Rydym yn..."}

    assert parse_definition(definition).privacy_notice == "We use your data to clear it."
    assert parse_definition(definition, language="cy").privacy_notice == "Rydym yn..."


def test_a_question_in_a_group_is_not_filled_from_the_profile(definition):
    definition["pages"].append(
        {
            "id": "people",
            "questions": [
                {
                    "id": "people",
                    "type": "group",
                    "label": "Who saw it?",
                    "questions": [
                        {"id": "who", "type": "name", "label": "Name", "prefill": "profile.name"}
                    ],
                }
            ],
        }
    )

    with pytest.raises(DefinitionError) as error:
        parse_definition(definition)

    assert "a question in a group is not filled from the profile" in str(error.value)
