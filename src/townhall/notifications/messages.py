"""Message texts from template files, in the recipient's language.

A message is a folder of templates under `notifications/<channel>/<name>/`:
`subject.txt` and `body.txt` for an email. They are Django templates, so their
words are marked for translation and rendered in the language asked for. The
values they show are plain text: templates turn autoescaping off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def message_render(
    *, channel: str, name: str, context: Mapping[str, Any], language: str | None = None
) -> Rendered:
    """Render the message `name` of `channel` with `context`, in `language`
    (the site's default language, English, when none is given). The subject
    is one line."""
    folder = f"notifications/{channel}/{name}"
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{folder}/subject.txt", dict(context))
        body = render_to_string(f"{folder}/body.txt", dict(context))
    return Rendered(subject=" ".join(subject.split()), body=body.strip())
