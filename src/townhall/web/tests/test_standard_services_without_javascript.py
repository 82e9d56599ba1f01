"""Every standard service, completed through the front door as a browser with
JavaScript off sends it: each page's form fields, one page after another,
check answers, the declaration, and a case at the end."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from townhall.cases.models import Case
from townhall.catalogue.engine.definition import Question
from townhall.catalogue.engine.types.money import pounds
from townhall.catalogue.models import Audience
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import standard_definitions
from townhall.catalogue.tests.test_standard_catalogue import sample_answers

FILES = {
    "image/jpeg": b"\xff\xd8\xff\xe0" + b"\0" * 64,
    "image/png": b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
    "application/pdf": b"%PDF-1.4\n" + b"\0" * 64,
}
SERVICES = {path.stem: data for path, data in standard_definitions()}


def fields_for(question: Question, answer: Any, prefix: str = "") -> dict[str, Any]:
    """The form fields a resident fills in to give `answer`."""
    name = f"{prefix}{question.id}"
    if answer in (None, "", []):
        return {}
    kind = question.type
    if kind == "date":
        year, month, day = answer.split("-")
        return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}
    if kind == "address":
        return {f"{name}-{part}": value for part, value in answer.items()}
    if kind == "yes_no":
        return {name: "yes" if answer else "no"}
    if kind == "declaration":
        return {name: "yes"}
    if kind == "money":
        return {name: pounds(answer)}
    if kind == "file":
        return {name: [SimpleUploadedFile(r["name"], FILES[r["type"]], r["type"]) for r in answer]}
    if kind == "group":
        found: dict[str, Any] = {f"{name}-items": str(len(answer))}
        for index, item in enumerate(answer):
            for member in question.questions:
                found |= fields_for(member, item.get(member.id), f"{name}-{index}-")
        return found
    return {name: answer if isinstance(answer, list) else str(answer)}


@pytest.mark.parametrize("slug", sorted(SERVICES))
def test_every_standard_service_is_completed_without_javascript(client, council, slug):
    data = SERVICES[slug]
    if data.get("audience", Audience.ANYONE) != Audience.ANYONE:
        pytest.skip("not offered to residents online")
    service = service_import(organisation=council, definition=data).service
    definition = service.published_version.parsed
    answers = sample_answers()[slug]
    start = f"/services/{slug}/"
    assert client.get(start).status_code == 200
    url = f"{start}questions/{definition.pages[0].id}/"
    for _step in range(40):
        if url.endswith("/tasks/"):  # a long application's task list
            assert "govuk-task-list" in client.get(url).content.decode()
            check = client.get(f"{start}check/")  # to the section to carry on with, if any
            url = check["Location"] if check.status_code == 302 else f"{start}check/"
        if url.endswith("/check/"):
            break
        page = definition.page(url.rstrip("/").rsplit("/", 1)[1])
        assert page is not None, url
        form: dict[str, Any] = {"action": "continue"}
        for question in page.questions:
            form |= fields_for(question, answers.get(question.id))
        response = client.post(url, form)
        if response.status_code == 200:  # a question revealed on the same page
            body = response.content.decode()
            assert "There is a problem" not in body, (url, body[body.find("error-summary") :][:600])
            response = client.post(url, form)
        assert response.status_code == 302, (url, response.content.decode()[:800])
        url = response["Location"]
    body = client.get(url).content.decode()
    assert "Check your answers" in body
    response = client.post(url, {"declaration": "yes", "draft_token": _token(body)})
    assert response.status_code == 302, response.content.decode()[:800]
    assert Case.objects.filter(service=service).count() == 1


def _token(body: str) -> str:
    marker = 'name="draft_token" value="'
    start = body.index(marker) + len(marker)
    return body[start : body.index('"', start)]
