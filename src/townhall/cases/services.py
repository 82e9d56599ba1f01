"""Writes for the case lifecycle: drafts, submission and status changes."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from townhall.accounts.models import User
from townhall.cases import sla_clock
from townhall.cases.answers import DECLARATION, declaration_problem
from townhall.cases.casework import CaseChanged
from townhall.cases.conditions import answers_point, case_area_codes, condition_context
from townhall.cases.contacts import contact_row
from townhall.cases.events import event_record, event_row, event_subscribed
from townhall.cases.models import Attachment, Case, CaseEvent, Channel, Draft
from townhall.cases.references import REFERENCE_DRAWS, new_reference
from townhall.cases.routing import due_at, team_for
from townhall.cases.search import search_keys
from townhall.cases.tasks import dispatch_event
from townhall.catalogue.engine.definition import ServiceDefinition, with_optional_contact
from townhall.catalogue.engine.flow import case_summary_line, relevant_answers, validate_answers
from townhall.catalogue.engine.inputs import NewFiles, sniff_content_type
from townhall.catalogue.engine.languages import active_language
from townhall.catalogue.models import Service, ServiceVersion
from townhall.core.inserts import Key, Row, insert_rows
from townhall.core.tasks import enqueue_on_commit, task_row, task_written

logger = logging.getLogger(__name__)


class VersionNotPublished(Exception):
    """The service version is no longer the published one of an active service."""


class SubmissionRefused(Exception):
    """The answers are incomplete or no longer acceptable; `errors` says why."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(f"{len(self.errors)} answers need attention")


class TransitionRefused(Exception):
    """The workflow does not allow this status change."""


def draft_start(
    *, service_version: ServiceVersion, channel: str = Channel.WEB, resident: User | None = None
) -> Draft:
    """Begin a new set of answers for a service version, in the active
    language: a signed-in resident's, if `resident` is given."""
    return Draft.objects.create(
        service_version=service_version,
        channel=channel,
        language=active_language(),
        resident=resident,
    )


def draft_save_answers(*, draft: Draft, answers: Mapping[str, Any]) -> Draft:
    """Store a page's answers; uploaded files are stored as attachments and
    the answer records them. Only answers on the resident's route are kept.
    If the answers cannot be saved (the database went away), the files stored
    for them are deleted again, so no file is kept that no row names."""
    stored: list[str] = []
    try:
        return _draft_answers_save(draft=draft, answers=answers, stored=stored)
    except BaseException:
        files_delete(storage=Attachment._meta.get_field("file").storage, names=stored)
        raise


@transaction.atomic
def _draft_answers_save(*, draft: Draft, answers: Mapping[str, Any], stored: list[str]) -> Draft:
    draft = (
        Draft.objects.select_for_update(of=("self",))
        .select_related("service_version__service__organisation")
        .get(pk=draft.pk)
    )
    if draft.case_id is not None:
        return draft  # already submitted: answers are frozen
    merged = dict(draft.answers)
    for question_id, value in answers.items():
        if isinstance(value, NewFiles):
            value = [
                attachment_store(upload=upload, stored=stored, draft=draft)
                for upload in value.files
            ]
        merged[question_id] = value
    context = condition_context(organisation=draft.service_version.service.organisation)
    draft.answers = relevant_answers(draft.service_version.parsed, merged, context=context)
    draft.save(update_fields=["answers", "updated_at"])
    return draft


@transaction.atomic
def draft_file_remove(*, draft: Draft, question_id: str, file_id: str) -> Draft:
    """Take one uploaded file out of a draft's answer to a file question, and
    delete it. An unknown file, or a draft already sent, changes nothing."""
    draft = Draft.objects.select_for_update(of=("self",)).get(pk=draft.pk)
    records = draft.answers.get(question_id)
    if draft.case_id is not None or not isinstance(records, list):
        return draft
    kept = [r for r in records if not (isinstance(r, dict) and r.get("id") == file_id)]
    try:
        uuid.UUID(file_id)
    except ValueError:
        return draft
    if len(kept) == len(records):
        return draft
    draft.answers = {**draft.answers, question_id: kept or ""}
    draft.save(update_fields=["answers", "updated_at"])
    attachments_delete(
        attachments=Attachment.objects.filter(draft=draft, case__isnull=True, pk=file_id)
    )
    return draft


def attachment_store(
    *,
    upload: Any,
    stored: list[str],
    draft: Draft | None = None,
    case: Case | None = None,
    added_by: User | None = None,
) -> dict[str, Any]:
    """Store an upload already checked by its question as an attachment of a
    draft or a case (`added_by` the member of staff who added it, if one did);
    its stored name goes on `stored` (to delete if what records it is not
    saved). Returns the record the answer keeps."""
    attachment = Attachment(
        draft=draft,
        case=case,
        added_by=added_by,
        filename=re.sub(r"[\x00-\x1f\x7f]", "", upload.name or "")[-255:] or "upload",
        content_type=sniff_content_type(upload) or "application/octet-stream",
        size=upload.size,
        created_at=timezone.now(),
    )
    attachment.file.save("upload", upload, save=False)
    stored.append(attachment.file.name or "")
    attachment.save()
    return {
        "id": str(attachment.pk),
        "name": attachment.filename,
        "size": attachment.size,
        "type": attachment.content_type,
    }


def case_submit(
    *,
    draft: Draft,
    actor: User | None = None,
    contact_required: bool = True,
    declaration: bool = False,
) -> Case:
    """Turn a complete draft into a case, exactly once.

    Staff recording a contact (`contact_required=False`) may leave the contact
    email empty. A signed-in resident's draft makes their case, with their
    account's email address as its contact email. A service with a
    declaration needs `declaration=True`, whoever submits. A second
    submission of the same draft (a double click, a resubmitted form)
    returns the case the first one made. Raises SubmissionRefused when the
    answers are incomplete or break the service's rules.
    """
    with transaction.atomic():
        draft = (
            Draft.objects.select_for_update()
            .select_related("service_version__service__organisation")
            .get(pk=draft.pk)
        )
        if draft.case_id is not None:
            return Case.objects.get(pk=draft.case_id)
        definition = draft.service_version.parsed
        if not contact_required or draft.resident_id is not None:
            definition = with_optional_contact(definition)
        context = condition_context(organisation=draft.service_version.service.organisation)
        answers = relevant_answers(definition, draft.answers, context=context)
        errors = validate_answers(definition, answers, context=context)
        if (problem := declaration_problem(definition, declaration)) is not None:
            errors[DECLARATION] = problem
        if errors:
            raise SubmissionRefused(errors)
        case = case_open(
            service_version=draft.service_version,
            channel=draft.channel,
            definition=definition,
            answers=answers,
            actor=actor,
            language=draft.language,
            resident=draft.resident,
        )
        draft.case = case
        draft.save(update_fields=["case", "updated_at"])
        _attachments_link(draft=draft, case=case, definition=definition, answers=answers)
    return case


def _attachments_link(
    *, draft: Draft, case: Case, definition: ServiceDefinition, answers: Mapping[str, Any]
) -> None:
    """Give the case the files its answers record, and delete the draft's
    other files: one the resident replaced, or left on a page no longer on
    their route, is not kept with the case, nor anywhere else."""
    recorded = {
        record["id"]
        for _page, question in definition.questions()
        if question.type == "file"
        for record in answers.get(question.id) or []
    }
    drafted = list(Attachment.objects.filter(draft=draft, case__isnull=True))
    kept = [attachment.pk for attachment in drafted if str(attachment.pk) in recorded]
    Attachment.objects.filter(pk__in=kept).update(case=case)
    attachments_delete(attachments=[a for a in drafted if str(a.pk) not in recorded])


def reference_taken(reference: str) -> bool:
    """Whether a case has `reference`: asked after an IntegrityError, to tell a
    clashing random reference (draw again) from any other fault (raise)."""
    return Case.objects.filter(reference=reference).exists()


def case_open(
    *,
    service_version: ServiceVersion,
    channel: str,
    definition: ServiceDefinition,
    answers: dict[str, Any],
    actor: User | None,
    language: str | None = None,
    client: str = "",
    payload: Mapping[str, Any] | None = None,
    resident: User | None = None,
    reference: str | None = None,
    while_published: bool = False,
) -> Case:
    """Open a case from answers already checked in full (`case_submit` and
    `journey.case_create` check them): a new reference, the workflow's first
    status, the team and due date from the definition, the "submitted"
    event (whose subscribers acknowledge it to the resident, after commit) and
    the contact that opened it (recorded by `actor`, if staff, or sent by the
    integration `client`), in `language` (the draft's; by default the active
    one). `payload` goes on the "submitted" event, with the client. A
    signed-in `resident`'s case is theirs, and their account's email is its
    contact email. The case, its event, its contact and (with the database
    queue) the event's dispatch task are written together (insert_rows: one
    statement on PostgreSQL, ADR 74). Call it inside a transaction.

    Each reference is drawn at random, and one already taken is drawn again
    inside a savepoint. A caller whose transaction holds nothing else yet can
    draw the `reference` itself and skip those two statements: a clash then
    raises IntegrityError, and the caller rolls back and tries a new one
    (`reference_taken` tells the clash from any other).

    With `while_published`, the case is written only while its version is the
    published one of an active service, checked by the database in the case's
    own INSERT (so a version retired a moment ago in another process is
    never used, and the check costs no statement of its own); otherwise
    VersionNotPublished is raised and nothing is written."""
    version = service_version
    organisation = version.service.organisation
    contact = definition.contact_question
    initial = definition.workflow.state(definition.workflow.initial)
    now = timezone.now()
    summary = case_summary_line(definition, answers)
    keys = search_keys(definition=definition, answers=answers, summary=summary)
    lon, lat = answers_point(definition, answers) or (None, None)

    def opened(reference: str) -> Case:
        case = Case(
            organisation=organisation,
            service=version.service,
            service_version=version,
            reference=reference,
            status=initial.id,
            is_open=not initial.closed,
            team=team_for(organisation=organisation, definition=definition, answers=answers),
            due_at=due_at(
                definition=definition,
                state=initial,
                since=now,
                organisation=organisation,
            ),
            closed_at=now if initial.closed else None,
            channel=channel,
            language=language or active_language(),
            answers=answers,
            area_codes=case_area_codes(definition=definition, answers=answers),
            summary=summary,
            lat=lat,
            lon=lon,
            contact_email=(
                resident.email
                if resident is not None
                else answers.get(contact.id, "")
                if contact
                else ""
            ),
            created_by=actor,
            resident=resident,
            **keys,
        )
        event = event_row(
            case=case,
            kind=CaseEvent.Kind.SUBMITTED,
            actor=actor,
            to_status=case.status,
            payload={**(payload or {}), **({"client": client} if client else {})},
        )
        # The contact is written with the case, not by a "submitted"
        # subscriber (which runs in the worker after commit): a case never
        # exists without the contact that opened it.
        opening = contact_row(case=case, actor=actor, client=client)
        rows: list[Row] = [(case, {}), (event, {"case_id": Key(0)}), (opening, {"case_id": Key(0)})]
        task = task_row(dispatch_event, 0) if event_subscribed(event) else None
        if task is not None:  # the database queue: the task is one more row
            rows.append((task, {"args_kwargs": Key(1, ("args", 0))}))
        published = (
            Service.objects.published().filter(published_version=version)
            if while_published
            else None
        )
        if not insert_rows(rows, where=published):
            raise VersionNotPublished(version.pk)
        if task is not None:
            task_written(task)
        elif event_subscribed(event):
            # A broker: sent once this commits; if that fails, the case still
            # stands, and outbox_retry dispatches the event later.
            enqueue_on_commit(dispatch_event, event.pk)
        return case

    if reference is not None:
        return opened(reference)
    for _attempt in range(REFERENCE_DRAWS):
        try:
            with transaction.atomic():
                return opened(new_reference(organisation.reference_prefix))
        except IntegrityError:
            continue  # the random reference is taken: draw another
    raise RuntimeError(f"could not find a free case reference in {REFERENCE_DRAWS} draws")


def case_transition(
    *,
    case: Case,
    to_status: str,
    actor: User | None,
    public_message: str = "",
    internal_note: str = "",
    client: str = "",
    payload: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    by_resident: bool = False,
) -> Case:
    """Move a case to `to_status` if its workflow allows and record the event
    (whose subscribers tell the resident, after commit). A member of staff
    (`actor`), another system (`client`, its API key's name, with no actor)
    or the case's own resident (`by_resident`, with no actor: withdrawing it
    from their account) makes the change; `payload` adds to what the event
    records. With `expected_version`, raises CaseChanged if the case changed
    since the member of staff saw that version."""
    if actor is None and not client and not by_resident:
        raise ValueError("a status change needs a member of staff, a named client or the resident")
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .select_related("organisation", "service_version")
            .get(pk=case.pk)
        )
        if expected_version is not None and case.version != expected_version:
            raise CaseChanged(case.reference)
        definition = case.service_version.parsed
        allowed = {state.id for state in definition.workflow.next_states(case.status)}
        if to_status not in allowed:
            raise TransitionRefused(
                f"A case that is {definition.workflow.state(case.status).label.lower()} "
                f"cannot move to {to_status!r}"
            )
        target = definition.workflow.state(to_status)
        event_record(
            case=case,
            kind=CaseEvent.Kind.STATUS_CHANGED,
            actor=actor,
            from_status=case.status,
            to_status=to_status,
            public_message=public_message,
            internal_note=internal_note,
            payload={**(payload or {}), **({"client": client} if client else {})},
        )
        now = timezone.now()
        leaving = definition.workflow.state(case.status)
        case.status = to_status
        case.is_open = not target.closed
        case.closed_at = now if target.closed else None
        sets_due_at = bool(target.closed or target.sla_days or target.sla_working_days)
        sla_clock.clock_on_transition(
            case=case,
            definition=definition,
            leaving=leaving,
            target=target,
            now=now,
            sets_due_at=sets_due_at,
            fresh_due_at=due_at(
                definition=definition, state=target, since=now, organisation=case.organisation
            )
            if sets_due_at
            else None,
        )
        case.version = F("version") + 1
        case.save(
            update_fields=[
                "status",
                "is_open",
                "closed_at",
                *sla_clock.FIELDS,
                "updated_at",
                "version",
            ]
        )
        case.refresh_from_db(fields=["version"])
    return case


def case_follow_up(*, case: Case, note: str = "") -> Case:
    """A new case with the answers of `case` (in its version), for a problem
    its reporter says is not fixed: its own reference, team and due date,
    the "submitted" event saying which case it follows. Call it inside a
    transaction."""
    follow_up = case_open(
        service_version=case.service_version,
        channel=case.channel,
        definition=case.service_version.parsed,
        answers=dict(case.answers or {}),
        actor=None,
        language=case.language,
        payload={"follow_up_of": case.reference},
    )
    event_record(
        case=case,
        kind=CaseEvent.Kind.NOTE,
        internal_note=f"{note}: follow-up {follow_up.reference}".strip(": "),
        payload={"follow_up": follow_up.reference},
    )
    return follow_up


def case_add_note(
    *,
    case: Case,
    note: str,
    actor: User | None = None,
    client: str = "",
    payload: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """An internal note on the timeline, never shown to the resident, written
    by a member of staff (`actor`) or another system (`client`, its API key's
    name, with no actor). `payload` adds to what the event records (a photo
    staff added with it)."""
    if actor is None and not client:
        raise ValueError("a note needs a member of staff or a named client")
    recorded = {**(payload or {}), **({"client": client} if client else {})}
    with transaction.atomic():
        return event_record(
            case=case,
            kind=CaseEvent.Kind.NOTE,
            actor=actor,
            internal_note=note,
            payload=recorded or None,
        )


def case_photo_add(*, case: Case, actor: User, upload: Any, stored: list[str]) -> dict[str, Any]:
    """Store a photo a member of staff took (already checked to be an image) as
    an attachment of the case that only staff see; its stored name goes on
    `stored`, for the caller to delete if the transaction rolls back. Returns
    the record the timeline event keeps ({"id", "name", "size", "type"})."""
    return attachment_store(upload=upload, stored=stored, case=case, added_by=actor)


def draft_discard(*, draft: Draft) -> None:
    """Delete an unsent draft and its files (the resident joined an existing
    report instead): nothing they typed is kept. A sent draft is left."""
    with transaction.atomic():
        locked = Draft.objects.select_for_update().filter(pk=draft.pk, case__isnull=True).first()
        if locked is None:
            return
        attachments_delete(attachments=Attachment.objects.filter(draft=locked, case__isnull=True))
        locked.delete()


PURGE_BATCH = 500  # drafts deleted in one transaction


def drafts_purge(*, older_than: timedelta, dry_run: bool = False) -> int:
    """Delete unsent drafts untouched for `older_than`, with their uploaded files,
    so abandoned answers are not kept. Returns how many drafts went.

    Drafts are locked before they go, and one that is being saved or sent
    meanwhile is left (it is no longer abandoned), so no file a draft still
    records is deleted from under it."""
    cutoff = timezone.now() - older_than
    stale = Draft.objects.filter(case__isnull=True, updated_at__lt=cutoff)
    if dry_run:
        return stale.count()
    purged = 0
    while True:
        with transaction.atomic():
            batch = list(
                stale.select_for_update(skip_locked=True).values_list("pk", flat=True)[:PURGE_BATCH]
            )
            if not batch:
                return purged
            attachments_delete(
                attachments=Attachment.objects.filter(draft__in=batch, case__isnull=True)
            )
            Draft.objects.filter(pk__in=batch).delete()
        purged += len(batch)


def attachments_delete(*, attachments: Iterable[Attachment]) -> int:
    """Delete attachments: their rows now, their stored files once the
    transaction commits (a rollback keeps both). Call it inside a transaction.
    Returns how many went."""
    doomed = list(attachments)
    if not doomed:
        return 0
    names = [attachment.file.name for attachment in doomed]
    Attachment.objects.filter(pk__in=[attachment.pk for attachment in doomed]).delete()
    storage = Attachment._meta.get_field("file").storage
    transaction.on_commit(lambda: files_delete(storage=storage, names=names))
    return len(doomed)


def files_delete(*, storage: Storage, names: Iterable[str | None]) -> None:
    """Delete stored files (after the rows naming them are gone, on commit).
    One the storage fails to delete is logged by its random name and the
    others still go."""
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # any storage's error: the rest must still go
            logger.exception("Could not delete the stored file %s", name)
