"""Authors' patterns run on RE2: no pattern can make checking an answer slow,
a pattern RE2 cannot run is refused on import by its path, and the patterns
the standard catalogue uses accept exactly what they accepted under Python."""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall.catalogue.engine.definition import DefinitionError, Question, parse_definition
from townhall.catalogue.engine.patterns import pattern_matches, pattern_problem
from townhall.catalogue.engine.questions import check_answer
from townhall.catalogue.factories import definition_data, page_data, question_data
from townhall.catalogue.models import Service, ServiceVersion
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import standard_definitions

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The National Insurance pattern the catalogue had under Python's `re`: RE2
# cannot run its lookahead, so the catalogue now spells the prefixes out.
NI_BEFORE = (
    r"(?i)^\s*(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"\s*\d{2}\s*\d{2}\s*\d{2}\s*[A-D]\s*$"
)


def problems_of(data: object) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data)
    return caught.value.problems


def with_pattern(pattern: str, kind: str = "text") -> dict[str, Any]:
    return definition_data(
        page_data("one", question_data("name", "text", "Your name")),
        page_data("two", question_data("ref", kind, "Your reference", pattern=pattern)),
    )


# ---- no pattern can hang a worker ---------------------------------------------------


def test_a_pattern_that_backtracks_for_ever_under_python_gives_an_answer():
    # Under Python's re this takes about three times longer for each extra "a":
    # 0.65 s at 24 characters, years at 100.
    question = Question(id="ref", type="text", label="Reference", pattern="(a+)+b")
    assert check_answer(question, "a" * 500) == "The answer is not in the right format"
    assert pattern_matches("(a+)+b", "a" * 100_000) is False
    assert pattern_matches("(a+)+b", "a" * 100_000 + "b") is True


@pytest.mark.parametrize(
    "pattern", [r"(a|a)*b", r"(a*)*b", r"(\w+\s?)*$b", r"(x+x+)+y", r"^(([a-z])+.)+[A-Z]([a-z])+$"]
)
def test_other_patterns_known_to_backtrack_give_an_answer(pattern):
    assert pattern_problem(pattern) is None
    assert pattern_matches(pattern, "a" * 50_000 + "!") is False


# ---- what RE2 cannot run is refused on import, by its path ------------------------------


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(?=\d)\w+", "lookahead is not supported"),
        (r"(?!BG)[A-Z]{2}", "lookahead is not supported"),
        (r"\w+(?<=\d)", "lookbehind is not supported"),
        (r"\w+(?<!x)", "lookbehind is not supported"),
        (r"(\w)\1", "backreferences are not supported"),
        (r"(?P<a>\w)(?P=a)", "backreferences are not supported"),
        (r"(?>a+)b", "atomic groups and possessive repeats are not supported"),
        (r"a++b", "atomic groups and possessive repeats are not supported"),
        (r"(a)?(?(1)b|c)", "conditional groups are not supported"),
        (r"\d+\Z", r"\Z is not supported: the whole answer must match the pattern anyway"),
        (r"\d{,3}", "{,n} is not supported: write {0,n}"),
        (r"[[:alpha:]]+", "classes such as [:alpha:] are not supported"),
        (r"[^\S\n]+", r"\S and \W are not supported inside [ ]"),
        (r"a{1001}", "the repeat {1001} is not allowed (at most 1000, nested repeats multiplied)"),
        (r"((a{100}){100}){100}", "the repeat {100} is not allowed (at most 1000, nested "
         "repeats multiplied)"),
        (r"[a-z", "missing ]: [a-z"),
        (r"(\d", "missing )"),
    ],
)  # fmt: skip
def test_a_pattern_re2_cannot_run_is_refused_naming_its_path(pattern, reason):
    assert problems_of(with_pattern(pattern)) == [
        f"pages[1].questions[0].pattern: this pattern cannot be used ({reason})"
    ]


def test_a_pattern_is_checked_in_every_type_that_takes_one_and_in_groups():
    group = question_data(
        "people", "group", "People", item_title="Person", item_label="person",
        questions=[question_data("age", "number", "Age"), question_data("nino", "name", "NI",
                                                                       pattern="(?=x)x")],
    )  # fmt: skip
    data = definition_data(
        page_data("one", question_data("a", "textarea", "A", pattern="(a)\\1")),
        page_data("two", question_data("b", "location", "B", pattern="a(?<=a)"), group),
    )
    assert problems_of(data) == [
        "pages[0].questions[0].pattern: this pattern cannot be used "
        "(backreferences are not supported)",
        "pages[1].questions[0].pattern: this pattern cannot be used (lookbehind is not supported)",
        "pages[1].questions[1].questions[1].pattern: this pattern cannot be used "
        "(lookahead is not supported)",
    ]


@pytest.mark.django_db
def test_importing_a_definition_with_such_a_pattern_writes_nothing(council):
    with pytest.raises(DefinitionError) as caught:
        service_import(organisation=council, definition=with_pattern("(?!ZZ)[A-Z]{2}"))
    assert caught.value.problems == [
        "pages[1].questions[0].pattern: this pattern cannot be used (lookahead is not supported)"
    ]
    assert not Service.objects.exists()
    assert not ServiceVersion.objects.exists()


def test_a_stored_pattern_re2_cannot_run_leaves_the_answer_unchecked(caplog):
    # Only a definition stored before such patterns were refused can have one:
    # residents are not refused whatever they type, and no answer is logged.
    question = Question(id="ref", type="text", label="Reference", pattern="(?!x)secret")
    assert check_answer(question, "my answer") is None
    assert "'ref' has a pattern that cannot be used" in caplog.text
    assert "my answer" not in caplog.text


@pytest.mark.parametrize(
    "pattern",
    [
        r"[{,3}]", r"\{,3}", r"a{0,3}", r"a{2,}", r"[]a]+", r"[^]a]+", r"(?P<year>\d{4})",
        r"(?i)[a-z]+(?-i:X)", r"\p{Lu}\d", r"[\d\s\w-]+", r"\D\S\W", r"x*?y",
    ],
)  # fmt: skip
def test_patterns_re2_can_run_are_accepted(pattern):
    assert pattern_problem(pattern) is None
    parse_definition(with_pattern(pattern))


# ---- the same answers match as under Python -----------------------------------------------


# Text as residents type it: any character Python's Unicode tables know, in the
# basic plane (RE2's tables may be of a newer Unicode), except the Turkish
# dotted and dotless i: Python's case-insensitive matching counts them as "i",
# RE2's does not (a difference docs/service-definitions.md gives).
TYPED = st.characters(
    max_codepoint=0xFFFF, exclude_categories=("Cs", "Cn"), exclude_characters="\u0130\u0131"
)
# Near misses for any reference-like pattern: letters, numbers and separators.
REFERENCE_LIKE = st.from_regex(
    r"\s?[A-Za-z]{0,4}\s?[/-]?\s?([0-9]\s?){0,16}[A-Za-z]{0,2}\s?", fullmatch=True
)


@cache
def answers_to(pattern: str) -> st.SearchStrategy[str]:
    """Answers to try: any text, near misses, and matches with their case
    changed or their first character dropped."""
    matching = st.from_regex(pattern, fullmatch=True)
    return (
        st.text(TYPED, max_size=24)
        | REFERENCE_LIKE
        | matching
        | matching.map(str.swapcase)
        | matching.map(lambda text: text[1:])
    )


def catalogue_patterns() -> Iterator[tuple[str, str]]:
    """Each distinct pattern the standard catalogue uses, with where it is first."""
    seen: set[str] = set()

    def walk(questions: list[Mapping[str, Any]], where: str) -> Iterator[tuple[str, str]]:
        for question in questions:
            if "pattern" in question and question["pattern"] not in seen:
                seen.add(question["pattern"])
                yield f"{where}:{question['id']}", question["pattern"]
            yield from walk(question.get("questions", []), where)

    for path, data in standard_definitions():
        for page in data["pages"]:
            yield from walk(page.get("questions", []), path.stem)


CATALOGUE_PATTERNS = list(catalogue_patterns())


def python_pattern(pattern: str) -> str:
    """The pattern as Python's `re` ran it before RE2."""
    if "([ACEHJLMOPRSW-Y]" in pattern:  # the National Insurance number
        return NI_BEFORE
    return pattern


def test_the_catalogue_has_patterns_to_compare():
    assert len(CATALOGUE_PATTERNS) >= 4
    assert any(python_pattern(p) == NI_BEFORE for _where, p in CATALOGUE_PATTERNS)


@pytest.mark.parametrize(
    ("where", "pattern"), CATALOGUE_PATTERNS, ids=[w for w, _ in CATALOGUE_PATTERNS]
)
@PROPERTY
@given(data=st.data())
def test_the_catalogues_patterns_accept_what_they_did_under_python(where, pattern, data):
    before = python_pattern(pattern)
    text = data.draw(answers_to(pattern))
    assert pattern_matches(pattern, text) is (re.fullmatch(before, text) is not None)


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\d+", "\u0661\u0662"),  # Arabic-Indic digits are digits to Python
        (r"\d+", "\uff11\uff12"),  # so are full-width ones
        (r"a\sb", "a\u00a0b"),  # a no-break space, as pasted from a document
        (r"a\sb", "a\u2003b"),
        (r"\w+", "Siân"),
        (r"[\w\s]+", "Siân Ó\u00a0Briain"),
        (r"\S+", "Siân"),
        (r"(?i)s", "\u017f"),  # the long s is an s without case
        (r"\D", "\u0661"),
        (r"\W", "\u00a0"),
        (r"\d{2}", "12"),
    ],
)
def test_classes_match_what_they_match_in_python(pattern, text):
    assert pattern_matches(pattern, text) is (re.fullmatch(pattern, text) is not None)


def test_an_answer_that_is_not_text_matches_nothing():
    assert pattern_matches(r".*", "a\ud800b") is False


def test_a_pattern_that_is_not_text_cannot_be_used():
    assert pattern_problem("a\ud800") == "the pattern contains a character that is not text"


# ---- the National Insurance number follows HMRC's rules --------------------------------


def is_national_insurance_number(text: str) -> bool:
    """HMRC's rules, written without a regular expression: two letters, neither
    D, F, I, Q, U or V, the second not O, the pair none of BG, GB, KN, NK, NT,
    TN or ZZ; six digits; A, B, C or D. In any case, with spaces around the
    letters and between pairs of digits (AB 12 34 56 C)."""
    compact = ""
    for char in text:
        if not char.isspace():
            compact += char
        elif len(compact) not in {0, 2, 4, 6, 8, 9}:
            return False
    compact = compact.upper()
    if len(compact) != 9 or not compact.isascii():
        return False
    prefix, digits, suffix = compact[:2], compact[2:8], compact[8]
    return (
        prefix.isalpha()
        and prefix[0] not in "DFIQUV"
        and prefix[1] not in "DFIQUVO"
        and prefix not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
        and digits.isdigit()
        and suffix in "ABCD"
    )


NI_LIKE = st.builds(
    lambda letters, digits, suffix, gaps: "".join(
        part + gap for part, gap in zip([*letters, *digits, suffix], gaps, strict=False)
    ),
    st.lists(st.sampled_from(string.ascii_letters), min_size=2, max_size=2),
    st.lists(st.sampled_from(string.digits), min_size=5, max_size=7),
    st.sampled_from(string.ascii_letters),
    st.lists(st.sampled_from(["", "", " ", "  "]), min_size=11, max_size=11),
)


def national_insurance_questions() -> list[tuple[str, Question]]:
    found = []
    for path, data in standard_definitions():
        for _page, question in parse_definition(data).questions():
            if question.pattern and "([ACEHJLMOPRSW-Y]" in question.pattern:
                found.append((f"{path.stem}:{question.id}", question))
    return found


NI_QUESTIONS = national_insurance_questions()


def test_every_national_insurance_question_is_found():
    assert {where for where, _q in NI_QUESTIONS} == {
        "apply-for-a-blue-badge:ni_number",
        "apply-for-council-tax-reduction:ni_number",
        "apply-for-council-tax-reduction:partner_ni_number",
    }


@pytest.mark.parametrize(("where", "question"), NI_QUESTIONS, ids=[w for w, _ in NI_QUESTIONS])
@PROPERTY
@given(text=NI_LIKE)
def test_national_insurance_numbers_are_checked_by_hmrcs_rules(where, question, text):
    assert (check_answer(question, text) is None) is is_national_insurance_number(text)


def test_every_prefix_is_checked_by_hmrcs_rules():
    for where, question in NI_QUESTIONS:
        for first, second in itertools.product(string.ascii_uppercase, repeat=2):
            number = f"{first}{second} 12 34 56 C"
            accepted = check_answer(question, number) is None
            assert accepted is is_national_insurance_number(number), (where, number)
