"""Forms for signing in's second step, the council's sign-in rules, password
resets and searching the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from townhall.accounts.models import User
from townhall.audit.selectors import AuditSearch
from townhall.notifications.services import email_queue
from townhall.tenancy.selectors import staff_organisation


class SecurityForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label=_("Staff must sign in with a second factor (an authenticator app)"),
        required=False,
    )


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending through the outbox for staff of a council
    (as every other email of the council is sent), by Django's email for
    anyone else. The page says the same whether or not the address has an
    account."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user: User = context["user"]
        organisation = staff_organisation(user=user)
        if organisation is None:
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email
            )
            return
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        email_queue(organisation=organisation, to=to_email, subject=subject, body=body)


class AuditSearchForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=40, required=False)
    staff = forms.EmailField(
        label=_("Member of staff's email address"), max_length=254, required=False
    )
    date_from = forms.DateField(
        label=_("From (date)"),
        required=False,
        help_text=_("For example, 2026-11-30"),
        error_messages={"invalid": _("Enter the from date as year-month-day, like 2026-11-30")},
    )
    date_to = forms.DateField(
        label=_("To (date)"),
        required=False,
        help_text=_("For example, 2026-11-30"),
        error_messages={"invalid": _("Enter the to date as year-month-day, like 2026-11-30")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The to date must be the same as or after the from date"))
        return data

    def search(self) -> AuditSearch:
        data = self.cleaned_data
        return AuditSearch(
            case_reference=data.get("reference", "").strip(),
            staff_email=data.get("staff", "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
