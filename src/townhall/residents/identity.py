"""Who a resident is: finding or making their account from a verified email
address, and starting their signed-in session. Every way of signing in
(password, one-time code, OpenID Connect) ends here, so each gets the same
session clocks, sign-in record and session-fixation protection."""

from __future__ import annotations

from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from townhall.accounts.models import User
from townhall.residents.linking import link_cases_for
from townhall.residents.models import Profile

# The backend recorded in the session: residents are ordinary users.
BACKEND = "django.contrib.auth.backends.ModelBackend"


def profile_for(user: User) -> Profile:
    """The resident's profile, made empty the first time it is asked for."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def resident_for_verified_email(email: str) -> User:
    """The account of whoever has just proved they hold `email` (by a code
    sent to it, or an identity provider's `email_verified` claim): found
    without regard to case, or made with no password. Marks the address
    verified, and links the cases sent earlier with it to the account."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email)
    profile = profile_for(user)
    if profile.email_verified_at is None:
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email_verified_at", "updated_at"])
    link_cases_for(user)
    return user


def resident_sign_in(request: HttpRequest, user: User) -> None:
    """Start `user`'s session: Django's `login` gives the session a new key
    (against fixation), and its signal starts the session clocks and records
    the sign-in (accounts.signals)."""
    login(request, user, backend=BACKEND)
