"""Alerts of new public reports: double opt-in, one-click unsubscribe,
immediate and daily alerts for a ward or near a postcode, never a private
service and never anything about who reported."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.utils import timezone

from townhall.alerts.models import Frequency, Subscription
from townhall.alerts.services import CONFIRM_SALT, alerts_send
from townhall.cases.models import Case
from townhall.cases.tests.test_demand import FAR, LAT, LON, reported
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
from townhall.places.lookup import cache_clear
from townhall.places.models import Area, Postcode

WARD = "E05000001"
SECRETS = ["first@example.com", "Castle Street", "Jo Bloggs", str(LAT), str(LON)]


@pytest.fixture
def place(db):
    square = [[[-2, 51], [-1, 51], [-1, 52], [-2, 52], [-2, 51]]]
    Area.objects.create(
        type="ward",
        code=WARD,
        name="Castle Ward",
        geometry=json.dumps({"type": "Polygon", "coordinates": square}),
        min_lon=-2,
        min_lat=51,
        max_lon=-1,
        max_lat=52,
    )
    cache_clear()
    Postcode.objects.create(postcode="OX1 1AA", lon=LON, lat=LAT)


def in_ward(service, point=(LON, LAT)):
    case = reported(service, point)
    answers = {**case.answers, "description": "Jo Bloggs did it"}
    Case.objects.filter(pk=case.pk).update(area_codes=[WARD], answers=answers)
    case.refresh_from_db()
    return case


def link_in(message, path):
    return re.search(rf"https?://[^\s]+({path}[^\s]+/)", message.body).group(1)


def subscribe(client, **fields):
    data = {"email": "alert@example.com", "frequency": "immediate", **fields}
    return client.post("/alerts/", data)


def confirmed(client, capture, **fields):
    with capture(execute=True):
        subscribe(client, **fields)
    confirm = link_in(mail.outbox[-1], "/alerts/confirm/")
    client.post(confirm)
    mail.outbox.clear()
    return Subscription.objects.get()


def test_nothing_is_sent_until_the_address_confirms(
    client, fly_tipping, place, django_capture_on_commit_callbacks
):
    assert "Get alerts of new reports" in client.get("/alerts/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client, ward=WARD)
    assert "Check your email" in response.content.decode()
    [confirmation] = mail.outbox
    assert confirmation.to == ["alert@example.com"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        in_ward(fly_tipping)
    assert not [m for m in mail.outbox if m.to == ["alert@example.com"]]
    confirm = link_in(confirmation, "/alerts/confirm/")
    assert "Confirm your alerts" in client.get(confirm).content.decode()  # GET confirms nothing
    assert Subscription.objects.get().confirmed_at is None
    assert "Your alerts are on" in client.post(confirm).content.decode()
    assert Subscription.objects.get().confirmed_at is not None


def test_a_confirmed_ward_alert_comes_with_each_report_and_nothing_personal(
    client, fly_tipping, place, django_capture_on_commit_callbacks
):
    confirmed(client, django_capture_on_commit_callbacks, ward=WARD)
    with django_capture_on_commit_callbacks(execute=True):
        case = in_ward(fly_tipping)
    [alert] = [m for m in mail.outbox if m.to == ["alert@example.com"]]
    assert "1 new report in Castle Ward" in alert.subject
    assert f"/reports/{case.reference}/" in alert.body
    assert "Furniture or white goods" in alert.body
    for secret in SECRETS:
        assert secret not in alert.body, secret
    assert alert.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/alerts/unsubscribe/" in alert.extra_headers["List-Unsubscribe"]


def test_one_click_unsubscribe_stops_alerts(
    client, fly_tipping, place, django_capture_on_commit_callbacks
):
    confirmed(client, django_capture_on_commit_callbacks, ward=WARD)
    with django_capture_on_commit_callbacks(execute=True):
        in_ward(fly_tipping)
    unsubscribe = link_in(mail.outbox[-1], "/alerts/unsubscribe/")
    assert "Stop alerts" in client.get(unsubscribe).content.decode()
    client.post(unsubscribe)  # as a mail program does: no CSRF token
    assert Subscription.objects.get().unsubscribed_at is not None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        in_ward(fly_tipping)
    assert not [m for m in mail.outbox if m.to == ["alert@example.com"]]


def test_a_postcode_alert_covers_its_radius_only(
    client, fly_tipping, place, django_capture_on_commit_callbacks
):
    confirmed(client, django_capture_on_commit_callbacks, postcode="ox1 1aa", radius="200")
    with django_capture_on_commit_callbacks(execute=True):
        far = reported(fly_tipping, FAR)  # about 550 m away
    assert not [m for m in mail.outbox if m.to == ["alert@example.com"]]
    with django_capture_on_commit_callbacks(execute=True):
        near = reported(fly_tipping)
    [alert] = [m for m in mail.outbox if m.to == ["alert@example.com"]]
    assert near.reference in alert.body and far.reference not in alert.body
    assert "OX1 1AA" in alert.subject


def test_a_private_service_never_alerts(client, council, place, django_capture_on_commit_callbacks):
    asb = service_import(
        organisation=council,
        definition=load_definition_file(STANDARD_DIR / "report-anti-social-behaviour.yaml"),
    ).service
    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    definition["public_on_map"] = False
    hidden = service_import(organisation=council, definition=definition).service
    confirmed(client, django_capture_on_commit_callbacks, ward=WARD)
    with django_capture_on_commit_callbacks(execute=True):
        in_ward(hidden)
    assert not [m for m in mail.outbox if m.to == ["alert@example.com"]]
    assert alerts_send(frequency=Frequency.IMMEDIATE) == 0
    assert asb.published_version.parsed.public_on_map is False


def test_the_daily_digest_sends_the_days_reports_once(
    client, fly_tipping, place, django_capture_on_commit_callbacks
):
    confirmed(client, django_capture_on_commit_callbacks, ward=WARD, frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        first, second = in_ward(fly_tipping), in_ward(fly_tipping)
    assert not [m for m in mail.outbox if m.to == ["alert@example.com"]]  # not immediate
    with django_capture_on_commit_callbacks(execute=True):
        call_command("alerts_send", "--daily")
    [digest] = [m for m in mail.outbox if m.to == ["alert@example.com"]]
    assert "2 new reports in Castle Ward" in digest.subject
    assert first.reference in digest.body and second.reference in digest.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("alerts_send", "--daily")
    assert not mail.outbox  # nothing new: nothing sent


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Choose a ward, or enter a postcode"),
        ({"ward": "E05999999"}, "Select a valid choice"),
        ({"postcode": "OX1 1AA"}, "Choose how far from the postcode"),
        ({"postcode": "ZZ9 9ZZ", "radius": "500"}, "We cannot find the postcode ZZ9 9ZZ"),
        ({"postcode": "nonsense", "radius": "500"}, "Enter a real postcode"),
        ({"ward": WARD, "email": "nope"}, "Enter an email address in the correct format"),
    ],
)
def test_bad_requests_say_what_is_wrong(client, fly_tipping, place, fields, message):
    response = subscribe(client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscription.objects.exists()


def test_links_that_are_altered_or_old_do_not_work(
    client, fly_tipping, place, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, ward=WARD)
    subscription = Subscription.objects.get()
    assert client.get("/alerts/confirm/1.x:forged/").status_code == 404
    assert client.post("/alerts/unsubscribe/1.x:forged/").status_code == 404
    old = signing.TimestampSigner(salt=CONFIRM_SALT)
    token = old.sign(f"{subscription.pk}.{subscription.nonce}")
    later = timezone.now() + timedelta(days=8)
    from unittest import mock

    with mock.patch("time.time", return_value=later.timestamp()):
        assert client.get(f"/alerts/confirm/{token}/").status_code == 404
