"""Values a YAML or JSON file can hold but no definition can: each is refused with
its path, never with an exception, and nothing is stored. Explicit cases for each
input probing found (dates that do not exist, numbers of thousands of digits, a
lone surrogate), then properties over files full of such values."""

from __future__ import annotations

import json
import os
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall.catalogue.engine.definition import parse_definition
from townhall.catalogue.factories import branching_definition, definition_data
from townhall.catalogue.models import Service, ServiceVersion
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.catalogue.transfer import TransferError, definition_dump, definition_read

MIN = "pages[1].questions[0].min"  # the depth question's `min` in branching_definition
WHOLE_TOO_LARGE = (
    "number too large: a whole number must be between -9007199254740991 and 9007199254740991"
)
SURROGATE = "contains a character that is not valid text (a lone surrogate)"
DATE = "a date cannot be stored; put it in quotes"
DATE_TIME = "a date and time cannot be stored; put it in quotes"
# The inputs probing found: the field, the value as written there, the problem.
LISTED = {
    "date-that-does-not-exist": ("name", "2026-02-30", f"name: {DATE}"),
    "year-zero": ("name", "0000-01-01", f"name: {DATE}"),
    "5000-digits": ("min", "1" + "0" * 4999, f"{MIN}: {WHOLE_TOO_LARGE}"),
    "20000-binary-ones": ("min", "0b" + "1" * 20_000, f"{MIN}: {WHOLE_TOO_LARGE}"),
    "5000-hex-fs": ("min", "0x" + "f" * 5000, f"{MIN}: {WHOLE_TOO_LARGE}"),
    "lone-surrogate": ("name", '"\\ud88d"', f"name: {SURROGATE}"),
}
JSON_LISTED = {
    "5000-digits": ("min", "1" + "0" * 4999, f"{MIN}: {WHOLE_TOO_LARGE}"),
    "negative-5000-digits": ("min", "-" + "9" * 5000, f"{MIN}: {WHOLE_TOO_LARGE}"),
    "lone-surrogate": ("name", '"\\ud88d"', f"name: {SURROGATE}"),
    "1e400": ("min", "1e400", f"{MIN}: number too large"),
}
FIELDS = {
    "name": ("name: Report a street problem", '"name": "Report a street problem"'),
    "min": ("min: 0", '"min": 0'),
    "lgsl": ("slug: report-street-problem", '"slug": "report-street-problem"'),
}


def yaml_with(field: str, written: str) -> bytes:
    """The branching definition as YAML with `field` (name, min or lgsl) written as given."""
    text, old = definition_dump(branching_definition()), FIELDS[field][0]
    assert old in text
    new = f"{old}\nlgsl: {written}" if field == "lgsl" else f"{field}: {written}"
    return text.replace(old, new, 1).encode()


def json_with(field: str, written: str) -> bytes:
    text, old = json.dumps(branching_definition()), FIELDS[field][1]
    assert old in text
    return text.replace(old, f'"{field}": {written}', 1).encode()


def problems_of(content: bytes, name: str) -> list[str]:
    with pytest.raises(TransferError) as caught:
        definition_read(content, name=name)
    return caught.value.problems


def run_import(path: Path) -> str:
    out = StringIO()
    call_command("import_services", str(path), organisation="example", stdout=out, stderr=out)
    return out.getvalue()


def refused_import(path: Path) -> list[str]:
    """The lines of the command's refusal."""
    with pytest.raises(CommandError) as caught:
        run_import(path)
    return str(caught.value).splitlines()


def nothing_stored() -> bool:
    return not Service.objects.exists() and not ServiceVersion.objects.exists()


# ---- each input probing found ---------------------------------------------------------


@pytest.mark.parametrize(("field", "written", "problem"), LISTED.values(), ids=LISTED)
def test_each_listed_yaml_value_is_refused_by_its_path(field, written, problem):
    assert problems_of(yaml_with(field, written), "street.yaml") == [problem]


@pytest.mark.parametrize(("field", "written", "problem"), JSON_LISTED.values(), ids=JSON_LISTED)
def test_each_listed_json_value_is_refused_by_its_path(field, written, problem):
    assert problems_of(json_with(field, written), "street.json") == [problem]


@pytest.mark.parametrize(("field", "written", "problem"), LISTED.values(), ids=LISTED)
def test_the_command_names_file_and_path_and_imports_nothing_of_the_folder(
    council, tmp_path, field, written, problem
):
    (tmp_path / "a-good.yaml").write_text(definition_dump(definition_data(slug="good-one")))
    (tmp_path / "bad.yaml").write_bytes(yaml_with(field, written))
    good = definition_dump(definition_data(slug="good-two"), fmt="json")
    (tmp_path / "z-good.json").write_text(good)
    assert refused_import(tmp_path) == [f"bad.yaml: {problem}", "Nothing was imported."]
    assert nothing_stored()


@pytest.mark.parametrize(("field", "written", "problem"), JSON_LISTED.values(), ids=JSON_LISTED)
def test_the_command_refuses_each_listed_json_value(council, tmp_path, field, written, problem):
    (tmp_path / "a-good.yaml").write_text(definition_dump(definition_data(slug="good-one")))
    (tmp_path / "bad.json").write_bytes(json_with(field, written))
    assert refused_import(tmp_path) == [f"bad.json: {problem}", "Nothing was imported."]
    assert nothing_stored()


# ---- other scalars YAML reads into something a definition cannot hold ------------------

OTHER_SCALARS = {
    "month-13": ("name", "2026-13-01", f"name: {DATE}"),
    "valid-date": ("name", "2026-02-28", f"name: {DATE}"),
    "time-that-does-not-exist": ("name", "2026-02-30 10:00:00", f"name: {DATE_TIME}"),
    "hour-25": ("name", "2026-01-01T25:00:00Z", f"name: {DATE_TIME}"),
    "offset-of-99-hours": ("name", "2026-01-01 00:00:00 +99:00", f"name: {DATE_TIME}"),
    "tagged-date": ("name", "!!timestamp x", f"name: {DATE}"),
    "tagged-int": ("min", "!!int x", f"{MIN}: 'x' is not a whole number"),
    "tagged-empty-int": ("min", "!!int ''", f"{MIN}: '' is not a whole number"),
    "tagged-float": ("min", "!!float x", f"{MIN}: 'x' is not a number"),
    "tagged-bool": ("name", "!!bool x", "name: 'x' is not true or false"),
    "tagged-5000-digits": ("min", f"!!int '{'9' * 5000}'", f"{MIN}: {WHOLE_TOO_LARGE}"),
    "octal-5000-digits": ("min", "0" + "7" * 5000, f"{MIN}: {WHOLE_TOO_LARGE}"),
    "sexagesimal": ("min", "1" + ":59" * 40, f"{MIN}: {WHOLE_TOO_LARGE}"),
    "just-beyond": ("lgsl", "9007199254740992", f"lgsl: {WHOLE_TOO_LARGE}"),
    "just-beyond-below": ("lgsl", "-9007199254740992", f"lgsl: {WHOLE_TOO_LARGE}"),
    "float-overflow": ("min", "1.0e+400", f"{MIN}: number too large"),
    "infinity": ("min", "-.inf", f"{MIN}: -inf is not a number a definition can hold"),
    "escaped-pair": ("name", '"\\ud83d\\ude00"', f"name: {SURROGATE}"),
    "low-surrogate": ("name", '"a\\udc00b"', f"name: {SURROGATE}"),
    "binary": ("name", "!!binary aGk=", "name: binary data cannot be stored"),
    "not-even-binary": ("name", "!!binary '!'", "name: binary data cannot be stored"),
    "set": ("name", "!!set {a: null}", "name: a set cannot be stored; write a list"),
    "ordered-map": ("name", "!!omap [a: 1]", "name[0]: a value of type tuple cannot be stored"),
}


@pytest.mark.parametrize(("field", "written", "problem"), OTHER_SCALARS.values(), ids=OTHER_SCALARS)
def test_other_yaml_values_no_definition_holds_are_refused_by_path(field, written, problem):
    assert problems_of(yaml_with(field, written), "street.yaml") == [problem]


def test_the_largest_whole_numbers_are_accepted():
    text = definition_dump(branching_definition())
    text = text.replace("min: 0", "min: -9007199254740991").replace(
        "max: 100", "max: 0x1fffffffffffff"
    )
    depth = definition_read(text.encode(), name="s.yaml")["pages"][1]["questions"][0]
    assert (depth["min"], depth["max"]) == (-(2**53 - 1), 2**53 - 1)
    content = json_with("min", "-9007199254740991").replace(
        b'"max": 100', b'"max": 9007199254740991'
    )
    depth = definition_read(content, name="s.json")["pages"][1]["questions"][0]
    assert (depth["min"], depth["max"]) == (-(2**53 - 1), 2**53 - 1)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2026-02-30: x", "(definition): the key 2026-02-30 must be text; put it in quotes"),
        ("0000-01-01: x", "(definition): the key 0000-01-01 must be text; put it in quotes"),
        (
            '"\\ud88d": x',
            "(definition): the key '\\ud88d' contains a character that is not valid text "
            "(a lone surrogate)",
        ),
        (
            f"? {'9' * 5000}\n: x",  # a key of over 1024 characters must be explicit
            f"(definition): the key {'9' * 39}… must be text; put it in quotes",
        ),
        ("~: x", "(definition): the key None must be text; put it in quotes"),
    ],
)
def test_keys_that_are_not_text_are_refused_by_path(text, problem):
    content = definition_dump(branching_definition()) + text + "\n"
    assert problems_of(content.encode(), "street.yaml") == [problem]


def test_a_json_key_with_a_lone_surrogate_is_refused_by_path():
    content = json.dumps(branching_definition()).replace('"id": "problem"', '"\\udc00": 1', 1)
    assert problems_of(content.encode(), "street.json") == [
        "pages[0]: the key '\\udc00' contains a character that is not valid text (a lone surrogate)"
    ]


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ('name: "\\U00110000"', "not valid YAML: a character or value here cannot be read (line 1"),
        ("name: !!set [a]", "not valid YAML: expected a mapping node, but found sequence"),
        ("? [a]\n: x", "not valid YAML: found unhashable key"),
        ("name: *nowhere", "not valid YAML: found undefined alias 'nowhere'"),
    ],
)
def test_yaml_a_reader_cannot_read_is_refused_with_where(text, start):
    [problem] = problems_of(text.encode(), "street.yaml")
    assert problem.startswith(start)
    assert "(line " in problem


def test_a_yaml_merge_key_bomb_is_refused_quickly():
    # Ten merges of the level below at each of nine levels: a billion pairs if expanded.
    lines = ["a0: &a0 {k: 1}"]
    lines += [f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * 10)}]}}" for i in range(1, 9)]
    content = "\n".join([*lines, "slug: x"]).encode()
    assert problems_of(content, "bomb.yaml") == ["the definition is too large or nested too deeply"]


def test_a_yaml_list_holding_itself_is_refused():
    content = definition_dump(branching_definition()) + "description: &a [*a]\n"
    assert problems_of(content.encode(), "loop.yaml") == [
        "the definition is too large or nested too deeply"
    ]


def test_a_file_name_that_is_not_utf8_is_printed_escaped(council, tmp_path):
    path = tmp_path / os.fsdecode(b"\xff-street.yaml")
    path.write_text(definition_dump(branching_definition()))
    out = run_import(path)
    out.encode("utf-8")
    assert "\\udcff-street.yaml: report-street-problem: new service, version 1, published" in out


def test_a_file_that_cannot_be_read_is_named(council, tmp_path, monkeypatch):
    (tmp_path / "a.yaml").write_text(definition_dump(definition_data(slug="a-one")))
    (tmp_path / "b.yaml").write_text(definition_dump(definition_data(slug="b-one")))
    real_open = Path.open

    def refusing_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "b.yaml":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    assert refused_import(tmp_path) == [
        "b.yaml: the file cannot be read (Permission denied)",
        "Nothing was imported.",
    ]
    assert nothing_stored()


# ---- properties: files full of such values ---------------------------------------------

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BASES = [
    branching_definition(),
    load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml"),
]
SURROGATE_ESCAPES = st.integers(0xD800, 0xDFFF).map(lambda c: f'"\\u{c:04x}"')
DATES = st.builds(
    "{:04d}-{:02d}-{:02d}{}".format,
    st.integers(0, 9999),
    st.integers(0, 19),
    st.integers(0, 39),
    st.sampled_from(["", " 10:00:00", "T25:61:61Z", " 00:00:00 +99:00", "t1:2:3.5-1"]),
)
HUGE_WHOLE = st.integers(2**53, 10**80).map(str) | st.integers(60, 6000).flatmap(
    lambda n: st.sampled_from(["1" + "0" * n, "-" + "9" * n])
)
YAML_NASTY = st.one_of(
    DATES,
    HUGE_WHOLE,
    SURROGATE_ESCAPES,
    st.integers(60, 20_000).map(lambda n: "0b" + "1" * n),
    st.integers(16, 5000).map(lambda n: "0x" + "f" * n),
    st.integers(20, 5000).map(lambda n: "0" + "7" * n),
    st.integers(2, 80).map(lambda n: "1" + ":59" * n),
    st.text(max_size=20).map(json.dumps),  # any text, escaped as YAML reads it
    st.sampled_from(
        [
            ".nan",
            ".inf",
            "-.inf",
            "1.0e+400",
            "-1.0e+400",
            "1:30.5",
            "1." + "1" * 5000,
            "!!int x",
            "!!int ''",
            "!!float x",
            "!!float ''",
            "!!bool x",
            "!!timestamp x",
            "!!binary aGk=",
            "!!binary '!'",
            "!!set {a: null}",
            "!!set [a]",
            "!!omap [a: 1]",
            "!!pairs [a: 1]",
            "!!omap {a: 1}",
            "!!python/object:os.system {}",
            "!!python/name:os.system",
            "!!str 1",
            "!!null x",
            '"\\U00110000"',
            '"\\x00"',
            "*nowhere",
            "&loop [*loop]",
            "[" * 60 + "]" * 60,
            "{? [a]: b}",
            "~",
            "[]",
            "{}",
            "true",
            "'\u2028'",
            "|\n  text",
            "<<",
        ]
    ),
)
JSON_NASTY = st.one_of(
    HUGE_WHOLE,
    SURROGATE_ESCAPES,
    st.text(max_size=20).map(json.dumps),  # ensure_ascii: a lone surrogate as an escape
    st.integers(-400, 400).map(lambda e: f"1.5e{e * 3}"),
    st.sampled_from(
        [
            "NaN",
            "Infinity",
            "-Infinity",
            "-0",
            "1" + "0" * 400 + ".5",
            "0.1e-99999",
            '"\\ud83d\\ude00"',
            '"\\u0000"',
            "[" * 60 + "]" * 60,
            '{"a": 1, "a": 2}',
            "true",
            "null",
            "[]",
            "{}",
        ]
    ),
)


def _places(data: Any, where: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], bool]]:
    """Every value's place, and every key's (True), in a definition."""
    found: list[tuple[tuple[Any, ...], bool]] = [(where, False)] if where else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += [((*where, key), True), *_places(value, (*where, key))]
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _places(value, (*where, i))
    return found


def _mark(data: Any, where: tuple[Any, ...], is_key: bool, marker: str) -> bool:
    """Put `marker` in place of the value (or key) at `where`, if it is still there."""
    parent = data
    try:
        for part in where[:-1]:
            parent = parent[part]
        if is_key:
            parent[marker] = parent.pop(where[-1])
        else:
            parent[where[-1]] = marker
    except (KeyError, IndexError, TypeError, AttributeError):
        return False
    return True


@st.composite
def marked(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """A real definition with one to three places (values or keys) holding
    markers NASTY0, NASTY1...: a file with other text in their place."""
    data = json.loads(json.dumps(draw(st.sampled_from(BASES))))
    places = draw(st.lists(st.sampled_from(_places(data)), min_size=1, max_size=3, unique=True))
    count = 0
    for where, is_key in places:
        count += _mark(data, where, is_key, f"NASTY{count}")
    return data, count


def assert_read_or_refused(content: bytes, name: str) -> None:
    """The property every file meets: read into data that parses and can be
    stored as UTF-8 JSON, or refused with printable problems; nothing else."""
    try:
        data = definition_read(content, name=name)
    except TransferError as error:
        problems = error.problems
    else:
        json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
        parse_definition(data)
        return
    assert problems
    for problem in problems:
        assert isinstance(problem, str) and problem
        problem.encode("utf-8")


@PROPERTY
@given(place=marked(), values=st.lists(YAML_NASTY, min_size=3, max_size=3))
def test_yaml_files_with_values_no_definition_holds_are_only_ever_refused(place, values):
    data, count = place
    text = definition_dump(data)
    for i in range(count):
        text = text.replace(f"NASTY{i}", values[i])
    assert_read_or_refused(text.encode("utf-8", "surrogatepass"), "nasty.yaml")


@PROPERTY
@given(place=marked(), values=st.lists(JSON_NASTY, min_size=3, max_size=3))
def test_json_files_with_values_no_definition_holds_are_only_ever_refused(place, values):
    data, count = place
    text = json.dumps(data)
    for i in range(count):
        text = text.replace(f'"NASTY{i}"', values[i])
    assert_read_or_refused(text.encode(), "nasty.json")


YAML_PIECES = st.sampled_from(
    [
        *"-:[]{},&*!|>'\"%@`#?\n 0123456789abx.\\+eE_~<=TZ\t",
        *["!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!binary ", "!!set ", "!!omap "],
        *["<<: ", "&a ", "*a ", "\\ud88d", "\\U00110000", "2026-02-30", "0x", "0b", "---\n"],
        *["? ", "%YAML 1.1\n", "slug: ", "pages:\n  - "],
    ]
)


@settings(PROPERTY, max_examples=150)
@given(pieces=st.lists(YAML_PIECES, max_size=60), suffix=st.sampled_from([".yaml", ".json"]))
def test_any_text_is_read_or_refused(pieces, suffix):
    assert_read_or_refused("".join(pieces).encode(), f"any{suffix}")
