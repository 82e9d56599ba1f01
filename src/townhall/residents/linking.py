"""Linking a resident's earlier cases to their account.

Someone may have sent requests before they had an account, or a member of
staff may have recorded them on their behalf by phone or at a desk, giving
their email address. Once the resident has proved they hold that address,
those cases belong to the account, so "My requests" shows everything. An
address that has not been verified links nothing: anyone can register with
anyone's address.
"""

from __future__ import annotations

import logging

from django.db import transaction

from townhall.accounts.models import User
from townhall.cases.models import Case
from townhall.residents.models import Profile

logger = logging.getLogger(__name__)


@transaction.atomic
def link_cases_for(user: User) -> int:
    """Give `user` every case no account holds yet whose contact email is
    their verified address (in any case of letters), whatever the channel or
    council. Returns how many were linked; 0 if the address is not verified.
    Call it whenever a resident's address becomes verified (and it does no
    harm at each verified sign-in: cases recorded since by staff join too)."""
    verified = (
        Profile.objects.filter(user=user, email_verified_at__isnull=False)
        .values_list("email_verified_at", flat=True)
        .first()
    )
    if verified is None or not user.email:
        return 0
    linked = Case.objects.filter(resident__isnull=True, contact_email__iexact=user.email).update(
        resident=user
    )
    if linked:
        # The count only: never the address, which is personal data.
        logger.info("linked %d earlier cases to resident %s", linked, user.pk)
    return linked
