"""The standard catalogue: every shipped definition parses, follows the catalogue's
conventions, uses the engine's features between them, and routes residents the
way its wording promises."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from townhall.catalogue.engine.conditions import condition_holds
from townhall.catalogue.engine.definition import ServiceDefinition, parse_definition
from townhall.catalogue.engine.flow import (
    case_summary_line,
    first_incomplete_page,
    relevant_answers,
    route,
    validate_answers,
    visible_questions,
)
from townhall.catalogue.engine.questions import check_answer
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.core import calendar

# Each service the catalogue promises, with its Local Government Services List code.
LGSL = {
    "report-fly-tipping": 1022,
    "report-anti-social-behaviour": 1484,
    "report-a-missed-bin-collection": 524,
    "order-a-new-or-replacement-bin": 526,
    "book-a-bulky-waste-collection": 528,
    "report-a-pothole": 557,
    "report-a-street-light-fault": 564,
    "report-graffiti": 584,
    "report-a-dead-animal": 576,
    "renew-library-books": 440,
    "book-a-leisure-activity": 451,
    "apply-for-a-blue-badge": 279,
    "apply-for-council-tax-reduction": 63,
    "ask-about-registering-to-vote": 364,
    "make-a-freedom-of-information-request": 722,
    "make-a-complaint": 353,
    "make-a-general-enquiry": 1536,
}
TEAMS = {
    "waste-services",
    "street-scene",
    "highways",
    "community-safety",
    "revenues-benefits",
    "libraries",
    "leisure",
    "electoral-services",
    "information-governance",
    "customer-services",
    "blue-badges",
    "complaints",
}
# Reports about a place: each must ask where.
PLACE_BASED = {
    "report-fly-tipping",
    "report-anti-social-behaviour",
    "report-a-missed-bin-collection",
    "report-a-pothole",
    "report-a-street-light-fault",
    "report-graffiti",
    "report-a-dead-animal",
}
# Street issues: the only cases that may be shown on a public map.
STREET_ISSUES = {
    "report-fly-tipping",
    "report-a-pothole",
    "report-a-street-light-fault",
    "report-graffiti",
    "report-a-dead-animal",
}
LONG_APPLICATIONS = {"apply-for-a-blue-badge", "apply-for-council-tax-reduction"}
DECLARED = LONG_APPLICATIONS | {"make-a-freedom-of-information-request"}
PLACE_TYPES = {"location", "address", "postcode"}

PATHS = sorted(STANDARD_DIR.glob("*.yaml"))


@cache
def definition(slug: str) -> ServiceDefinition:
    return parse_definition(load_definition_file(STANDARD_DIR / f"{slug}.yaml"))


def catalogue() -> list[ServiceDefinition]:
    return [definition(path.stem) for path in PATHS]


def ids(pages) -> list[str]:
    return [page.id for page in pages]


def all_questions(service: ServiceDefinition) -> Iterator[Any]:
    """Every question, including those asked about each item of a group."""
    for _page, question in service.questions():
        yield question
        yield from question.questions


def conditions(service: ServiceDefinition) -> Iterator[Mapping[str, Any]]:
    """Every condition in a definition, nested ones included."""

    def walk(condition: Mapping[str, Any] | None) -> Iterator[Mapping[str, Any]]:
        if condition is None:
            return
        yield condition
        for key in ("all", "any"):
            for part in condition.get(key, []):
                yield from walk(part)
        yield from walk(condition.get("not"))

    for page in service.pages:
        yield from walk(page.when)
        for rule in page.goto:
            yield from walk(rule.when)
        for question in page.questions:
            yield from walk(question.when)
    for routing_rule in service.routing.rules:
        yield from walk(routing_rule.when)


def asked(service: ServiceDefinition, page_id: str, answers: Mapping[str, Any]) -> list[str]:
    """The questions a resident with these answers is asked on a page (answers left
    behind by a changed earlier choice count for nothing, as in a saved draft)."""
    page = service.page(page_id)
    assert page is not None
    return [q.id for q in visible_questions(page, relevant_answers(service, answers))]


def team_for(service: ServiceDefinition, answers: Mapping[str, Any]) -> str | None:
    """The team a case with these answers goes to, as cases.routing chooses it."""
    kept = relevant_answers(service, answers)
    matched = (rule.team for rule in service.routing.rules if condition_holds(rule.when, kept))
    return next(matched, service.routing.team)


# ---- sample answers: a complete, valid set for every service ---------------------------


def days_from_today(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def working_days_from_today(days: int) -> str:
    """A working day (no weekend, no bank holiday) `days` working days from today."""
    return calendar.working_days_add(timezone.localdate(), days).isoformat()


EMAIL = "ada@example.com"
ADDRESS = {"line1": "12 Castle Street", "line2": "", "town": "Exampleton", "postcode": "OX1 1AA"}
PHOTO = [{"id": "f1", "name": "photo.jpg", "size": 120_000, "type": "image/jpeg"}]
LETTER = [{"id": "f2", "name": "letter.pdf", "size": 250_000, "type": "application/pdf"}]


def sample_answers() -> dict[str, dict[str, Any]]:
    return {
        "report-fly-tipping": {
            "waste_type": "furniture",
            "size": "small_van",
            "location": "Behind the shops on Castle Street, OX1 1AA",
            "seen_on": days_from_today(-1),
            "description": "",
            "photos": PHOTO,
            "email": EMAIL,
        },
        "report-anti-social-behaviour": {
            "behaviour": ["rowdy", "street_drinking"],
            "location": "The bus shelter outside 4 Market Square",
            "postcode": "OX1 1AA",
            "frequency": "weekly",
            "last_happened": days_from_today(-2),
            "time_of_day": ["evening", "night"],
            "description": "A group gathers most evenings, shouting and throwing bottles.",
            "people_known": False,
            "affected": "me",
            "feels_unsafe": True,
            "give_details": True,
            "name": "Ada Lovelace",
            "email": EMAIL,
            "phone": "07700900982",
            "safe_to_call": "Weekdays after 6pm",
        },
        "report-a-missed-bin-collection": {
            "address": ADDRESS,
            "bins": ["rubbish", "food"],
            "collection_date": days_from_today(-1),
            "bin_out_by_7am": True,
            "assisted_collection": False,
            "details": "",
            "email": EMAIL,
        },
        "order-a-new-or-replacement-bin": {
            "bin_type": "rubbish",
            "reason": "larger",
            "household_size": 7,
            "address": ADDRESS,
            "email": EMAIL,
        },
        "book-a-bulky-waste-collection": {
            "business_waste": False,
            "items": ["sofa", "other"],
            "other_items": "An exercise bike",
            "item_count": 3,
            "address": ADDRESS,
            "collection_point": "On the driveway at the front of the house",
            "preferred_date": working_days_from_today(10),
            "second_date": working_days_from_today(12),
            "name": "Ada Lovelace",
            "email": EMAIL,
            "phone": "07700900982",
        },
        "report-a-pothole": {
            "road_type": "road",
            "location": "Outside 14 Mill Lane, on the left going towards the church",
            "size": "large",
            "depth_cm": 8,
            "photos": PHOTO,
            "email": EMAIL,
        },
        "report-a-street-light-fault": {
            "location": "Outside 3 Church Road",
            "number_known": True,
            "light_number": "sl 12a",
            "fault": "not_working",
            "how_many": "one",
            "photos": "",
            "email": EMAIL,
        },
        "report-graffiti": {
            "location": "The side wall of 22 High Street",
            "surface": "private",
            "is_owner": True,
            "permission": True,
            "offensive": True,
            "photos": PHOTO,
            "email": EMAIL,
        },
        "report-a-dead-animal": {
            "alive": False,
            "place": "road",
            "animal": "cat",
            "pet_description": "Black and white, with a red collar",
            "location": "Station Road, near the bus stop",
            "email": EMAIL,
        },
        "renew-library-books": {
            "card_number": "2001 2345 6789 01",
            "name": "Ada Lovelace",
            "which_items": "some",
            "items": "The Hobbit\nA Brief History of Time",
            "email": EMAIL,
        },
        "book-a-leisure-activity": {
            "activity": "swimming_lessons",
            "participant_dob": "2018-05-04",
            "preferred_date": days_from_today(7),
            "time_of_day": "afternoon",
            "access_needs": "",
            "name": "Ada Lovelace",
            "email": EMAIL,
            "phone": "01632960001",
        },
        "apply-for-a-blue-badge": {
            "lives_in_area": True,
            "applying_for": "someone_else",
            "applicant_name": "Grace Hopper",
            "applicant_dob": "1940-12-09",
            "ni_number": "ab 12 34 56 c",
            "applicant_address": ADDRESS,
            "your_name": "Ada Lovelace",
            "relationship": "relative",
            "email": EMAIL,
            "phone": "07700900982",
            "benefits": ["none"],
            "condition": "Severe arthritis in both knees and hips.",
            "walking_distance": "under_20m",
            "difficulties": ["walking_aid", "falls", "pain"],
            "medical_evidence": LETTER,
            "photo": PHOTO,
            "has_badge": True,
            "badge_number": "AB12 C3456 7890",
            "consent_checks": True,
        },
        "apply-for-council-tax-reduction": {
            "liable": True,
            "full_name": "Ada Lovelace",
            "date_of_birth": "1980-03-27",
            "ni_number": "AB123456C",
            "email": EMAIL,
            "phone": "07700900982",
            "address": ADDRESS,
            "moved_in": "2021-09-01",
            "start_date": days_from_today(0),
            "has_partner": True,
            "partner_name": "Charles Babbage",
            "partner_dob": "1979-12-26",
            "partner_ni_number": "",
            "others_live_with_you": True,
            "household_members": household(2),
            "benefits": ["universal_credit"],
            "working": True,
            "monthly_earnings": 125050,
            "other_income": "",
            "savings": 750000,
            "income_evidence": LETTER,
            "savings_evidence": LETTER,
            "anything_else": "",
        },
        "ask-about-registering-to-vote": {
            "topic": "form_or_letter",
            "name": "Ada Lovelace",
            "address": ADDRESS,
            "letter_reference": "HEF 1234 5678",
            "question": "I have had a letter asking who lives here. Do I need to reply?",
            "email": EMAIL,
            "phone": "",
        },
        "make-a-freedom-of-information-request": {
            "about_yourself": False,
            "title": "Pothole repairs in 2025",
            "request": "How many potholes did you repair in 2025, and how much did it cost?",
            "format": "post",
            "postal_address": ADDRESS,
            "name": "Ada Lovelace",
            "email": EMAIL,
        },
        "make-a-complaint": {
            "about": "bins",
            "reported_before": True,
            "previous_reference": "EXA-2026-48210937",
            "what_happened": "My bin has been missed 4 weeks in a row.",
            "when_happened": days_from_today(-20),
            "put_right": "Empty my bin on the right day.",
            "documents": "",
            "on_behalf": True,
            "other_person_name": "Grace Hopper",
            "other_person_consent": True,
            "adjustments": "",
            "name": "Ada Lovelace",
            "email": EMAIL,
            "phone": "01632960001",
        },
        "make-a-general-enquiry": {
            "topic": "council_tax",
            "account_number": "12345678",
            "enquiry": "When will my new bill arrive?",
            "name": "Ada Lovelace",
            "email": EMAIL,
            "phone": "",
        },
    }


def household(count: int) -> list[dict[str, Any]]:
    return [
        {
            "member_name": f"Member {n + 1}",
            "member_dob": "2010-01-01",
            "relationship": "child",
            "member_weekly_income": 0,
        }
        for n in range(count)
    ]


def answers_for(slug: str, **changes: Any) -> dict[str, Any]:
    return {**sample_answers()[slug], **changes}


# ---- every file --------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.name)
def test_every_file_parses_and_is_named_after_its_slug(path: Path):
    service = parse_definition(load_definition_file(path))
    assert service.slug == path.stem


def test_the_catalogue_has_at_least_17_services():
    assert len(PATHS) >= 17


@pytest.mark.parametrize(("slug", "lgsl"), LGSL.items())
def test_each_listed_service_exists_with_its_lgsl_code(slug: str, lgsl: int):
    assert (STANDARD_DIR / f"{slug}.yaml").exists()
    assert definition(slug).lgsl == lgsl


def test_every_service_has_an_lgsl_code():
    assert all(isinstance(service.lgsl, int) for service in catalogue())


def test_every_service_is_for_anyone_and_says_what_happens_next():
    for service in catalogue():
        assert service.raw.get("audience") == "anyone", service.slug
        assert service.category != "Other services", service.slug
        assert "kind" in service.raw, service.slug
        assert service.retention_days, service.slug
        assert service.raw.get("confirmation", {}).get("title"), service.slug
        assert service.next_steps, service.slug
        assert service.workflow.submitted_message, service.slug
        assert "((reference))" in service.workflow.submitted_message.body, service.slug


def test_anti_social_behaviour_is_never_public():
    service = definition("report-anti-social-behaviour")
    assert service.raw["public_on_map"] is False  # said explicitly, not left to a default
    assert service.public_on_map is False


def test_only_street_issues_are_shown_on_the_public_map():
    assert {s.slug for s in catalogue() if s.public_on_map} == STREET_ISSUES


@pytest.mark.parametrize("slug", sorted(PLACE_BASED))
def test_each_place_based_report_needs_and_asks_for_a_location(slug: str):
    service = definition(slug)
    assert service.needs_location is True
    assert any(q.type in PLACE_TYPES for _page, q in service.questions())


def test_every_service_has_exactly_one_contact_email_question():
    for service in catalogue():
        contacts = [q for q in all_questions(service) if q.contact == "email"]
        assert len(contacts) == 1, service.slug
        assert contacts[0].type == "email", service.slug


def test_every_service_marks_exactly_one_answer_as_its_summary():
    for service in catalogue():
        assert len([q for q in all_questions(service) if q.summary]) == 1, service.slug


def test_every_case_is_routed_to_a_known_team():
    for service in catalogue():
        assert service.routing.team in TEAMS, service.slug
        assert {rule.team for rule in service.routing.rules} <= TEAMS, service.slug


def test_long_applications_can_be_saved_and_applications_are_declared():
    assert {s.slug for s in catalogue() if s.save_and_return} == LONG_APPLICATIONS
    for slug in DECLARED:
        assert definition(slug).declaration.strip(), slug


# ---- the engine's features, each used at least once ----------------------------------------


def test_every_question_type_is_used():
    used = {q.type for service in catalogue() for q in all_questions(service)}
    assert {
        "text", "textarea", "email", "phone", "postcode", "number", "date", "radios",
        "checkboxes", "select", "yes_no", "file", "location", "name", "address",
        "declaration", "group",
    } <= used  # fmt: skip


def test_every_kind_of_condition_is_used():
    used = {
        key
        for service in catalogue()
        for condition in conditions(service)
        for key in condition
        if key != "question"
    }
    assert {"all", "any", "not", "equals", "in", "answered", "contains", "greater_than"} <= used


def test_conditions_are_used_on_pages_and_on_questions():
    services = catalogue()
    assert any(page.when for s in services for page in s.pages if not page.is_exit)
    assert any(q.when for s in services for _page, q in s.questions())


def test_goto_exit_pages_and_routing_rules_are_used():
    services = catalogue()
    assert any(page.goto for s in services for page in s.pages)
    assert any(page.is_exit for s in services for page in s.pages)
    assert any(s.routing.rules for s in services)


def test_every_exit_page_has_a_heading_and_a_condition():
    for service in catalogue():
        for page in service.pages:
            if page.is_exit:
                assert page.title, f"{service.slug}: {page.id}"
                assert page.when, f"{service.slug}: {page.id}"  # else no one gets past it


def test_question_options_are_used():
    raw = [
        question
        for service in catalogue()
        for page in service.raw["pages"]
        for question in page.get("questions", [])
    ]
    files = [q for q in raw if q["type"] == "file"]
    assert any({"accept", "max_size_mb", "max_files"} <= set(q) for q in files)
    assert any({"min", "max"} <= set(q) for q in raw if q["type"] == "number")
    assert {q.get("date") for q in raw if q["type"] == "date"} >= {"past", "future"}
    assert any({"pattern", "pattern_message"} <= set(q) for q in raw)
    group = definition("apply-for-council-tax-reduction").question("household_members")
    assert (group.type, group.item_label, group.max_items) == ("group", "household member", 8)
    assert {m.id for m in group.questions} == {
        "member_name", "member_dob", "relationship", "member_weekly_income",
    }  # fmt: skip
    for slug in ("apply-for-council-tax-reduction", "apply-for-a-blue-badge"):
        assert any(q.type == "file" for _page, q in definition(slug).questions()), slug


def test_booking_services_ask_for_dates_in_the_future():
    for slug in ("book-a-bulky-waste-collection", "book-a-leisure-activity"):
        service = definition(slug)
        assert any(q.type == "date" and q.date == "future" for _p, q in service.questions())
        assert "confirm" in service.next_steps


# ---- a complete, valid set of answers for every service ------------------------------------


def test_there_are_sample_answers_for_every_service():
    assert set(sample_answers()) == {path.stem for path in PATHS}


@pytest.mark.parametrize("slug", sorted(LGSL))
def test_a_complete_set_of_answers_is_accepted(slug: str):
    service = definition(slug)
    answers = sample_answers()[slug]
    question_ids = {q.id for _page, q in service.questions()}
    assert set(answers) <= question_ids  # no misspelt sample answers
    assert validate_answers(service, answers) == {}
    assert first_incomplete_page(service, answers) is None
    assert not any(page.is_exit for page in route(service, answers))
    assert case_summary_line(service, answers)
    assert team_for(service, answers) in TEAMS


# ---- branching -------------------------------------------------------------------------------


def test_a_pothole_on_a_trunk_road_is_sent_to_national_highways():
    service = definition("report-a-pothole")
    answers = answers_for("report-a-pothole", road_type="trunk_road")
    assert ids(route(service, answers)) == ["road-type", "national-highways"]
    assert first_incomplete_page(service, answers).id == "national-highways"
    assert "national-highways" in validate_answers(service, answers)
    assert "0300 123 5000" in service.page("national-highways").exit_body


def test_blue_badge_for_someone_outside_the_area_ends_at_an_exit():
    service = definition("apply-for-a-blue-badge")
    answers = answers_for("apply-for-a-blue-badge", lives_in_area=False)
    assert ids(route(service, answers)) == ["area", "other-council"]
    assert "other-council" in validate_answers(service, answers)


def test_blue_badge_for_a_qualifying_benefit_skips_the_walking_questions():
    service = definition("apply-for-a-blue-badge")
    answers = answers_for(
        "apply-for-a-blue-badge", benefits=["dla_higher_mobility"], benefit_letter=LETTER
    )
    pages = ids(route(service, answers))
    assert "benefits" in pages
    assert "evidence" in pages
    assert not {"condition", "walking", "difficulties"} & set(pages)
    evidence = asked(service, "evidence", answers)
    assert evidence == ["benefit_letter"]
    assert validate_answers(service, answers) == {}


def test_blue_badge_without_a_qualifying_benefit_asks_about_walking():
    service = definition("apply-for-a-blue-badge")
    answers = sample_answers()["apply-for-a-blue-badge"]
    assert {"condition", "walking", "difficulties"} <= set(ids(route(service, answers)))
    evidence = asked(service, "evidence", answers)
    assert evidence == ["medical_evidence"]


def test_blue_badge_without_a_national_insurance_number_needs_proof_of_identity():
    service = definition("apply-for-a-blue-badge")
    answers = answers_for("apply-for-a-blue-badge", ni_number="")
    assert "proof_of_identity" in validate_answers(service, answers)
    answers["proof_of_identity"] = LETTER
    assert validate_answers(service, answers) == {}


def test_blue_badge_applying_for_yourself_skips_the_carers_details():
    service = definition("apply-for-a-blue-badge")
    answers = answers_for("apply-for-a-blue-badge", applying_for="myself")
    assert "about-you" not in ids(route(service, answers))
    assert "your_name" not in relevant_answers(service, answers)
    assert validate_answers(service, answers) == {}


@pytest.mark.parametrize(
    ("ni_number", "accepted"),
    [
        ("AB123456C", True),
        ("ab 12 34 56 c", True),
        (" AB 123456 D ", True),
        ("QQ123456C", False),  # the example number on GOV.UK, never issued
        ("BG123456A", False),
        ("AB123456E", False),
        ("AB12345C", False),
    ],
)
def test_national_insurance_numbers_are_accepted_as_residents_type_them(ni_number, accepted):
    question = definition("apply-for-council-tax-reduction").question("ni_number")
    assert (check_answer(question, ni_number) is None) is accepted


@pytest.mark.parametrize(
    ("card", "accepted"),
    [("20012345678901", True), ("2001 2345 6789 01", True), ("L1234567", True), ("abc", False)],
)
def test_library_card_numbers_are_checked(card, accepted):
    question = definition("renew-library-books").question("card_number")
    assert (check_answer(question, card) is None) is accepted


def test_library_renewal_does_not_ask_for_a_pin():
    service = definition("renew-library-books")
    assert not any("pin" in q.label.lower() for q in all_questions(service))
    answers = answers_for("renew-library-books", which_items="all")
    assert "items" not in ids(route(service, answers))


def test_council_tax_reduction_takes_two_household_members_but_not_nine():
    service = definition("apply-for-council-tax-reduction")
    group = service.question("household_members")
    assert check_answer(group, household(2)) is None
    assert check_answer(group, household(8)) is None
    assert check_answer(group, household(9)) == "You can add up to 8 household members"
    answers = answers_for("apply-for-council-tax-reduction", household_members=household(9))
    assert set(validate_answers(service, answers)) == {"household_members"}


def test_council_tax_reduction_asks_for_household_members_only_if_others_live_there():
    service = definition("apply-for-council-tax-reduction")
    answers = answers_for("apply-for-council-tax-reduction", others_live_with_you=False)
    assert "household" not in ids(route(service, answers))
    assert validate_answers(service, answers) == {}
    answers = answers_for(
        "apply-for-council-tax-reduction", others_live_with_you=True, household_members=[]
    )
    assert validate_answers(service, answers) == {
        "household_members": "Add at least 1 household member"
    }


def test_council_tax_reduction_with_guarantee_credit_skips_income_and_savings():
    service = definition("apply-for-council-tax-reduction")
    answers = answers_for("apply-for-council-tax-reduction", benefits=["pension_credit_guarantee"])
    pages = ids(route(service, answers))
    assert not {"work", "earnings", "other-income", "savings"} & set(pages)
    assert pages[pages.index("benefits") + 1] == "evidence"
    assert "savings_evidence" not in relevant_answers(service, answers)
    assert validate_answers(service, answers) == {}


def test_council_tax_reduction_asks_for_savings_statements_only_above_6000_pounds():
    service = definition("apply-for-council-tax-reduction")
    above = answers_for("apply-for-council-tax-reduction", savings=600001)
    assert "savings_evidence" in asked(service, "evidence", above)
    at_limit = answers_for("apply-for-council-tax-reduction", savings=600000)
    assert "savings_evidence" not in asked(service, "evidence", at_limit)
    assert validate_answers(service, at_limit) == {}


def test_council_tax_reduction_is_only_for_the_person_who_pays():
    service = definition("apply-for-council-tax-reduction")
    answers = answers_for("apply-for-council-tax-reduction", liable=False)
    assert ids(route(service, answers)) == ["liable", "not-liable"]


def test_registering_to_vote_is_sent_to_gov_uk():
    service = definition("ask-about-registering-to-vote")
    answers = answers_for("ask-about-registering-to-vote", topic="register")
    assert ids(route(service, answers)) == ["topic", "register-online"]
    assert "www.gov.uk/register-to-vote" in service.page("register-online").exit_body
    other = answers_for("ask-about-registering-to-vote", topic="check")
    assert "letter-reference" not in ids(route(service, other))
    assert validate_answers(service, other) == {}


def test_freedom_of_information_about_yourself_is_a_subject_access_request():
    service = definition("make-a-freedom-of-information-request")
    answers = answers_for("make-a-freedom-of-information-request", about_yourself=True)
    assert ids(route(service, answers)) == ["about-yourself", "subject-access"]


def test_freedom_of_information_asks_for_a_postal_address_only_for_post():
    service = definition("make-a-freedom-of-information-request")
    answers = answers_for("make-a-freedom-of-information-request", format="email")
    assert "postal-address" not in ids(route(service, answers))
    assert validate_answers(service, answers) == {}


@pytest.mark.parametrize(
    ("changes", "exit_page"),
    [({"alive": True}, "injured-animal"), ({"place": "private"}, "private-land")],
)
def test_dead_animal_reports_end_where_the_council_cannot_help(changes, exit_page):
    service = definition("report-a-dead-animal")
    answers = answers_for("report-a-dead-animal", **changes)
    assert route(service, answers)[-1].id == exit_page
    assert exit_page in validate_answers(service, answers)


def test_dead_animal_asks_for_a_description_only_for_pets():
    service = definition("report-a-dead-animal")
    answers = answers_for("report-a-dead-animal", animal="fox")
    assert "pet" not in ids(route(service, answers))
    assert validate_answers(service, answers) == {}


def test_a_street_light_without_a_known_number_skips_the_number_page():
    service = definition("report-a-street-light-fault")
    answers = answers_for("report-a-street-light-fault", number_known=False)
    pages = ids(route(service, answers))
    assert "number" not in pages
    assert pages[pages.index("number-known") + 1] == "fault"
    assert "light_number" not in relevant_answers(service, answers)
    assert validate_answers(service, answers) == {}


@pytest.mark.parametrize(
    ("number", "accepted"),
    [("12", True), ("SL12A", True), ("sl 12 a", True), ("E/123", True), ("by the school", False)],
)
def test_street_light_numbers_are_accepted_as_written_on_the_post(number, accepted):
    question = definition("report-a-street-light-fault").question("light_number")
    assert (check_answer(question, number) is None) is accepted


def test_a_bin_not_put_out_in_time_is_not_collected_again():
    service = definition("report-a-missed-bin-collection")
    answers = answers_for("report-a-missed-bin-collection", bin_out_by_7am=False)
    assert route(service, answers)[-1].id == "not-out"
    assert "not-out" in validate_answers(service, answers)


def test_a_garden_bin_needs_a_subscription():
    service = definition("order-a-new-or-replacement-bin")
    without = answers_for(
        "order-a-new-or-replacement-bin", bin_type="garden", garden_subscription=False
    )
    assert route(service, without)[-1].id == "no-subscription"
    with_one = answers_for(
        "order-a-new-or-replacement-bin", bin_type="garden", garden_subscription=True
    )
    assert "no-subscription" not in ids(route(service, with_one))
    assert validate_answers(service, with_one) == {}


def test_bulky_waste_from_a_business_is_refused():
    service = definition("book-a-bulky-waste-collection")
    answers = answers_for("book-a-bulky-waste-collection", business_waste=True)
    assert ids(route(service, answers)) == ["business", "business-waste"]


def test_bulky_waste_asks_about_other_items_only_when_chosen_and_limits_the_count():
    service = definition("book-a-bulky-waste-collection")
    answers = answers_for("book-a-bulky-waste-collection", items=["sofa"])
    assert "other-items" not in ids(route(service, answers))
    assert validate_answers(service, answers) == {}
    too_many = answers_for("book-a-bulky-waste-collection", item_count=11)
    assert "item_count" in validate_answers(service, too_many)
    in_the_past = answers_for("book-a-bulky-waste-collection", preferred_date=days_from_today(-1))
    assert "preferred_date" in validate_answers(service, in_the_past)


def test_leisure_bookings_ask_only_what_the_activity_needs():
    service = definition("book-a-leisure-activity")
    gym = answers_for("book-a-leisure-activity", activity="gym_induction")
    assert not {"participant-age", "people"} & set(ids(route(service, gym)))
    assert validate_answers(service, gym) == {}
    court = answers_for("book-a-leisure-activity", activity="court", people=4)
    assert "people" in ids(route(service, court))
    assert "participant-age" not in ids(route(service, court))
    assert validate_answers(service, court) == {}


def test_anti_social_behaviour_can_be_reported_anonymously():
    service = definition("report-anti-social-behaviour")
    answers = answers_for("report-anti-social-behaviour", give_details=False)
    assert "contact" not in ids(route(service, answers))
    assert "email" not in relevant_answers(service, answers)
    assert validate_answers(service, answers) == {}


def test_anti_social_behaviour_asks_for_a_phone_number_only_if_someone_feels_unsafe():
    service = definition("report-anti-social-behaviour")
    unsafe = sample_answers()["report-anti-social-behaviour"]
    assert "phone" in asked(service, "contact", unsafe)
    witness = answers_for("report-anti-social-behaviour", affected="witness")
    assert "unsafe" not in ids(route(service, witness))
    assert "phone" not in asked(service, "contact", witness)
    assert validate_answers(service, witness) == {}


def test_graffiti_on_private_property_asks_the_owner_for_permission():
    service = definition("report-graffiti")
    owner = sample_answers()["report-graffiti"]
    assert {"owner", "permission"} <= set(ids(route(service, owner)))
    not_owner = answers_for("report-graffiti", is_owner=False)
    assert "permission" not in ids(route(service, not_owner))
    public = answers_for("report-graffiti", surface="public_building")
    assert not {"owner", "permission"} & set(ids(route(service, public)))
    assert validate_answers(service, public) == {}


def test_graffiti_on_road_signs_goes_to_highways():
    service = definition("report-graffiti")
    assert team_for(service, answers_for("report-graffiti", surface="road_sign")) == "highways"
    assert team_for(service, sample_answers()["report-graffiti"]) == "street-scene"


def test_complaints_about_councillors_go_to_the_monitoring_officer():
    service = definition("make-a-complaint")
    answers = answers_for("make-a-complaint", about="councillor")
    assert ids(route(service, answers)) == ["about", "councillor"]
    assert "Monitoring Officer" in service.page("councillor").exit_body


def test_a_complaint_for_someone_else_needs_their_agreement():
    service = definition("make-a-complaint")
    answers = answers_for("make-a-complaint", other_person_consent="")
    assert set(validate_answers(service, answers)) == {"other_person_consent"}
    for_myself = answers_for("make-a-complaint", on_behalf=False, reported_before=False)
    assert "other-person" not in ids(route(service, for_myself))
    assert "previous_reference" not in relevant_answers(service, for_myself)
    assert validate_answers(service, for_myself) == {}


def test_complaints_about_personal_information_go_to_information_governance():
    service = definition("make-a-complaint")
    answers = answers_for("make-a-complaint", about="personal_information")
    assert team_for(service, answers) == "information-governance"
    assert team_for(service, sample_answers()["make-a-complaint"]) == "complaints"


@pytest.mark.parametrize(
    ("topic", "team"),
    [
        ("bins", "waste-services"),
        ("roads", "highways"),
        ("streets", "street-scene"),
        ("council_tax", "revenues-benefits"),
        ("benefits", "revenues-benefits"),
        ("libraries", "libraries"),
        ("leisure", "leisure"),
        ("elections", "electoral-services"),
        ("blue_badges", "blue-badges"),
        ("community_safety", "community-safety"),
        ("other", "customer-services"),
    ],
)
def test_general_enquiries_are_routed_by_topic(topic: str, team: str):
    service = definition("make-a-general-enquiry")
    answers = answers_for("make-a-general-enquiry", topic=topic)
    assert team_for(service, answers) == team
    assert validate_answers(service, answers) == {}
    asks_for_account = "account" in ids(route(service, answers))
    assert asks_for_account is (topic in {"council_tax", "benefits"})


def test_messages_use_only_the_placeholders_residents_can_be_sent():
    allowed = {"reference", "service_name", "council_name", "status", "public_message", "track_url"}
    for service in catalogue():
        workflow = service.workflow
        messages = [workflow.submitted_message, workflow.update_message]
        messages += [state.message for state in workflow.states]
        for message in filter(None, messages):
            used = set(re.findall(r"\(\(([^()]*)\)\)", message.subject + message.body))
            assert used <= allowed, service.slug
