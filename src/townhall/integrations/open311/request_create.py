"""`requests` (POST): a new case from an Open311 client, made by the journey
service's one-shot `case_create` exactly as the web form would make it, on
the API channel and recorded against the client's API key; and
`tokens/{token}`, which names the case a token stands for."""

from __future__ import annotations

import math
from typing import Any

from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict

from townhall.cases.journey import AnswersRefused, JourneyUnavailable, case_create
from townhall.cases.models import Case, Channel
from townhall.integrations.models import ApiKey
from townhall.integrations.open311 import params
from townhall.integrations.open311.endpoint import endpoint
from townhall.integrations.open311.fields import ServiceFields, attribute_answers
from townhall.integrations.open311.output import Open311Error, respond
from townhall.integrations.open311.service_requests import Catalogue, public_cases
from townhall.integrations.open311.service_types import public_service
from townhall.places.lookup import areas_at, one_lookup_per_point
from townhall.tenancy.models import Organisation

MAX_DESCRIPTION = 4000
TOKEN_SALT = "townhall.open311.token"  # noqa: S105 (a namespace for signing, no secret)


@endpoint("POST")
def request_create(request: HttpRequest, *, fmt: str) -> HttpResponse:
    data, files = params.form_data(request)
    organisation, key = params.jurisdiction_and_key(request, data, scope=ApiKey.Scope.WRITE)
    code = params.text(data, "service_code", limit=80)
    if not code:
        raise Open311Error(400, (400, "service_code is required"))
    # The point's areas are found once, for its location answer, the answers'
    # check, the team and the case's area codes alike.
    with one_lookup_per_point():
        try:
            case = _case_made(organisation, code, data, files, key, fresh=False)
        except JourneyUnavailable:
            # The service remembered was out of date (unpublished or republished
            # in another process a moment ago): look it up again, once.
            try:
                case = _case_made(organisation, code, data, files, key, fresh=True)
            except JourneyUnavailable as unavailable:
                raise Open311Error(400, (400, f"service_code not found: {code}")) from unavailable
    document = {
        "service_request_id": case.reference,
        "token": token_for(case),
        "service_notice": "",
        "account_id": None,
    }
    return respond(fmt, [document], root="service_requests", item="request")


def _case_made(
    organisation: Organisation,
    code: str,
    data: QueryDict,
    files: MultiValueDict[str, UploadedFile],
    key: ApiKey,
    *,
    fresh: bool,
) -> Case:
    service = public_service(organisation, code, fresh=fresh)
    if service is None or service.published_version is None:
        if not fresh:
            raise JourneyUnavailable(code)
        raise Open311Error(400, (400, f"service_code not found: {code}"))
    fields = ServiceFields(service.published_version.parsed)
    answers = _answers(fields, data)
    uploads = [upload for upload in files.getlist("media") if upload]
    if uploads and fields.media is None:
        raise Open311Error(400, (400, "media: this service does not take files"))
    try:
        return case_create(
            service_version=service.published_version,
            answers=answers,
            channel=Channel.API,
            client=key.name,
            files={fields.media.id: uploads} if uploads and fields.media else None,
            media_urls=params.comma_list(data, "media_url", limit=20),
        )
    except AnswersRefused as refused:
        problems = [
            (400, f"{fields.field_name(path)}: {message}")
            for path, message in refused.errors.items()
        ]
        raise Open311Error(400, *problems) from refused


def _answers(fields: ServiceFields, data: QueryDict) -> dict[str, Any]:
    answers, unknown = attribute_answers(fields, params.attributes(data))
    if unknown:
        raise Open311Error(
            400,
            *[
                (400, f"attribute[{code[:100]}]: this service has no such attribute")
                for code in unknown
            ],
        )
    if fields.place is not None and (place := _place(data)) is not None:
        answers[fields.place.id] = place
    email = params.text(data, "email", limit=254)
    if fields.email is not None and email:
        answers[fields.email.id] = email
    description = params.text(data, "description", limit=MAX_DESCRIPTION)
    if fields.description is not None and description:
        answers[fields.description.id] = description
    return answers


def _place(data: QueryDict) -> dict[str, Any] | None:
    """The location answer lat/long, address_string or address_id give; the
    areas a point lies in are found as for a pin dropped on the web form's map."""
    address = params.text(data, "address_string", limit=500)
    address_id = params.text(data, "address_id", limit=100)
    lat, lon = params.text(data, "lat", limit=30), params.text(data, "long", limit=30)
    if lat or lon:
        point = _point(lat, lon)
        areas = areas_at(point["lon"], point["lat"])
        return {
            "text": address or address_id or f"{point['lat']}, {point['lon']}",
            "found_by": "map_pin",
            "point": point,
            "areas": [{"type": a.type, "code": a.code, "name": a.name} for a in areas],
        }
    if address or address_id:
        return {"text": address or address_id, "found_by": "description", "areas": []}
    return None


def _point(lat: str, lon: str) -> dict[str, float]:
    try:
        point = {"lat": float(lat), "lon": float(lon)}
    except ValueError:
        raise Open311Error(
            400, (400, "lat and long must both be decimal degrees (WGS84)")
        ) from None
    if not all(math.isfinite(v) for v in point.values()) or not (
        -90 <= point["lat"] <= 90 and -180 <= point["lon"] <= 180
    ):
        raise Open311Error(400, (400, "lat must be -90 to 90 and long -180 to 180"))
    return point


def token_for(case: Case) -> str:
    """A token for the case: opaque to clients, checked when it comes back."""
    return signing.Signer(salt=TOKEN_SALT).sign(str(case.pk)).replace(":", ".")


@endpoint("GET", "HEAD")
def token_detail(request: HttpRequest, token: str, *, fmt: str) -> HttpResponse:
    catalogue = Catalogue(params.jurisdiction(request, request.GET))
    try:
        case_id = signing.Signer(salt=TOKEN_SALT).unsign(token[:200].replace(".", ":"))
    except signing.BadSignature:
        case_id = None
    case = public_cases(catalogue).filter(pk=case_id).only("reference").first() if case_id else None
    if case is None:
        raise Open311Error(404, (404, "token not found"))
    document = {"token": token, "service_request_id": case.reference}
    return respond(fmt, [document], root="service_requests", item="request")
