"""Cases sent before the resident had an account, or recorded by staff on
their behalf, join the account once the email address is verified."""

from __future__ import annotations

import pytest
from django.urls import reverse

from townhall.accounts.models import User
from townhall.cases.models import Channel
from townhall.residents.identity import profile_for, resident_for_verified_email
from townhall.residents.linking import link_cases_for
from townhall.residents.tests.conftest import make_case, owned

pytestmark = pytest.mark.django_db


def test_verifying_an_email_links_earlier_cases_of_every_channel_and_council(
    fly_tipping, other_fly_tipping, staff_user
):
    web = make_case(fly_tipping, email="Ann@Example.org")
    by_phone = make_case(
        fly_tipping, email="ann@example.org", channel=Channel.PHONE, actor=staff_user
    )
    elsewhere = make_case(other_fly_tipping, email="ANN@EXAMPLE.ORG")
    someone_else = make_case(fly_tipping, email="anne@example.org")

    ann = resident_for_verified_email("ann@example.org")

    for case in (web, by_phone, elsewhere, someone_else):
        case.refresh_from_db()
    assert web.resident == by_phone.resident == elsewhere.resident == ann
    assert someone_else.resident is None


def test_an_unverified_email_links_nothing(fly_tipping):
    case = make_case(fly_tipping, email="ann@example.org")
    claimed = User.objects.create_user(email="ann@example.org", password="!")
    profile_for(claimed)

    assert link_cases_for(claimed) == 0
    case.refresh_from_db()
    assert case.resident is None


def test_a_case_another_account_holds_stays_theirs(fly_tipping, bob):
    case = owned(make_case(fly_tipping, email="ann@example.org"), bob)

    resident_for_verified_email("ann@example.org")

    case.refresh_from_db()
    assert case.resident == bob


def test_linking_again_links_cases_recorded_since(fly_tipping, ann, staff_user, client):
    later = make_case(fly_tipping, email="ann@example.org", channel=Channel.PHONE, actor=staff_user)

    assert link_cases_for(ann) == 1
    assert link_cases_for(ann) == 0
    client.force_login(ann)
    assert later.reference in client.get(reverse("my_requests:list")).content.decode()
