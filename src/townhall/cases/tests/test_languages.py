"""Drafts and cases remember the language the resident used, so that later
messages to them can be written in it."""

from __future__ import annotations

import pytest
from django.utils import translation

from townhall.cases.factories import submitted_case
from townhall.cases.services import draft_start

pytestmark = pytest.mark.django_db


def test_drafts_and_cases_are_in_english_by_default(fly_tipping):
    assert draft_start(service_version=fly_tipping.published_version).language == "en"
    assert submitted_case(fly_tipping).language == "en"


def test_drafts_and_cases_take_the_active_language(fly_tipping):
    with translation.override("cy"):
        assert draft_start(service_version=fly_tipping.published_version).language == "cy"
        case = submitted_case(fly_tipping)
    case.refresh_from_db()
    assert case.language == "cy"
    assert case.draft.language == "cy"


def test_a_regional_code_is_stored_as_its_language(fly_tipping):
    with translation.override("en-us"):
        assert submitted_case(fly_tipping).language == "en"
