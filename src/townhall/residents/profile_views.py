"""A resident's profile pages under /account/profile/: see and change their
details and household, agree to "ask once", download their data, close
their account. Every view is for the signed-in resident and reads only
their own rows."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from townhall.accounts.models import User
from townhall.residents import consents, details, rights
from townhall.residents.identity import profile_for
from townhall.residents.models import HouseholdMember
from townhall.residents.profile_forms import (
    CloseAccountForm,
    HouseholdMemberForm,
    ProfileForm,
    ReuseForm,
)
from townhall.tenancy.models import Membership

View = Callable[..., HttpResponse]


def resident_required(view: View) -> View:
    """Only for a signed-in resident: anyone else is sent to sign in, and
    council staff (whose accounts are not residents') are refused."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if Membership.objects.filter(user=request.user).exists():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # resident_required signed them in


def _dob_initial(value: Any, prefix: str = "dob") -> dict[str, Any]:
    if value is None:
        return {}
    return {
        f"{prefix}_day": value.day,
        f"{prefix}_month": value.month,
        f"{prefix}_year": value.year,
    }


def _dob_fields(form: Any, *, own: bool) -> list[tuple[Any, int, str]]:
    """The date-of-birth boxes, filled in by browsers only for the resident's own."""
    names = ("bday-day", "bday-month", "bday-year") if own else ("", "", "")
    return [
        (form["dob_day"], 2, names[0]),
        (form["dob_month"], 2, names[1]),
        (form["dob_year"], 4, names[2]),
    ]


@require_GET
@resident_required
def show(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    profile = profile_for(user)
    return render(
        request,
        "residents/profile/show.html",
        {
            "profile": profile,
            "account": user,
            "household": HouseholdMember.objects.filter(profile=profile),
            "consents": consents.consents_of(user),
        },
    )


@require_http_methods(["GET", "POST"])
@resident_required
def edit(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    profile = profile_for(user)
    line1, line2, town = details.address_lines(profile)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": profile.phone,
        "address_line1": line1,
        "address_line2": line2,
        "town": town,
        "postcode": profile.postcode,
        "updates_by": profile.updates_by,
        "language": profile.language,
        **_dob_initial(profile.date_of_birth),
    }
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details.profile_details_update(
            user=user,
            details=details.Details(
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                phone=data["phone"],
                address=form.address_text(),
                postcode=data["postcode"],
                updates_by=data["updates_by"],
                language=data["language"],
            ),
        )
        return redirect("profile:show")
    return render(
        request,
        "residents/profile/edit.html",
        {
            "form": form,
            "account": user,
            "dob_fields": _dob_fields(form, own=True),
            "has_errors": bool(form.errors),
        },
        status=400 if form.errors else 200,
    )


def _member(request: HttpRequest, member_id: int) -> HouseholdMember:
    member = details.household_member_for(user=_user(request), member_id=member_id)
    if member is None:
        raise Http404("No such household member")
    return member


@require_http_methods(["GET", "POST"])
@resident_required
def household_member(request: HttpRequest, member_id: int | None = None) -> HttpResponse:
    """Add someone to the household, or (with `member_id`) change them."""
    member = _member(request, member_id) if member_id is not None else None
    initial = (
        {
            "name": member.name,
            "relationship": member.relationship,
            **_dob_initial(member.date_of_birth),
        }
        if member
        else {}
    )
    form = HouseholdMemberForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        details.household_member_save(
            user=_user(request),
            name=form.cleaned_data["name"],
            relationship=form.cleaned_data["relationship"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            member=member,
        )
        return redirect("profile:show")
    return render(
        request,
        "residents/profile/household_member.html",
        {
            "form": form,
            "member": member,
            "dob_fields": _dob_fields(form, own=False),
            "has_errors": bool(form.errors),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@resident_required
def household_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member(request, member_id)
    if request.method == "POST":
        details.household_member_remove(member=member)
        return redirect("profile:show")
    return render(request, "residents/profile/household_remove.html", {"member": member})


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_http_methods(["GET", "POST"])
@resident_required
def reuse(request: HttpRequest) -> HttpResponse:
    """Agree that the profile fills in requests, or withdraw that agreement.
    From a service's start page, `service` names it and `next` goes on to it."""
    user = _user(request)
    profile = profile_for(user)
    form = ReuseForm(
        request.POST if request.method == "POST" else None,
        initial={"agree": profile.reuse_agreed_at is not None},
    )
    if request.method == "POST" and form.is_valid():
        agreed = form.cleaned_data["agree"]
        if agreed and profile.reuse_agreed_at is None:
            consents.reuse_agree(user=user, service_slug=request.POST.get("service", ""))
        elif not agreed and profile.reuse_agreed_at is not None:
            consents.reuse_withdraw(user=user)
        return redirect(_safe_next(request) or "profile:show")
    return render(
        request,
        "residents/profile/reuse.html",
        {"form": form, "profile": profile, "next": _safe_next(request) or ""},
    )


@require_GET
@resident_required
def data(request: HttpRequest) -> HttpResponse:
    """Everything the account holds, as a page to read."""
    return render(
        request, "residents/profile/data.html", {"data": rights.data_export(_user(request))}
    )


@require_GET
@resident_required
def data_json(request: HttpRequest) -> HttpResponse:
    """Everything the account holds, as a JSON file to keep or take elsewhere."""
    body = json.dumps(rights.data_export(_user(request)), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{day}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@resident_required
def close(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = CloseAccountForm(request.POST if request.method == "POST" else None)
    cases = rights.resident_cases(user)
    if request.method == "POST" and form.is_valid():
        rights.account_close(user=user)
        logout(request)
        return redirect("profile:closed")
    return render(
        request,
        "residents/profile/close.html",
        {
            "form": form,
            "open_cases": [case for case in cases if case.is_open],
            "has_errors": bool(form.errors),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def closed(request: HttpRequest) -> HttpResponse:
    return render(request, "residents/profile/closed.html")
