"""Staff manage their council's services: the list, a version's preview,
publishing, downloading and importing definition files."""

from __future__ import annotations

import html
import json
import re

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.catalogue.factories import (
    branching_definition,
    definition_data,
    options_data,
    page_data,
    question_data,
)
from townhall.catalogue.models import Service, ServiceVersion
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.catalogue.tests.operators import StartsWith, registered
from townhall.catalogue.transfer import definition_dump

FLY_TIPPING = STANDARD_DIR / "report-fly-tipping.yaml"


def body_of(response) -> str:
    return html.unescape(response.content.decode())


def upload(name: str, content: bytes | str) -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def bad_pothole_yaml() -> str:
    data = branching_definition()
    data["slug"] = "report-pothole"
    data["pages"][2]["questions"][0]["type"] = "dat"
    data["workflow"]["transitions"]["received"] = ["nowhere"]
    return definition_dump(data)


@pytest.fixture
def street(council):
    """A street problem service with a published version 1 and a draft version 2."""
    service_import(organisation=council, definition=branching_definition())
    changed = branching_definition(description="Now with a description.")
    return service_import(organisation=council, definition=changed, publish=False).service


# ---- the list ---------------------------------------------------------------------


def test_the_list_shows_each_service_with_its_versions(staff_client, fly_tipping, street):
    response = staff_client.get("/staff/services/")
    body = body_of(response)
    assert response.status_code == 200
    assert "Report fly-tipping" in body and "Report a street problem" in body
    rows = re.findall(r"Version (\d)<span[^>]*> of ([^<]+)</span></a>\s*<strong[^>]*>(\w+)", body)
    assert sorted(rows) == [
        ("1", "Report a street problem", "Published"),
        ("1", "Report fly-tipping", "Published"),
        ("2", "Report a street problem", "Draft"),
    ]
    assert 'href="/staff/services/report-street-problem/versions/2/"' in body
    assert "Import a service" not in body  # a caseworker cannot import


def test_the_staff_menu_links_to_services(staff_client, fly_tipping):
    assert 'href="/staff/services/">Services</a>' in body_of(staff_client.get("/staff/"))


def test_the_list_query_count_does_not_grow_with_services(manager_client, fly_tipping, council):
    with CaptureQueriesContext(connection) as few:
        manager_client.get("/staff/services/")
    for n in range(4):
        service_import(organisation=council, definition=definition_data(slug=f"service-{n}"))
    with CaptureQueriesContext(connection) as many:
        response = manager_client.get("/staff/services/")
    assert body_of(response).count("Version 1") == 5
    # session, user, membership (with its role), services, their versions, site
    assert len(few) == len(many) == 7  # with the session's second factor


# ---- a version's preview --------------------------------------------------------------


def test_a_preview_shows_each_page_as_residents_see_it(staff_client, street):
    response = staff_client.get("/staff/services/report-street-problem/versions/1/")
    body = body_of(response)
    assert response.status_code == 200
    assert len(re.findall(r"<h1[ >]", body)) == 1
    assert "Version 1" in body and "Published" in body
    # Questions rendered with the residents' templates, inside disabled fieldsets.
    assert body.count('<fieldset class="govuk-fieldset" disabled>') == 5
    assert 'type="radio" value="pothole"' in body
    assert "How deep is it in centimetres?" in body and "Column number" in body
    assert 'type="submit"' not in body.split('<h2 class="govuk-heading-m">Pages</h2>')[1]
    # The rules in words.
    assert "Asked only when “What is the problem?” is “Pothole”." in body
    assert "Asked only when not “What is the problem?” is one of “Pothole”, “Street light”" in body
    assert "Asked only when “Is the light” is “Flicker”:" in body
    # Workflow and messages.
    assert "New cases start here" in body
    assert "In progress, Done" in body
    assert "This is the version residents use." in body


def test_a_draft_can_be_previewed(staff_client, street):
    response = staff_client.get("/staff/services/report-street-problem/versions/2/")
    body = body_of(response)
    assert response.status_code == 200
    assert "This is a draft" in body and "Now with a description." in body
    assert "Publish version 2" not in body  # a caseworker cannot publish


def test_a_preview_shows_the_workflow_routing_and_messages(staff_client, fly_tipping, council):
    definition = load_definition_file(FLY_TIPPING)
    definition["routing"] = {
        "team": "street-cleansing",
        "rules": [{"when": {"question": "waste_type", "equals": "hazardous"}, "team": "hazards"}],
    }
    service_import(organisation=council, definition=definition)
    body = body_of(staff_client.get("/staff/services/report-fly-tipping/versions/2/"))
    hazardous = "“Chemicals, asbestos or other hazardous waste”"
    assert f"When “What has been dumped?” is {hazardous}: team hazards" in body
    assert "Otherwise: team street-cleansing" in body
    assert "Fly-tipping report received: ((reference))" in body
    assert "Your fly-tipping report ((reference)) has been cleared" in body
    assert "Being inspected" in body and "Closes the case" in body


def test_a_preview_words_every_operator_including_one_added_later(staff_client, council):
    """Staff read each rule in words, from the operator that owns it: a date
    comparison, and an operator registered only for this test."""
    definition = definition_data(
        page_data(
            "about",
            question_data("name", "text", "Your name"),
            question_data("seen", "date", "When did you see it?"),
        ),
        page_data(
            "late",
            question_data("why", "textarea", "Why did you wait?"),
            when={"question": "seen", "less_than": "2026-04-01"},
        ),
        page_data(
            "letter",
            question_data("detail", "textarea", "Tell us more"),
            when={"question": "name", "starts_with": "A"},
        ),
    )
    with registered(StartsWith):
        service_import(organisation=council, definition=definition, publish=False)
        body = body_of(staff_client.get("/staff/services/test-service/versions/1/"))
    assert "Asked only when “When did you see it?” is before 1 April 2026." in body
    assert "Asked only when “Your name” starts with “A”." in body


def test_every_question_type_can_be_previewed(staff_client, council):
    kinds = {
        "radios": {"options": options_data("a", "b")},
        "checkboxes": {"options": options_data("c")},
        "select": {"options": options_data("d")},
        "group": {"questions": [question_data("who", "name", "Their name")]},
    }
    types = [
        *["text", "textarea", "email", "phone", "postcode", "number", "date", "radios"],
        *["checkboxes", "select", "yes_no", "file", "location", "name", "address"],
        *["declaration", "group"],
    ]
    questions = [question_data(f"q_{t}", t, f"Label for {t}", **kinds.get(t, {})) for t in types]
    definition = definition_data(page_data("all", *questions, title="Everything"))
    service_import(organisation=council, definition=definition, publish=False)
    response = staff_client.get("/staff/services/test-service/versions/1/")
    body = body_of(response)
    assert response.status_code == 200
    for kind in types:
        assert f"Label for {kind}" in body


def test_a_version_that_no_longer_parses_is_explained(manager_client, council):
    service = Service.objects.create(organisation=council, slug="old", name="Old", summary="Old")
    ServiceVersion.objects.create(service=service, number=1, definition={"schema": "old"})
    response = manager_client.get("/staff/services/old/versions/1/")
    body = body_of(response)
    assert response.status_code == 200
    assert "no longer passes today's checks" in body
    assert "Publish version 1" not in body
    assert manager_client.post("/staff/services/old/versions/1/publish/").status_code == 409
    assert ServiceVersion.objects.get(service=service).status == ServiceVersion.Status.DRAFT


def test_an_unknown_version_is_not_found(staff_client, street):
    assert staff_client.get("/staff/services/report-street-problem/versions/9/").status_code == 404
    assert staff_client.get("/staff/services/no-such-thing/versions/1/").status_code == 404


# ---- publishing ---------------------------------------------------------------------


def test_a_manager_publishes_a_draft(manager_client, street):
    page = body_of(manager_client.get("/staff/services/report-street-problem/versions/2/"))
    assert "Publish version 2" in page
    url = "/staff/services/report-street-problem/versions/2/publish/"
    confirm = body_of(manager_client.post(url))
    assert "Publish version 2?" in confirm
    assert "What changed since version 1" in confirm
    street.refresh_from_db()
    assert street.published_version.number == 1  # not yet: asked first
    response = manager_client.post(url, {"confirm": "yes"})
    assert response["Location"] == "/staff/services/report-street-problem/versions/2/"
    street.refresh_from_db()
    assert street.published_version.number == 2
    assert street.versions.get(number=1).status == ServiceVersion.Status.RETIRED
    assert "Version 2 is published" in body_of(manager_client.get(response["Location"]))


def test_publishing_the_published_version_changes_nothing(manager_client, street):
    before = street.versions.get(number=1).published_at
    response = manager_client.post("/staff/services/report-street-problem/versions/1/publish/")
    assert response.status_code == 302
    assert street.versions.get(number=1).published_at == before


def test_a_caseworker_cannot_publish(staff_client, street):
    response = staff_client.post(
        "/staff/services/report-street-problem/versions/2/publish/", {"confirm": "yes"}
    )
    assert response.status_code == 403
    street.refresh_from_db()
    assert street.published_version.number == 1
    assert street.versions.get(number=2).status == ServiceVersion.Status.DRAFT


def test_publishing_needs_a_post(manager_client, street):
    url = "/staff/services/report-street-problem/versions/2/publish/"
    assert manager_client.get(url).status_code == 405


# ---- downloading --------------------------------------------------------------------


@pytest.mark.parametrize("number", [1, 2])
def test_a_version_downloads_as_yaml_equal_to_what_is_stored(manager_client, street, number):
    # Downloading a definition is the service designer's (and admin's) job.
    url = f"/staff/services/report-street-problem/versions/{number}/export/"
    response = manager_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="report-street-problem-v{number}.yaml"'
    )
    stored = street.versions.get(number=number).definition
    downloaded = yaml.safe_load(response.content.decode())
    assert downloaded == stored
    assert json.dumps(downloaded) == json.dumps(stored)  # keys in the same order


def test_a_download_imports_back_unchanged(manager_client, fly_tipping):
    content = manager_client.get("/staff/services/report-fly-tipping/versions/1/export/").content
    response = manager_client.post(
        "/staff/services/import/",
        {"file": upload("report-fly-tipping-v1.yaml", content), "action": "publish"},
    )
    assert response["Location"] == "/staff/services/report-fly-tipping/versions/1/"
    assert fly_tipping.versions.count() == 1
    assert "Nothing new" in body_of(manager_client.get(response["Location"]))


# ---- importing ----------------------------------------------------------------------


def test_the_import_page_has_a_labelled_file_input(manager_client):
    body = body_of(manager_client.get("/staff/services/import/"))
    assert '<label class="govuk-label govuk-label--m" for="id_file">' in body
    assert 'type="file"' in body and 'enctype="multipart/form-data"' in body
    assert 'value="draft" checked' in body
    assert len(re.findall(r"<h1[ >]", body)) == 1


def test_a_manager_imports_a_file_as_a_draft(manager_client, council, fly_tipping):
    content = FLY_TIPPING.read_text().replace("name: Report fly-tipping", "name: Report dumping")
    response = manager_client.post(
        "/staff/services/import/",
        {"file": upload("fly.yaml", content), "action": "draft"},
    )
    assert response["Location"] == "/staff/services/report-fly-tipping/versions/2/"
    fly_tipping.refresh_from_db()
    assert fly_tipping.published_version.number == 1
    assert fly_tipping.versions.get(number=2).status == ServiceVersion.Status.DRAFT
    assert "Version 2 saved as a draft." in body_of(manager_client.get(response["Location"]))


def test_a_manager_imports_and_publishes_a_json_file(manager_client, council):
    content = json.dumps(branching_definition())
    response = manager_client.post(
        "/staff/services/import/", {"file": upload("street.json", content), "action": "publish"}
    )
    assert response.status_code == 302
    service = council.services.get(slug="report-street-problem")
    assert service.published_version.number == 1
    assert service.published_version.definition == branching_definition()


def test_a_caseworker_cannot_import(staff_client, council):
    assert staff_client.get("/staff/services/import/").status_code == 403
    response = staff_client.post(
        "/staff/services/import/",
        {
            "file": upload("street.yaml", definition_dump(branching_definition())),
            "action": "publish",
        },
    )
    assert response.status_code == 403
    assert not Service.objects.exists()


def test_an_invalid_definition_names_each_problem_and_saves_nothing(manager_client, council):
    response = manager_client.post(
        "/staff/services/import/",
        {"file": upload("report-pothole.yaml", bad_pothole_yaml()), "action": "publish"},
    )
    body = body_of(response)
    assert response.status_code == 400
    assert "<title>Error: Import a service" in body
    summary = body.split('govuk-error-summary__list">')[1].split("</ul>")[0]
    assert "<a href=\"#id_file\">pages[2].questions[0].type: unknown type 'dat'</a>" in summary
    assert "The file has" not in summary
    assert 'id="id_file-error"' in body
    assert not Service.objects.exists()
    assert not ServiceVersion.objects.exists()


def test_rules_beyond_the_schema_are_named_too(manager_client, council):
    data = branching_definition()
    data["workflow"]["transitions"]["received"] = ["nowhere"]
    response = manager_client.post(
        "/staff/services/import/",
        {"file": upload("street.yaml", definition_dump(data)), "action": "publish"},
    )
    assert "workflow.transitions.received[0]: unknown state 'nowhere'" in body_of(response)
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.yaml", "slug: x\npages: [unclosed\n", "not valid YAML"),
        ("list.yaml", "- 1\n- 2\n", "the file must hold one service definition"),
        ("scalar.json", "42", "the file must hold one service definition"),
        ("big.yaml", "#" * (1024 * 1024 + 1), "The selected file must be smaller than 1 MB"),
        ("notes.txt", "slug: x", "The selected file must be a YAML or JSON file"),
        ("noext", "slug: x", "The selected file must be a YAML or JSON file"),
        ("empty.yaml", "", "The selected file is empty"),
        ("latin.yaml", "name: caf\xe9".encode("latin-1"), "the file must be text in UTF-8"),
        ("deep.json", "[" * 5_000, "nested too deeply"),
        ("nan.json", '{"min": NaN}', "not valid JSON: NaN is not a number"),
        ("two.yaml", "a: 1\n---\nb: 2\n", "not valid YAML"),
        ("dup.json", '{"slug": "a", "slug": "b"}', "'slug' is written twice"),
        ("tags.yaml", "!!python/object:os.system {}", "not valid YAML"),
    ],
)
def test_bad_files_are_explained_never_a_server_error(
    manager_client, council, name, content, message
):
    response = manager_client.post(
        "/staff/services/import/", {"file": upload(name, content), "action": "publish"}
    )
    body = body_of(response)
    assert response.status_code == 400
    assert "There is a problem" in body and message in body
    assert not Service.objects.exists()


def test_a_missing_file_and_choice_are_explained(manager_client, council):
    response = manager_client.post("/staff/services/import/", {})
    body = body_of(response)
    assert response.status_code == 400
    assert '<a href="#id_file">Select a service definition file</a>' in body
    assert '<a href="#id_action">Select whether to save it as a draft or publish it</a>' in body
