"""The case query vocabulary that views build on, and where uploads are kept."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from townhall.cases.factories import submitted_case
from townhall.cases.models import Attachment, Case, attachment_path
from townhall.cases.services import case_transition

pytestmark = pytest.mark.django_db


def test_for_organisation_shows_a_council_only_its_own_cases(fly_tipping, other_fly_tipping):
    ours = submitted_case(fly_tipping)
    theirs = submitted_case(other_fly_tipping)

    assert list(Case.objects.for_organisation(fly_tipping.organisation)) == [ours]
    assert list(Case.objects.for_organisation(other_fly_tipping.organisation)) == [theirs]


def test_open_leaves_out_closed_cases(fly_tipping, staff_user):
    still_open = submitted_case(fly_tipping)
    closed = submitted_case(fly_tipping)
    case_transition(case=closed, to_status="not_found", actor=staff_user)

    assert list(Case.objects.open()) == [still_open]
    assert set(Case.objects.for_organisation(fly_tipping.organisation)) == {still_open, closed}


def test_an_uploads_path_never_uses_the_residents_file_name():
    attachment = Attachment(created_at=dt.datetime(2026, 3, 27, tzinfo=dt.UTC))
    first = attachment_path(attachment, "../../etc/passwd my photo.png")
    second = attachment_path(attachment, "../../etc/passwd my photo.png")

    assert re.fullmatch(r"attachments/2026/03/[0-9a-f]{32}", first)
    assert first != second
