"""Benchmark the staff queues, search and case page at scale, against a bare
view and the raw SQL of a queue page in the same run.

Builds a fresh database (a temporary SQLite file, or the one BENCH_DATABASE_URL
names, emptied first) with two councils: one with `--cases` cases (1,000,000
by default) and one with `--other-cases` (100,000), each with contacts and
timelines (`bench/casework_data.py`), then times each request a caseworker
makes. Not part of the test suite: nothing here passes or fails on time.

    .venv/bin/python bench/casework.py --cases 20000 --other-cases 2000
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/townhall_bench \\
        nice .venv/bin/python bench/casework.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))  # so `bench.*` imports when run as a script

from bench.run import (  # noqa: E402
    configure_environment,
    describe_run,
    prepare_database,
    report,
    setup_django,
)
from bench.timing import BenchError, Result, Scenario, add_reuse_options, measure  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="the big council's cases")
    parser.add_argument(
        "--other-cases", type=int, default=100_000, help="the other council's cases"
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per scenario")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs before those")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write raw numbers here")
    add_reuse_options(parser)
    args = parser.parse_args(argv)
    if args.cases < 100 or args.other_cases < 1 or args.repeat < 1 or args.warmup < 0:
        parser.error("--cases at least 100, --other-cases and --repeat at least 1")
    args.debug = False
    args.hold_connection = False
    return args


def build(args: argparse.Namespace) -> dict[str, Any]:
    """Two councils with the fly-tipping service, five teams, twenty staff in
    teams, and their cases. Returns what the scenarios need."""
    from django.db import transaction

    from bench import casework_data
    from townhall.accounts.models import User
    from townhall.catalogue.services import service_import
    from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
    from townhall.tenancy.models import Membership, Organisation, Site, Team

    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    councils: list[Any] = []
    for slug, prefix, count in (("big", "BIG", args.cases), ("other", "OTH", args.other_cases)):
        with transaction.atomic():
            organisation = Organisation.objects.create(
                slug=slug,
                name=f"{slug.title()} Council",
                reference_prefix=prefix,
                contact_email=f"contact@{slug}.example",
            )
            site = Site.objects.create(
                host="testserver" if slug == "big" else f"{slug}.example",
                name=organisation.name,
                is_default=slug == "big",
            )
            site.organisations.add(organisation)
            service = service_import(organisation=organisation, definition=definition).service
            teams = [
                Team.objects.create(organisation=organisation, slug=f"team-{n}", name=f"Team {n}")
                for n in range(5)
            ]
            staff = []
            for n in range(20):
                user = User.objects.create_user(f"staff{n}@{slug}.example", first_name=f"S{n}")
                # One team manager in each team, to be told about cases near breach.
                role = Membership.Role.TEAM_MANAGER if 5 <= n < 10 else Membership.Role.CASEWORKER
                membership = Membership.objects.create(
                    user=user, organisation=organisation, role=role
                )
                membership.teams.add(teams[n % len(teams)])
                staff.append(user)
        started = time.perf_counter()
        generated = casework_data.generate(
            organisation=organisation,
            service=service,
            teams=teams,
            staff_ids=[u.pk for u in staff],
            count=count,
            seed=len(councils) + 1,
        )
        print(
            f"  {organisation.name}: {generated.cases:,} cases, {generated.contacts:,} "
            f"contacts, {generated.events:,} events in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        councils.append((organisation, service, teams, staff, generated))
    casework_data.analyse()
    organisation, service, teams, staff, generated = councils[0]
    return {
        "organisation": organisation,
        "service": service,
        "team": teams[0],
        "user": staff[0],
        "generated": [c[4] for c in councils],
    }


def reused(args: argparse.Namespace) -> dict[str, Any] | None:
    """The world an earlier run left, if it has the cases asked for."""
    from bench.casework_data import Generated
    from townhall.cases.models import Case, CaseEvent, Contact
    from townhall.tenancy.models import Membership, Organisation

    organisation = Organisation.objects.filter(slug="big").first()
    if organisation is None or Case.objects.for_organisation(organisation).count() != args.cases:
        return None
    membership = (
        Membership.objects.filter(organisation=organisation).order_by("pk").select_related("user")
    ).first()
    if membership is None:
        return None
    generated = [
        Generated(
            cases=Case.objects.filter(organisation=org).count(),
            contacts=Contact.objects.filter(organisation=org).count(),
            events=CaseEvent.objects.filter(case__organisation=org).count(),
        )
        for org in Organisation.objects.order_by("pk")
    ]
    return {
        "organisation": organisation,
        "service": organisation.services.get(),
        "team": membership.teams.get(),
        "user": membership.user,
        "generated": generated,
    }


def scenarios(world: dict[str, Any]) -> list[Scenario]:
    from django.db import close_old_connections, connection
    from django.test import Client

    from bench.scenarios import bare_view, checker, constant
    from townhall.cases.models import Case, SlaWarning
    from townhall.cases.sla import WarningRun, sla_warnings_send
    from townhall.testing.sign_in import sign_in

    organisation = world["organisation"]
    client = Client()
    sign_in(client, world["user"])  # with the second factor given

    def get(path: str) -> Any:
        close_old_connections()
        response = client.get(path)
        close_old_connections()
        return response

    cases = Case.objects.for_organisation(organisation)
    open_count, closed_count = (
        cases.filter(is_open=True).count(),
        cases.filter(is_open=False).count(),
    )
    sample = (
        Case.objects.for_organisation(organisation)
        .filter(is_open=True)
        .order_by("created_at")
        .values("reference", "search_email", "search_phone", "search_postcode", "search_name")[
            min(1000, open_count // 2)
        ]
    )
    deep = (
        Case.objects.for_organisation(organisation)
        .filter(is_open=True)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[min(10_000, open_count // 2)]
    )
    closed_deep = (
        Case.objects.for_organisation(organisation)
        .filter(is_open=False)
        .order_by("-closed_at", "-pk")
        .values_list("pk", flat=True)[min(10_000, closed_count // 2)]
    )
    team = world["team"].slug
    service = world["service"].pk

    def page(key: str, name: str, query: str, status: int = 200) -> Scenario:
        path = f"/staff/?{query}"
        return Scenario(
            key=key,
            name=name,
            prepare=constant(lambda: get(path)),
            check=checker(status),
        )

    def raw_team_page() -> object:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, reference, summary, status, created_at, due_at FROM cases_case "
                "WHERE organisation_id = %s AND team_id = %s AND is_open "
                "ORDER BY created_at, id LIMIT 51",
                [organisation.pk, world["team"].pk],
            )
            return cursor.fetchall()

    def check_rows(rows: object) -> None:
        if not isinstance(rows, list) or not 1 <= len(rows) <= 51:
            raise BenchError(f"the raw queue page returned {rows!r:.80}")

    def check_run(run: object) -> None:
        if not isinstance(run, WarningRun) or run.breached + run.due_soon == 0:
            raise BenchError(f"the SLA warnings run found nothing to warn about: {run!r:.80}")

    def sla_first_run() -> Any:
        # Untimed: forget earlier warnings, so each run warns about a full backlog.
        SlaWarning.objects.filter(case__organisation=organisation).delete()
        return lambda: sla_warnings_send(organisation=organisation)

    case_path = f"/staff/cases/{sample['reference']}/"
    return [
        bare_view(),
        Scenario(
            key="raw_team",
            name="Baseline: raw SQL, one team's open cases, first 51 rows",
            prepare=lambda: raw_team_page,
            check=check_rows,
        ),
        page("open", "Queue: all open cases", "queue=open"),
        page("mine", "Queue: assigned to me", "queue=mine"),
        page("team", "Queue: my teams", "queue=team"),
        page("unassigned", "Queue: unassigned", "queue=unassigned"),
        page("overdue", "Queue: overdue", "queue=overdue"),
        page("updated", "Queue: recently updated", "queue=updated"),
        page("closed", "Queue: recently closed", "queue=closed"),
        page("deep", "Queue: open cases, a page 10,000 cases deep", f"queue=open&after={deep}"),
        page(
            "closed_deep",
            "Queue: closed cases, a page 10,000 cases deep",
            f"queue=closed&after={closed_deep}",
        ),
        page("filter_team", "Filter: one team", f"team={team}"),
        page("filter_status", "Filter: service and status", f"service={service}&status=inspecting"),
        page(
            "filter_channel",
            "Filter: channel phone, priority urgent",
            "channel=phone&priority=urgent",
        ),
        page("filter_area", "Filter: one ward", "area=W00000007"),
        page(
            "filter_dates",
            "Filter: received in a month (closed)",
            "queue=closed&created_from=2025-01-01&created_to=2025-01-31",
        ),
        page("search_email", "Search: email", f"q={sample['search_email']}"),
        page("search_phone", "Search: phone", f"q={sample['search_phone']}"),
        page(
            "search_postcode",
            "Search: postcode",
            f"q={sample['search_postcode']}".replace(" ", "+"),
        ),
        page(
            "search_name",
            "Search: name (full text)",
            f"q={sample['search_name']}".replace(" ", "+"),
        ),
        page("search_words", "Search: free text, all cases", "queue=updated&q=mattress+fridge"),
        Scenario(
            key="reference",
            name="Search: a reference (redirects to the case)",
            prepare=constant(lambda: get(f"/staff/?q={sample['reference']}")),
            check=checker(302),
        ),
        Scenario(
            key="case",
            name="Case page",
            prepare=constant(lambda: get(case_path)),
            check=checker(200, contains=sample["reference"]),
        ),
        Scenario(
            key="caller",
            name="Find the caller first (log a contact, by email)",
            prepare=constant(lambda: get(f"/staff/contacts/new/?caller={sample['search_email']}")),
            check=checker(200, contains=sample["reference"]),
        ),
        Scenario(
            key="sla_warn_dry",
            name="SLA warnings: finding the cases to warn about (cases_sla_warn --dry-run)",
            prepare=constant(lambda: sla_warnings_send(organisation=organisation, dry_run=True)),
            check=check_run,
        ),
        Scenario(
            key="sla_warn",
            name="SLA warnings: a run over a backlog, writing warnings and emails",
            prepare=sla_first_run,
            check=check_run,
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
        configure_environment(args, Path(tmp))
        setup_django()
        from django.core.management import call_command
        from django.db import connections

        from bench.timing import as_json, markdown_table

        call_command("migrate", interactive=False, verbosity=0)
        world = reused(args) if args.reuse else None
        if world is None:
            print("Preparing the database ...", file=sys.stderr, flush=True)
            prepare_database()
            print("Generating cases ...", file=sys.stderr, flush=True)
            world = build(args)
        meta = describe_run(args)
        print("Measuring:", file=sys.stderr, flush=True)
        results: list[Result] = []
        wanted = set(args.only.split(",")) if args.only else None
        for scenario in scenarios(world):
            if wanted is not None and scenario.key not in wanted | {"bare"}:
                continue
            print(f"  {scenario.name} ...", file=sys.stderr, flush=True)
            results.append(measure(scenario, repeat=args.repeat, warmup=args.warmup))
        meta["load_average_1min_after"] = os.getloadavg()[0]
        connections.close_all()
    sizes = ", ".join(
        f"{g.cases:,} cases ({g.contacts:,} contacts, {g.events:,} events)"
        for g in world["generated"]
    )
    print(f"Councils: {sizes}.\n")
    print(report(meta, markdown_table(results, baseline="bare")))
    if args.json:
        payload = {"environment": meta, "results": as_json(results, baseline="bare")}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
