"""Service definitions in and out of files: reading YAML or JSON safely, planning
an import and applying it all or nothing, and writing exports that load back to
exactly the data that was stored."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from townhall.catalogue.engine.definition import DefinitionError, parse_definition
from townhall.catalogue.file_parsing import ParseError, parse_text
from townhall.catalogue.models import Service, ServiceVersion
from townhall.catalogue.services import service_import
from townhall.tenancy.models import Organisation

Format = Literal["yaml", "json"]
SUFFIXES = (".yaml", ".yml", ".json")
MAX_BYTES = 1024 * 1024
# PyYAML writes these unescaped in plain and block styles, then reads them as line breaks.
_YAML_BREAKS = ("\x85", "\u2028", "\u2029")


class TransferError(ValueError):
    """Files that cannot be imported. `problems` lists each as 'file: path: what is wrong'
    (or 'path: what is wrong' for one uploaded file)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class NamedDefinition:
    name: str  # the file it was read from
    data: dict[str, Any]


class Change(enum.Enum):
    NEW_SERVICE = "new service"
    NEW_VERSION = "new version"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class PlannedImport:
    """What importing one definition does (or did) to the council's catalogue."""

    name: str
    slug: str
    change: Change
    number: int  # the version added, or the newest version when unchanged
    publishes: bool  # whether `number` becomes the published version

    def describe(self) -> str:
        state = "published" if self.publishes else "as a draft"
        if self.change is Change.NEW_SERVICE:
            return f"new service, version {self.number}, {state}"
        if self.change is Change.NEW_VERSION:
            return f"new version {self.number}, {state}"
        return f"unchanged (version {self.number}{', now published' if self.publishes else ''})"


# ---- reading -----------------------------------------------------------------


def definition_read(content: bytes, *, name: str) -> dict[str, Any]:
    """Read and check one definition file (`name` says YAML or JSON by its ending).

    Returns the definition as plain data, exactly as it will be stored. Raises
    TransferError listing every problem, with the path of each in the file.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise TransferError([_("the file must be a YAML or JSON file (.yaml, .yml or .json)")])
    if len(content) > MAX_BYTES:
        raise TransferError([_("the file must be smaller than 1 MB")])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TransferError([_("the file must be text in UTF-8")]) from error
    try:
        data = parse_text(text, suffix=suffix)
    except ParseError as error:
        raise TransferError(error.problems) from error
    except RecursionError as error:
        raise TransferError([_("the definition is nested too deeply")]) from error
    if not isinstance(data, dict):
        raise TransferError(
            [
                _(
                    "(definition): the file must hold one service definition, a mapping of "
                    "fields such as slug, name and pages"
                )
            ]
        )
    try:
        # Its first check names each value no definition can hold, by its path.
        parse_definition(data)
    except DefinitionError as error:
        raise TransferError(error.problems) from error
    return data


def definition_paths(path: Path) -> list[Path]:
    """The definition files at `path`: the file itself, or a folder's .yaml, .yml and
    .json files (not its subfolders or hidden files), in name order."""
    if path.is_dir():
        found = sorted(
            p
            for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
        )
        if not found:
            message = _("%(path)s: no .yaml, .yml or .json files in this folder")
            raise TransferError([message % {"path": _shown_path(path)}])
        return found
    if not path.is_file():
        raise TransferError([_("%(path)s: no such file or folder") % {"path": _shown_path(path)}])
    return [path]


def _shown_path(path: Path) -> str:
    # A name that is not UTF-8 arrives with lone surrogates, which no output can print.
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")


def _file_content(path: Path) -> bytes:
    """The file's bytes, reading no more than one past the limit."""
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as error:
        message = _("the file cannot be read (%(reason)s)")
        raise TransferError([message % {"reason": error.strerror or error}]) from error


def definitions_read(paths: Sequence[Path]) -> list[NamedDefinition]:
    """Read and check every file before any is used. Raises TransferError naming
    each problem as 'file name: path: what is wrong', including a slug that two
    files share (one import cannot hold two versions of a service)."""
    problems: list[str] = []
    found: list[NamedDefinition] = []
    first_with_slug: dict[str, str] = {}
    for path in paths:
        name = _shown_path(Path(path.name))
        try:
            data = definition_read(_file_content(path), name=path.name)
        except TransferError as error:
            problems += [f"{name}: {problem}" for problem in error.problems]
            continue
        if data["slug"] in first_with_slug:
            message = _("%(file)s: slug: %(slug)r is also the slug in %(earlier)s")
            values = {"file": name, "slug": data["slug"], "earlier": first_with_slug[data["slug"]]}
            problems.append(message % values)
            continue
        first_with_slug[data["slug"]] = name
        found.append(NamedDefinition(name=name, data=data))
    if problems:
        raise TransferError(problems)
    return found


# ---- importing ---------------------------------------------------------------


def import_plan(
    *, organisation: Organisation, definitions: Sequence[NamedDefinition], publish: bool
) -> list[PlannedImport]:
    """What `service_import` will do with each definition, reading only."""
    plan = []
    for named in definitions:
        slug = named.data["slug"]
        service = Service.objects.for_organisation(organisation).filter(slug=slug).first()
        latest = service.versions.order_by("-number").first() if service else None
        if service is None:
            change, number, publishes = Change.NEW_SERVICE, 1, publish
        elif latest is not None and latest.definition == named.data:
            change, number = Change.UNCHANGED, latest.number
            publishes = publish and service.published_version_id != latest.pk
        else:
            change, number = Change.NEW_VERSION, (latest.number + 1 if latest else 1)
            publishes = publish
        plan.append(PlannedImport(named.name, slug, change, number, publishes))
    return plan


def services_import(
    *,
    organisation: Organisation,
    definitions: Sequence[NamedDefinition],
    publish: bool = True,
    dry_run: bool = False,
) -> list[PlannedImport]:
    """Import checked definitions (from `definitions_read`) into the council's
    catalogue in one transaction: all of them, or, if anything fails, none.

    `publish=False` stores new versions as drafts. `dry_run` writes nothing.
    Returns what was done (or would be) to each service.
    """
    with transaction.atomic():
        plan = import_plan(organisation=organisation, definitions=definitions, publish=publish)
        if not dry_run:
            for named in definitions:
                service_import(organisation=organisation, definition=named.data, publish=publish)
    return plan


# ---- exporting ---------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Safe YAML that writes every value in full (no anchors), and lists and
    multi-line text (as `|` blocks) the way people write definitions by hand."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # list items indented under their key


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = None
    if any(c in text for c in _YAML_BREAKS):
        style = '"'  # the only style in which PyYAML escapes them
    elif "\n" in text:
        style = "|"  # the emitter falls back to quotes when a block cannot hold the text
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


def definition_dump(definition: Mapping[str, Any], *, fmt: Format = "yaml") -> str:
    """A definition as YAML or JSON text that loads back to equal data, keys in order."""
    if fmt == "json":
        return json.dumps(definition, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    return yaml.dump(
        definition,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
    )


def export_versions(
    *, organisation: Organisation, slug: str | None = None, latest: bool = False
) -> Iterator[tuple[Service, ServiceVersion | None]]:
    """Each of the council's services (or the one with `slug`) with the version to
    export: the published one, or with `latest` the newest. None when there is none."""
    services = Service.objects.for_organisation(organisation).select_related("published_version")
    if slug is not None:
        services = services.filter(slug=slug)
    for service in services.order_by("slug"):
        if latest:
            yield service, service.versions.order_by("-number").first()
        else:
            yield service, service.published_version


def services_export(
    *,
    organisation: Organisation,
    directory: Path,
    fmt: Format = "yaml",
    slug: str | None = None,
    latest: bool = False,
) -> tuple[list[Path], list[Service]]:
    """Write each service's definition to `<slug>.yaml` (or `.json`) in `directory`,
    creating it. Returns the files written and the services skipped for having no
    version to export."""
    directory.mkdir(parents=True, exist_ok=True)
    written, skipped = [], []
    for service, version in export_versions(organisation=organisation, slug=slug, latest=latest):
        if version is None:
            skipped.append(service)
            continue
        target = directory / f"{service.slug}.{fmt}"
        target.write_text(definition_dump(version.definition, fmt=fmt), encoding="utf-8")
        written.append(target)
    return written, skipped
