"""What the benchmark measures: a council with the fly-tipping service, and the
requests a resident and a caseworker make. Import only once Django is set up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.http import HttpResponse
from django.test import Client
from django_tasks import task_backends

from bench.timing import Action, BenchError, Scenario
from townhall.accounts.models import User
from townhall.cases.models import Case, CaseEvent
from townhall.catalogue.models import Service
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.tenancy.models import Membership, Organisation, Site
from townhall.testing.sign_in import sign_in

SERVICE = "report-fly-tipping"
START = f"/services/{SERVICE}/"
CHECK = f"{START}check/"
DONE = f"{START}done/"
QUEUE = "/staff/"
QUEUE_PAGE_SIZE = 50  # the back office's queue page (cases.queues.PAGE_SIZE)
PREFIX = "EXA"

# A valid answer for every page of report-fly-tipping.yaml, in order.
ANSWERS: list[tuple[str, dict[str, str]]] = [
    ("what", {"waste_type": "furniture"}),
    ("how-much", {"size": "small_van"}),
    ("where", {"location": "Behind the shops on Castle Street"}),
    ("when", {"seen_on-day": "5", "seen_on-month": "1", "seen_on-year": "2026"}),
    ("details", {"description": "A sofa and two mattresses"}),
    ("photo", {}),
    ("contact", {"email": "resident@example.com"}),
]
INVALID_DATE = {"seen_on-day": "31", "seen_on-month": "2", "seen_on-year": "2026"}


@dataclass(frozen=True)
class World:
    organisation: Organisation
    service: Service
    staff: Any  # the user model


def page_url(page_id: str) -> str:
    return f"{START}questions/{page_id}/"


@transaction.atomic
def build_world() -> World:
    """One council on the default site, the standard fly-tipping service, a caseworker."""
    organisation = Organisation.objects.create(
        slug="example",
        name="Example Council",
        reference_prefix=PREFIX,
        contact_email="contact@example.gov.uk",
    )
    site = Site.objects.create(host="testserver", name="Example Council", is_default=True)
    site.organisations.add(organisation)
    definition = load_definition_file(STANDARD_DIR / f"{SERVICE}.yaml")
    service = service_import(organisation=organisation, definition=definition).service
    staff = User.objects.create_user("caseworker@example.gov.uk")
    Membership.objects.create(user=staff, organisation=organisation)
    return World(organisation=organisation, service=service, staff=staff)


# ---- requests ---------------------------------------------------------------


def request(client: Client, path: str, data: dict[str, str] | None = None) -> Any:
    """GET, or POST when there is data, as a WSGI server would run it.

    Django's handler closes connections that are past CONN_MAX_AGE (or broken)
    when a request starts and ends; the test client skips that, so it is done
    here, so connections are kept or reopened exactly as in production.
    """
    close_old_connections()
    response = client.get(path) if data is None else client.post(path, data)
    close_old_connections()
    return response


def answer_pages(client: Client, pages: list[tuple[str, dict[str, str]]]) -> None:
    for page_id, data in pages:
        expect(request(client, page_url(page_id), data), 302)


def mid_journey_client() -> Client:
    """A resident who has answered what, how much and where."""
    client = Client()
    answer_pages(client, ANSWERS[:3])
    return client


def expect(
    response: object, status: int, *, location: str | None = None, contains: str | None = None
) -> None:
    if not isinstance(response, HttpResponse):
        raise BenchError(f"expected a response, got {response!r}")
    if response.status_code != status:
        raise BenchError(f"expected {status}, got {response.status_code}")
    if location is not None and response["Location"] != location:
        raise BenchError(f"expected a redirect to {location}, got {response['Location']}")
    if contains is not None and contains not in response.content.decode():
        raise BenchError(f"expected the page to say {contains!r}")


def checker(
    status: int, *, location: str | None = None, contains: str | None = None
) -> Callable[[object], None]:
    return lambda response: expect(response, status, location=location, contains=contains)


def constant(action: Action) -> Callable[[], Action]:
    """A `prepare` for actions that need nothing new before each repetition."""
    return lambda: action


# ---- baselines ----------------------------------------------------------------


def bare_view() -> Scenario:
    client = Client()
    return Scenario(
        key="bare",
        name="Baseline: bare Django view",
        prepare=constant(lambda: request(client, "/bench/bare/")),
        check=checker(200, contains="ok"),
    )


def _select_one() -> object:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()


def _connect_select_one_close() -> object:
    row = _select_one()  # the cursor opens the connection, running its setup
    connection.close()
    return row


def _check_one(row: object) -> None:
    if row != (1,):
        raise BenchError(f"SELECT 1 returned {row!r}")


def select_one() -> Scenario:
    def prepare() -> Action:
        connection.ensure_connection()
        return _select_one

    return Scenario(
        key="select1", name="Baseline: raw SQL SELECT 1", prepare=prepare, check=_check_one
    )


def connect_select_one() -> Scenario:
    """What a request pays when it cannot reuse a connection (always, on SQLite)."""

    def prepare() -> Action:
        connection.close()
        return _connect_select_one_close

    return Scenario(
        key="connect_select1",
        name="Baseline: connect, SELECT 1, disconnect",
        prepare=prepare,
        check=_check_one,
    )


# ---- the resident's journey -------------------------------------------------------


def page_get(page_id: str, kind: str) -> Scenario:
    client = mid_journey_client()
    return Scenario(
        key=f"page_get_{page_id}",
        name=f"GET question page ({kind})",
        prepare=constant(lambda: request(client, page_url(page_id))),
        check=checker(200, contains="<form"),
    )


def page_post_valid() -> Scenario:
    client = mid_journey_client()
    page_id, data = ANSWERS[0]
    return Scenario(
        key="page_post_valid",
        name="POST valid answer (save to draft, redirect)",
        prepare=constant(lambda: request(client, page_url(page_id), data)),
        check=checker(302, location=page_url(ANSWERS[1][0])),
    )


def page_post_first() -> Scenario:
    page_id, data = ANSWERS[0]

    def prepare() -> Action:
        client = Client()
        return lambda: request(client, page_url(page_id), data)

    return Scenario(
        key="page_post_first",
        name="POST first answer (new session and draft)",
        prepare=prepare,
        check=checker(302, location=page_url(ANSWERS[1][0])),
    )


def page_post_invalid() -> Scenario:
    client = mid_journey_client()
    return Scenario(
        key="page_post_invalid",
        name="POST invalid date (re-render with errors)",
        prepare=constant(lambda: request(client, page_url("when"), INVALID_DATE)),
        check=checker(200, contains="must be a real date"),
    )


def submit() -> Scenario:
    def prepare() -> Action:
        client = Client()
        answer_pages(client, ANSWERS)
        return lambda: request(client, CHECK, {})

    def verify(submissions: int) -> None:
        cases = Case.objects.count()
        # The event's subscribers write the email after commit, in the task
        # (which the benchmark's backend only records).
        events = CaseEvent.objects.filter(kind=CaseEvent.Kind.SUBMITTED).count()
        enqueued = len(task_backends["default"].results)  # type: ignore[attr-defined]
        if not cases == events == enqueued == submissions:
            raise BenchError(
                f"{submissions} submissions made {cases} cases, {events} events "
                f"and {enqueued} queued tasks"
            )

    return Scenario(
        key="submit",
        name="POST check answers (submit: case, email, task)",
        prepare=prepare,
        check=checker(302, location=DONE),
        verify=verify,
    )


# ---- the back office ------------------------------------------------------------


def fill_queue(organisation: Organisation, size: int) -> int:
    """Top the council's open cases up to `size` with copies of a submitted case.
    Returns how many are open (more than `size` if the submissions made more)."""
    open_cases = Case.objects.for_organisation(organisation).open()
    template = open_cases.order_by("created_at").first()
    if template is None:
        raise BenchError("no submitted case to copy: run the submit scenario first")
    copied = {
        field.attname: getattr(template, field.attname)
        for field in Case._meta.concrete_fields
        if not field.primary_key and field.name not in {"reference", "created_at", "updated_at"}
    }
    missing = max(0, size - open_cases.count())
    # References in the shape staff URLs accept, in a year no real case has.
    Case.objects.bulk_create(
        [Case(**copied, reference=f"{PREFIX}-1999-{n:08d}") for n in range(missing)],
        batch_size=500,
    )
    if connection.vendor == "postgresql":
        # Autovacuum would soon do this; without it the planner guesses a few rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case")
    return open_cases.count()


def staff_queue(world: World, open_cases: int, *, last_page: bool) -> Scenario:
    """The open cases queue's first page, or its last (by keyset: the page
    after the case that ends the one before it)."""
    client = sign_in(Client(), world.staff)  # with the second factor given
    pages = -(-open_cases // QUEUE_PAGE_SIZE)
    query = ""
    if last_page and pages > 1:
        ordered = (
            Case.objects.for_organisation(world.organisation)
            .open()
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
        )
        query = f"?after={ordered[(pages - 1) * QUEUE_PAGE_SIZE - 1]}"
    number = pages if last_page else 1
    return Scenario(
        key="queue_last" if last_page else "queue_first",
        name=f"Staff queue, page {number} of {pages} ({open_cases:,} open cases)",
        prepare=constant(lambda: request(client, f"{QUEUE}{query}")),
        check=checker(200, contains="Next" if number < pages else "First page"),
    )
