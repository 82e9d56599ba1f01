"""Registering with an email address and a password, and confirming the
address by an emailed link that expires and works once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from townhall.accounts.models import User
from townhall.notifications.models import Delivery
from townhall.residents.models import OneTimeCode
from townhall.residents.tests.conftest import PASSWORD, last_email, link_in, signed_in_as

pytestmark = pytest.mark.django_db


def _register(client, email="new@example.org", password=PASSWORD):
    return client.post("/account/register/", {"email": email, "password": password})


def test_registering_makes_an_unconfirmed_account_and_emails_a_link(client, council):
    response = _register(client, email="New@Example.org")

    assert response["Location"] == "/account/register/check-email/"
    user = User.objects.get(email="new@example.org")
    assert user.check_password(PASSWORD)
    assert not user.resident_profile.email_verified
    assert signed_in_as(client) is None
    email = last_email("new@example.org")
    assert "/account/verify/" in email.body
    assert email.organisation == council


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short words", "at least 12 characters"),
        ("password1234", "too common"),
    ],
)
def test_a_short_or_common_password_is_refused_saying_why(client, council, password, problem):
    response = _register(client, password=password)

    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not User.objects.exists()


def test_no_rules_about_kinds_of_character(client, council):
    assert _register(client, password="all lower case words here").status_code == 302


def test_the_password_is_never_shown_back(client, council):
    response = _register(client, email="not an address", password=PASSWORD)
    assert response.status_code == 400
    assert PASSWORD not in response.content.decode()


def test_an_address_with_an_account_gets_the_same_page_and_an_email_instead(
    client, council, resident
):
    response = _register(client, email="ann@example.org", password="another long password")

    assert response["Location"] == "/account/register/check-email/"
    assert not User.objects.get(pk=resident.pk).check_password("another long password")
    email = last_email("ann@example.org")
    assert "already has one" in email.body
    assert "/account/verify/" not in email.body


def test_the_link_confirms_the_address_once(client, council):
    _register(client)
    link = link_in(last_email("new@example.org"))

    shown = client.get(link)  # a link checker opening it uses nothing up
    assert shown.status_code == 200
    assert 'method="post"' in shown.content.decode()
    assert client.post(link)["Location"] == "/account/sign-in/"
    assert User.objects.get(email="new@example.org").resident_profile.email_verified
    again = client.post(link)
    assert again.status_code == 400
    assert "expired or been used" in again.content.decode()


def test_an_expired_link_does_not_confirm(client, council):
    _register(client)
    link = link_in(last_email("new@example.org"))
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert client.post(link).status_code == 400
    assert not User.objects.get(email="new@example.org").resident_profile.email_verified


def test_a_link_for_one_account_does_not_confirm_another(client, council):
    _register(client, email="one@example.org")
    _register(client, email="two@example.org")
    link = link_in(last_email("one@example.org"))
    two = User.objects.get(email="two@example.org")
    parts = link.split("/")
    parts[3] = urlsafe_base64_encode(force_bytes(two.pk))
    forged = "/".join(parts)

    assert client.post(forged).status_code == 400
    assert not two.resident_profile.email_verified


def test_a_signed_in_resident_can_have_the_link_sent_again(client, council):
    _register(client)
    client.post("/account/sign-in/", {"username": "new@example.org", "password": PASSWORD})
    first = link_in(last_email("new@example.org"))

    response = client.post("/account/verify/")

    assert response.status_code == 200
    second = link_in(last_email("new@example.org"))
    assert second != first
    assert client.post(first).status_code == 400  # only the latest works
    assert client.post(second)["Location"] == "/account/"


def test_registering_emails_are_limited_per_client(client, council):
    for number in range(12):
        _register(client, email=f"person{number}@example.org")
    assert Delivery.objects.count() == 10
