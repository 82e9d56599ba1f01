"""A resident's account pages: registering, confirming the email address,
the account's home, the sessions they can end, the second factor, and
signing out (see docs/decisions/0052 and 0053)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import (
    url_has_allowed_host_and_scheme,
    urlsafe_base64_decode,
    urlsafe_base64_encode,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from townhall.accounts import two_factor
from townhall.accounts.models import User
from townhall.accounts.two_factor_forms import SetupCodeForm
from townhall.residents import codes
from townhall.residents.account_forms import RegisterForm
from townhall.residents.emails import account_email_send
from townhall.residents.identity import email_verified, email_verified_mark, profile_for
from townhall.residents.sessions import current_record_id, session_end, session_forget, sessions_for
from townhall.residents.sign_in import AFTER, emails_allowed, is_staff_account, safe_next

View = Callable[..., HttpResponse]

# Pages of the account that other parts of it provide (my requests, profile):
# linked from the home page once they exist.
LINKS = [
    ("my_requests:list", gettext_lazy("Your requests")),
    ("my_requests:drafts", gettext_lazy("Your unfinished applications")),
    ("profile:show", gettext_lazy("Your details")),
    ("profile:data", gettext_lazy("Download your data")),
]


def signed_in_resident(view: View) -> View:
    """Send someone not signed in to sign in, then back."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('account:sign-in')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper


def _links() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for name, label in LINKS:
        try:
            found.append((reverse(name), label))
        except NoReverseMatch:
            continue
    return found


def _verify_link(request: HttpRequest, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = codes.verify_token_issue(email=user.email)
    return request.build_absolute_uri(reverse("account:verify-link", args=[uid, token]))


def _send_verify_link(request: HttpRequest, user: User) -> None:
    hours = int(codes.VERIFY_LINK_LIFETIME.total_seconds() // 3600)
    account_email_send(
        request=request,
        to=user.email,
        template="account_verify",
        context={"link": _verify_link(request, user), "hours": hours},
    )


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Email address and password. Whether or not the address has an account
    already, the next page is the same ("check your email"): a new account
    gets a confirmation link, an existing one an email saying how to sign in."""
    after = safe_next(request)
    form = RegisterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        email = codes.normalise_email(form.cleaned_data["email"])
        request.session[AFTER] = after
        if emails_allowed(request, email, "register"):
            existing = User.objects.filter(email__iexact=email).first()
            if existing is None:
                user = User.objects.create_user(email=email, password=form.cleaned_data["password"])
                profile_for(user)
                _send_verify_link(request, user)
            else:
                staff = is_staff_account(existing)
                template = "account_staff_sign_in" if staff else "account_exists"
                path = reverse("backoffice:login" if staff else "account:sign-in")
                account_email_send(
                    request=request,
                    to=email,
                    template=template,
                    context={
                        "link": request.build_absolute_uri(path),
                        "reset_link": request.build_absolute_uri(reverse("account:password-reset")),
                    },
                )
        return redirect("account:check-email")
    return render(
        request,
        "residents/account/register.html",
        {"form": form, "next": after, "has_errors": bool(form.errors)},
        status=400 if form.errors else 200,
    )


def check_email(request: HttpRequest) -> HttpResponse:
    hours = int(codes.VERIFY_LINK_LIFETIME.total_seconds() // 3600)
    return render(request, "residents/account/check_email.html", {"hours": hours})


@require_http_methods(["GET", "POST"])
@signed_in_resident
def verify(request: HttpRequest) -> HttpResponse:
    """For a signed-in resident who has not confirmed their address: send the
    link (again). Services for signed-in residents send them here."""
    user: User = request.user  # type: ignore[assignment]
    after = safe_next(request)
    if email_verified(user):
        return redirect(after)
    request.session[AFTER] = after
    sent = False
    if request.method == "POST":
        if emails_allowed(request, user.email, "verify"):
            _send_verify_link(request, user)
        sent = True
    return render(request, "residents/account/verify.html", {"sent": sent, "next": after})


@require_http_methods(["GET", "POST"])
def verify_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The emailed link, for the resident signed in to the account it names
    (others are asked to sign in first). Opening it shows a button (link
    checkers that open every link in an email must not use it up); pressing
    it confirms the address, once, before the link expires."""
    try:
        user = User.objects.filter(pk=int(force_str(urlsafe_base64_decode(uidb64)))).first()
    except (ValueError, TypeError, OverflowError):
        user = None
    if user is not None and request.user.pk != user.pk:
        # Only someone signed in to the account (who knows its password) may
        # confirm it: otherwise whoever registered someone else's address
        # could have its owner confirm an account they hold the password of.
        if request.user.is_authenticated:
            context = {"other_account": True}
            return render(request, "residents/account/verify_invalid.html", context, status=400)
        query = urlencode({"next": request.path})
        return redirect(f"{reverse('account:sign-in')}?{query}")
    if request.method == "POST":
        if user is not None and codes.verify_token_use(email=user.email, token=token):
            email_verified_mark(user)
            messages.success(request, _("Your email address is confirmed."))
            return redirect(safe_default(request.session.pop(AFTER, ""), request))
        return render(request, "residents/account/verify_invalid.html", status=400)
    return render(request, "residents/account/verify_link.html", {})


def safe_default(after: object, request: HttpRequest) -> str:
    """A remembered address to go to, if it is one of this site's pages."""
    if isinstance(after, str) and url_has_allowed_host_and_scheme(
        after, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return after
    return reverse("account:home")


@signed_in_resident
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "residents/account/home.html",
        {
            "verified": email_verified(user),
            "links": _links(),
            "has_authenticator": two_factor.has_authenticator(user),
            "has_password": user.has_usable_password(),
        },
    )


@signed_in_resident
def sessions(request: HttpRequest) -> HttpResponse:
    """Where the resident is signed in, each with a button to end it."""
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "residents/account/sessions.html",
        {"sessions": sessions_for(user), "current": current_record_id(request)},
    )


@require_POST
@signed_in_resident
def session_end_view(request: HttpRequest, record_id: int) -> HttpResponse:
    """End one of the resident's own sessions; another's id is a 404."""
    user: User = request.user  # type: ignore[assignment]
    if record_id == current_record_id(request):
        return sign_out(request)
    if not session_end(user=user, record_id=record_id):
        raise Http404("No such session")
    messages.success(request, _("You are signed out on that device."))
    return redirect("account:sessions")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        session_forget(request)
    logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("account:sign-in")


@require_http_methods(["GET", "POST"])
@signed_in_resident
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), then give
    a code from the app; recovery codes are shown once. Someone who already
    has one must have given it this session to replace it."""
    user: User = request.user  # type: ignore[assignment]
    if two_factor.has_second_factor(user) and not user.is_verified():  # type: ignore[attr-defined]
        raise Http404("Sign in again to change your second factor")
    device = two_factor.authenticator_pending(user=user)
    form = SetupCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and device is not None and form.is_valid():
        if two_factor.authenticator_confirm(device=device, code=form.cleaned_data["code"]):
            otp_login(request, device)
            codes_shown = two_factor.recovery_codes_replace(user=user)
            return render(request, "residents/account/recovery_codes.html", {"codes": codes_shown})
        form.add_error("code", _("The code is not right. Check the app shows this account"))
    if device is None or request.method == "GET":
        device = two_factor.authenticator_start(user=user)
    uri = two_factor.otpauth_uri(device)
    return render(
        request,
        "residents/account/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_svg(uri, title=_("QR code for your authenticator app")),
            "secret": two_factor.secret_text(device),
            "has_errors": bool(form.errors),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@signed_in_resident
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; the old ones stop working."""
    user: User = request.user  # type: ignore[assignment]
    if not two_factor.has_authenticator(user) or not user.is_verified():  # type: ignore[attr-defined]
        raise Http404("No second factor")
    codes_shown = two_factor.recovery_codes_replace(user=user)
    return render(request, "residents/account/recovery_codes.html", {"codes": codes_shown})
