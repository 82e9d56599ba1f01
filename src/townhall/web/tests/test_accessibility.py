"""Every page of the resident and staff journeys, checked in a real browser by
axe-core (the engine behind most accessibility checkers) against WCAG 2.0, 2.1
and 2.2 A and AA rules. Automated checks find only part of what a person with
a screen reader would meet, so these complement, not replace, manual testing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from townhall.testing.browser import (
    RESIDENT_EMAIL,
    STAFF_PASSWORD,
    STAFF_USERNAME,
    tiny_png,
    unavailable,
)
from townhall.testing.sign_in import current_code

pytestmark = pytest.mark.browser

AXE = Path(settings.PROJECT_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _violations(page: Any) -> list[dict[str, Any]]:
    if not AXE.exists():
        unavailable("axe-core is not installed (npm ci installs it)")
    # After a click the next page may still be loading: without its stylesheet
    # the layout (and so target sizes and contrast) is not what residents see.
    page.wait_for_load_state("load")
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["html"][:200] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]


def _authenticator() -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.get(user__email=STAFF_USERNAME, confirmed=True)


def _check(page: Any, found: dict[str, list[dict[str, Any]]]) -> None:
    violations = _violations(page)
    if violations:
        found[page.url] = violations


def test_the_resident_and_staff_journeys_meet_wcag_aa(browser, live_server, council_site):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        for url in ["/", "/services/", "/services/?q=rubbish", "/services/report-fly-tipping/"]:
            page.goto(url)
            _check(page, found)
        page.goto("/services/report-fly-tipping/questions/what/")
        _check(page, found)
        page.get_by_role("button", name="Continue").click()  # an error summary
        _check(page, found)
        answers = [
            ("Furniture or white goods", None),
            ("About a small van load", None),
            ("Where is it?", "Castle Street, EX1 1AA"),
        ]
        for label, text in answers:
            if text is None:
                page.get_by_label(label).check()
            else:
                page.get_by_label(label).fill(text)
            page.get_by_role("button", name="Continue").click()
            _check(page, found)
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        page.get_by_label("Day").fill(str(yesterday.day))
        page.get_by_label("Month").fill(str(yesterday.month))
        page.get_by_label("Year").fill(str(yesterday.year))
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("button", name="Continue").click()  # nothing else to add
        _check(page, found)
        page.get_by_label("Upload a photo (optional)").set_input_files(
            files=[{"name": "x.png", "mimeType": "image/png", "buffer": tiny_png()}]
        )
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("What is your email address?").fill(RESIDENT_EMAIL)
        page.get_by_role("button", name="Continue").click()
        _check(page, found)  # check your answers
        page.get_by_role("button", name="Accept and send").click()
        _check(page, found)  # confirmation
        reference = page.locator(".th-reference").inner_text()

        page.goto("/track/")
        page.get_by_role("button", name="Find my request").click()
        _check(page, found)  # track with errors
        page.get_by_label("Your reference").fill(reference)
        page.get_by_label("Email address").fill(RESIDENT_EMAIL)
        page.get_by_role("button", name="Find my request").click()
        _check(page, found)

        page.goto("/staff/login/")
        _check(page, found)
        page.get_by_label("Email address").fill(STAFF_USERNAME)
        page.get_by_label("Password").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        _check(page, found)  # the second step: a code from the app
        page.get_by_label("Security code").fill(current_code(_authenticator()))
        page.get_by_role("button", name="Continue").click()
        _check(page, found)  # the queue
        page.get_by_role("link", name=reference).click()
        _check(page, found)  # a case
        page.get_by_role("button", name="Update status").click()
        _check(page, found)  # a case with an error
        for url in [
            "/staff/services/",
            "/staff/services/report-fly-tipping/versions/1/",
            "/staff/account/",
            "/staff/account/two-factor/",
            "/staff/contacts/",
            "/staff/contacts/new/",
        ]:
            page.goto(url)
            _check(page, found)
        page.get_by_role("button", name="Log contact").click()  # nothing chosen: errors
        _check(page, found)
        for url in ["/staff/assisted/", "/staff/assisted/report-fly-tipping/"]:
            page.goto(url)
            _check(page, found)
        page.get_by_role("button", name="Continue").click()  # no channel: an error
        _check(page, found)
        page.get_by_label("Phone").check()
        page.get_by_role("button", name="Continue").click()
        _check(page, found)  # the first question, recorded by staff
    finally:
        context.close()
    assert not found, json.dumps(found, indent=2)


def test_the_language_switcher_meets_wcag_aa_and_works(browser, live_server, council_site):
    from townhall.tenancy.models import Site

    Site.objects.update(languages=["en", "cy"])
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        page.goto("/services/report-fly-tipping/questions/what/")
        _check(page, found)
        navigation = page.get_by_role("navigation", name="Language")
        navigation.get_by_role("button", name="Cymraeg").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/services/report-fly-tipping/questions/what/")
        assert page.locator("html").get_attribute("lang") == "cy"
        assert page.get_by_role("button", name="Parhau").is_visible()  # Continue
        _check(page, found)
        page.get_by_role("navigation", name="Iaith").get_by_role("button", name="English").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        context.close()
    assert not found, json.dumps(found, indent=2)
