"""Writing a council's response templates: the words staff reuse when they
tell a resident about their case (read by `cases.casework.response_templates`)."""

from __future__ import annotations

import re

from townhall.cases.casework import PLACEHOLDERS
from townhall.cases.models import ResponseTemplate
from townhall.catalogue.models import Service
from townhall.tenancy.models import Organisation

PLACEHOLDER = re.compile(r"\(\(([^()]*)\)\)")


def unknown_placeholders(text: str) -> list[str]:
    """The ((names)) in `text` that are not placeholders, once each, in order."""
    found = [name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]
    return list(dict.fromkeys(found))


def service_states(services: list[Service]) -> dict[int, list[tuple[str, str]]]:
    """Each service's states (id, label) in its published version."""
    return {
        service.pk: [
            (state.id, str(state.label))
            for state in service.published_version.parsed.workflow.states
        ]
        for service in services
        if service.published_version is not None
    }


def response_template_save(
    *,
    organisation: Organisation,
    name: str,
    text: str,
    service: Service | None,
    state: str,
    template: ResponseTemplate | None = None,
) -> ResponseTemplate:
    """Add a template (or change `template`, one of the council's own)."""
    if service is not None and service.organisation_id != organisation.pk:
        raise ValueError("The service belongs to another council")
    template = template or ResponseTemplate(organisation=organisation)
    if template.organisation_id != organisation.pk:
        raise ValueError("The template belongs to another council")
    template.name = name.strip()
    template.text = text.strip()
    template.service = service
    template.state = state
    template.save()
    return template
