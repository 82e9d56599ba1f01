"""Signing in to the back office: the password, the second step (a code from
an authenticator app or a recovery code), setting up an authenticator, and
resetting a forgotten password (see docs/decisions/0032)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from townhall.accounts import two_factor
from townhall.accounts.models import SignIn, User
from townhall.accounts.sessions import EXPIRED
from townhall.accounts.sign_ins import sign_in_record
from townhall.accounts.signals import SECOND_STEP
from townhall.accounts.two_factor_forms import SecondFactorForm, SetupCodeForm
from townhall.backoffice.access import home_url, second_step_url, signed_in_required
from townhall.backoffice.sign_in_forms import StaffPasswordResetForm
from townhall.core.throttle import client_key, throttle_allows
from townhall.tenancy.permissions import role_permissions
from townhall.tenancy.selectors import second_factor_done, staff_membership

# Reset emails one client may have sent in an hour: enough for a typo or two.
RESET_EMAILS_PER_CLIENT = 5


def _home(request: HttpRequest) -> str:
    membership = staff_membership(user=request.user)
    return home_url(role_permissions(membership.role) if membership else frozenset())


def _next(request: HttpRequest) -> str:
    """The page asked for before signing in, if it is one of ours; else home."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return _home(request)


class StaffLoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Without a `next`, each role starts on its own first page."""
        return _home(self.request)

    def get_success_url(self) -> str:
        """After the password, the second step if the person needs one."""
        wanted = super().get_success_url()
        membership = staff_membership(user=self.request.user)
        if second_factor_done(self.request, membership.organisation if membership else None):
            return wanted
        return second_step_url(self.request, wanted)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["has_errors"] = bool(context["form"].errors)
        context["expired"] = self.request.session.pop(EXPIRED, False)
        return context


class StaffLogoutView(auth_views.LogoutView):
    pass


def _second_step_failed(request: HttpRequest, user: User) -> None:
    """Count a wrong code as a failed sign-in: django-axes locks the account
    and the client out on the same limits as wrong passwords."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.email, SECOND_STEP: True}, request=request
    )


@require_http_methods(["GET", "POST"])
@signed_in_required(verified=False)
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app or a recovery code."""
    user: User = request.user  # type: ignore[assignment]
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next(request))
    if not two_factor.has_second_factor(user):
        return redirect(second_step_url(request, _next(request)))
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        credentials = {"username": user.email}
        if not AxesProxyHandler.is_allowed(request, credentials):
            # The lockout page takes this answer's place (AxesMiddleware).
            request.axes_locked_out = True  # type: ignore[attr-defined]
            _second_step_failed(request, user)
            return render(request, "backoffice/sign_in_code.html", {"form": form}, status=429)
        if form.is_valid():
            device = two_factor.second_factor_verify(user=user, code=form.cleaned_data["code"])
            if device is not None:
                two_factor.second_step_passed(request, user, device)
                request.session.cycle_key()
                return redirect(_next(request))
            _second_step_failed(request, user)
            form.add_error("code", _("The code is not right. Check it and try again"))
    return render(
        request,
        "backoffice/sign_in_code.html",
        {"form": form, "next": _next(request), "has_errors": bool(form.errors)},
        status=200,
    )


@require_http_methods(["GET", "POST"])
@signed_in_required(verified=False)
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), then
    give a code from the app. Someone who already has a second factor must
    give it first."""
    user: User = request.user  # type: ignore[assignment]
    membership = staff_membership(user=user)
    if two_factor.has_second_factor(user) and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(second_step_url(request, request.get_full_path()))
    device = two_factor.authenticator_pending(user=user)
    form = SetupCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and device is not None and form.is_valid():
        if two_factor.authenticator_confirm(device=device, code=form.cleaned_data["code"]):
            otp_login(request, device)
            request.session.cycle_key()
            sign_in_record(user=user, outcome=SignIn.Outcome.VERIFIED, request=request)
            codes = two_factor.recovery_codes_replace(user=user)
            return render(
                request,
                "backoffice/account/recovery_codes.html",
                {"codes": codes, "next": _next(request), "first_time": True},
            )
        _second_step_failed(request, user)
        form.add_error("code", _("The code is not right. Check the app shows this account"))
    if device is None or request.method == "GET":
        device = two_factor.authenticator_start(user=user)
    uri = two_factor.otpauth_uri(device)
    return render(
        request,
        "backoffice/account/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_svg(uri, title=_("QR code for your authenticator app")),
            "secret": two_factor.secret_text(device),
            "next": _next(request),
            "required": membership is not None and membership.organisation.require_two_factor,
            "has_errors": bool(form.errors),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["POST"])
@signed_in_required()
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; the old ones stop working."""
    codes = two_factor.recovery_codes_replace(user=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "backoffice/account/recovery_codes.html",
        {"codes": codes, "next": reverse("backoffice:account"), "first_time": False},
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request. One client may ask RESET_EMAILS_PER_CLIENT times
    an hour; past that nothing is sent, and the page says the same as ever, so
    it reveals neither the limit nor whether the address has an account."""

    template_name = "backoffice/password_reset/form.html"
    email_template_name = "backoffice/password_reset/email.txt"
    subject_template_name = "backoffice/password_reset/subject.txt"
    form_class = StaffPasswordResetForm
    success_url = reverse_lazy("backoffice:password-reset-sent")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        allowed = throttle_allows(
            key=client_key(self.request, "password-reset"),
            limit=RESET_EMAILS_PER_CLIENT,
            window=timedelta(hours=1),
        )
        if not allowed:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "backoffice/password_reset/sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "backoffice/password_reset/confirm.html"
    success_url = reverse_lazy("backoffice:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "backoffice/password_reset/done.html"
