"""Signing in to a resident's account: with a password, with a code sent by
email, the second step for those with an authenticator app, and resetting a
forgotten password (see docs/decisions/0052). Every way ends in
`identity.resident_sign_in`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from townhall.accounts import two_factor
from townhall.accounts.models import User
from townhall.accounts.sessions import EXPIRED
from townhall.accounts.two_factor_forms import SecondFactorForm
from townhall.residents import codes
from townhall.residents.account_forms import (
    EmailCodeForm,
    EmailForm,
    PasswordSignInForm,
    ResidentPasswordResetForm,
    ResidentSetPasswordForm,
)
from townhall.residents.emails import account_email_send
from townhall.residents.identity import (
    email_verified_mark,
    resident_for_verified_email,
    resident_sign_in,
)
from townhall.residents.models import ResidentSession
from townhall.residents.sign_in import (
    CODE_EMAIL,
    PENDING,
    attempt_failed,
    attempts_allowed,
    emails_allowed,
    is_staff_account,
    pending_user,
    safe_next,
    sign_in_finish,
)


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    form = context.get("form")
    errors = bool(form is not None and form.errors)
    return render(
        request,
        f"residents/account/{template}",
        {"has_errors": errors, **context},
        status=400 if errors and request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Email address and password. django-axes refuses it while the address
    or the client is locked out (SignInLimitBackend) and shows its page."""
    after = safe_next(request)
    if request.user.is_authenticated and request.method == "GET":
        return redirect(after)
    form = PasswordSignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return redirect(sign_in_finish(request, form.get_user(), after))
    return _render(
        request,
        "sign_in.html",
        {"form": form, "next": after, "expired": request.session.pop(EXPIRED, False)},
    )


@require_http_methods(["GET", "POST"])
def code_request(request: HttpRequest) -> HttpResponse:
    """Ask for a code by email. Every address gets one (signing in with it
    makes an account if there is none), so the page never says whether an
    address has an account; staff addresses are told to use the back office."""
    after = safe_next(request)
    form = EmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = codes.normalise_email(form.cleaned_data["email"])
        request.session[CODE_EMAIL] = email
        if emails_allowed(request, email, "code"):
            user = User.objects.filter(email__iexact=email).first()
            if user is not None and is_staff_account(user):
                account_email_send(
                    request=request,
                    to=email,
                    template="account_staff_sign_in",
                    context={"link": request.build_absolute_uri(reverse("backoffice:login"))},
                )
            else:
                account_email_send(
                    request=request,
                    to=email,
                    template="account_sign_in_code",
                    context={
                        "code": codes.sign_in_code_issue(email=email),
                        "minutes": int(codes.SIGN_IN_CODE_LIFETIME.total_seconds() // 60),
                    },
                )
        return redirect(f"{reverse('account:code-enter')}?{urlencode({'next': after})}")
    return _render(request, "code_request.html", {"form": form, "next": after})


@require_http_methods(["GET", "POST"])
def code_enter(request: HttpRequest) -> HttpResponse:
    """Type the emailed code. A wrong code counts against the code and, with
    wrong passwords, against the address and the client (django-axes)."""
    after = safe_next(request)
    email = request.session.get(CODE_EMAIL)
    if not isinstance(email, str):
        return redirect("account:code-request")
    form = EmailCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not attempts_allowed(request, email):
            attempt_failed(request, email, locked_out=True)
            return _render(request, "code_enter.html", {"form": form, "next": after})
        if codes.sign_in_code_use(email=email, code=form.cleaned_data["code"]):
            request.session.pop(CODE_EMAIL, None)
            user = resident_for_verified_email(email)
            return redirect(sign_in_finish(request, user, after))
        attempt_failed(request, email)
        form.add_error(
            "code",
            _("The code is not right, or has expired. Check the email or ask for a new code"),
        )
    return _render(request, "code_enter.html", {"form": form, "next": after})


@require_http_methods(["GET", "POST"])
def second_step(request: HttpRequest) -> HttpResponse:
    """The code from the authenticator app, or a recovery code."""
    pending = pending_user(request)
    if pending is None:
        return redirect("account:sign-in")
    user, after = pending
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not attempts_allowed(request, user.email):
            attempt_failed(request, user.email, locked_out=True)
            return _render(request, "second_step.html", {"form": form})
        device = two_factor.second_factor_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            request.session.pop(PENDING, None)
            resident_sign_in(request, user)
            two_factor.second_step_passed(request, user, device)
            return redirect(after or reverse("account:home"))
        attempt_failed(request, user.email)
        form.add_error("code", _("The code is not right. Check it and try again"))
    return _render(request, "second_step.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, sent through the council's outbox. Past the
    limits on emails nothing is sent, and the page says the same as ever, so
    it reveals neither the limit nor whether the address has an account."""

    template_name = "residents/account/password_reset_form.html"
    form_class = ResidentPasswordResetForm
    success_url = reverse_lazy("account:password-reset-sent")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if not emails_allowed(self.request, form.cleaned_data["email"], "reset"):
            return HttpResponseRedirect(self.get_success_url())
        form.request = self.request  # type: ignore[attr-defined]
        return super().form_valid(form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["has_errors"] = bool(context["form"].errors)
        return context


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "residents/account/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from the emailed link. Following it proves the
    address is theirs; every session they had is ended."""

    template_name = "residents/account/password_reset_confirm.html"
    form_class = ResidentSetPasswordForm
    success_url = reverse_lazy("account:password-reset-done")

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        email_verified_mark(user)  # the link proved the address
        ResidentSession.objects.filter(user=user).delete()
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context["has_errors"] = bool(form is not None and form.errors)
        return context


class PasswordResetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "residents/account/password_reset_done.html"
