"""Consents: what a resident has agreed to, kept as a record of each time
they gave or withdrew it. Agreeing that the profile may fill in requests
("ask once") also sets `Profile.reuse_agreed_at`, which the forms read."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from townhall.accounts.models import User
from townhall.residents.identity import profile_for
from townhall.residents.models import Consent, Profile


def reuse_agree(*, user: User, service_slug: str = "") -> Consent:
    """Record that the resident agrees their profile may fill in their requests
    (`service_slug`: where they were asked)."""
    with transaction.atomic():
        profile = profile_for(user)
        Profile.objects.filter(pk=profile.pk).update(reuse_agreed_at=timezone.now())
        return Consent.objects.create(
            user=user,
            purpose=Consent.Purpose.PROFILE_REUSE,
            action=Consent.Action.GIVEN,
            service_slug=service_slug[:100],
        )


def reuse_withdraw(*, user: User) -> Consent:
    """Record that the profile may no longer fill in requests."""
    with transaction.atomic():
        profile = profile_for(user)
        Profile.objects.filter(pk=profile.pk).update(reuse_agreed_at=None)
        return Consent.objects.create(
            user=user, purpose=Consent.Purpose.PROFILE_REUSE, action=Consent.Action.WITHDRAWN
        )


def consents_of(user: User) -> QuerySet[Consent]:
    return Consent.objects.filter(user=user)
