"""People who sign in: council staff now, residents later. One model for both,
with the email address as the login (see docs/decisions/0010)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        if not (fields["is_staff"] and fields["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser set")
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        # Email addresses are compared without regard to case, as people type them.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in with their email address and a password.

    `is_staff` is Django's flag for the admin site only; working for a council
    is a `tenancy.Membership`.
    """

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("admin site access"),
        default=False,
        help_text=_("Whether this person can sign in to the Django admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case")
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class SignIn(models.Model):
    """One attempt to sign in, successful or not, kept for the person and their
    council's admins to see. The client is kept only as its network (an IPv4
    address's first three parts, an IPv6 address's first 48 bits) and the
    browser only as its family, never the full address or user agent."""

    class Outcome(models.TextChoices):
        SIGNED_IN = "signed_in", _("Password accepted")
        VERIFIED = "verified", _("Second step passed")
        WRONG_PASSWORD = "wrong_password", _("Wrong password")
        WRONG_CODE = "wrong_code", _("Wrong security code")
        LOCKED_OUT = "locked_out", _("Refused: too many attempts")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="sign_ins", verbose_name=_("user")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    client_network = models.CharField(_("network"), max_length=50, blank=True)
    browser = models.CharField(_("browser"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        indexes = [models.Index(fields=["user", "-at"], name="sign_in_user_at")]

    def __str__(self) -> str:
        return f"{self.user} {self.outcome} {self.at:%Y-%m-%d %H:%M}"

    @property
    def succeeded(self) -> bool:
        return self.outcome in {self.Outcome.SIGNED_IN, self.Outcome.VERIFIED}
