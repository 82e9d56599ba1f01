"""What changed between two versions, as staff read it before publishing."""

from __future__ import annotations

import copy

from townhall.catalogue.changes import definition_changes
from townhall.catalogue.factories import definition_data, page_data, question_data


def test_changes_name_settings_pages_questions_and_statuses():
    old = definition_data(
        page_data("where", question_data("location", "text", "Where is it?")),
        page_data("when", question_data("seen", "date", "When did you see it?")),
    )
    new = copy.deepcopy(old)
    new["summary"] = "Something else."
    new["pages"][0]["questions"][0]["label"] = "Where exactly is it?"
    new["pages"][1]["questions"].append(question_data("time", "text", "What time?"))
    new["pages"].append(page_data("photo", question_data("photo", "file", "Photo")))
    del new["pages"][1]["questions"][0]
    new["workflow"]["states"].append({"id": "closed", "label": "Closed", "closed": True})
    changes = definition_changes(old, new)
    assert "The setting summary changed." in changes
    assert "Page photo was added." in changes
    assert "Question “Where exactly is it?” (location): label changed." in changes
    assert "Question “What time?” (time) was added on page when." in changes
    assert "Question “When did you see it?” (seen) was removed." in changes
    assert "Status closed was added." in changes


def test_nothing_published_yet_and_nothing_changed():
    data = definition_data()
    assert definition_changes(None, data) == ["This is the first version to be published."]
    assert definition_changes(data, copy.deepcopy(data)) == []
