"""The journey service: someone going through a service's pages, whichever
front end carries them (the resident front door, staff recording a contact,
the APIs), and the one-shot `case_create` for machine front ends.

Which version and channel a journey runs on, reading and checking one page's
input, where to go next, the check-answers rows and submission all live here,
so every front end meets the same rules and the same checks at submission.
Front ends keep the journey between requests (the web keeps the draft's id in
the session), turn what they receive into plain mappings and render the
result; nothing here takes a request."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from townhall.accounts.models import User
from townhall.cases import services, uploads
from townhall.cases.answers import answers_check
from townhall.cases.conditions import condition_context
from townhall.cases.models import STAFF_CHANNELS, Attachment, Case, Channel, Draft
from townhall.cases.references import REFERENCE_DRAWS, new_reference
from townhall.catalogue.engine import flow
from townhall.catalogue.engine.conditions import ConditionContext, condition_holds
from townhall.catalogue.engine.definition import (
    Page,
    Question,
    ServiceDefinition,
    with_optional_contact,
)
from townhall.catalogue.engine.inputs import AnswerError, AnswerPending, NewFiles, parse_input
from townhall.catalogue.engine.questions import check_answer
from townhall.catalogue.models import Audience, Service, ServiceVersion
from townhall.places.lookup import one_lookup_per_point
from townhall.tenancy.models import Organisation

# How a contact staff record reached the council.
ASSISTED_CHANNELS = frozenset(STAFF_CHANNELS)


class JourneyUnavailable(Exception):
    """The service has no published version to start on, or is not open to
    this caller (a staff-only service without a member of staff)."""


class SignInNeeded(JourneyUnavailable):
    """The service is for signed-in residents with a confirmed email address,
    and this caller is not one (yet): the front door sends them to sign in."""


class ChannelNeeded(Exception):
    """Staff recording a contact say first how it reached the council."""


class AnswersRefused(services.SubmissionRefused):
    """A whole answers document was refused. `errors` maps each field path to
    its message; `problems` lists every one as "path: message"."""

    @property
    def problems(self) -> list[str]:
        return [f"{path}: {message}" for path, message in self.errors.items()]


@dataclass(frozen=True)
class Journey:
    """One person's way through one version of a service."""

    version: ServiceVersion
    organisation: Organisation  # the council running the service
    channel: str
    assisted: bool = False  # staff recording a contact: the contact email is optional
    draft: Draft | None = None  # none until the first page is complete
    # A signed-in resident with a confirmed email: the draft and case are
    # theirs, and the case's contact email is their account's.
    resident: User | None = None

    @cached_property
    def definition(self) -> ServiceDefinition:
        parsed = self.version.parsed
        return with_optional_contact(parsed) if self.assisted or self.resident else parsed

    @cached_property
    def context(self) -> ConditionContext:
        """What the service's conditions see besides the answers (its council)."""
        return condition_context(organisation=self.organisation)

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self.draft.answers) if self.draft else {}

    @property
    def can_save(self) -> bool:
        """Whether this person may save their answers and come back by email."""
        return self.definition.save_and_return and not self.assisted


def start_definition(service: Service) -> ServiceDefinition:
    """The definition a new journey on `service` starts with (its published one)."""
    if service.published_version is None:
        raise JourneyUnavailable(service.slug)
    return service.published_version.parsed


def journey_open(
    *,
    service: Service,
    draft: Draft | None = None,
    channel: str | None = Channel.WEB,
    assisted: bool = False,
    resident: User | None = None,
) -> Journey:
    """The journey someone is on. Once they have a draft it keeps the draft's
    version and channel, so a version published meanwhile does not change
    their questions; a new journey takes the published version. Staff must
    give one of ASSISTED_CHANNELS (ChannelNeeded); raises JourneyUnavailable
    when the service has nothing published, or, for anyone but staff, when it
    is staff-only, and SignInNeeded when it is for signed-in residents and
    `resident` (a signed-in resident whose email is confirmed) is None. A
    draft started by one resident never opens for anyone else."""
    version = draft.service_version if draft is not None else service.published_version
    if version is None:
        raise JourneyUnavailable(service.slug)
    if assisted:
        resident = None
    audience = version.parsed.audience
    if not assisted and audience == Audience.SIGNED_IN and resident is None:
        raise SignInNeeded(service.slug)
    if not assisted and audience not in (Audience.ANYONE, Audience.SIGNED_IN):
        raise JourneyUnavailable(service.slug)
    if draft is not None:
        if draft.resident_id is not None and draft.resident_id != getattr(resident, "pk", None):
            raise SignInNeeded(service.slug)
        return Journey(
            version=version,
            organisation=service.organisation,
            channel=draft.channel,
            assisted=assisted,
            draft=draft,
            # A draft started before signing in stays without its resident.
            resident=resident if draft.resident_id is not None else None,
        )
    if assisted and channel not in ASSISTED_CHANNELS:
        raise ChannelNeeded(service.slug)
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    return Journey(
        version=version,
        organisation=service.organisation,
        channel=channel,
        assisted=assisted,
        resident=resident,
    )


# ---- the route --------------------------------------------------------------


def page_on_route(journey: Journey, page: Page) -> bool:
    """Whether the answers so far lead to `page`."""
    return page in flow.route(journey.definition, journey.answers, context=journey.context)


def first_gap(journey: Journey) -> Page | None:
    """The first page still needing attention (not yet seen, with a problem,
    or an exit page the answers lead to); None when check answers is next."""
    return flow.first_incomplete_page(journey.definition, journey.answers, context=journey.context)


def page_before(journey: Journey, page: Page) -> Page | None:
    """The page before `page` on this route; None for the start page."""
    return flow.previous_page(journey.definition, journey.answers, page, context=journey.context)


def page_after(*, journey: Journey, page: Page, change: bool = False) -> Page | None:
    """Where someone goes once `page` is complete: the next page on their
    route, or check answers (None). Someone who came to change an answer goes
    straight back to check answers, unless the change leads to a page that
    still needs an answer."""
    if change and first_gap(journey) is None:
        return None
    return flow.next_page(journey.definition, journey.answers, page, context=journey.context)


def last_page(journey: Journey) -> Page:
    """The last page on the route: where check answers' back link goes."""
    return flow.route(journey.definition, journey.answers, context=journey.context)[-1]


# ---- one page ---------------------------------------------------------------


@dataclass(frozen=True)
class PageReading:
    """A page as it stands: before anything is sent, or as sent."""

    answers: dict[str, Any]  # the page's answers, to save when complete
    errors: dict[str, str]  # by question id, for questions that were on the screen
    questions: list[Question]  # the questions the page shows now
    complete: bool


def page_show(journey: Journey, page: Page) -> PageReading:
    """The page before anything is sent: the stored answers decide what it shows."""
    shown = flow.visible_questions(page, journey.answers, context=journey.context)
    return PageReading(answers={}, errors={}, questions=shown, complete=False)


def page_read(
    *, journey: Journey, page: Page, data: Mapping[str, Any], files: Mapping[str, Any]
) -> PageReading:
    """Read and check a sent page (`data` and `files` are the form's fields).

    Questions are read in order, so a question's condition can depend on an
    answer given above it on the same page. A question that an answer on this
    page brings in was not on the screen (the `shown` field lists what was):
    the page is shown again with it, without an error, so conditions within a
    page work with JavaScript off."""
    stored = journey.answers
    new_answers, errors, pending = _page_answers(page, stored, data, files, journey.context)
    deciding = {**stored, **new_answers}
    sent_shown = data.get("shown")
    on_screen = (
        set(sent_shown.split(","))
        if isinstance(sent_shown, str)
        else {
            q.id for q in flow.visible_questions(page, stored, context=journey.context)
        }  # what it showed before
    )
    questions = flow.visible_questions(page, deciding, context=journey.context)
    revealed = [q for q in questions if q.id not in on_screen]
    errors = {qid: message for qid, message in errors.items() if qid in on_screen}
    return PageReading(
        answers=new_answers,
        errors=errors,
        questions=questions,
        complete=not errors and not revealed and not pending,
    )


def _page_answers(
    page: Page,
    stored: Mapping[str, Any],
    data: Mapping[str, Any],
    files: Mapping[str, Any],
    context: ConditionContext,
) -> tuple[dict[str, Any], dict[str, str], set[str]]:
    merged = dict(stored)
    new_answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    pending: set[str] = set()  # understood, but shown again for the resident to confirm
    for question in page.questions:
        if not condition_holds(question.when, merged, context):
            continue
        try:
            value = parse_input(question, data, files)
        except AnswerPending:
            pending.add(question.id)
            continue
        except AnswerError as error:
            errors[question.id] = str(error)
            continue
        if question.type == "file" and value == "" and stored.get(question.id):
            value = stored[question.id]  # no new file: keep the one already uploaded
        checkable = question.type != "file" or value == ""  # new files were checked on parse
        if checkable and (message := check_answer(question, value, context)) is not None:
            errors[question.id] = message
            continue
        new_answers[question.id] = value
        merged[question.id] = value
    return new_answers, errors, pending


def page_save(*, journey: Journey, reading: PageReading) -> Journey:
    """Keep a complete page's answers (and store its new files). The first
    complete page starts the draft, on the journey's version and channel."""
    if not reading.complete:
        raise ValueError("only a complete page is saved")
    draft = journey.draft or services.draft_start(
        service_version=journey.version, channel=journey.channel, resident=journey.resident
    )
    draft = services.draft_save_answers(draft=draft, answers=reading.answers)
    return replace(journey, draft=draft)


def page_keep(*, journey: Journey, reading: PageReading) -> Journey:
    """Keep what can be kept of a page someone is leaving to come back later
    ("Save and come back later"): the answers that were acceptable, whatever
    else on the page was missing or wrong. The page is asked again when they
    return, since it is not complete."""
    draft = journey.draft or services.draft_start(
        service_version=journey.version, channel=journey.channel, resident=journey.resident
    )
    if reading.answers:
        draft = services.draft_save_answers(draft=draft, answers=reading.answers)
    return replace(journey, draft=draft)


def page_file_remove(*, journey: Journey, question_id: str, file_id: str) -> Journey:
    """Remove one uploaded file from the journey's answers (and storage)."""
    if journey.draft is None:
        return journey
    draft = services.draft_file_remove(
        draft=journey.draft, question_id=question_id, file_id=file_id
    )
    return replace(journey, draft=draft)


@dataclass(frozen=True)
class Task:
    """One section of a long application, as its task list shows it."""

    title: str
    status: str  # completed, in_progress, not_started, cannot_start
    page: Page | None  # where to carry on: its first page still needing attention


def task_list(journey: Journey) -> list[Task]:
    """The sections on this person's route, each with its status: complete when
    none of its pages needs attention; a section can be started once every
    section before it is complete (later answers depend on earlier ones)."""
    definition, answers, context = journey.definition, journey.answers, journey.context
    route = flow.route(definition, answers, context=context)
    gap = flow.first_incomplete_page(definition, answers, context=context)
    gap_index = route.index(gap) if gap is not None and gap in route else len(route)
    sections: dict[str, list[int]] = {}
    for index, page in enumerate(route):
        if not page.is_exit:
            sections.setdefault(definition.section_of(page), []).append(index)
    tasks = []
    blocked = False
    for title, indexes in sections.items():
        if blocked:
            tasks.append(Task(title=title, status="cannot_start", page=None))
            continue
        if indexes[-1] < gap_index:
            tasks.append(Task(title=title, status="completed", page=route[indexes[0]]))
            continue
        started = any(
            q.id in answers for i in indexes for q in route[i].questions
        )  # a page of it has been answered
        status = "in_progress" if started else "not_started"
        tasks.append(Task(title=title, status=status, page=route[max(gap_index, indexes[0])]))
        blocked = True
    return tasks


def leaves_section(journey: Journey, page: Page, following: Page | None) -> bool:
    """Whether going on from `page` to `following` ends its section (so a task
    list sends the person back to the list)."""
    definition = journey.definition
    if not definition.has_sections:
        return False
    if following is None:
        return True
    return definition.section_of(following) != definition.section_of(page)


# ---- check answers and sending ------------------------------------------------


def check_answers_rows(journey: Journey) -> list[flow.SummaryRow]:
    """A row per answer on the route, each with the page that asks it."""
    return flow.summary(journey.definition, journey.answers, context=journey.context)


def journey_submit(*, journey: Journey, declaration: bool, actor: User | None) -> Case:
    """Send the journey's answers: every rule is checked again, the
    declaration included (SubmissionRefused). Sending twice gives the same
    case. After a refusal, `first_gap` says which page needs attention; none
    means check answers itself does (the declaration)."""
    if journey.draft is None:
        raise services.SubmissionRefused({"answers": _("There are no answers to send yet")})
    return services.case_submit(
        draft=journey.draft,
        actor=actor,
        contact_required=not journey.assisted,
        declaration=declaration,
    )


def journey_sent(*, service: Service, draft_id: str, actor: User | None = None) -> Case | None:
    """The case the draft `draft_id` of `service` became when it was sent, or
    None if it has not been. A front end that has lost track of a journey it
    can still name (a double click, or a replayed or concurrent submit whose
    session moved on when the first one finished) shows this case's
    confirmation instead of starting again. Only a case sent by `actor` is
    given: a resident's (None) to a resident, a case staff recorded to them."""
    try:
        uuid.UUID(draft_id)
    except ValueError:
        return None
    return (
        Case.objects.filter(draft__pk=draft_id, service=service, created_by=actor)
        .select_related("service_version")
        .first()
    )


def case_create(
    *,
    service_version: ServiceVersion,
    answers: object,
    channel: str,
    actor: User | None = None,
    declaration: object = None,
    contact_required: bool = True,
    client: str = "",
    files: uploads.Uploads | None = None,
    media_urls: Sequence[object] = (),
) -> Case:
    """Make a case in one go from a whole answers document, for machine front ends.

    `answers` maps question ids to answers as JSON (an address is an object of
    its parts, a group a list of objects, a yes or no a boolean, a date
    "YYYY-MM-DD"); `declaration` must be `True` when the service has one.
    `files` maps file questions' ids to uploads, read exactly as the web form
    reads them; `media_urls` are links to files held elsewhere, recorded on
    the "submitted" event. `client` names the integration that sent it (its
    API key's name): it goes on the contact and the "submitted" event.
    Everything the web journey checks page by page is checked at once, and
    AnswersRefused names every problem by its field path. An accepted document
    makes its case exactly as a submitted draft does (reference, team, due
    date, timeline, acknowledgement), without a draft. Raises
    JourneyUnavailable unless the version is the published one of an active
    service, and open to anyone or sent by a member of staff."""
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    with one_lookup_per_point():  # the answers' check, team and area codes: one lookup
        return _case_checked_and_made(
            service_version=service_version,
            answers=answers,
            channel=channel,
            actor=actor,
            declaration=declaration,
            contact_required=contact_required,
            client=client,
            files=files,
            media_urls=media_urls,
        )


def _case_checked_and_made(
    *,
    service_version: ServiceVersion,
    answers: object,
    channel: str,
    actor: User | None,
    declaration: object,
    contact_required: bool,
    client: str,
    files: uploads.Uploads | None,
    media_urls: Sequence[object],
) -> Case:
    # Whether the version is still the published one is asked of the database
    # (the objects passed may be stale) by the case's own INSERT, or, for a
    # document refused before it, by `_refused`.
    definition = service_version.parsed
    if actor is None and definition.audience != Audience.ANYONE:
        raise JourneyUnavailable(service_version.service_id)
    if not contact_required:
        definition = with_optional_contact(definition)
    new_files, problems = uploads.files_read(definition=definition, files=files or {})
    links, link_problems = uploads.media_urls_read(list(media_urls))
    if new_files and isinstance(answers, Mapping):
        records = {key: uploads.provisional_records(new) for key, new in new_files.items()}
        answers = {**answers, **records}
    context = condition_context(organisation=service_version.service.organisation)
    checked = answers_check(
        definition=definition,
        answers=answers,
        declaration=declaration,
        context=context,
        uploaded=frozenset(new_files),
    )
    problems = {**checked.problems, **problems, **link_problems}
    if problems:
        raise _refused(service_version, problems)
    stored: list[str] = []
    prefix = service_version.service.organisation.reference_prefix
    try:
        # The reference is drawn here, not inside case_open's savepoint: one
        # taken already rolls back this whole (so far empty) transaction and
        # a new one is drawn, which saves two statements on every creation.
        # A clash happens before any file is stored.
        for _attempt in range(REFERENCE_DRAWS):
            reference = new_reference(prefix)
            try:
                return _case_create(
                    service_version=service_version,
                    channel=channel,
                    definition=definition,
                    answers=checked.answers,
                    actor=actor,
                    client=client,
                    new_files={
                        key: new for key, new in new_files.items() if key in checked.answers
                    },
                    links=links,
                    stored=stored,
                    reference=reference,
                )
            except IntegrityError:
                if not services.reference_taken(reference):
                    raise
            except services.VersionNotPublished as error:
                raise JourneyUnavailable(service_version.service_id) from error
        raise RuntimeError(f"could not find a free case reference in {REFERENCE_DRAWS} draws")
    except BaseException:
        services.files_delete(storage=Attachment._meta.get_field("file").storage, names=stored)
        raise


def _refused(service_version: ServiceVersion, problems: dict[str, str]) -> Exception:
    """What refuses a document with `problems`: JourneyUnavailable if the
    version is no longer published (the answers were checked against a
    retired definition, so its problems mean nothing), else AnswersRefused."""
    if not Service.objects.published().filter(published_version=service_version).exists():
        return JourneyUnavailable(service_version.service_id)
    return AnswersRefused(problems)


@transaction.atomic
def _case_create(
    *,
    reference: str,
    service_version: ServiceVersion,
    channel: str,
    definition: ServiceDefinition,
    answers: dict[str, Any],
    actor: User | None,
    client: str,
    new_files: Mapping[str, NewFiles],
    links: list[str],
    stored: list[str],
) -> Case:
    case = services.case_open(
        service_version=service_version,
        channel=channel,
        definition=definition,
        answers=answers,
        actor=actor,
        client=client,
        payload={"media_urls": links} if links else None,
        reference=reference,
        while_published=True,
    )
    if new_files:
        case.answers = {
            **case.answers,
            **uploads.files_store(case=case, new=new_files, stored=stored),
        }
        case.save(update_fields=["answers"])
    return case
