"""Default message texts are template files, rendered as plain text in the language asked for."""

from __future__ import annotations

from django.utils import translation

from townhall.notifications import messages
from townhall.notifications.messages import message_render

VALUES = {
    "reference": "EXA-2026-00000001",
    "service_name": "Report a <b>pothole</b> & more",
    "council_name": "Example Council",
    "status": "Being looked into",
    "public_message": 'We\'ll be there "soon".',
    "track_url": "https://services.example.gov.uk/track/",
}


def test_the_default_acknowledgement():
    message = message_render(channel="email", name="case_submitted", context=VALUES)
    assert message.subject == (
        "Report a <b>pothole</b> & more: we have received your request EXA-2026-00000001"
    )
    assert message.body == (
        "Thank you. Example Council has received your request.\n\n"
        "Your reference is EXA-2026-00000001.\n\n"
        "You can check its progress at https://services.example.gov.uk/track/ with this "
        "reference and your email address."
    )


def test_the_default_update_shows_the_public_message_only_when_there_is_one():
    message = message_render(channel="email", name="case_updated", context=VALUES)
    assert message.subject == "Report a <b>pothole</b> & more EXA-2026-00000001: Being looked into"
    assert message.body == (
        "There is an update on your request EXA-2026-00000001.\n\n"
        "Status: Being looked into\n\n"
        'We\'ll be there "soon".\n\n'
        "You can check its progress at https://services.example.gov.uk/track/."
    )
    quiet = message_render(
        channel="email", name="case_updated", context={**VALUES, "public_message": ""}
    )
    assert "Status: Being looked into\n\nYou can check" in quiet.body


def test_a_message_is_rendered_in_the_language_asked_for_and_english_otherwise(monkeypatch):
    seen: list[str | None] = []
    real = messages.render_to_string

    def spy(name, context):
        seen.append(translation.get_language())
        return real(name, context)

    monkeypatch.setattr(messages, "render_to_string", spy)
    with translation.override("fr"):
        message_render(channel="email", name="case_submitted", context=VALUES, language="cy")
        message_render(channel="email", name="case_submitted", context=VALUES)
    assert seen == ["cy", "cy", "en", "en"]
