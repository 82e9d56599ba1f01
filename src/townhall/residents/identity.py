"""Who a resident is: finding or making their account from a verified email
address, and starting their signed-in session. Every way of signing in
(password, one-time code, OpenID Connect) ends here, so each gets the same
session clocks, sign-in record and session-fixation protection."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from townhall.accounts.models import User
from townhall.residents.linking import link_cases_for
from townhall.residents.models import Profile
from townhall.residents.sessions import session_record
from townhall.tenancy.models import Membership

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
    verified, and links the cases sent earlier with it to the account.

    A resident account whose address was never confirmed loses its
    password: whoever registered it with that password had not proved they
    hold the address, and must not keep a way into the account of the person
    who does (account pre-hijacking). They can choose one by a reset."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email)
    elif (
        user.has_usable_password()
        and not profile_for(user).email_verified
        and not user.is_staff
        and not Membership.objects.filter(user=user).exists()
    ):
        user.set_unusable_password()
        user.save(update_fields=["password"])
    email_verified_mark(user)
    return user


def resident_sign_in(request: HttpRequest, user: User) -> None:
    """Start `user`'s session: Django's `login` gives the session a new key
    (against fixation), and its signal starts the session clocks and records
    the sign-in (accounts.signals). The session is listed in their account,
    where they can end it (residents.sessions)."""
    login(request, user, backend=BACKEND)
    session_record(request, user)


def email_verified(user: User | AnonymousUser) -> bool:
    """Whether `user` is signed in and has proved they hold their email address."""
    if not user.is_authenticated:
        return False
    return Profile.objects.filter(user=user, email_verified_at__isnull=False).exists()


def email_verified_mark(user: User) -> None:
    """Record that `user` has just proved they hold their address, and give
    their account the cases sent with it before (residents.linking): every
    proof, by code, link or identity provider, links what has arrived since."""
    profile = profile_for(user)
    if profile.email_verified_at is None:
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email_verified_at", "updated_at"])
    link_cases_for(user)
