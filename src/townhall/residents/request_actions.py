"""What a signed-in resident can do to their own requests: reply when the
council asks for more information, withdraw one, stop and start updates
(one request or all), and delete an unsent application.

Every function takes a case or draft the caller already found through the
resident (`residents.requests`), and checks again that it is theirs, so
no path can act on someone else's.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from townhall.accounts.models import User
from townhall.cases.events import event_record
from townhall.cases.models import Attachment, Case, CaseEvent, Draft, UpdatesBy
from townhall.cases.services import TransitionRefused, attachments_delete, case_transition
from townhall.cases.updates import UpdatesRefused, case_updates_choose, case_updates_stop
from townhall.catalogue.engine.definition import State

REPLY_MAX_LENGTH = 5000
CANCELLED = "CANCELLED"


class RequestActionRefused(Exception):
    """The resident cannot do that to this request now; the message says why."""


def _check_owner(case: Case, user: User) -> None:
    if case.resident_id != user.pk:
        raise PermissionError("not the resident's case")


def awaits_reply(case: Case) -> bool:
    """Whether the council is waiting for the resident: the case is open and
    its state is one its service marks `asks_resident`."""
    if not case.is_open:
        return False
    return case.service_version.parsed.workflow.state(case.status).asks_resident


def withdrawal_state(case: Case) -> State | None:
    """The state a withdrawal moves the case to: a closed state its workflow
    lets the current state move to whose status for other systems is
    CANCELLED (a "withdrawn" or "cancelled" state). None if the case is
    closed or the service has none from here: then it cannot be withdrawn
    online."""
    if not case.is_open:
        return None
    workflow = case.service_version.parsed.workflow
    for state in workflow.next_states(case.status):
        if state.closed and CANCELLED in workflow.external_statuses(state):
            return state
    return None


def request_reply(*, case: Case, user: User, text: str) -> CaseEvent:
    """Add the resident's reply to the case's timeline (a `resident_replied`
    event; its subscriber tells the caseworker). Raises RequestActionRefused
    when the council is not waiting for a reply, or the reply is empty or
    too long."""
    _check_owner(case, user)
    text = text.strip()
    if not text:
        raise RequestActionRefused(_("Enter your reply"))
    if len(text) > REPLY_MAX_LENGTH:
        raise RequestActionRefused(
            _("Your reply must be %(max)d characters or fewer") % {"max": REPLY_MAX_LENGTH}
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("service_version").get(pk=case.pk)
        if not awaits_reply(case):
            raise RequestActionRefused(_("The council is not waiting for a reply to this request"))
        event = event_record(
            case=case,
            kind=CaseEvent.Kind.RESIDENT_REPLIED,
            # No actor: events by staff have one; the case's resident is the author.
            actor=None,
            to_status=case.status,
            payload={"reply": text},
        )
        # The reply is news to staff: the case joins the "recently updated" queue.
        case.save(update_fields=["updated_at"])
    return event


def request_withdraw(*, case: Case, user: User) -> Case:
    """Close the case as withdrawn by the resident, as its workflow allows:
    a status change on the timeline (by the resident), which tells them
    as every status change does. Raises RequestActionRefused otherwise."""
    _check_owner(case, user)
    target = withdrawal_state(case)
    if target is None:
        raise RequestActionRefused(_("This request cannot be withdrawn online"))
    try:
        return case_transition(
            case=case,
            to_status=target.id,
            actor=None,
            by_resident=True,
            payload={"withdrawn_by": "resident"},
        )
    except TransitionRefused as refusal:  # it moved on meanwhile
        raise RequestActionRefused(_("This request cannot be withdrawn online")) from refusal


def request_updates_stop(*, case: Case, user: User) -> bool:
    """Stop updates about one of the resident's requests. False if already stopped."""
    _check_owner(case, user)
    return case_updates_stop(case=case)


def request_updates_start(*, case: Case, user: User) -> Case:
    """Start updates again about one of the resident's open requests: the
    way they chose before, or by email to their account's address."""
    _check_owner(case, user)
    if not case.is_open:
        raise RequestActionRefused(_("This request is closed: there will be no more updates"))
    updates_by = case.updates_by if case.updates_by not in ("", UpdatesBy.NONE) else UpdatesBy.EMAIL
    email = "" if case.contact_email else user.email
    return case_updates_choose(case=case, updates_by=updates_by, actor=None, email=email)


def requests_updates_all(*, user: User, on: bool) -> int:
    """Stop (or start again) updates about every open request of the
    resident. Returns how many changed."""
    cases = Case.objects.filter(resident=user, is_open=True).select_related("organisation")
    changed = 0
    for case in cases:
        if on:
            if case.updates_stopped_at is None and case.updates_by != UpdatesBy.NONE:
                continue
            try:
                request_updates_start(case=case, user=user)
            except (RequestActionRefused, UpdatesRefused):
                continue  # this council cannot send that way now: the others still start
            changed += 1
        elif request_updates_stop(case=case, user=user):
            changed += 1
    return changed


def updates_on(case: Case) -> bool:
    return case.updates_stopped_at is None and case.updates_by != UpdatesBy.NONE


@transaction.atomic
def draft_delete(*, draft: Draft, user: User) -> None:
    """Delete one of the resident's unsent applications and its uploaded files."""
    if draft.resident_id != user.pk or draft.case_id is not None:
        raise PermissionError("not the resident's draft")
    attachments_delete(attachments=Attachment.objects.filter(draft=draft, case__isnull=True))
    draft.delete()
