"""The interface around a service speaks Welsh: the words Townhall itself
puts on the page come from the Welsh catalogue, not only the service's text."""

from __future__ import annotations

import pytest

from townhall.catalogue.factories import service_create, welsh_definition

START = "/services/report-street-problem/"
WELSH = {"HTTP_ACCEPT_LANGUAGE": "cy"}


@pytest.fixture
def street_service(council):
    return service_create(organisation=council, definition=welsh_definition())


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def answer_every_question(client) -> None:
    steps = [
        ("problem", {"problem": "pothole"}),
        ("where", {"location": "Stryd y Castell"}),
        ("depth", {"depth": "12"}),
        ("contact", {"email": "preswylydd@example.com"}),
    ]
    for page_id, data in steps:
        response = client.post(f"{START}questions/{page_id}/", data, **WELSH)
        assert response.status_code == 302, (page_id, response.content.decode()[:1000])


def test_the_home_page_and_the_track_form_are_in_welsh(client, street_service):
    home = text(client.get("/", **WELSH))
    assert "Gwasanaethau poblogaidd" in home  # Popular services
    assert "Wedi cysylltu eisoes?" in home  # Already been in touch?
    assert "Popular services" not in home
    track = text(client.get("/track/", **WELSH))
    assert "Dod o hyd i fy nghais" in track  # Find my request
    assert "Neu eich rhif ffôn" in track  # Or your phone number
    assert "Find my request" not in track


def test_the_check_page_and_the_confirmation_are_in_welsh(
    client, street_service, django_capture_on_commit_callbacks
):
    answer_every_question(client)
    check = text(client.get(f"{START}check/", **WELSH))
    assert "Gwiriwch eich atebion cyn eu hanfon" in check  # Check your answers before sending
    assert "Nawr anfonwch eich adroddiad" in check  # Now send your report
    assert ">Derbyn ac anfon<" in check  # Accept and send
    assert "Accept and send" not in check
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{START}check/", **WELSH)
    done = text(client.get(f"{START}done/", **WELSH))
    assert (
        "Rydym wedi anfon e-bost cadarnhau atoch." in done
    )  # We have sent you a confirmation email
    assert "Sut hoffech chi gael diweddariadau?" in done  # How would you like to get updates?
    assert "Beth sy'n digwydd nesaf" in done  # What happens next
    assert "We have sent you a confirmation email" not in done


def test_a_checkbox_message_naming_its_exclusive_option_is_in_welsh():
    """Its quotation marks are characters, not escapes, so the catalogue's
    entry matches the text looked up."""
    from django.utils import translation

    from townhall.catalogue.engine.types.checkboxes import CheckboxesType

    with translation.override("cy"):
        message = str(CheckboxesType.messages["exclusive"]) % {"option": "Dim un"}
    assert message == "Dewiswch yr opsiynau sy'n berthnasol, neu dewiswch ‘Dim un’, nid y ddau"  # noqa: RUF001
