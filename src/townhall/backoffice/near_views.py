"""Cases near me: a field officer's open cases around a postcode (or, from a
phone that shares it, a position), nearest first. Works without JavaScript."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from townhall.backoffice.access import permission_required
from townhall.backoffice.queue_views import queue_rows
from townhall.cases.near_me import DEFAULT_RADIUS, RADII, cases_near
from townhall.places.postcodes import PostcodeNotFound, postcode_find
from townhall.tenancy.permissions import Permission


def _radius_label(metres: int) -> str:
    return f"{metres // 1000} km" if metres >= 1000 else f"{metres} m"


class NearForm(forms.Form):
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        required=False,
        help_text=_("Where you are, for example OX1 1AA"),
    )
    radius = forms.TypedChoiceField(
        label=_("Within"),
        choices=[(str(r), _radius_label(r)) for r in RADII],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a distance from the list")},
    )
    # Set by a phone's browser when it shares its position (an enhancement).
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180)

    def point(self) -> tuple[float, float] | None:
        """(lon, lat) of the place asked about, or None (errors added to the form)."""
        data = self.cleaned_data
        if data.get("lat") is not None and data.get("lon") is not None:
            return data["lon"], data["lat"]
        typed = (data.get("postcode") or "").strip()
        if not typed:
            return None
        try:
            found = postcode_find(typed)
        except PostcodeNotFound as error:
            self.add_error("postcode", str(error))
            return None
        return found.lon, found.lat


@require_GET
@permission_required(Permission.VIEW_CASES)
def cases_near_me(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = NearForm(request.GET or None, initial={"radius": str(DEFAULT_RADIUS)})
    context: dict[str, Any] = {"form": form, "rows": None}
    if form.is_bound and form.is_valid():
        point = form.point()
        if point is not None:
            radius = form.cleaned_data["radius"] or DEFAULT_RADIUS
            nearby = cases_near(
                organisation=organisation, lon=point[0], lat=point[1], radius=radius
            )
            rows = queue_rows([n.case for n in nearby], closed=False, organisation=organisation)
            for row, near in zip(rows, nearby, strict=True):
                row["distance"] = near.metres
            context.update(rows=rows, radius=_radius_label(radius))
    context["has_errors"] = bool(form.errors)
    return render(request, "backoffice/near.html", context, status=400 if form.errors else 200)
