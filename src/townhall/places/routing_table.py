"""The routing table as a CSV file: export, and import all or nothing.

One row a line: `service,lgsl,area_type,area_code,council,team` (a service
slug or an LGSL code, never both; the area by type and code; the council and
team by slug, the team optional). An import replaces the rows it may change
(one council's, or for the installation every row) with the file's, checking
every row first: a bad file changes nothing and every problem is named by
its row and column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from townhall.places.models import Area, RoutingRule
from townhall.tenancy.models import Organisation, Team

COLUMNS = ["service", "lgsl", "area_type", "area_code", "council", "team"]
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ROWS = 100_000


class RoutingFileError(Exception):
    """A routing file that cannot be imported; `problems` name the rows and columns."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RoutingCounts:
    added: int
    removed: int
    unchanged: int


def routing_export(rules: list[RoutingRule]) -> str:
    """The rows as CSV text, in the import's layout."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for rule in rules:
        writer.writerow(
            [
                rule.service_slug,
                rule.lgsl if rule.lgsl is not None else "",
                rule.area.type,
                rule.area.code,
                rule.organisation.slug,
                rule.team.slug if rule.team else "",
            ]
        )
    return out.getvalue()


_Key = tuple[str, "int | None", int]


@dataclass
class _Reader:
    organisation: Organisation | None
    problems: list[str]

    def problem(self, line: int, column: str, message: str) -> None:
        self.problems.append(
            _("Row %(row)d, column %(column)s: %(message)s")
            % {"row": line, "column": column, "message": message}
        )


def _read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    try:
        return _csv_rows(text)
    except csv.Error as error:
        raise RoutingFileError(
            [_("The file is not a CSV file that can be read: %(error)s") % {"error": error}]
        ) from error


def _csv_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise RoutingFileError(
            [
                _("The file needs the columns %(columns)s; it has no %(missing)s.")
                % {"columns": ", ".join(COLUMNS), "missing": ", ".join(missing)}
            ]
        )
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise RoutingFileError([_("The file has more than %(max)d rows.") % {"max": MAX_ROWS}])
        values = {key: (value or "").strip() for key, value in row.items() if key in COLUMNS}
        if any(values.values()):
            rows.append((reader.line_num, values))
    return rows


def _rules_read(text: str, organisation: Organisation | None) -> list[RoutingRule]:
    rows = _read_rows(text)
    check = _Reader(organisation=organisation, problems=[])
    councils = {o.slug: o for o in Organisation.objects.all()}
    types_codes = {(r["area_type"], r["area_code"]) for _line, r in rows}
    areas = {
        (a.type, a.code): a
        for a in Area.objects.filter(code__in={code for _t, code in types_codes}).defer("geometry")
    }
    teams = {(t.organisation_id, t.slug): t for t in Team.objects.all()}
    seen: dict[_Key, int] = {}
    rules: list[RoutingRule] = []
    for line, row in rows:
        before = len(check.problems)
        slug, lgsl_text = row["service"], row["lgsl"]
        lgsl: int | None = None
        if bool(slug) == bool(lgsl_text):
            check.problem(line, "service", _("give a service slug or an LGSL code, not both"))
        elif slug and not SLUG.match(slug):
            check.problem(line, "service", _("%(value)r is not a service slug") % {"value": slug})
        elif lgsl_text:
            if not lgsl_text.isdigit() or int(lgsl_text) == 0 or len(lgsl_text) > 9:
                check.problem(
                    line, "lgsl", _("%(value)r is not an LGSL code") % {"value": lgsl_text}
                )
            else:
                lgsl = int(lgsl_text)
        area = areas.get((row["area_type"], row["area_code"]))
        if area is None:
            check.problem(
                line,
                "area_code",
                _("there is no area of type %(type)r with code %(code)r")
                % {"type": row["area_type"], "code": row["area_code"]},
            )
        council = councils.get(row["council"])
        if council is None:
            check.problem(
                line, "council", _("there is no council %(value)r") % {"value": row["council"]}
            )
        elif organisation is not None and council.pk != organisation.pk:
            check.problem(
                line,
                "council",
                _("you may only give rows for %(council)s") % {"council": organisation.slug},
            )
        team = None
        if row["team"] and council is not None:
            team = teams.get((council.pk, row["team"]))
            if team is None:
                check.problem(
                    line,
                    "team",
                    _("%(council)s has no team %(team)r")
                    % {"council": council.slug, "team": row["team"]},
                )
        if len(check.problems) > before or area is None or council is None:
            continue
        key: _Key = (slug, lgsl, area.pk)
        if key in seen:
            check.problem(
                line,
                "area_code",
                _("the same service and area as row %(row)d") % {"row": seen[key]},
            )
            continue
        seen[key] = line
        rules.append(
            RoutingRule(service_slug=slug, lgsl=lgsl, area=area, organisation=council, team=team)
        )
    if check.problems:
        raise RoutingFileError(check.problems)
    return rules


def _key(rule: RoutingRule) -> tuple[str, int | None, int, int, int | None]:
    return (rule.service_slug, rule.lgsl, rule.area_id, rule.organisation_id, rule.team_id)


class _DryRun(Exception):
    pass


def routing_import(
    *, text: str, organisation: Organisation | None, dry_run: bool = False
) -> RoutingCounts:
    """Replace the routing rows of `organisation` (None: every row) with the file's.

    Raises RoutingFileError, naming each bad row and column, and stores
    nothing, if any row is wrong or names another council than `organisation`.
    A row naming a service and area that another council's row already holds
    is refused too: one place has one answer.
    """
    rules = _rules_read(text, organisation)
    try:
        with transaction.atomic():
            counts = _replace(rules, organisation)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return counts


def _replace(rules: list[RoutingRule], organisation: Organisation | None) -> RoutingCounts:
    scope = RoutingRule.objects.select_for_update()
    if organisation is not None:
        scope = scope.for_organisation(organisation)
    old = {_key(r): r for r in scope}
    new = {_key(r): r for r in rules}
    stale = [r.pk for key, r in old.items() if key not in new]
    RoutingRule.objects.filter(pk__in=stale).delete()
    added = [r for key, r in new.items() if key not in old]
    if organisation is not None:
        _refuse_taken(added, organisation)
    RoutingRule.objects.bulk_create(added)
    return RoutingCounts(added=len(added), removed=len(stale), unchanged=len(new) - len(added))


def _refuse_taken(added: list[RoutingRule], organisation: Organisation) -> None:
    others = {
        (r.service_slug, r.lgsl, r.area_id): r.organisation.name
        for r in RoutingRule.objects.exclude(organisation=organisation)
        .filter(area__in={r.area_id for r in added})
        .select_related("organisation")
    }
    problems = [
        _("%(service)s in %(area)s is already %(council)s's: ask them to remove their row")
        % {
            "service": r.service_slug or f"LGSL {r.lgsl}",
            "area": r.area.name,
            "council": others[(r.service_slug, r.lgsl, r.area_id)],
        }
        for r in added
        if (r.service_slug, r.lgsl, r.area_id) in others
    ]
    if problems:
        raise RoutingFileError(problems)


def routing_rule_add(
    *,
    organisation: Organisation,
    area: Area,
    service_slug: str = "",
    lgsl: int | None = None,
    team: Team | None = None,
) -> RoutingRule:
    """Add one row naming `organisation`. Raises RoutingFileError with the reason
    if the service and area already have a row (any council's)."""
    if bool(service_slug) == (lgsl is not None):
        raise RoutingFileError([_("Give a service slug or an LGSL code, not both.")])
    if team is not None and team.organisation_id != organisation.pk:
        raise RoutingFileError([_("Choose one of your council's teams.")])
    with transaction.atomic():
        taken = (
            RoutingRule.objects.select_for_update()
            .filter(service_slug=service_slug, lgsl=lgsl, area=area)
            .select_related("organisation")
            .first()
        )
        if taken is not None:
            raise RoutingFileError(
                [
                    _("%(area)s already has a row for this service, naming %(council)s.")
                    % {"area": area.name, "council": taken.organisation.name}
                ]
            )
        return RoutingRule.objects.create(
            service_slug=service_slug, lgsl=lgsl, area=area, organisation=organisation, team=team
        )


def routing_rule_remove(*, organisation: Organisation, rule_id: int) -> bool:
    """Remove one of `organisation`'s rows; False if it has no such row."""
    deleted, _detail = (
        RoutingRule.objects.for_organisation(organisation).filter(pk=rule_id).delete()
    )
    return bool(deleted)
