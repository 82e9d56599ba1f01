"""Importing and exporting service definitions as files: every valid definition
survives an export unchanged, and an import is all or nothing."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any, cast

import pytest
import yaml
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall.catalogue.engine.definition import parse_definition
from townhall.catalogue.engine.validation import MESSAGE_PLACEHOLDERS
from townhall.catalogue.factories import branching_definition, definition_data
from townhall.catalogue.models import Service, ServiceVersion
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.catalogue.transfer import TransferError, definition_dump, definition_read
from townhall.tenancy.factories import OrganisationFactory
from townhall.tenancy.models import Organisation

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CHOICE_TYPES = ["radios", "checkboxes", "select"]
GROUP_MEMBER_TYPES = [
    *["text", "textarea", "email", "phone", "postcode", "number", "date"],
    *["radios", "select", "yes_no", "name"],
]
QUESTION_TYPES = [
    *GROUP_MEMBER_TYPES,
    *["checkboxes", "file", "location", "address", "declaration", "group"],
]
PLACE_TYPES = {"location", "address", "postcode"}
FILE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"]
PATTERNS = [r"[A-Z]{2}[0-9]{4}", r"\d+", r"(yes|no)", r".{0,10}", "[^()]*"]


# ---- valid definitions, generated ----------------------------------------------------

# Any text a definition may hold: no lone surrogates (no file can hold them) and
# no control characters but tab and line feeds (definitions refuse those), while
# line breaks of every kind and characters YAML treats specially are included.
CONTROL = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
any_char = st.characters(exclude_categories=["Cs"], exclude_characters=CONTROL)
slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
numbers = st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False)


def texts(min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    return st.text(any_char, min_size=min_size, max_size=max_size)


@st.composite
def shuffled(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, Any]:
    """The same mapping with its keys in any order: exports must keep the order."""
    return dict(draw(st.permutations(list(data.items()))))


@st.composite
def maybe(draw: st.DrawFn, data: dict[str, Any], **optional: Any) -> None:
    """Add each optional field to `data`, or not."""
    for key, strategy in optional.items():
        if draw(st.booleans()):
            data[key] = draw(strategy)


@st.composite
def messages(draw: st.DrawFn) -> dict[str, str]:
    """Plain text and the placeholders the engine fills, never any other ((name))."""
    plain = st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters=CONTROL + "()"), max_size=20
    )
    pieces = plain | st.sampled_from(sorted(f"(({name}))" for name in MESSAGE_PLACEHOLDERS))

    def message_text(limit: int) -> str:
        text = "".join(draw(st.lists(pieces, max_size=6)))
        return (text or draw(st.sampled_from(["Update", "((reference))"])))[:limit]

    return {"subject": message_text(200), "body": message_text(5000)}


def question_tests(question: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """The tests a condition may make of this question, with operands that its
    answers can be: an option of a choice, a number for a number, and so on."""
    kind = question["type"]
    answered = st.fixed_dictionaries({"answered": st.booleans()})
    options = st.sampled_from([o["value"] for o in question.get("options", [])] or ["x"])
    comparable: st.SearchStrategy[Any] | None = None
    if kind == "checkboxes":
        return answered | st.fixed_dictionaries({"contains": options})
    if kind in {"yes_no", "declaration"}:
        return answered | st.fixed_dictionaries({"equals": st.booleans()})
    if kind == "location":
        code = st.sampled_from(["E05900001", "E07900001", "waste-round-1"])
        return answered | st.fixed_dictionaries(
            {"in_area": code | st.lists(code, min_size=1, max_size=3)}
        )
    if kind in {"radios", "select"}:
        values: st.SearchStrategy[Any] = options
    elif kind == "number":
        values = comparable = numbers
    elif kind == "date":
        values = st.dates().map(lambda day: day.isoformat())
        comparable = values | st.just("today")
    elif kind in {"text", "textarea", "email", "phone", "postcode", "name"}:
        values = texts(max_size=10)
    else:  # files, addresses, groups
        return answered
    tests = (
        answered
        | st.fixed_dictionaries({"equals": values})
        | st.fixed_dictionaries({"in": st.lists(values, min_size=1, max_size=3)})
    )
    if comparable is not None:
        tests |= st.fixed_dictionaries({"greater_than": comparable})
        tests |= st.fixed_dictionaries({"less_than": comparable})
    return tests


def conditions(asked: list[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Conditions naming only questions already asked, testing each as its type allows."""
    leaf = st.sampled_from(asked).flatmap(
        lambda question: question_tests(question).map(
            lambda test: {"question": question["id"], **test}
        )
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.builds(lambda parts: {"all": parts}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda parts: {"any": parts}, st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda part: {"not": part}, inner),
        ),
        max_leaves=4,
    )


@st.composite
def options(draw: st.DrawFn) -> list[dict[str, str]]:
    values = draw(
        st.lists(
            st.from_regex(r"[a-z0-9_-]{1,8}", fullmatch=True), min_size=1, max_size=4, unique=True
        )
    )
    found = []
    for value in values:
        option = {"value": value, "label": draw(texts(1, 30))}
        draw(maybe(option, hint=texts(max_size=30)))
        found.append(draw(shuffled(option)))
    return found


@st.composite
def questions(
    draw: st.DrawFn, qid: str, *, kinds: list[str], contact: bool = False
) -> dict[str, Any]:
    """One question of any type with the options its type takes (and only those)."""
    kind = "email" if contact else draw(st.sampled_from(kinds))
    question: dict[str, Any] = {"id": qid, "type": kind, "label": draw(texts(1, 40))}
    draw(maybe(question, hint=texts(max_size=40), required=st.booleans(), summary=st.booleans()))
    if contact:
        question["contact"] = "email"
    if kind in CHOICE_TYPES:
        question["options"] = draw(options())
    if kind in {"text", "textarea", "location"} and draw(st.booleans()):
        low, high = sorted([draw(st.integers(1, 600)), draw(st.integers(1, 600))])
        question.update(min_length=low - 1, max_length=high)
    if kind == "text":
        draw(maybe(question, pattern=st.sampled_from(PATTERNS), pattern_message=texts(1, 30)))
    if kind == "number" and draw(st.booleans()):
        smallest, largest = sorted([draw(numbers), draw(numbers)])
        question.update(min=smallest, max=largest)
    if kind == "date":
        draw(maybe(question, date=st.sampled_from(["past", "future", "any"])))
    if kind == "file":
        draw(
            maybe(
                question,
                accept=st.lists(st.sampled_from(FILE_TYPES), max_size=3),
                max_size_mb=st.integers(1, 50) | st.floats(0.001, 50),
                max_files=st.integers(1, 10),
            )
        )
    if kind == "group":
        member_ids = draw(st.lists(identifiers, min_size=1, max_size=3, unique=True))
        question["questions"] = [
            draw(questions(mid, kinds=GROUP_MEMBER_TYPES)) for mid in member_ids
        ]
        low, high = sorted([draw(st.integers(0, 50)), draw(st.integers(1, 50))])
        question.update(min_items=low, max_items=high)
        draw(maybe(question, item_label=texts(max_size=20)))
    return draw(shuffled(question))


@st.composite
def pages(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Pages of questions (or exit advice) with unique ids, whose conditions name
    earlier questions and whose goto rules name later pages. Also returns the
    questions asked, in order."""
    page_ids = draw(st.lists(slugs, min_size=1, max_size=4, unique=True))
    question_ids = iter(draw(st.lists(identifiers, min_size=12, max_size=12, unique=True)))
    asked: list[dict[str, Any]] = []
    found = []
    for index, page_id in enumerate(page_ids):
        page: dict[str, Any] = {"id": page_id}
        draw(maybe(page, title=texts(max_size=40), intro=texts(max_size=60)))
        if bool(asked) and draw(st.booleans()):
            page["when"] = draw(conditions(asked))
        if draw(st.integers(0, 4)) == 0:
            page["exit"] = {"body": draw(texts(1, 60))}
            found.append(draw(shuffled(page)))
            continue
        page["questions"] = []
        for _ in range(draw(st.integers(1, 3))):
            has_contact = any(q.get("contact") for q in asked)
            question = draw(
                questions(
                    next(question_ids),
                    kinds=QUESTION_TYPES,
                    contact=not has_contact and draw(st.integers(0, 5)) == 0,
                )
            )
            if bool(asked) and draw(st.booleans()):
                question["when"] = draw(conditions(asked))
            page["questions"].append(question)
            asked.append(question)
        later = page_ids[index + 1 :]
        if bool(later) and draw(st.booleans()):
            page["goto"] = [
                {"when": draw(conditions(asked)), "page": target}
                for target in draw(st.lists(st.sampled_from(later), min_size=1, max_size=2))
            ]
        found.append(draw(shuffled(page)))
    return found, asked


@st.composite
def workflows(draw: st.DrawFn) -> dict[str, Any]:
    """States with unique ids; transitions and the initial state name only them."""
    ids = draw(st.lists(identifiers, min_size=1, max_size=5, unique=True))
    states = []
    for state_id in ids:
        state = {"id": state_id, "label": draw(texts(1, 30))}
        draw(
            maybe(
                state,
                public_label=texts(max_size=30),
                closed=st.booleans(),
                message=messages(),
                sla_days=st.integers(1, 3650),
            )
        )
        states.append(draw(shuffled(state)))
    sources = draw(st.lists(st.sampled_from(ids), unique=True))
    workflow = {
        "initial": draw(st.sampled_from(ids)),
        "states": states,
        "transitions": {
            source: draw(st.lists(st.sampled_from(ids), max_size=4)) for source in sources
        },
    }
    draw(maybe(workflow, submitted_message=messages(), update_message=messages()))
    return draw(shuffled(workflow))


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    """A valid service definition, varied in every part the format allows."""
    found_pages, asked = draw(pages())
    definition: dict[str, Any] = {
        "schema": "townhall/service/1",
        "slug": draw(slugs),
        "name": draw(texts(1, 120)),
        "summary": draw(texts(1, 200)),
        "pages": found_pages,
        "workflow": draw(workflows()),
    }
    draw(
        maybe(
            definition,
            description=texts(max_size=200),
            category=texts(max_size=40),
            kind=st.sampled_from(["report", "request", "application", "booking", "enquiry"]),
            lgsl=st.integers(1, 10**6),
            confirmation=st.fixed_dictionaries(
                {}, optional={"title": texts(max_size=40), "next_steps": texts(max_size=100)}
            ),
            audience=st.sampled_from(["anyone", "signed_in", "staff"]),
            public_on_map=st.booleans(),
            retention_days=st.integers(1, 36500),
            cost_per_transaction=st.dictionaries(
                st.sampled_from(["web", "phone", "face_to_face", "email", "api"]),
                st.integers(0, 100) | st.floats(0, 100),
            ),
            save_and_return=st.booleans(),
            declaration=texts(max_size=100),
            sla_days=st.integers(1, 3650),
        )
    )
    if any(q["type"] in PLACE_TYPES for q in asked):
        draw(maybe(definition, needs_location=st.booleans()))
    if bool(asked) and draw(st.booleans()):
        routing: dict[str, Any] = {}
        draw(
            maybe(
                routing,
                team=slugs,
                rules=st.lists(
                    st.fixed_dictionaries({"when": conditions(asked), "team": slugs}), max_size=2
                ),
            )
        )
        definition["routing"] = routing
    return draw(shuffled(definition))


def in_order(data: Any) -> Any:
    """`data` with every mapping as a list of pairs, so that comparing two also
    compares the order of their keys."""
    if isinstance(data, dict):
        return [(key, in_order(value)) for key, value in data.items()]
    if isinstance(data, list):
        return [in_order(item) for item in data]
    return data


# ---- properties ------------------------------------------------------------------


@PROPERTY
@given(definition=definitions())
def test_generated_definitions_are_valid(definition):
    parsed = parse_definition(definition)
    assert parsed.slug == definition["slug"]
    assert [p.id for p in parsed.pages] == [p["id"] for p in definition["pages"]]


@PROPERTY
@given(definition=definitions(), fmt=st.sampled_from(["yaml", "json"]))
def test_an_export_loads_back_as_exactly_the_definition(definition, fmt):
    text = definition_dump(definition, fmt=fmt)
    loaded = yaml.safe_load(text) if fmt == "yaml" else json.loads(text)
    assert loaded == definition
    assert in_order(loaded) == in_order(definition)
    read = definition_read(text.encode("utf-8"), name=f"service.{fmt}")
    assert in_order(read) == in_order(definition)


@settings(PROPERTY, max_examples=20)
@given(definition=definitions(), fmt=st.sampled_from(["yaml", "json"]))
def test_importing_an_export_adds_no_version(db, definition, fmt):
    council = cast(Organisation, OrganisationFactory())
    service_import(organisation=council, definition=definition)
    with TemporaryDirectory() as folder:
        call_command(
            "export_services",
            organisation=council.slug,
            output=folder,
            format=fmt,
            stdout=StringIO(),
        )
        out = StringIO()
        call_command("import_services", folder, organisation=council.slug, stdout=out)
    assert "unchanged (version 1)" in out.getvalue()
    version = ServiceVersion.objects.get(service__organisation=council)
    assert version.number == 1
    assert in_order(version.definition) == in_order(definition)


# ---- the commands, by example ---------------------------------------------------------

FLY_TIPPING = STANDARD_DIR / "report-fly-tipping.yaml"


def write(folder: Path, name: str, data: Any) -> Path:
    path = folder / name
    path.write_text(definition_dump(data, fmt="json" if name.endswith(".json") else "yaml"))
    return path


def bad_pothole() -> dict[str, Any]:
    """A definition whose third page asks a question of an unknown type."""
    data = branching_definition()
    data["slug"] = "report-pothole"
    data["pages"][2]["questions"][0]["type"] = "dat"
    return data


def run(command: str, *args: str, **options: Any) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_importing_a_file_creates_and_publishes_the_service(council):
    out = run("import_services", str(FLY_TIPPING), organisation="example")
    service = Service.objects.get(organisation=council, slug="report-fly-tipping")
    assert service.published_version.number == 1
    assert service.published_version.definition == load_definition_file(FLY_TIPPING)
    assert "report-fly-tipping.yaml: report-fly-tipping: new service, version 1, published" in out


def test_importing_a_folder_imports_each_file(council, tmp_path):
    write(tmp_path, "street.yaml", branching_definition())
    write(tmp_path, "other.json", definition_data(slug="other-thing"))
    (tmp_path / "README.md").write_text("not a definition")
    run("import_services", str(tmp_path), organisation="example")
    assert set(council.services.values_list("slug", flat=True)) == {
        "report-street-problem",
        "other-thing",
    }


def test_a_folder_with_one_bad_file_imports_nothing(council, tmp_path):
    write(tmp_path, "a-good.yaml", definition_data(slug="good-one"))
    write(tmp_path, "report-pothole.yaml", bad_pothole())
    write(tmp_path, "z-good.json", definition_data(slug="good-two"))
    with pytest.raises(CommandError) as caught:
        run("import_services", str(tmp_path), organisation="example")
    assert "report-pothole.yaml: pages[2].questions[0].type: unknown type 'dat'" in str(
        caught.value
    )
    assert "Nothing was imported" in str(caught.value)
    assert not Service.objects.exists()
    assert not ServiceVersion.objects.exists()


def test_every_problem_in_every_file_is_named(council, tmp_path):
    write(tmp_path, "report-pothole.yaml", bad_pothole())
    (tmp_path / "broken.yaml").write_text("slug: x\npages: [unclosed\n")
    (tmp_path / "list.json").write_text("[1, 2]")
    twice = FLY_TIPPING.read_text().replace("name: Report", "name: Report\nname: Report", 1)
    (tmp_path / "twice.yml").write_text(twice)
    with pytest.raises(CommandError) as caught:
        run("import_services", str(tmp_path), organisation="example")
    message = str(caught.value)
    assert "report-pothole.yaml: pages[2].questions[0].type: unknown type 'dat'" in message
    assert "broken.yaml: not valid YAML" in message and "(line 3, column 1)" in message
    assert "list.json: (definition): the file must hold one service definition" in message
    assert "twice.yml: not valid YAML: 'name' is written twice (line 4, column 1)" in message


def test_two_files_with_one_slug_are_refused(council, tmp_path):
    write(tmp_path, "a.yaml", definition_data())
    write(tmp_path, "b.json", definition_data(name="Another"))
    with pytest.raises(
        CommandError, match=r"b\.json: slug: 'test-service' is also the slug in a\.yaml"
    ):
        run("import_services", str(tmp_path), organisation="example")
    assert not Service.objects.exists()


def test_a_dry_run_says_what_would_happen_and_writes_nothing(council, fly_tipping, tmp_path):
    changed = load_definition_file(FLY_TIPPING)
    changed["summary"] = "A new summary."
    write(tmp_path, "fly.yaml", changed)
    write(tmp_path, "street.yaml", branching_definition())
    out = run("import_services", str(tmp_path), organisation="example", dry_run=True)
    assert "fly.yaml: report-fly-tipping: new version 2, published" in out
    assert "street.yaml: report-street-problem: new service, version 1, published" in out
    assert "Dry run: nothing was written." in out
    assert list(council.services.values_list("slug", flat=True)) == ["report-fly-tipping"]
    assert fly_tipping.versions.count() == 1


def test_a_draft_import_does_not_publish(council, fly_tipping, tmp_path):
    changed = load_definition_file(FLY_TIPPING)
    changed["name"] = "Report dumped rubbish"
    write(tmp_path, "fly.yaml", changed)
    write(tmp_path, "street.yaml", branching_definition())
    out = run("import_services", str(tmp_path), organisation="example", draft=True)
    assert "new version 2, as a draft" in out
    fly_tipping.refresh_from_db()
    assert fly_tipping.published_version.number == 1
    assert fly_tipping.name == "Report fly-tipping"
    assert fly_tipping.versions.get(number=2).status == ServiceVersion.Status.DRAFT
    street = council.services.get(slug="report-street-problem")
    assert street.published_version is None
    assert street.versions.get().status == ServiceVersion.Status.DRAFT


def test_publishing_an_unchanged_draft_reports_it(council, tmp_path):
    path = write(tmp_path, "street.yaml", branching_definition())
    run("import_services", str(path), organisation="example", draft=True)
    out = run("import_services", str(path), organisation="example")
    assert "unchanged (version 1, now published)" in out
    assert council.services.get().published_version.number == 1


def test_an_unknown_council_is_a_clear_error(council):
    with pytest.raises(
        CommandError, match="No council has the slug 'nowhere' \\(councils: example\\)"
    ):
        run("import_services", str(FLY_TIPPING), organisation="nowhere")


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("notes.txt", b"slug: x", "notes.txt: the file must be a YAML or JSON file"),
        ("big.yaml", b"#" * (1024 * 1024 + 1), "big.yaml: the file must be smaller than 1 MB"),
        (
            "latin.yaml",
            "name: caf\xe9".encode("latin-1"),
            "latin.yaml: the file must be text in UTF-8",
        ),
        ("nan.json", b'{"min": NaN}', "nan.json: not valid JSON: NaN is not a number"),
        ("deep.yaml", b"[" * 5_000, "deep.yaml: the definition is nested too deeply"),
    ],
)
def test_files_that_are_not_definitions_are_explained(council, tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        run("import_services", str(path), organisation="example")
    assert problem in str(caught.value)


def test_values_a_definition_cannot_store_are_named_by_path(council):
    text = FLY_TIPPING.read_text().replace("lgsl: 1022", "lgsl: 1022\nsla_days: .inf")
    text = text.replace("label: When did you see it?", "label: 2026-03-27")
    with pytest.raises(TransferError) as caught:
        definition_read(text.encode(), name="fly.yaml")
    assert caught.value.problems == [
        "sla_days: inf is not a number a definition can hold",
        "pages[3].questions[0].label: a date cannot be stored; put it in quotes",
    ]


def test_a_missing_path_or_empty_folder_is_an_error(council, tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run("import_services", str(tmp_path / "missing.yaml"), organisation="example")
    with pytest.raises(CommandError, match=r"no \.yaml, \.yml or \.json files"):
        run("import_services", str(tmp_path), organisation="example")


# ---- export ---------------------------------------------------------------------------


def test_export_writes_each_published_service_to_a_file(council, fly_tipping, tmp_path):
    service_import(organisation=council, definition=branching_definition(), publish=False)
    out = run("export_services", organisation="example", output=str(tmp_path / "out"))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report-fly-tipping.yaml"]
    assert "Exported 1 service(s)" in out
    written = (tmp_path / "out" / "report-fly-tipping.yaml").read_text()
    assert in_order(yaml.safe_load(written)) == in_order(load_definition_file(FLY_TIPPING))
    assert "description: |\n  Use this service" in written  # long text stays readable


def test_export_latest_includes_drafts_and_json(council, fly_tipping, tmp_path):
    service_import(organisation=council, definition=branching_definition(), publish=False)
    run("export_services", organisation="example", output=str(tmp_path), latest=True, format="json")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "report-fly-tipping.json",
        "report-street-problem.json",
    ]
    street = json.loads((tmp_path / "report-street-problem.json").read_text())
    assert in_order(street) == in_order(branching_definition())


def test_export_of_one_service_goes_to_standard_output(council, fly_tipping):
    out = run("export_services", organisation="example", service="report-fly-tipping")
    assert in_order(yaml.safe_load(out)) == in_order(load_definition_file(FLY_TIPPING))


def test_export_explains_what_it_cannot_do(council, fly_tipping, other_fly_tipping):
    service_import(organisation=council, definition=branching_definition(), publish=False)
    with pytest.raises(CommandError, match="Give --output DIR"):
        run("export_services", organisation="example")
    with pytest.raises(CommandError, match="has no service with the slug 'nope'"):
        run("export_services", organisation="example", service="nope")
    with pytest.raises(CommandError, match="no published version"):
        run("export_services", organisation="example", service="report-street-problem")


def test_an_export_imported_again_changes_nothing(council, fly_tipping, tmp_path):
    service_import(organisation=council, definition=branching_definition())
    run("export_services", organisation="example", output=str(tmp_path))
    out = run("import_services", str(tmp_path), organisation="example")
    assert out.count("unchanged (version 1)") == 2
    assert ServiceVersion.objects.filter(service__organisation=council).count() == 2


def test_a_yaml_alias_bomb_is_refused_quickly():
    # Ten references at each of nine levels: a billion values once expanded.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(TransferError) as caught:
        definition_read("\n".join([*lines, "slug: *a8"]).encode(), name="bomb.yaml")
    assert caught.value.problems == ["the definition is too large or nested too deeply"]
