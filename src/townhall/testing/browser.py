"""Browser-test support: the system Chromium driven by Playwright, and the
fixtures that put Example Council on pytest-django's live server.

Only Debian's `chromium` package is used, never a downloaded browser. Without
it the tests that need it are skipped, except under CI (CI is set), where that
is a failure: `scripts/ensure-chromium` installs it.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESIDENT_EMAIL = "resident@example.com"
STAFF_USERNAME = "caseworker@example.gov.uk"
STAFF_PASSWORD = "correct horse battery staple"  # noqa: S105 - UserFactory's test password
TIMEOUT_MS = 10_000


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def unavailable(reason: str) -> None:
    """Skip a browser test for want of something, or fail under CI."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)", pytrace=False)
    pytest.skip(reason)


def tiny_png() -> bytes:
    """A valid 1x1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")  # filter byte, one white pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# --- fixtures ---------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module; each test opens its own contexts."""
    executable = shutil.which("chromium")
    if executable is None:
        unavailable("chromium is not installed (scripts/ensure-chromium installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which
    # makes Django refuse database access from the test (and from pytest-django's
    # per-test flush). The test thread never really runs async code.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()


@pytest.fixture
def frontend_built() -> None:
    """The JavaScript tests need the built front end (`make assets`)."""
    from django.contrib.staticfiles import finders

    if finders.find("govuk/all.bundle.js") is None:
        unavailable("the front end is not built (run `make assets`)")


@pytest.fixture
def council_site(transactional_db: None) -> Any:
    """Example Council, answering on any host name (the live server is `localhost`),
    with the standard fly-tipping service and one member of staff."""
    from townhall.catalogue.services import service_import
    from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
    from townhall.tenancy.factories import (
        MembershipFactory,
        OrganisationFactory,
        SiteFactory,
        UserFactory,
    )
    from townhall.tenancy.models import Organisation

    council = cast(
        Organisation,
        OrganisationFactory(slug="example", name="Example Council", reference_prefix="EXA"),
    )
    SiteFactory(
        host="council.example", name="Example Council", is_default=True, organisations=[council]
    )
    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    service_import(organisation=council, definition=definition)
    staff = UserFactory(email=STAFF_USERNAME, first_name="Sam", last_name="Okafor")
    MembershipFactory(user=staff, organisation=council)
    from townhall.testing.sign_in import authenticator_for

    authenticator_for(staff)  # the phone app the member of staff signs in with
    return council


def staff_sign_in(page: Any) -> None:
    """Sign the member of staff in on `page` (at the sign-in page): the password,
    then the code their authenticator app shows now."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from townhall.testing.sign_in import current_code

    page.get_by_label("Email address").fill(STAFF_USERNAME)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    device = TOTPDevice.objects.get(user__email=STAFF_USERNAME, confirmed=True)
    page.get_by_label("Security code").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()


@pytest.fixture
def new_page(browser: Any, live_server: Any, council_site: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (its own cookies) on the live server."""
    contexts: list[Any] = []

    def open_page(*, javascript: bool = True) -> Any:
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
