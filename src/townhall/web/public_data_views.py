"""Open to anyone: the councils' performance (`/performance/`) and open data
(`/open-data/`): anonymised cases of public services as CSV, JSON and
GeoJSON, a data dictionary, the licence, and a DCAT catalogue that
data.gov.uk or CKAN can harvest. Nothing here is personal."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from townhall.core.replica import reads_from_replica
from townhall.insight import open_data
from townhall.insight.public import last_twelve_months, public_performance
from townhall.tenancy.selectors import site_organisations


@require_GET
@reads_from_replica  # aggregate reads: the replica when there is one
def performance(request: HttpRequest) -> HttpResponse:
    dates = last_twelve_months(timezone.localdate())
    councils = [
        (organisation, public_performance(organisation=organisation, dates=dates))
        for organisation in site_organisations(request)
    ]
    return render(
        request,
        "web/performance.html",
        {"councils": councils, "dates": dates, "small": settings.PERFORMANCE_SMALL_NUMBER},
    )


def dictionary() -> list[open_data.Field]:
    return [
        open_data.Field("reference", _("The case's reference.")),
        open_data.Field("council", _("The council that handles it.")),
        open_data.Field("service", _("The service it was made through.")),
        open_data.Field(
            "lgsl_code", _("The service's code in the Local Government Service List (LGSL).")
        ),
        open_data.Field("status", _("Where the case is now, in the service's own words.")),
        open_data.Field("opened", _("The date it was made (YYYY-MM-DD).")),
        open_data.Field("closed", _("The date it was closed, or empty while it is open.")),
        open_data.Field("ward_code", _("The GSS code of the ward it is in, if known.")),
        open_data.Field("ward_name", _("The name of that ward.")),
        open_data.Field(
            "latitude",
            _("The centre of the grid square (about %(metres)s metres across) it is in.")
            % {"metres": settings.OPEN_DATA_GRID_METRES},
        ),
        open_data.Field("longitude", _("As latitude.")),
        open_data.Field(
            "details",
            _(
                "Answers the council publishes for the service, one 'question: answer' a line "
                "(empty for most services). Email addresses and phone numbers are removed."
            ),
        ),
    ]


@require_GET
@reads_from_replica  # aggregate reads: the replica when there is one
def open_data_index(request: HttpRequest) -> HttpResponse:
    services = open_data.public_services(site_organisations(request))
    return render(
        request,
        "web/open_data.html",
        {
            "services": services,
            "fields": dictionary(),
            "licence_url": settings.OPEN_DATA_LICENCE_URL,
            "grid": settings.OPEN_DATA_GRID_METRES,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


# Rows a piece of the streamed file holds: a few hundred kilobytes a write,
# not one write (and one trip through the server) a case.
ROWS_A_PIECE = 1000


def _pieces(lines: Iterator[str]) -> Iterator[str]:
    """`lines` joined ROWS_A_PIECE at a time."""
    piece: list[str] = []
    for line in lines:
        piece.append(line)
        if len(piece) >= ROWS_A_PIECE:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


def _csv(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(open_data.FIELDS)
    yield from _pieces(
        writer.writerow(["" if row[f] is None else row[f] for f in open_data.FIELDS])
        for row in rows
    )


def _json(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield "["
    yield from _pieces(
        ("" if n == 0 else ",") + "\n" + json.dumps(row, ensure_ascii=False)
        for n, row in enumerate(rows)
    )
    yield "\n]\n"


def _feature(row: dict[str, Any]) -> dict[str, Any]:
    lon, lat = row["longitude"], row["latitude"]
    geometry = {"type": "Point", "coordinates": [lon, lat]} if lon is not None else None
    properties = {k: v for k, v in row.items() if k not in {"latitude", "longitude"}}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _geojson(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield '{"type": "FeatureCollection", "features": ['
    yield from _pieces(
        ("" if n == 0 else ",") + "\n" + json.dumps(_feature(row), ensure_ascii=False)
        for n, row in enumerate(rows)
    )
    yield "\n]}\n"


FORMATS = {
    "csv": (_csv, "text/csv; charset=utf-8"),
    "json": (_json, "application/json"),
    "geojson": (_geojson, "application/geo+json"),
}


@require_GET
@reads_from_replica  # aggregate reads: the replica when there is one
def open_data_cases(request: HttpRequest, extension: str) -> HttpResponse | StreamingHttpResponse:
    if extension not in FORMATS:
        return HttpResponse(
            _("Choose cases.csv, cases.json or cases.geojson."),
            status=404,
            content_type="text/plain",
        )
    write, content_type = FORMATS[extension]
    services = open_data.public_services(site_organisations(request))
    response = StreamingHttpResponse(
        write(open_data.open_data_rows(services)), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="cases.{extension}"'
    return response


@require_GET
@reads_from_replica  # aggregate reads: the replica when there is one
def open_data_catalogue(request: HttpRequest) -> HttpResponse:
    """A DCAT catalogue (JSON-LD) of the site's open data, for harvesters."""
    organisations = site_organisations(request)
    base = request.build_absolute_uri("/")[:-1]
    distributions = [
        {
            "@type": "dcat:Distribution",
            "dcat:accessURL": {"@id": base + reverse("web:open-data-cases", args=[ext])},
            "dcat:downloadURL": {"@id": base + reverse("web:open-data-cases", args=[ext])},
            "dcat:mediaType": media.split(";")[0],
            "dct:format": ext.upper(),
            "dct:license": {"@id": settings.OPEN_DATA_LICENCE_URL},
        }
        for ext, (_write, media) in FORMATS.items()
    ]
    catalogue = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
        },
        "@id": base + reverse("web:open-data-catalogue"),
        "@type": "dcat:Catalog",
        "dct:title": _("Open data from %(site)s")
        % {"site": ", ".join(o.name for o in organisations)},
        "dct:license": {"@id": settings.OPEN_DATA_LICENCE_URL},
        "dcat:dataset": [
            {
                "@id": base + reverse("web:open-data"),
                "@type": "dcat:Dataset",
                "dct:title": _("Reports and requests made to the council"),
                "dct:description": _(
                    "Anonymised cases of public services: reference, service, LGSL code, "
                    "status, dates, ward and a location rounded to a grid. No personal data."
                ),
                "dct:publisher": [
                    {"@type": "foaf:Organization", "foaf:name": o.name} for o in organisations
                ],
                "dct:license": {"@id": settings.OPEN_DATA_LICENCE_URL},
                "dct:modified": timezone.now().date().isoformat(),
                "dcat:keyword": ["council", "reports", "open311", "local government"],
                "dcat:distribution": distributions,
            }
        ],
    }
    return HttpResponse(
        json.dumps(catalogue, ensure_ascii=False, indent=2), content_type="application/ld+json"
    )
