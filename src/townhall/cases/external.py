"""Updates from other systems: a back-office system saying what happened to a
case (mySociety's Open311 `servicerequestupdates` extension, or the REST API).

The sender speaks in external statuses (`definition.EXTERNAL_STATUSES`); the
service's definition says which of its states each stands for
(`Workflow.external_statuses`). An update moves the case through its
workflow exactly as staff would (`services.case_transition`), so the
resident is told as the workflow says, or, when the case is already in that
state, adds a public update to its timeline. Every update is recorded,
applied or refused, and one already applied (the same `update_id`) is not
applied again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from townhall.cases.events import event_record
from townhall.cases.models import Case, CaseEvent, ExternalUpdate
from townhall.cases.services import TransitionRefused, case_transition
from townhall.catalogue.engine.definition import EXTERNAL_STATUSES, State, Workflow

MAX_DESCRIPTION = 4000


class ExternalUpdateRefused(Exception):
    """The update cannot be applied; the message says why and is recorded."""


@dataclass(frozen=True)
class Resolution:
    target: State | None  # the state to move to; None to stay where it is


def external_target(workflow: Workflow, current: str, status: str) -> Resolution:
    """Where an update with `status` takes a case in state `current`. A status
    the current state stands for keeps it there (a public update); otherwise
    the first state, in the definition's order, that stands for it and that
    the workflow allows next. REOPEN also takes a closed case to the first
    open state it may move to. Raises ExternalUpdateRefused."""
    if status not in EXTERNAL_STATUSES:
        raise ExternalUpdateRefused(
            _("%(status)s is not a status; use one of %(statuses)s")
            % {"status": status[:40], "statuses": ", ".join(EXTERNAL_STATUSES)}
        )
    state = workflow.state(current)
    if status != "REOPEN" and status in workflow.external_statuses(state):
        return Resolution(target=None)
    allowed = workflow.next_states(current)
    candidates = [s for s in allowed if status in workflow.external_statuses(s)]
    if not candidates and status == "REOPEN" and state.closed:
        candidates = [s for s in allowed if not s.closed]
    if candidates:
        return Resolution(target=candidates[0])
    if not any(status in workflow.external_statuses(s) for s in workflow.states):
        raise ExternalUpdateRefused(_("This service has no status %(status)s") % {"status": status})
    raise ExternalUpdateRefused(
        _("A case that is %(state)s cannot move to %(status)s")
        % {"state": state.label.lower(), "status": status}
    )


def case_external_update(
    *,
    case: Case,
    status: str,
    description: str,
    update_id: str,
    updated_at: datetime | None,
    external_status_code: str = "",
    client: str,
) -> ExternalUpdate:
    """Apply an update that the integration `client` sent about `case`.

    `status` is one of EXTERNAL_STATUSES, mapped onto the service's workflow
    (`external_target`); `description` is public, told to the resident with
    the change. An `update_id` already applied to the case returns the
    update recorded then and changes nothing. A refused update is recorded
    with its reason and ExternalUpdateRefused raised."""
    update_id = update_id.strip()[:100]
    if not update_id:
        raise ExternalUpdateRefused(_("Give the update an update_id"))
    if len(description) > MAX_DESCRIPTION:
        raise ExternalUpdateRefused(_("Keep the description to 4,000 characters"))
    fields = {
        "case": case,
        "update_id": update_id,
        "client": client[:100],
        "status": status[:40],
        "external_status_code": external_status_code[:100],
        "description": description,
        "updated_at": updated_at,
    }
    try:
        with transaction.atomic():
            return _apply(case=case, fields=fields)
    except ExternalUpdateRefused as refusal:
        ExternalUpdate.objects.create(**fields, accepted=False, refusal=str(refusal)[:300])
        raise
    except IntegrityError:  # the same update, applied meanwhile by another request
        return ExternalUpdate.objects.get(case=case, update_id=update_id, accepted=True)


def _apply(*, case: Case, fields: dict[str, object]) -> ExternalUpdate:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("service_version")
        .get(pk=case.pk)
    )
    done = ExternalUpdate.objects.filter(case=case, update_id=fields["update_id"], accepted=True)
    if (earlier := done.first()) is not None:
        return earlier
    workflow = case.service_version.parsed.workflow
    resolution = external_target(workflow, case.status, str(fields["status"]))
    client = str(fields["client"])
    payload = {
        "update_id": fields["update_id"],
        "external_status": fields["status"],
        "external_status_code": fields["external_status_code"],
    }
    description = str(fields["description"])
    event: CaseEvent | None = None
    if resolution.target is None and description:
        event = event_record(
            case=case,
            kind=CaseEvent.Kind.PUBLIC_UPDATE,
            to_status=case.status,
            public_message=description,
            payload={**payload, "client": client},
        )
    elif resolution.target is not None:
        try:
            case_transition(
                case=case,
                to_status=resolution.target.id,
                actor=None,
                client=client,
                public_message=description,
                payload=payload,
            )
        except TransitionRefused as refused:
            raise ExternalUpdateRefused(str(refused)) from refused
        event = case.events.order_by("-pk").first()
    fields = {**fields, "case": case}
    return ExternalUpdate.objects.create(**fields, accepted=True, event=event)
