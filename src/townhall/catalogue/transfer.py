"""Service definitions in and out of files: reading YAML or JSON safely, planning
an import and applying it all or nothing, and writing exports that load back to
exactly the data that was stored."""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from django.db import transaction

from townhall.catalogue.engine.definition import DefinitionError, parse_definition
from townhall.catalogue.engine.validation import field_path
from townhall.catalogue.models import Service, ServiceVersion
from townhall.catalogue.services import service_import
from townhall.tenancy.models import Organisation

Format = Literal["yaml", "json"]
SUFFIXES = (".yaml", ".yml", ".json")
MAX_BYTES = 1024 * 1024
# Far beyond any real definition; they stop a small file from becoming a huge
# or bottomless structure (YAML aliases, nesting) before the schema walks it.
MAX_DEPTH = 40
MAX_VALUES = 100_000
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


class _Loader(yaml.SafeLoader):
    """Safe YAML that refuses a key written twice, where plain YAML keeps the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:str":
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"{key_node.value!r} is written twice", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _yaml_load(text: str) -> Any:
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"{key!r} is written twice")
        data[key] = value
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a definition can hold")


def _parse_text(text: str, *, suffix: str) -> Any:
    if suffix == ".json":
        try:
            return json.loads(text, object_pairs_hook=_json_pairs, parse_constant=_refuse_constant)
        except json.JSONDecodeError as error:
            raise TransferError(
                [f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"]
            ) from error
        except ValueError as error:
            raise TransferError([f"not valid JSON: {error}"]) from error
    try:
        return _yaml_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise TransferError([f"not valid YAML: {error.problem or error.context}{where}"]) from error
    except yaml.YAMLError as error:
        raise TransferError([f"not valid YAML: {error}"]) from error


def _non_data_problems(data: Any) -> list[str]:
    """Values a YAML or JSON file can hold but a stored definition cannot: dates,
    non-text keys, NaN and infinity, binary. Stops early on oversized structures."""
    problems: list[str] = []
    count = 0
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, where = stack.pop()
        count += 1
        if count > MAX_VALUES or len(where) > MAX_DEPTH:
            return ["the definition is too large or nested too deeply"]
        if isinstance(value, dict):
            for key, item in reversed(value.items()):
                if not isinstance(key, str):
                    problems.append(f"{field_path(where)}: the key {key!r} must be text")
                else:
                    stack.append((item, (*where, key)))
        elif isinstance(value, list):
            stack.extend((item, (*where, i)) for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{field_path(where)}: {value} is not a number a definition can hold")
        elif not isinstance(value, str | int | float | bool) and value is not None:
            kind = type(value).__name__
            problems.append(f"{field_path(where)}: a {kind} cannot be stored; put it in quotes")
    return problems


def definition_read(content: bytes, *, name: str) -> dict[str, Any]:
    """Read and check one definition file (`name` says YAML or JSON by its ending).

    Returns the definition as plain data, exactly as it will be stored. Raises
    TransferError listing every problem, with the path of each in the file.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise TransferError(["the file must be a YAML or JSON file (.yaml, .yml or .json)"])
    if len(content) > MAX_BYTES:
        raise TransferError(["the file must be smaller than 1 MB"])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TransferError(["the file must be text in UTF-8"]) from error
    try:
        data = _parse_text(text, suffix=suffix)
    except RecursionError as error:
        raise TransferError(["the definition is nested too deeply"]) from error
    if not isinstance(data, dict):
        raise TransferError(
            [
                "(definition): the file must hold one service definition, a mapping of fields "
                "such as slug, name and pages"
            ]
        )
    problems = _non_data_problems(data)
    if problems:
        raise TransferError(problems)
    try:
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
            raise TransferError([f"{path}: no .yaml, .yml or .json files in this folder"])
        return found
    if not path.is_file():
        raise TransferError([f"{path}: no such file or folder"])
    return [path]


def definitions_read(paths: Sequence[Path]) -> list[NamedDefinition]:
    """Read and check every file before any is used. Raises TransferError naming
    each problem as 'file name: path: what is wrong', including a slug that two
    files share (one import cannot hold two versions of a service)."""
    problems: list[str] = []
    found: list[NamedDefinition] = []
    first_with_slug: dict[str, str] = {}
    for path in paths:
        try:
            data = definition_read(path.read_bytes(), name=path.name)
        except TransferError as error:
            problems += [f"{path.name}: {problem}" for problem in error.problems]
            continue
        if data["slug"] in first_with_slug:
            earlier = first_with_slug[data["slug"]]
            problems.append(f"{path.name}: slug: {data['slug']!r} is also the slug in {earlier}")
            continue
        first_with_slug[data["slug"]] = path.name
        found.append(NamedDefinition(name=path.name, data=data))
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
