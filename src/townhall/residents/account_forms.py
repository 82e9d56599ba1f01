"""Forms for a resident's account: registering, signing in (password,
emailed code, second factor) and choosing a new password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from townhall.accounts.models import User
from townhall.core.form_fields import EmailAddressField
from townhall.residents.emails import account_email_send
from townhall.residents.passwords import MIN_LENGTH, password_check


class RegisterForm(forms.Form):
    email = EmailAddressField()
    password = forms.CharField(
        label=_("Create a password"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput,
        help_text=_(
            "At least %(count)d characters. A few unrelated words make a strong password "
            "that is easy to remember."
        )
        % {"count": MIN_LENGTH},
        error_messages={"required": _("Create a password")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("email"), data.get("password")
        if password:
            try:
                password_check(password, User(email=email or ""))
            except ValidationError as problems:
                self.add_error("password", problems)
        return data


class PasswordSignInForm(AuthenticationForm):
    """Django's sign-in form (its `username` field is the email address): the
    same message for a wrong password and an address with no account."""

    username = EmailAddressField()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("Enter your password")},
    )
    error_messages = {
        "invalid_login": _(
            "The email address or password is not right. Check them and try again, "
            "or sign in with a code sent by email"
        ),
        "inactive": _("This account is closed"),
    }


class EmailForm(forms.Form):
    email = EmailAddressField()


class EmailCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code in the email we sent you."),
        error_messages={"required": _("Enter the code from the email")},
    )


class ResidentPasswordResetForm(PasswordResetForm):
    """Django's reset request, for accounts with or without a password (an
    account made by signing in with a code can get one this way), sent
    through the council's outbox. The page says the same whether or not the
    address has an account."""

    email = EmailAddressField()

    def get_users(self, email: str) -> Any:
        return User.objects.filter(email__iexact=email.strip(), is_active=True)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        request: HttpRequest = self.request  # type: ignore[attr-defined]  # set by the view
        path = reverse("account:password-reset-confirm", args=[context["uid"], context["token"]])
        account_email_send(
            request=request,
            to=to_email,
            template="account_password_reset",
            context={"link": request.build_absolute_uri(path), "hours": _reset_hours()},
        )


def _reset_hours() -> int:
    return max(1, int(settings.PASSWORD_RESET_TIMEOUT) // 3600)


class ResidentSetPasswordForm(SetPasswordForm):
    """A new password, held to the residents' policy (residents.passwords)."""

    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("At least %(count)d characters.") % {"count": MIN_LENGTH},
        error_messages={"required": _("Enter a new password")},
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("Enter the new password again")},
    )

    error_messages = {"password_mismatch": _("The two passwords are not the same")}

    def validate_password_for_user(
        self,
        user: Any,
        password_field_name: str = "new_password2",  # noqa: S107 (a field name)
    ) -> None:
        password = self.cleaned_data.get(password_field_name)
        if password:
            try:
                password_check(password, user)
            except ValidationError as problems:
                self.add_error(password_field_name, problems)
