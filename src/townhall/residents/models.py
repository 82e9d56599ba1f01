"""What a resident's account knows about them beyond the sign-in itself.

A resident is an `accounts.User` with no council membership (see
docs/decisions/0010); their `Profile` holds what "ask once" reuses, and
`Case.resident` / `Draft.resident` tie their requests to the account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UpdatesBy(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    POST = "post", _("Letter")


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="resident_profile",
        verbose_name=_("user"),
    )
    email_verified_at = models.DateTimeField(
        _("email verified"),
        null=True,
        blank=True,
        help_text=_("When they proved the address is theirs."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.TextField(_("address"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    updates_by = models.CharField(
        _("updates by"), max_length=10, choices=UpdatesBy.choices, default=UpdatesBy.EMAIL
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    reuse_agreed_at = models.DateTimeField(
        _("agreed to reuse"),
        null=True,
        blank=True,
        help_text=_("When they agreed that their profile may fill in their requests."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resident profile")
        verbose_name_plural = _("resident profiles")

    def __str__(self) -> str:
        return str(self.user_id)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    WELSH = "cy", _("Welsh (Cymraeg)")


class HouseholdMember(models.Model):
    """Someone who lives with the resident, told once and reused by the
    applications that ask about a household."""

    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="household", verbose_name=_("profile")
    )
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")

    def __str__(self) -> str:
        return str(self.pk)


class Consent(models.Model):
    """One consent a resident gave or withdrew, kept as a record: a new row
    for each change, never an edit (see residents.consents)."""

    class Purpose(models.TextChoices):
        PROFILE_REUSE = "profile_reuse", _("Fill in requests from my profile")

    class Action(models.TextChoices):
        GIVEN = "given", _("Given")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("user"),
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # Where it was given: the service whose form asked, or the profile page.
    service_slug = models.CharField(_("service"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.purpose} {self.action}"
