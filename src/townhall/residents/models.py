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


class OidcIdentity(models.Model):
    """Who a resident is at an OpenID Connect provider: the provider's subject
    identifier (`sub`) for them, which stays the same when they change their
    email address there, so their next sign-in still finds this account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="oidc_identities",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField(_("last signed in"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity at a sign-in provider")
        verbose_name_plural = _("identities at sign-in providers")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.user_id}"


class OneTimeCode(models.Model):
    """A secret sent by email to prove someone holds an address: a 6-digit
    code typed to sign in, or a long token in a link that confirms the
    address. Only its keyed hash is kept; it expires, works once and allows
    only a few wrong guesses (see residents/codes.py)."""

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", _("Sign in")
        VERIFY = "verify", _("Confirm email address")

    email = models.EmailField(_("email address"))
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    wrong_guesses = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["email", "purpose", "-created_at"], name="code_email")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class ResidentSession(models.Model):
    """A browser a resident is signed in on, so they can see and end it. The
    session key follows the session when it changes (SessionRecordMiddleware);
    the browser and network are kept as the sign-in record keeps them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="resident_sessions",
        verbose_name=_("user"),
    )
    session_key = models.CharField(max_length=64, unique=True)
    signed_in_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    browser = models.CharField(_("browser"), max_length=60, blank=True)
    client_network = models.CharField(_("network"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("resident session")
        verbose_name_plural = _("resident sessions")

    def __str__(self) -> str:
        return f"{self.user_id} {self.signed_in_at:%Y-%m-%d %H:%M}"


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
