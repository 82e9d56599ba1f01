"""Public reports (`/reports/`): open and recently closed cases of public
services, as an accessible list with a map, and as JSON and GeoJSON; and a
page for each. Nothing personal: see `insight.reports`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from townhall.insight.reports import (
    PublicReport,
    public_cases,
    public_report,
    report_filters,
    reports_page,
)
from townhall.insight.ward_map import points_map
from townhall.tenancy.selectors import site_organisations

FORMATS = {"json", "geojson"}


def _after(value: str) -> tuple[datetime, int] | None:
    """The next page's start, `<iso time>_<id>`, or None for the first page."""
    when, _sep, pk = value.rpartition("_")
    moment = parse_datetime(when) if when else None
    if moment is None or not pk.isascii() or not pk.isdigit() or len(pk) > 18:
        return None
    return moment, int(pk)


def _filters(request: HttpRequest) -> dict[str, str]:
    def clean(name: str) -> str:
        value = request.GET.get(name, "")
        return (
            value
            if value.isascii() and value.replace("-", "").isalnum() and len(value) < 80
            else ""
        )

    state = clean("status")
    return {
        "service": clean("service"),
        "ward": clean("ward"),
        "state": state if state in {"open", "closed"} else "",
    }


def _as_dict(report: PublicReport) -> dict[str, Any]:
    return {
        "reference": report.reference,
        "service": report.service,
        "summary": report.summary,
        "status": report.status,
        "open": report.is_open,
        "opened": report.opened.date().isoformat(),
        "closed": report.closed.date().isoformat() if report.closed else None,
        "ward": report.ward,
        "latitude": report.lat,
        "longitude": report.lon,
        "details": {answer.question_id: answer.text for answer in report.details},
    }


@require_GET
def report_list(request: HttpRequest, extension: str = "") -> HttpResponse:
    if extension and extension not in FORMATS:
        raise Http404("Choose reports.json or reports.geojson")
    organisations = site_organisations(request)
    filters = _filters(request)
    cases = public_cases(organisations=organisations, **filters)
    rows, following = reports_page(
        cases, ward=filters["ward"], before=_after(request.GET.get("after", ""))
    )
    after = f"{following[0].isoformat()}_{following[1]}" if following else ""
    if extension == "json":
        body = {"reports": [_as_dict(r) for r in rows], "next": after or None}
        return HttpResponse(json.dumps(body), content_type="application/json")
    if extension == "geojson":
        features = [
            {
                "type": "Feature",
                "geometry": (
                    {"type": "Point", "coordinates": [r.lon, r.lat]} if r.lon is not None else None
                ),
                "properties": {
                    k: v for k, v in _as_dict(r).items() if k not in {"latitude", "longitude"}
                },
            }
            for r in rows
        ]
        return HttpResponse(
            json.dumps({"type": "FeatureCollection", "features": features}),
            content_type="application/geo+json",
        )
    services, wards = report_filters(organisations)
    query = "&".join(f"{k if k != 'state' else 'status'}={v}" for k, v in filters.items() if v)
    return render(
        request,
        "web/reports.html",
        {
            "reports": rows,
            "after": after,
            "filters": filters,
            "services": services,
            "wards": wards,
            "query": query,
            "map": points_map(
                [
                    (r.lon, r.lat, f"{r.reference}: {r.service}", r.reference)
                    for r in rows
                    if r.lon is not None and r.lat is not None
                ]
            ),
        },
    )


@require_GET
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    found = public_report(organisations=site_organisations(request), reference=reference)
    if found is None:
        raise Http404("No public report has that reference")
    report, steps = found
    return render(request, "web/report.html", {"report": report, "steps": steps})
