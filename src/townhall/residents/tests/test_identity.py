import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from townhall.accounts.models import User
from townhall.residents.identity import resident_for_verified_email, resident_sign_in

pytestmark = pytest.mark.django_db


def test_a_verified_email_makes_an_account_with_no_password():
    user = resident_for_verified_email("  Ann@Example.ORG ")

    assert user.email == "ann@example.org"
    assert not user.has_usable_password()
    assert user.resident_profile.email_verified


def test_a_verified_email_finds_the_account_whatever_its_case():
    existing = User.objects.create_user(email="ann@example.org", password="long enough password")

    assert resident_for_verified_email("ANN@example.org") == existing
    assert User.objects.count() == 1


def test_signing_in_gives_the_session_a_new_key():
    user = resident_for_verified_email("ann@example.org")
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session["before"] = True
    request.session.save()
    before = request.session.session_key

    resident_sign_in(request, user)

    assert request.session[SESSION_KEY] == str(user.pk)
    assert request.session.session_key != before
    assert user.sign_ins.count() == 1
