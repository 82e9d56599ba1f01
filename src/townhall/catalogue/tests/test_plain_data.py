"""A definition's first check: only plain data a database can store, whoever
calls `service_import` and with whatever Python values. Each problem names its
path, nothing is written, and what is accepted is stored and read back whole."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall.catalogue.engine.definition import DefinitionError
from townhall.catalogue.factories import branching_definition
from townhall.catalogue.models import ServiceVersion
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.tenancy.models import Organisation

pytestmark = pytest.mark.django_db

MIN = ("pages", 1, "questions", 0, "min")
WHOLE_TOO_LARGE = (
    "number too large: a whole number must be between -9007199254740991 and 9007199254740991"
)
SURROGATE = "contains a character that is not valid text (a lone surrogate)"


def with_value(place: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """The branching definition with `value` at `place`."""
    data = branching_definition()
    parent: Any = data
    for part in place[:-1]:
        parent = parent[part]
    parent[place[-1]] = value
    return data


def refused(organisation: Organisation, definition: Any) -> list[str]:
    """The problems service_import names, having written nothing."""
    before = ServiceVersion.objects.count()
    with pytest.raises(DefinitionError) as caught:
        service_import(organisation=organisation, definition=definition)
    assert ServiceVersion.objects.count() == before
    for problem in caught.value.problems:
        problem.encode("utf-8")
    return caught.value.problems


def nested(depth: int) -> list[Any]:
    inner: list[Any] = []
    for _ in range(depth):
        inner = [inner]
    return inner


def looped() -> list[Any]:
    loop: list[Any] = []
    loop.append(loop)
    return loop


LABEL = ("pages", 0, "questions", 0, "label")
AT_MIN = "pages[1].questions[0].min"
TOO_LARGE_OR_DEEP = "the definition is too large or nested too deeply"
CASES: dict[str, tuple[tuple[Any, ...], Any, str]] = {
    "5000-digits": (MIN, 10**4999, f"{AT_MIN}: {WHOLE_TOO_LARGE}"),
    "minus-5001-digits": (MIN, -(10**5000), f"{AT_MIN}: {WHOLE_TOO_LARGE}"),
    "20000-binary-ones": (MIN, 2**20_000 - 1, f"{AT_MIN}: {WHOLE_TOO_LARGE}"),
    "5000-hex-fs": (MIN, 16**5000 - 1, f"{AT_MIN}: {WHOLE_TOO_LARGE}"),
    "2**53": (MIN, 2**53, f"{AT_MIN}: {WHOLE_TOO_LARGE}"),
    "lone-surrogate": (("name",), "\ud88d", f"name: {SURROGATE}"),
    "low-surrogate": (LABEL, "What \udc00?", f"pages[0].questions[0].label: {SURROGATE}"),
    "in-welsh": (("name",), {"en": "Report", "cy": "\ud800"}, f"name.cy: {SURROGATE}"),
    "nan": (MIN, float("nan"), f"{AT_MIN}: nan is not a number a definition can hold"),
    "-inf": (MIN, float("-inf"), f"{AT_MIN}: -inf is not a number a definition can hold"),
    "date": (("name",), dt.date(2026, 2, 28), "name: a date cannot be stored; put it in quotes"),
    "datetime": (
        ("name",),
        dt.datetime(2026, 2, 28, tzinfo=dt.UTC),
        "name: a date and time cannot be stored; put it in quotes",
    ),
    "bytes": (("name",), b"x", "name: binary data cannot be stored"),
    "set": (("name",), {"x"}, "name: a set cannot be stored; write a list"),
    "tuple": (("name",), ("x",), "name: a value of type tuple cannot be stored"),
    "huge-key": (
        ("routing",),
        {10**5000: "x"},
        "routing: the key (a number too large to show) must be text; put it in quotes",
    ),
    "tuple-key": (
        ("routing",),
        {("x", 10**5000): "x"},
        "routing: the key (tuple) must be text; put it in quotes",
    ),
    "surrogate-key": (
        ("routing",),
        {"\udfff": "x"},
        "routing: the key '\\udfff' contains a character that is not valid text (a lone surrogate)",
    ),
    "number-key": (("routing",), {1: "x"}, "routing: the key 1 must be text; put it in quotes"),
    "loop": (("description",), looped(), TOO_LARGE_OR_DEEP),
    "deep": (
        ("description",),
        nested(50),
        TOO_LARGE_OR_DEEP,
    ),
    "large": (("description",), ["x"] * 100_001, TOO_LARGE_OR_DEEP),
}


@pytest.mark.parametrize(("place", "value", "problem"), CASES.values(), ids=CASES)
def test_service_import_names_each_value_no_definition_holds(council, place, value, problem):
    assert refused(council, with_value(place, value)) == [problem]


def test_every_such_value_is_named_at_once(council):
    data = with_value(MIN, 10**5000)
    data["name"] = "\ud88d"
    data["summary"] = dt.date(2026, 1, 1)
    assert refused(council, data) == [
        f"name: {SURROGATE}",
        "summary: a date cannot be stored; put it in quotes",
        f"pages[1].questions[0].min: {WHOLE_TOO_LARGE}",
    ]


def test_a_definition_that_is_not_a_mapping_is_checked_as_plain_data_first(council):
    assert refused(council, [10**5000]) == [f"[0]: {WHOLE_TOO_LARGE}"]
    assert refused(council, ["x"]) == ["(definition): ['x'] is not of type 'object'"]


# ---- a property: any value, anywhere -----------------------------------------------------

BASES = [branching_definition(), load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")]
NASTY = st.one_of(
    st.integers(2**53 - 3, 2**53 + 3) | st.integers(-(2**53) - 3, -(2**53) + 3),
    st.integers(60, 6000).map(lambda n: 10**n) | st.integers(60, 20_000).map(lambda n: 2**n - 1),
    st.floats(),  # NaN and the infinities among them
    st.text(max_size=10),
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),
    st.dates() | st.datetimes(),
    st.binary(max_size=4),
    st.frozensets(st.integers(), max_size=2),
    st.tuples(st.integers()),
    st.none() | st.booleans(),
)
KEYS = st.one_of(
    st.text(max_size=6),
    st.integers(-(10**80), 10**80),
    st.just(10**5000),
    st.dates(),
    st.none(),
    st.tuples(st.integers()),
)


def _containers(data: Any, found: list[Any]) -> list[Any]:
    if isinstance(data, dict | list):
        found.append(data)
        for value in data.values() if isinstance(data, dict) else data:
            _containers(value, found)
    return found


@st.composite
def spoiled(draw: st.DrawFn) -> dict[str, Any]:
    """A real definition with one to three values, or keys, anything at all."""
    data: dict[str, Any] = json.loads(json.dumps(draw(st.sampled_from(BASES))))
    for _ in range(draw(st.integers(1, 3))):
        container = draw(st.sampled_from(_containers(data, [])))
        if isinstance(container, list):
            if container:
                container[draw(st.integers(0, len(container) - 1))] = draw(NASTY)
        elif draw(st.booleans()) or not container:
            container[draw(KEYS)] = draw(NASTY | st.just("x"))
        else:
            container[draw(st.sampled_from(list(container)))] = draw(NASTY)
    return data


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(definition=spoiled())
def test_service_import_refuses_or_stores_whole_never_fails_otherwise(council, definition):
    before = ServiceVersion.objects.count()
    try:
        result = service_import(organisation=council, definition=definition)
    except DefinitionError as error:
        problems = error.problems
    else:
        stored = ServiceVersion.objects.get(pk=result.version.pk).definition
        assert json.dumps(stored) == json.dumps(definition)  # equal, keys in the same order
        return
    assert problems
    for problem in problems:
        problem.encode("utf-8")
    assert ServiceVersion.objects.count() == before
