"""The resident's emails about their case: the service's own words when it has
them, the default templates otherwise, about the change the event records."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from townhall.cases.models import Case
from townhall.cases.services import case_submit, case_transition, draft_save_answers, draft_start
from townhall.catalogue.factories import definition_data, page_data, question_data, service_create
from townhall.notifications import messages

# Every test runs on each task engine: the database queue, then RQ (src/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("task_engine")]


def contact_service(council, **workflow_extra):
    data = definition_data(
        page_data("contact", question_data("email", "email", "Email", contact="email"))
    )
    data["workflow"].update(workflow_extra)
    return service_create(organisation=council, definition=data)


def submit(service, django_capture_on_commit_callbacks) -> Case:
    draft = draft_start(service_version=service.published_version)
    draft_save_answers(draft=draft, answers={"email": "ada@example.com"})
    with django_capture_on_commit_callbacks(execute=True):
        return case_submit(draft=draft)


def test_without_its_own_words_a_service_sends_the_default_acknowledgement(
    council, django_capture_on_commit_callbacks
):
    case = submit(contact_service(council), django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == f"Test service: we have received your request {case.reference}"
    assert message.body.startswith("Thank you. Example Council has received your request.")
    assert f"Your reference is {case.reference}." in message.body
    assert "/track/ with this reference" in message.body


def test_a_services_own_words_are_filled_in_never_run_as_a_template(
    council, django_capture_on_commit_callbacks
):
    service = contact_service(
        council,
        submitted_message={
            "subject": "Got it: ((reference))",
            "body": "{{ council_name }} {% now 'Y' %} ((council_name))",
        },
    )
    case = submit(service, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == f"Got it: {case.reference}"
    assert own_words(message.body) == "{{ council_name }} {% now 'Y' %} Example Council"


def test_an_update_tells_the_status_the_case_moved_to_even_if_it_has_moved_on(
    council, staff_user, django_capture_on_commit_callbacks
):
    case = submit(contact_service(council), django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case_transition(case=case, to_status="in_progress", actor=staff_user, public_message="Hi")
        case_transition(case=case, to_status="done", actor=staff_user, public_message="Fixed")
    for callback in callbacks:
        callback()

    first, second = mail.outbox
    assert first.subject == f"Test service {case.reference}: Being dealt with"
    assert "Status: Being dealt with\n\nHi\n\n" in first.body
    assert second.subject == f"Test service {case.reference}: Done"
    assert "Fixed" in second.body


def own_words(body: object) -> str:
    """A message's body without the stop-updates line every message ends with."""
    words, _sep, link = str(body).rpartition("\n\n")
    assert "/updates/stop/" in link
    return words


def submit_in(language, service, django_capture_on_commit_callbacks) -> Case:
    """A case sent in `language`, its messages written while another is active."""
    with translation.override(language):
        draft = draft_start(service_version=service.published_version)
        draft_save_answers(draft=draft, answers={"email": "ada@example.com"})
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            case = case_submit(draft=draft)
    with translation.override("cy" if language == "en" else "en"):
        for callback in callbacks:
            callback()
    return case


def test_a_services_own_words_are_sent_in_the_language_of_the_case(
    council, django_capture_on_commit_callbacks
):
    service = contact_service(
        council,
        submitted_message={
            "subject": {"en": "Received: ((reference))", "cy": "Derbyniwyd: ((reference))"},
            "body": {"en": "Thank you.", "cy": "Diolch."},
        },
    )
    welsh = submit_in("cy", service, django_capture_on_commit_callbacks)
    english = submit_in("en", service, django_capture_on_commit_callbacks)
    assert welsh.language == "cy"
    assert [(m.subject, own_words(m.body)) for m in mail.outbox] == [
        (f"Derbyniwyd: {welsh.reference}", "Diolch."),
        (f"Received: {english.reference}", "Thank you."),
    ]


def test_the_default_messages_are_rendered_in_the_language_of_the_case(
    council, monkeypatch, django_capture_on_commit_callbacks
):
    seen: list[str | None] = []
    real = messages.render_to_string

    def spy(name, context):
        seen.append(translation.get_language())
        return real(name, context)

    monkeypatch.setattr(messages, "render_to_string", spy)
    service = contact_service(council)
    submit_in("cy", service, django_capture_on_commit_callbacks)
    submit_in("en", service, django_capture_on_commit_callbacks)
    assert seen == ["cy", "cy", "en", "en"]
