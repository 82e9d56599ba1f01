"""Service definitions for tests, built as the plain data a council would import."""

from __future__ import annotations

import copy
from typing import Any

from townhall.catalogue.models import Service
from townhall.catalogue.services import service_import
from townhall.tenancy.models import Organisation

WORKFLOW: dict[str, Any] = {
    "initial": "received",
    "states": [
        {"id": "received", "label": "Received"},
        {"id": "in_progress", "label": "In progress", "public_label": "Being dealt with"},
        {"id": "done", "label": "Done", "closed": True},
    ],
    "transitions": {"received": ["in_progress", "done"], "in_progress": ["done"]},
}


def question_data(
    qid: str = "name", kind: str = "text", label: str = "Your name", **extra: Any
) -> dict[str, Any]:
    """One question, as it is written in a definition file."""
    return {"id": qid, "type": kind, "label": label, **extra}


def options_data(*values: str) -> list[dict[str, str]]:
    return [{"value": value, "label": value.replace("_", " ").capitalize()} for value in values]


def page_data(pid: str, *questions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A page; one without questions needs an `exit`."""
    return {"id": pid, **({"questions": list(questions)} if questions else {}), **extra}


def definition_data(
    *pages: dict[str, Any],
    slug: str = "test-service",
    name: str = "Test service",
    workflow: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A complete, valid definition: one text question unless pages are given."""
    return {
        "schema": "townhall/service/1",
        "slug": slug,
        "name": name,
        "summary": f"Use this service to {name.lower()}.",
        "pages": list(pages) or [page_data("name", question_data())],
        "workflow": copy.deepcopy(workflow or WORKFLOW),
        **extra,
    }


def branching_definition(**extra: Any) -> dict[str, Any]:
    """A street problem report whose route depends on the answers:
    potholes ask for a depth, street lights for a column number and state
    (and how often, only when flickering), anything else for details."""
    return definition_data(
        page_data(
            "problem",
            question_data(
                "problem",
                "radios",
                "What is the problem?",
                summary=True,
                options=options_data("pothole", "street_light", "other"),
            ),
        ),
        page_data(
            "depth",
            question_data("depth", "number", "How deep is it in centimetres?", min=0, max=100),
            when={"question": "problem", "equals": "pothole"},
        ),
        page_data(
            "light",
            question_data("column", "text", "Column number", max_length=10),
            question_data(
                "state", "radios", "Is the light", options=options_data("off", "flicker")
            ),
            question_data(
                "how_often",
                "text",
                "How often does it flicker",
                when={"question": "state", "equals": "flicker"},
            ),
            title="About the street light",
            when={"question": "problem", "equals": "street_light"},
        ),
        page_data(
            "details",
            question_data("details", "textarea", "Describe the problem"),
            when={"not": {"question": "problem", "in": ["pothole", "street_light"]}},
        ),
        page_data(
            "contact",
            question_data("email", "email", "Email address", contact="email", required=False),
        ),
        slug="report-street-problem",
        name="Report a street problem",
        **extra,
    )


def service_create(*, organisation: Organisation, definition: dict[str, Any]) -> Service:
    """A published service made from `definition`, imported as councils import them."""
    return service_import(organisation=organisation, definition=definition).service


def welsh_definition() -> dict[str, Any]:
    """The street problem report with much of its text also in Welsh, and some
    in English only: the "Other" option, the details question (a map holding
    English alone) and the workflow's states but the first."""
    data = branching_definition()
    data["name"] = {"en": "Report a street problem", "cy": "Rhoi gwybod am broblem ar y stryd"}
    data["summary"] = {
        "en": "Use this service to report a street problem.",
        "cy": "Defnyddiwch y gwasanaeth hwn i roi gwybod am broblem ar y stryd.",
    }
    problem = data["pages"][0]["questions"][0]
    problem["label"] = {"en": "What is the problem?", "cy": "Beth yw'r broblem?"}
    problem["options"][0]["label"] = {"en": "Pothole", "cy": "Twll yn y ffordd"}
    problem["options"][1]["label"] = {"cy": "Golau stryd", "en": "Street light"}
    data["pages"][3]["questions"][0]["label"] = {"en": "Describe the problem"}
    where = question_data("location", "location", label="")
    where["label"] = {"en": "Where is it?", "cy": "Ble mae e?"}
    data["pages"].insert(1, page_data("where", where))
    data["workflow"]["states"][0]["label"] = {"en": "Received", "cy": "Wedi dod i law"}
    data["workflow"]["submitted_message"] = {
        "subject": {
            "en": "We have received your report ((reference))",
            "cy": "Rydym wedi cael eich adroddiad ((reference))",
        },
        "body": {
            "en": "Your reference is ((reference)).",
            "cy": "Eich cyfeirnod yw ((reference)).",
        },
    }
    data["confirmation"] = {"title": {"en": "Report sent", "cy": "Adroddiad wedi'i anfon"}}
    return data
