"""Demand avoidance on the resident's pages, without JavaScript: nearby open
reports on check answers, joining one instead of sending a new report, the
"is it really fixed?" page, supporters stopping updates, published photos;
and never a private service or anything personal."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from townhall.cases.factories import tiny_png
from townhall.cases.models import Attachment, Case, CaseSupporter, Contact, Draft, FixCheck
from townhall.cases.services import case_transition, draft_save_answers, draft_start
from townhall.cases.supporters import supporter_stop_token
from townhall.cases.tests.test_demand import FAR, LAT, LON, at, reported
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.insight.selectors import DateRange, avoidable_contact

SLUG = "report-fly-tipping"


def draft_in_session(client, service, answers):
    draft = draft_start(service_version=service.published_version)
    draft_save_answers(draft=draft, answers=answers)
    session = client.session
    session["townhall_drafts"] = {str(service.pk): str(draft.pk)}
    session.save()
    return draft


def mine(email="me@example.com"):
    answers = {**at(LON, LAT + 0.0002), "email": email, "description": "", "photos": ""}
    answers["location"] = {**answers["location"], "text": "By the park"}
    return answers


@pytest.fixture
def other(fly_tipping):
    case = reported(fly_tipping, email="neighbour@example.com")
    answers = {**case.answers, "description": "My neighbour Jo Bloggs did it"}
    Case.objects.filter(pk=case.pk).update(answers=answers)
    return case


def test_check_answers_offers_nearby_reports_and_nothing_personal(client, fly_tipping, other):
    reported(fly_tipping, FAR)
    draft_in_session(client, fly_tipping, mine())
    page = client.get(f"/services/{SLUG}/check/").content.decode()
    assert "Has this already been reported?" in page
    assert f"/services/{SLUG}/same-problem/{other.reference}/" in page
    assert "Furniture or white goods" in page and "About 22 metres away" in page
    for secret in ("neighbour@example.com", "Jo Bloggs", "Castle Street"):
        assert secret not in page.replace("me@example.com", "")  # own answers aside
    assert page.count("I have this problem too") == 1  # the far one is not offered


def test_joining_a_report_makes_no_case_and_forgets_the_draft(client, fly_tipping, other):
    draft = draft_in_session(client, fly_tipping, mine())
    url = f"/services/{SLUG}/same-problem/{other.reference}/"
    page = client.get(url).content.decode()
    assert 'value="me@example.com"' in page  # the email already given
    response = client.post(url, {"email": "me@example.com"})
    assert response.status_code == 200
    assert "You have been added to the report" in response.content.decode()
    assert Case.objects.count() == 1
    assert CaseSupporter.objects.get().email == "me@example.com"
    assert Contact.objects.filter(reason=Contact.Reason.ME_TOO, case=other).count() == 1
    assert not Draft.objects.filter(pk=draft.pk).exists()  # nothing typed is kept
    assert client.get(f"/services/{SLUG}/check/").status_code == 302  # no draft any more


def test_joining_needs_a_valid_email(client, fly_tipping, other):
    draft_in_session(client, fly_tipping, mine())
    response = client.post(f"/services/{SLUG}/same-problem/{other.reference}/", {"email": "x"})
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.content.decode()
    assert not CaseSupporter.objects.exists()


def test_only_a_report_offered_nearby_can_be_joined(client, fly_tipping):
    far = reported(fly_tipping, FAR)
    draft_in_session(client, fly_tipping, mine())
    response = client.post(f"/services/{SLUG}/same-problem/{far.reference}/", {"email": "a@b.cc"})
    assert response.status_code == 302 and response["Location"].endswith("/check/")
    assert not CaseSupporter.objects.exists()


def test_a_private_service_offers_nothing_nearby(client, council):
    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    definition["public_on_map"] = False
    service = service_import(organisation=council, definition=definition).service
    case = reported(service)
    draft_in_session(client, service, mine())
    page = client.get(f"/services/{SLUG}/check/").content.decode()
    assert "Has this already been reported?" not in page
    assert case.reference not in page
    response = client.get(f"/services/{SLUG}/same-problem/{case.reference}/")
    assert response.status_code == 302


def test_insight_counts_reports_joined(client, fly_tipping, other, council):
    draft_in_session(client, fly_tipping, mine())
    client.post(f"/services/{SLUG}/same-problem/{other.reference}/", {"email": "me@example.com"})
    today = timezone.localdate()
    figures = avoidable_contact(organisation=council, dates=DateRange(today, today))
    assert figures.me_too == 1


def closed_as_fixed(case, staff_user, capture):
    with capture(execute=True):
        case_transition(case=case, to_status="cleared", actor=staff_user)
    return FixCheck.objects.get(case=case)


def test_not_fixed_reopens_once(
    client, fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    case = reported(fly_tipping)
    mail.outbox.clear()
    closed_as_fixed(case, staff_user, django_capture_on_commit_callbacks)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/fixed/" in line)
    path = "/fixed/" + link.split("/fixed/")[1].rstrip(".")
    assert "Is it really fixed?" in client.get(path).content.decode()
    assert client.post(path, {}).status_code == 400  # no answer chosen: a clear message
    response = client.post(path, {"fixed": "no"})
    assert "We have reopened request" in response.content.decode()
    case.refresh_from_db()
    assert case.is_open
    again = client.post(path, {"fixed": "yes"}).content.decode()
    assert "already told us" in again
    case.refresh_from_db()
    assert case.is_open


def test_the_tracking_page_asks_too(
    client, fly_tipping, staff_user, django_capture_on_commit_callbacks
):
    case = reported(fly_tipping)
    closed_as_fixed(case, staff_user, django_capture_on_commit_callbacks)
    page = client.post(
        "/track/", {"reference": case.reference, "email": "first@example.com"}
    ).content.decode()
    assert "Tell us if it is not really fixed" in page and "/fixed/" in page


def test_a_made_up_fix_link_is_not_found(client, fly_tipping):
    assert client.get("/fixed/1.abc:xyz/").status_code == 404


def test_a_supporter_stops_updates_in_one_click(client, fly_tipping, other):
    supporter = CaseSupporter.objects.create(case=other, email="me@example.com")
    url = f"/updates/stop-report/{supporter_stop_token(supporter)}/"
    assert "Stop updates" in client.get(url).content.decode()
    client.post(url)  # as a mail program does (RFC 8058): no CSRF token
    supporter.refresh_from_db()
    assert supporter.stopped_at is not None
    assert client.get("/updates/stop-report/1:forged/").status_code == 404


def photo_of(case):
    attachment = Attachment(
        case=case,
        filename="photo.png",
        content_type="image/png",
        size=10,
        created_at=timezone.now(),
    )
    attachment.file.save("upload", ContentFile(tiny_png()), save=False)
    attachment.save()
    return attachment


def test_photos_show_only_where_the_service_publishes_them(client, council):
    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    service = service_import(organisation=council, definition=definition).service
    case = reported(service)
    photo = photo_of(case)
    url = f"/reports/{case.reference}/photos/{photo.pk}/"
    assert client.get(url).status_code == 404  # not published by default
    definition["publish_photos"] = True
    version = service_import(organisation=council, definition=definition).version
    Case.objects.filter(pk=case.pk).update(service_version=version)
    service.refresh_from_db()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    draft_in_session(client, service, mine())
    page = client.get(f"/services/{SLUG}/check/").content.decode()
    assert url in page
    assert client.get(f"/reports/{case.reference}/photos/not-a-uuid/").status_code == 404
