"""Alerts of new public reports (`/alerts/`): subscribing for a ward or near
a postcode, confirming by the emailed link (double opt-in), and
unsubscribing in one click. See `alerts.services`."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from townhall.alerts.models import Frequency
from townhall.alerts.services import (
    RADII,
    AlertRefused,
    subscription_confirm,
    subscription_end,
    subscription_for_token,
    subscription_start,
    wards_for,
)
from townhall.catalogue.engine.languages import active_language
from townhall.core.form_fields import EmailAddressField
from townhall.core.throttle import client_key, throttle_allows
from townhall.tenancy.selectors import current_site

# One client may ask for this many confirmation emails in the window.
SUBSCRIBE_LIMIT = 10
WINDOW = timedelta(minutes=15)


class AlertForm(forms.Form):
    email = EmailAddressField()
    ward = forms.ChoiceField(label=_("Ward"), required=False)
    postcode = forms.CharField(
        label=_("Or a postcode"),
        required=False,
        max_length=10,
        help_text=_("For reports near a postcode instead of in a ward"),
    )
    radius = forms.TypedChoiceField(
        label=_("How far from the postcode"),
        coerce=int,
        required=False,
        choices=[(r, _("%(metres)s metres") % {"metres": r}) for r in RADII],
        initial=500,
    )
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        initial=Frequency.IMMEDIATE,
        error_messages={"required": _("Choose how often to get alerts")},
    )

    def __init__(self, *args: object, wards: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["ward"].choices = [("", _("Choose a ward")), *wards]  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
def alert_subscribe(request: HttpRequest) -> HttpResponse:
    site = current_site(request)
    if site is None:
        raise Http404("No site")
    form = AlertForm(request.POST if request.method == "POST" else None, wards=wards_for(site))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not throttle_allows(
            key=client_key(request, "alerts"), limit=SUBSCRIBE_LIMIT, window=WINDOW
        ):
            form.add_error(None, _("Too many requests: try again in 15 minutes"))
        else:
            try:
                subscription = subscription_start(
                    site=site,
                    email=data["email"],
                    frequency=data["frequency"],
                    ward_code=data["ward"],
                    postcode="" if data["ward"] else data["postcode"],
                    radius_metres=data["radius"] or None,
                    language=active_language(),
                )
            except AlertRefused as refusal:
                field = "ward" if not data["postcode"] or data["ward"] else "postcode"
                form.add_error(field, str(refusal))
            else:
                return render(
                    request, "web/alerts_check_email.html", {"place": subscription.place_name}
                )
    return render(
        request,
        "web/alerts.html",
        {"form": form, "has_errors": bool(form.errors)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def alert_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation email. GET shows one button (so a mail
    scanner following links confirms nothing); POST confirms."""
    subscription = subscription_for_token(token, "confirm")
    if subscription is None:
        return render(request, "web/alerts_link_invalid.html", status=404)
    if request.method == "POST":
        subscription_confirm(subscription=subscription)
        subscription.refresh_from_db()
    return render(request, "web/alerts_confirm.html", {"subscription": subscription})


@csrf_exempt  # mail programs post to it (RFC 8058); the signed link is the authority
@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = subscription_for_token(token, "unsubscribe")
    if subscription is None:
        return render(request, "web/alerts_link_invalid.html", status=404)
    if request.method == "POST":
        subscription_end(subscription=subscription)
        subscription.refresh_from_db()
    return render(request, "web/alerts_unsubscribe.html", {"subscription": subscription})
