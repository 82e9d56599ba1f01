"""Resetting a forgotten password by email: the link goes through the
council's outbox, works once and expires, and the pages never say whether an
address has an account."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from townhall.notifications.models import Delivery
from townhall.tenancy.factories import UserFactory

NEW_PASSWORD = "a new and long enough passphrase"


def _ask(client: Client, email: str):
    return client.post("/staff/password-reset/", {"email": email})


def _link(delivery: Delivery) -> str:
    return re.search(r"http://testserver(/staff/password-reset/\S+/)", delivery.body).group(1)


def test_staff_get_a_link_through_the_outbox(client, staff_user, council):
    response = _ask(client, "Caseworker@Example.gov.uk")
    assert response["Location"] == "/staff/password-reset/sent/"
    delivery = Delivery.objects.get()
    assert delivery.recipient == staff_user.email
    assert delivery.organisation == council
    assert delivery.subject == "Reset your Townhall password"
    assert "works once" in delivery.body


def test_an_unknown_address_looks_the_same_and_sends_nothing(client, staff_user, mailoutbox):
    known = _ask(client, staff_user.email)
    unknown = _ask(client, "nobody@example.gov.uk")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    page = client.get(unknown["Location"]).content.decode()
    assert "If the address you entered belongs to an account" in page
    assert Delivery.objects.count() == 1
    assert mailoutbox == []


def test_the_link_works_once_and_the_password_changes(client, staff_user):
    _ask(client, staff_user.email)
    link = _link(Delivery.objects.get())
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/staff/password-reset/done/"
    staff_user.refresh_from_db()
    assert staff_user.check_password(NEW_PASSWORD)
    again = Client().get(link, follow=True).content.decode()
    assert "This link does not work" in again


def test_an_expired_link_does_not_work(client, staff_user, settings):
    _ask(client, staff_user.email)
    link = _link(Delivery.objects.get())
    settings.PASSWORD_RESET_TIMEOUT = -1
    body = client.get(link, follow=True).content.decode()
    assert "This link does not work" in body


@pytest.mark.django_db
def test_someone_without_a_council_is_emailed_directly(client, mailoutbox):
    user = UserFactory.create(email="operator@example.org")
    _ask(client, user.email)
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert not Delivery.objects.exists()


def test_a_reset_password_still_needs_the_second_factor(client, staff_user):
    _ask(client, staff_user.email)
    link = _link(Delivery.objects.get())
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = client.post(
        "/staff/login/", {"username": staff_user.email, "password": NEW_PASSWORD}
    )
    assert response["Location"].startswith("/staff/account/two-factor/")


def test_one_client_asking_again_and_again_sends_five_at_most(client, staff_user):
    for _ in range(7):
        response = _ask(client, staff_user.email)
        assert response["Location"] == "/staff/password-reset/sent/"
    assert Delivery.objects.count() == 5
