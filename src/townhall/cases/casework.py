"""Writes staff make while working a case: assign, priority, reopen, merge as
a duplicate, transfer, follow; and response templates filled in for a case.
Each action locks the case, checks the version the member of staff saw
(optimistic locking: `CaseChanged` if someone else changed it since),
makes the change, bumps the version and writes a case event, in one
transaction. Who may call them is checked by the views
(`backoffice.access`, `tenancy.permissions.Permission.CHANGE_CASES`)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from townhall.accounts.models import User
from townhall.cases import sla_clock
from townhall.cases.events import event_record
from townhall.cases.models import Case, CaseEvent, CaseFollower, Priority, ResponseTemplate
from townhall.cases.routing import due_at, team_for
from townhall.catalogue.engine.definition import Message, render_message
from townhall.catalogue.models import Service
from townhall.tenancy.models import Membership, Organisation, Team


class CaseChanged(Exception):
    """Someone else changed the case since this member of staff loaded it."""


class ActionRefused(Exception):
    """The action does not make sense for this case (the message says why)."""


def staff_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


def _locked(case: Case, expected_version: int | None) -> Case:
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("service_version", "organisation", "service", "team")
        .get(pk=case.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise CaseChanged(locked.reference)
    return locked


def _save(case: Case, *fields: str) -> None:
    case.version = F("version") + 1
    case.save(update_fields=[*fields, "version", "updated_at"])
    case.refresh_from_db(fields=["version"])


def case_assign(
    *,
    case: Case,
    actor: User,
    assignee: User | None,
    team: Team | None,
    expected_version: int | None = None,
) -> Case:
    """Give the case to a team and/or a person (None: nobody). The person must
    be on the council's staff and the team the council's own."""
    organisation_id = case.organisation_id
    if team is not None and team.organisation_id != organisation_id:
        raise ActionRefused("The team belongs to another council")
    if (
        assignee is not None
        and not Membership.objects.filter(user=assignee, organisation_id=organisation_id).exists()
    ):
        raise ActionRefused("That person is not on this council's staff")
    with transaction.atomic():
        case = _locked(case, expected_version)
        if case.assignee_id == (assignee.pk if assignee else None) and case.team_id == (
            team.pk if team else None
        ):
            return case
        event_record(
            case=case,
            kind=CaseEvent.Kind.ASSIGNED,
            actor=actor,
            payload={
                "assignee": assignee.pk if assignee else None,
                "assignee_name": staff_name(assignee),
                "team": team.pk if team else None,
                "team_name": team.name if team else "",
                "team_slug": team.slug if team else None,
                "from_team_name": case.team.name if case.team else "",
                "from_team_slug": case.team.slug if case.team else None,
            },
        )
        case.assignee = assignee
        case.team = team
        _save(case, "assignee", "team")
    return case


def case_set_priority(
    *, case: Case, actor: User, priority: str, expected_version: int | None = None
) -> Case:
    if priority not in Priority.values:
        raise ActionRefused("No such priority")
    with transaction.atomic():
        case = _locked(case, expected_version)
        if case.priority == priority:
            return case
        event_record(
            case=case,
            kind=CaseEvent.Kind.PRIORITY_CHANGED,
            actor=actor,
            payload={"from": case.priority, "to": priority},
        )
        case.priority = priority
        _save(case, "priority")
    return case


def case_reopen(
    *, case: Case, actor: User | None, internal_note: str = "", expected_version: int | None = None
) -> Case:
    """Open a closed case again, at its workflow's first state, with a new due
    date (by staff, or with no actor when the resident says it is not fixed)."""
    with transaction.atomic():
        case = _locked(case, expected_version)
        if case.is_open:
            raise ActionRefused("The case is open already")
        definition = case.service_version.parsed
        initial = definition.workflow.state(definition.workflow.initial)
        event_record(
            case=case,
            kind=CaseEvent.Kind.REOPENED,
            actor=actor,
            from_status=case.status,
            to_status=initial.id,
            internal_note=internal_note,
        )
        now = timezone.now()
        case.status = initial.id
        case.is_open = True
        case.closed_at = None
        case.merged_into = None
        case.due_at = due_at(
            definition=definition, state=initial, since=now, organisation=case.organisation
        )
        sla_clock.clock_forget(case=case)
        _save(case, "status", "is_open", "closed_at", "merged_into", *sla_clock.FIELDS)
    return case


def case_merge(*, case: Case, into: Case, actor: User, expected_version: int | None = None) -> Case:
    """Close `case` as a duplicate of `into` (the council's own, open, not
    itself a duplicate): both timelines say so, and work goes on in `into`."""
    if into.organisation_id != case.organisation_id or into.pk == case.pk:
        raise ActionRefused("A case can only be merged into another case of the same council")
    with transaction.atomic():
        case = _locked(case, expected_version)
        target = Case.objects.select_for_update(of=("self",)).get(pk=into.pk)
        if target.merged_into_id is not None or not target.is_open:
            raise ActionRefused("Merge into an open case that is not itself a duplicate")
        if not case.is_open:
            raise ActionRefused("The case is closed already")
        # Set before the events are recorded: their subscribers ask whether
        # the case is a duplicate (its reporter is told of the merge).
        case.merged_into = target
        event_record(
            case=case,
            kind=CaseEvent.Kind.MERGED,
            actor=actor,
            payload={"into": target.reference},
        )
        event_record(
            case=target,
            kind=CaseEvent.Kind.MERGED,
            actor=actor,
            payload={"duplicate": case.reference},
        )
        case.merged_into = target
        case.is_open = False
        case.closed_at = timezone.now()
        _save(case, "merged_into", "is_open", "closed_at")
        _save(target)
    return case


def case_transfer(
    *,
    case: Case,
    actor: User,
    organisation: Organisation,
    public_message: str = "",
    expected_version: int | None = None,
) -> Case:
    """Pass an open case to another council on this installation: the one
    whose published service has the same slug. The case keeps its reference,
    answers (as submitted, in their version) and timeline; it is routed to
    the new council's team, nobody's yet, and the resident is told (the
    "transferred" event's subscriber, after commit)."""
    if organisation.pk == case.organisation_id:
        raise ActionRefused("The case is this council's already")
    with transaction.atomic():
        case = _locked(case, expected_version)
        if not case.is_open:
            raise ActionRefused("Only an open case can be transferred")
        service = (
            Service.objects.for_organisation(organisation)
            .published()
            .filter(slug=case.service.slug)
            .first()
        )
        if service is None:
            raise ActionRefused(
                f"{organisation.name} has no published service {case.service.name!r}"
            )
        definition = case.service_version.parsed
        event_record(
            case=case,
            kind=CaseEvent.Kind.TRANSFERRED,
            actor=actor,
            to_status=case.status,
            public_message=public_message,
            payload={"from": case.organisation.name, "to": organisation.name},
        )
        case.organisation = organisation
        case.service = service
        case.team = team_for(organisation=organisation, definition=definition, answers=case.answers)
        case.assignee = None
        _save(case, "organisation", "service", "team", "assignee")
    return case


def case_follow(*, case: Case, user: User, follow: bool = True) -> None:
    """Follow (or stop following) a case; following twice is following once."""
    if follow:
        CaseFollower.objects.get_or_create(case=case, user=user)
    else:
        CaseFollower.objects.filter(case=case, user=user).delete()


PLACEHOLDERS = ("reference", "council_name", "service_name", "status")


def response_templates(*, case: Case, to_state: str = "") -> list[ResponseTemplate]:
    """The council's response templates for this case's service (or any
    service) and, if given, a change to `to_state` (or any state)."""
    templates = ResponseTemplate.objects.filter(organisation_id=case.organisation_id).filter(
        Q(service_id=case.service_id) | Q(service__isnull=True)
    )
    if to_state:
        templates = templates.filter(Q(state=to_state) | Q(state=""))
    return list(templates)


def response_fill(*, template: ResponseTemplate, case: Case, to_state: str) -> str:
    """The template's text with its placeholders filled in for this case, as
    the resident will read it once it moves to `to_state`. A council's text is
    data: it is filled in, never run as a template."""
    definition = case.service_version.parsed
    state = definition.workflow.state(to_state or case.status)
    values = {
        "reference": case.reference,
        "council_name": case.organisation.name,
        "service_name": definition.name,
        "status": str(state.public_label),
    }
    return render_message(Message(subject="", body=template.text), values).body
