import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError

from townhall.accounts.models import User

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_stored_in_lower_case():
    user = User.objects.create_user("Sam.Okafor@Example.GOV.UK", "a long enough password")
    assert user.get_username() == "sam.okafor@example.gov.uk"
    assert authenticate(username="SAM.okafor@example.gov.uk", password="a long enough password")


def test_two_accounts_cannot_share_an_address_in_different_case():
    User.objects.create_user("sam@example.gov.uk")
    with pytest.raises(IntegrityError):
        User.objects.create(email="SAM@example.gov.uk")


def test_superuser_can_use_the_admin_site():
    user = User.objects.create_superuser("admin@example.gov.uk", "a long enough password")
    assert user.is_staff and user.is_superuser


def test_a_user_needs_an_email_address():
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user("")
