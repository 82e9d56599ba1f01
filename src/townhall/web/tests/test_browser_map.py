"""The maps in a real headless Chromium (Debian's `chromium` package): a pin
dropped with the keyboard alone on the map of a location question, with the
Content-Security-Policy in force and no map tiles (the council's boundaries
only, so no internet); axe-core on the page with the map; and the map of
public reports beside their list."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from townhall.testing.browser import TIMEOUT_MS
from townhall.web.tests.test_accessibility import _violations

pytestmark = pytest.mark.browser

WHERE = "/services/report-fly-tipping/questions/where/"


@pytest.fixture
def demo_place(council_site: Any) -> Any:
    from django.core.cache import cache

    from townhall.core import memo
    from townhall.places.demo import demo_place_load
    from townhall.places.lookup import cache_clear

    # The live server's tests empty the tables between them, so ids and the
    # areas' version number start again: what an earlier test left in the
    # cache (boundaries, lookups, throttles) or in the process's memo (the
    # site's councils) must not be read as this one's.
    cache.clear()
    memo.forget_all()
    cache_clear()
    demo_place_load(organisation=council_site)
    yield council_site
    cache_clear()


def _report_at(council: Any, lon: float, lat: float) -> None:
    """A public fly-tipping report at a point."""
    from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
    from townhall.catalogue.models import Service

    service = Service.objects.get(organisation=council, slug="report-fly-tipping")
    place = {"text": "By the stile", "found_by": "map_pin", "point": {"lon": lon, "lat": lat}}
    submitted_case(service, {**FLY_TIPPING_ANSWERS, "location": place})


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _to_the_where_page(page: Any) -> None:
    page.goto("/services/report-fly-tipping/questions/what/")
    page.get_by_label("Household rubbish").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("About a car boot full").check()
    page.get_by_role("button", name="Continue").click()
    _expect()(page.get_by_role("heading", level=1, name="Where is it?")).to_be_visible()


def _watch_problems(page: Any) -> list[str]:
    """Script errors, refusals (a Content-Security-Policy violation is logged
    as one) and failed requests, but for the favicon no page names."""
    problems: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def response(answer: Any) -> None:
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_a_pin_dropped_with_the_keyboard_alone_is_sent_and_stored(
    new_page, demo_place, frontend_built
):
    from townhall.cases.models import Draft

    expect = _expect()
    page = new_page(javascript=True)
    problems = _watch_problems(page)
    _to_the_where_page(page)

    the_map = page.get_by_role("application", name="Map for marking the place")
    expect(the_map).to_be_visible()
    # The council's boundaries are drawn: no tiles, nothing from the internet.
    expect(
        page.locator(
            ".th-location-map__map path.leaflet-interactive, .th-location-map__map svg path"
        )
    ).not_to_have_count(0)
    status = page.locator(".th-location-map__status")
    expect(status).to_have_text("No place is marked on the map.")
    # The typed route is there too, as an equal way to answer.
    expect(page.get_by_label("Where is it?")).to_be_visible()

    # Tab to the map from the postcode search, then the keyboard alone.
    page.get_by_role("button", name="Find").focus()
    page.keyboard.press("Tab")
    expect(the_map).to_be_focused()
    # Leaflet ignores an arrow key pressed while the map is still gliding from
    # the last one: each press waits for the map to have stopped.
    gliding = page.locator(".th-location-map__map .leaflet-pan-anim")
    for key in ("ArrowLeft", "ArrowDown", "ArrowLeft"):  # pan west, into Westvale, and south
        page.keyboard.press(key)
        expect(gliding).to_have_count(0)
    page.keyboard.press("Enter")
    expect(status).to_contain_text("The pin is at")
    expect(status).to_contain_text("Westvale")
    expect(page.get_by_role("button", name="Remove the pin")).to_be_visible()
    lon = float(page.locator('input[name="location-lon"]').input_value())
    lat = float(page.locator('input[name="location-lat"]').input_value())
    assert -1.80 < lon < -1.60 and 52.00 < lat < 52.10, (lon, lat)

    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="When did you see it?")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    answer = Draft.objects.get().answers["location"]
    assert answer["found_by"] == "map_pin"
    assert answer["point"] == {"lon": round(lon, 6), "lat": round(lat, 6)}
    codes = {area["code"] for area in answer["areas"]}
    assert {"E07900001", "E10900001"} <= codes  # Westvale, Exampleshire
    assert any(code.startswith("E059") for code in codes)  # and a ward

    # Back again: the pin is where it was, ready to move.
    page.go_back()
    page.reload()
    expect(status).to_contain_text("The pin is at")
    assert not problems, problems


def test_the_maps_postcode_search_puts_the_pin_at_the_postcode(
    new_page, demo_place, frontend_built
):
    from townhall.cases.models import Draft

    expect = _expect()
    page = new_page(javascript=True)
    problems = _watch_problems(page)
    _to_the_where_page(page)
    search = page.get_by_label("Find a postcode on the map")
    search.fill("zx2 1ae")
    search.press("Enter")  # searches; does not send the page
    status = page.locator(".th-location-map__status")
    expect(status).to_contain_text("ZX2 1AE, in Eastvale South West, Eastvale, Exampleshire")
    expect(page.get_by_role("heading", level=1, name="Where is it?")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="When did you see it?")).to_be_visible()
    answer = Draft.objects.get().answers["location"]
    assert (answer["found_by"], answer["postcode"]) == ("postcode", "ZX2 1AE")
    assert not problems, problems


def _context_in_westvale(browser: Any, live_server: Any) -> Any:
    """A browser whose device says it is in Westvale (for "Use my location")."""
    context = browser.new_context(
        base_url=live_server.url,
        geolocation={"longitude": -1.45, "latitude": 52.15},
        permissions=["geolocation"],
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_use_my_location_puts_the_pin_where_the_device_is(
    browser, live_server, demo_place, frontend_built
):
    from townhall.cases.models import Draft

    expect = _expect()
    context = _context_in_westvale(browser, live_server)
    try:
        page = context.new_page()
        problems = _watch_problems(page)
        _to_the_where_page(page)
        page.get_by_role("button", name="Use my location").click()
        status = page.locator(".th-location-map__status")
        expect(status).to_contain_text("Eastvale North East")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1, name="When did you see it?")).to_be_visible()
        answer = Draft.objects.get().answers["location"]
        assert answer["found_by"] == "device"
        assert answer["point"] == {"lon": -1.45, "lat": 52.15}
        assert not problems, problems
    finally:
        context.close()


def test_without_javascript_the_question_is_the_text_box_and_a_confirmation(new_page, demo_place):
    expect = _expect()
    page = new_page(javascript=False)
    _to_the_where_page(page)
    expect(page.locator("[data-location-map]")).to_be_hidden()
    page.get_by_label("Where is it?").fill("ZX1 1AA")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("We found ZX1 1AA, in Westvale South West")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="When did you see it?")).to_be_visible()


def test_the_page_with_the_map_and_the_reports_map_meet_wcag_aa(
    browser, live_server, demo_place, frontend_built
):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    found: dict[str, Any] = {}
    try:
        _to_the_where_page(page)
        _expect()(page.locator(".th-location-map__status")).to_have_text(
            "No place is marked on the map."
        )
        page.keyboard.press("Tab")
        page.locator(".th-location-map__map").focus()
        page.keyboard.press("Enter")
        if violations := _violations(page):
            found[page.url] = violations
        _report_at(demo_place, -1.75, 52.05)
        _report_at(demo_place, -1.45, 52.15)
        page.goto("/reports/")
        reports_map = page.get_by_role("region", name=re.compile("Map of the reports"))
        _expect()(reports_map).to_be_visible()
        _expect()(reports_map.locator("path.leaflet-interactive")).to_have_count(2)
        _expect()(page.locator("#reports-drawn-map")).to_be_hidden()  # replaced, not doubled
        if violations := _violations(page):
            found[page.url] = violations
        reports_map.locator("path.leaflet-interactive").first.click()
        _expect()(reports_map.get_by_role("link", name=re.compile(r"^EXA-.*: "))).to_be_visible()
    finally:
        context.close()
    assert not found, json.dumps(found, indent=2)


def _hold_the_boundaries(page: Any) -> list[Any]:
    """Keep the map's request for the boundaries waiting, as on a slow server,
    until the test lets it go: the routes held are returned."""
    held: list[Any] = []
    page.route("**/places/boundaries.geojson*", lambda route: held.append(route))
    return held


def test_a_pin_placed_before_the_boundaries_arrive_is_kept_and_named(
    browser, live_server, demo_place, frontend_built
):
    from townhall.cases.models import Draft

    expect = _expect()
    context = _context_in_westvale(browser, live_server)
    try:
        page = context.new_page()
        problems = _watch_problems(page)
        held = _hold_the_boundaries(page)
        _to_the_where_page(page)
        page.get_by_role("button", name="Use my location").click()
        status = page.locator(".th-location-map__status")
        expect(status).to_contain_text("The pin is at 52.15000, -1.45000")
        expect(page.locator('input[name="location-found-by"]')).to_have_value("device")
        assert len(held) == 1, held
        held[0].continue_()  # the boundaries arrive after the pin
        expect(status).to_contain_text("Eastvale North East")
        expect(page.locator('input[name="location-found-by"]')).to_have_value("device")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1, name="When did you see it?")).to_be_visible()
        answer = Draft.objects.get().answers["location"]
        assert answer["found_by"] == "device"
        assert answer["point"] == {"lon": -1.45, "lat": 52.15}
        assert not problems, problems
    finally:
        context.close()


def test_continue_during_the_postcode_search_sends_the_page_once_it_has_answered(
    new_page, demo_place, frontend_built
):
    from townhall.cases.models import Draft

    expect = _expect()
    page = new_page(javascript=True)
    problems = _watch_problems(page)
    held: list[Any] = []
    page.route("**/places/postcode/", lambda route: held.append(route))
    _to_the_where_page(page)
    search = page.get_by_label("Find a postcode on the map")
    search.fill("zx2 1ae")
    search.press("Enter")
    status = page.locator(".th-location-map__status")
    expect(status).to_have_text("Looking up the postcode…")
    page.get_by_role("button", name="Continue").click()  # before the search has answered
    page.wait_for_function("() => document.readyState === 'complete'")
    expect(page.get_by_role("heading", level=1, name="Where is it?")).to_be_visible()
    assert len(held) == 1, held
    held[0].continue_()
    expect(page.get_by_role("heading", level=1, name="When did you see it?")).to_be_visible()
    answer = Draft.objects.get().answers["location"]
    assert (answer["found_by"], answer["postcode"]) == ("postcode", "ZX2 1AE")
    assert not problems, problems


def test_the_boundaries_are_asked_for_again_after_a_server_error(
    new_page, demo_place, frontend_built
):
    expect = _expect()
    page = new_page(javascript=True)
    asked: list[str] = []

    def first_refused(route: Any) -> None:
        asked.append(route.request.url)
        if len(asked) == 1:
            route.fulfill(status=503, content_type="text/plain", body="Service Unavailable")
        else:
            route.continue_()

    page.route("**/places/boundaries.geojson*", first_refused)
    _to_the_where_page(page)
    expect(page.locator(".th-location-map__map svg path")).not_to_have_count(0)
    expect(page.locator(".th-location-map__status")).to_have_text("No place is marked on the map.")
    assert len(asked) == 2, asked
