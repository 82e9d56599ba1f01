"""Registering with an email address and a password, and confirming the
address by an emailed link that expires and works once."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from townhall.accounts.models import User
from townhall.notifications.models import Delivery
from townhall.residents.models import OneTimeCode
from townhall.residents.tests.conftest import (
    PASSWORD,
    code_in,
    last_email,
    link_in,
    signed_in_as,
)

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


def _sign_in(client, email="new@example.org"):
    client.post("/account/sign-in/", {"username": email, "password": PASSWORD})


def test_the_link_confirms_the_address_once(client, council):
    _register(client)
    link = link_in(last_email("new@example.org"))
    _sign_in(client)

    shown = client.get(link)  # a link checker opening it uses nothing up
    assert shown.status_code == 200
    assert 'method="post"' in shown.content.decode()
    assert client.post(link)["Location"] == "/account/"
    assert User.objects.get(email="new@example.org").resident_profile.email_verified
    again = client.post(link)
    assert again.status_code == 400
    assert "expired or been used" in again.content.decode()


def test_the_link_asks_whoever_opens_it_to_sign_in_first(client, council):
    _register(client)
    link = link_in(last_email("new@example.org"))
    other = client.__class__()

    response = other.post(link)

    assert response["Location"] == f"/account/sign-in/?{urlencode({'next': link})}"
    assert not User.objects.get(email="new@example.org").resident_profile.email_verified


def test_the_link_does_nothing_for_someone_signed_in_to_another_account(client, council):
    _register(client, email="one@example.org")
    _register(client, email="two@example.org")
    link = link_in(last_email("one@example.org"))
    _sign_in(client, "two@example.org")

    response = client.post(link)

    assert response.status_code == 400
    assert "for another account" in response.content.decode()
    assert not User.objects.get(email="one@example.org").resident_profile.email_verified


def test_an_expired_link_does_not_confirm(client, council):
    _register(client)
    link = link_in(last_email("new@example.org"))
    _sign_in(client)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert client.post(link).status_code == 400
    assert not User.objects.get(email="new@example.org").resident_profile.email_verified


def test_a_token_for_one_account_does_not_confirm_another(client, council):
    _register(client, email="one@example.org")
    _register(client, email="two@example.org")
    link = link_in(last_email("one@example.org"))
    two = User.objects.get(email="two@example.org")
    parts = link.split("/")
    parts[3] = urlsafe_base64_encode(force_bytes(two.pk))
    _sign_in(client, "two@example.org")

    assert client.post("/".join(parts)).status_code == 400
    assert not User.objects.get(pk=two.pk).resident_profile.email_verified


def test_whoever_registered_an_address_loses_the_password_when_its_owner_signs_in(client, council):
    _register(client, email="victim@example.org")  # by someone who does not hold it
    owner = client.__class__()
    owner.post("/account/sign-in/code/", {"email": "victim@example.org"})
    owner.post("/account/sign-in/code/enter/", {"code": code_in(last_email("victim@example.org"))})

    assert signed_in_as(owner) == User.objects.get(email="victim@example.org").pk
    attacker = client.__class__()
    _sign_in(attacker, "victim@example.org")
    assert signed_in_as(attacker) is None


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
