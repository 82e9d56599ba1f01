"""Demand avoidance in the domain: open cases near a place (public services
only, within the service's radius and window), joining one ("me too")
without a new case, every reporter of merged duplicates hearing of updates,
and "is it really fixed?" answered once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from townhall.cases.casework import case_merge
from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.fix_checks import (
    FixCheckClosed,
    fix_check_answer,
    fix_check_current,
    fix_check_from_token,
    fix_check_token,
)
from townhall.cases.models import Case, CaseEvent, CaseSupporter, Contact, FixCheck
from townhall.cases.nearby import nearby_cases
from townhall.cases.services import case_transition
from townhall.cases.supporters import SupportRefused, case_support
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file

LON, LAT = -1.2573, 51.7522
# About 55 m north, and about 550 m north.
NEAR = (LON, LAT + 0.0005)
FAR = (LON, LAT + 0.005)


def at(lon: float, lat: float) -> dict[str, object]:
    return {
        **FLY_TIPPING_ANSWERS,
        "location": {
            "text": "Castle Street",
            "found_by": "postcode",
            "postcode": "OX1 1AA",
            "point": {"lon": lon, "lat": lat},
            "areas": [],
        },
    }


def reported(service, point=(LON, LAT), email="first@example.com"):
    return submitted_case(service, {**at(*point), "email": email})


def nearby(service, point=(LON, LAT)):
    definition = service.published_version.parsed
    return nearby_cases(service=service, definition=definition, lon=point[0], lat=point[1])


def test_a_case_keeps_its_point_in_columns(fly_tipping):
    case = reported(fly_tipping)
    case.refresh_from_db()
    assert (case.lon, case.lat) == (LON, LAT)
    plain = submitted_case(fly_tipping)  # a described place has no point
    assert plain.lat is None and plain.lon is None


def test_nearby_finds_open_cases_within_the_radius_nearest_first(fly_tipping):
    near = reported(fly_tipping, NEAR)
    here = reported(fly_tipping)
    reported(fly_tipping, FAR)  # beyond the default 100 m
    closed = reported(fly_tipping)
    Case.objects.filter(pk=closed.pk).update(is_open=False)
    old = reported(fly_tipping)
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    found = nearby(fly_tipping)
    assert [n.reference for n in found] == [here.reference, near.reference]
    assert found[0].distance_metres == 0 and 50 < found[1].distance_metres < 60
    assert found[0].status == "Received"
    assert found[0].summary == "Furniture or white goods"  # an option, never typed words


def test_nearby_shows_nothing_personal(fly_tipping):
    reported(fly_tipping)
    text = repr(nearby(fly_tipping))
    for secret in ("first@example.com", "Castle Street", str(LAT), str(LON)):
        assert secret not in text


def test_a_private_service_never_offers_nearby_cases(council):
    asb = service_import(
        organisation=council,
        definition=load_definition_file(STANDARD_DIR / "report-anti-social-behaviour.yaml"),
    ).service
    definition = asb.published_version.parsed
    assert not definition.public_on_map
    private = reported(
        service_import(
            organisation=council,
            definition=load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml"),
        ).service
    )
    Case.objects.filter(pk=private.pk).update(service=asb, service_version=asb.published_version)
    assert nearby_cases(service=asb, definition=definition, lon=LON, lat=LAT) == []


def test_nearby_costs_three_queries_at_most(fly_tipping, django_assert_max_num_queries):
    for _ in range(5):
        reported(fly_tipping)
    with django_assert_max_num_queries(3):
        assert len(nearby(fly_tipping)) == 5


def test_me_too_adds_a_supporter_and_counts_avoided_demand(
    fly_tipping, django_capture_on_commit_callbacks
):
    case = reported(fly_tipping)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _supporter, new = case_support(case=case, email="second@example.com")
    assert new
    assert Case.objects.count() == 1  # no new case
    contact = Contact.objects.get(reason=Contact.Reason.ME_TOO)
    assert contact.case == case and contact.outcome == Contact.Outcome.CASE_UPDATED
    assert [m.to for m in mail.outbox] == [["second@example.com"]]
    assert "added yourself to report" in mail.outbox[0].subject
    assert "first@example.com" not in mail.outbox[0].body
    # Twice is once: no second contact, no second email.
    with django_capture_on_commit_callbacks(execute=True):
        _same, new = case_support(case=case, email="SECOND@example.com")
    assert not new
    assert CaseSupporter.objects.count() == 1
    assert Contact.objects.filter(reason=Contact.Reason.ME_TOO).count() == 1


def test_supporters_hear_of_updates(fly_tipping, staff_user, django_capture_on_commit_callbacks):
    case = reported(fly_tipping)
    with django_capture_on_commit_callbacks(execute=True):
        case_support(case=case, email="second@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, to_status="inspecting", actor=staff_user)
    assert sorted(m.to[0] for m in mail.outbox) == ["first@example.com", "second@example.com"]
    theirs = next(m for m in mail.outbox if m.to == ["second@example.com"])
    assert "Being looked into" in theirs.body
    assert "/updates/stop-report/" in theirs.body  # their own stop link
    assert theirs.extra_headers["List-Unsubscribe"].startswith("<http")


def test_a_closed_or_private_case_takes_no_supporters(fly_tipping, council):
    case = reported(fly_tipping)
    Case.objects.filter(pk=case.pk).update(is_open=False)
    with pytest.raises(SupportRefused):
        case_support(case=case, email="second@example.com")
    asb = service_import(
        organisation=council,
        definition=load_definition_file(STANDARD_DIR / "report-anti-social-behaviour.yaml"),
    ).service
    private = reported(fly_tipping)
    Case.objects.filter(pk=private.pk).update(service=asb, service_version=asb.published_version)
    with pytest.raises(SupportRefused):
        case_support(case=private, email="second@example.com")


def test_merging_links_both_and_every_reporter_hears_later_updates(
    fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    main = reported(fly_tipping, email="first@example.com")
    duplicate = reported(fly_tipping, email="dup@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        case_support(case=duplicate, email="fan@example.com")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case_merge(case=duplicate, into=main, actor=staff_user)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == main and not duplicate.is_open  # handled once
    assert main.events.filter(kind=CaseEvent.Kind.MERGED).exists()
    assert duplicate.events.filter(kind=CaseEvent.Kind.MERGED).exists()
    assert [m.to for m in mail.outbox] == [["dup@example.com"]]
    assert main.reference in mail.outbox[0].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=main, to_status="cleared", actor=staff_user)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "dup@example.com",
        "fan@example.com",
        "first@example.com",
    ]
    dup_mail = next(m for m in mail.outbox if m.to == ["dup@example.com"])
    assert duplicate.reference in dup_mail.body and main.reference in dup_mail.body


def test_a_duplicate_merged_twice_still_hears(
    fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    first = reported(fly_tipping, email="a@example.com")
    second = reported(fly_tipping, email="b@example.com")
    third = reported(fly_tipping, email="c@example.com")
    case_merge(case=first, into=second, actor=staff_user)
    case_merge(case=second, into=third, actor=staff_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=third, to_status="inspecting", actor=staff_user)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a@example.com",
        "b@example.com",
        "c@example.com",
    ]


def close_as_fixed(case, staff_user, capture):
    with capture(execute=True):
        case_transition(case=case, to_status="cleared", actor=staff_user)
    return FixCheck.objects.get(case=case)


def test_closing_as_fixed_asks_once_and_no_reopens(
    fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    case = reported(fly_tipping)
    mail.outbox.clear()
    check = close_as_fixed(case, staff_user, django_capture_on_commit_callbacks)
    closing = next(m for m in mail.outbox if m.to == ["first@example.com"])
    assert f"/fixed/{fix_check_token(check)}/" in closing.body
    case.refresh_from_db()
    assert fix_check_current(case) == check  # the tracking page offers the same
    fix_check_answer(check=check, fixed=False)
    case.refresh_from_db()
    assert case.is_open and case.status == "received"
    assert case.events.filter(kind=CaseEvent.Kind.REOPENED).exists()
    with pytest.raises(FixCheckClosed):
        fix_check_answer(check=check, fixed=True)  # one use


def test_yes_leaves_it_closed(fly_tipping, staff_user, django_capture_on_commit_callbacks):
    case = reported(fly_tipping)
    check = close_as_fixed(case, staff_user, django_capture_on_commit_callbacks)
    fix_check_answer(check=check, fixed=True)
    case.refresh_from_db()
    assert not case.is_open
    assert fix_check_current(case) is None  # answered: not asked again


def test_a_follow_up_service_opens_a_new_case(
    council, staff_user, django_capture_on_commit_callbacks
):
    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    definition["not_fixed"] = "follow_up"
    service = service_import(organisation=council, definition=definition).service
    case = reported(service)
    check = close_as_fixed(case, staff_user, django_capture_on_commit_callbacks)
    check = fix_check_answer(check=check, fixed=False)
    case.refresh_from_db()
    assert not case.is_open
    assert check.follow_up is not None and check.follow_up.is_open
    assert check.follow_up.reference != case.reference
    assert check.follow_up.answers["location"] == case.answers["location"]


def test_a_closing_that_is_not_fixed_asks_nothing(
    fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    case = reported(fly_tipping)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(case=case, to_status="not_found", actor=staff_user)
    case.refresh_from_db()
    assert not FixCheck.objects.exists()
    assert fix_check_current(case) is None


def test_fix_links_cannot_be_guessed_or_altered(
    fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    case = reported(fly_tipping)
    check = close_as_fixed(case, staff_user, django_capture_on_commit_callbacks)
    token = fix_check_token(check)
    assert fix_check_from_token(token) == check
    assert case.reference not in token
    assert fix_check_from_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert fix_check_from_token(f"{check.pk}.guess") is None


def test_redaction_removes_supporters(fly_tipping):
    from townhall.cases.retention import case_redact

    case = reported(fly_tipping)
    case_support(case=case, email="second@example.com")
    case_redact(case=case)
    assert not CaseSupporter.objects.exists()
