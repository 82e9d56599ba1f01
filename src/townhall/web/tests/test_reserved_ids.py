"""Question ids that are also the names of dict methods (`items`, `keys`,
`values`, `get`) are ordinary ids: an error on such a question is shown like
any other, on the resident's and the staff member's pages."""

from __future__ import annotations

import pytest

from townhall.catalogue.factories import definition_data, options_data, page_data, question_data
from townhall.catalogue.services import service_import
from townhall.testing.sign_in import sign_in

IDS = ["items", "keys", "values", "get", "update", "pop"]


@pytest.fixture
def awkward(council):
    questions = [
        question_data(qid, "checkboxes", f"Question {qid}", options=options_data("a", "b"))
        for qid in IDS
    ]
    definition = definition_data(page_data("things", *questions), slug="awkward-ids")
    return service_import(organisation=council, definition=definition).service


@pytest.mark.parametrize(
    "url",
    ["/services/awkward-ids/questions/things/", "/staff/assisted/awkward-ids/questions/things/"],
)
def test_errors_on_questions_named_like_dict_methods_are_shown(client, staff_user, awkward, url):
    if url.startswith("/staff/"):
        sign_in(client, staff_user)
        client.post("/staff/assisted/awkward-ids/", {"channel": "phone"})
    response = client.post(url, {})
    assert response.status_code == 200
    page = response.content.decode()
    for qid in IDS:
        assert f'href="#{qid}"' in page, qid
    assert page.count("govuk-error-message") == len(IDS)
