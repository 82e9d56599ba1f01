"""What the maps fetch: the councils' boundaries as GeoJSON, and a postcode's
place for the map's search. Boundaries are the site's own councils' only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from townhall.catalogue.engine.places import PlaceNotFound, place_lookup
from townhall.catalogue.engine.types.location import place_names, place_words
from townhall.places.boundaries import boundaries_document
from townhall.tenancy.selectors import site_organisations


@require_GET
def boundaries(request: HttpRequest) -> HttpResponse:
    """The site's councils' areas and wards, simplified, as GeoJSON."""
    document = boundaries_document(
        site_organisations(request), welsh=(get_language() or "").startswith("cy")
    )
    response = HttpResponse(document, content_type="application/geo+json")
    # Private: the names are in the language the resident chose, which a shared cache cannot see.
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_POST
def postcode_find(request: HttpRequest) -> JsonResponse:
    """Where a postcode is, for the map's search. Sent by POST so that no
    resident's postcode is written in a URL or an access log."""
    text = request.POST.get("postcode", "").strip()[:20]
    try:
        place = place_lookup().postcode(text) if text else None
    except PlaceNotFound as error:
        return JsonResponse({"error": str(error)}, status=400)
    if place is None:
        return JsonResponse({"error": _("Enter a real postcode, like SW1A 2AA")}, status=400)
    return JsonResponse(
        {
            "postcode": place.postcode,
            "lon": place.lon,
            "lat": place.lat,
            "place": place_words(place.postcode, place_names(place)),
        }
    )
