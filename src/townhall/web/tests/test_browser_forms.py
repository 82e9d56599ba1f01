"""A form that fails to send on a poor connection keeps what was typed: in a
real headless Chromium, the network is cut (DevTools' offline emulation)
while a member of staff or a resident sends a form, and what they typed is
back when the page loads again, and after a reload; once the server takes the
form it is forgotten. Passwords are never kept.

Without chromium these tests are skipped, except under CI (CI is set), where
that is a failure: `scripts/ensure-chromium` installs it.
"""

from __future__ import annotations

from typing import Any

import pytest

from townhall.testing.browser import STAFF_PASSWORD, staff_sign_in

pytestmark = pytest.mark.browser

NOTE = "Two sofas and a fridge by the gate; the gate code is 4471."
UPDATE = "We will clear it by Friday."


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _offline(session: Any, offline: bool) -> None:
    """Cut (or restore) the page's network, as a phone losing its signal."""
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def _send_offline(page: Any, button: Any) -> None:
    """Press `button` with the network cut: the send fails, the browser shows
    its own error page, and the connection comes back."""
    from playwright.sync_api import Error

    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    _offline(session, True)
    with pytest.raises(Error, match="ERR_INTERNET_DISCONNECTED"), page.expect_navigation():
        button.click()
    _offline(session, False)
    session.detach()


def _kept_keys(page: Any) -> list[str]:
    return page.evaluate(
        "Object.keys(sessionStorage).filter(function (k) { return k.indexOf('th-typed:') === 0; })"
    )


def test_a_staff_update_survives_a_failed_send_and_a_reload(new_page, council_site, frontend_built):
    from townhall.cases.factories import submitted_case
    from townhall.cases.models import Case

    case = submitted_case(council_site.services.get())
    expect = _expect()
    page = new_page()
    page.goto("/staff/login/")
    staff_sign_in(page)
    case_url = f"/staff/cases/{case.reference}/"
    page.goto(case_url)
    page.get_by_role("radio", name="Being inspected").check()
    page.get_by_label("Update for the resident (optional)").fill(UPDATE)
    page.get_by_label("Internal note (optional)").fill(NOTE)

    _send_offline(page, page.get_by_role("button", name="Update status"))
    assert Case.objects.get(pk=case.pk).status == "received"  # nothing arrived

    page.goto(case_url)
    expect(page.get_by_role("radio", name="Being inspected")).to_be_checked()
    expect(page.get_by_label("Update for the resident (optional)")).to_have_value(UPDATE)
    expect(page.get_by_label("Internal note (optional)")).to_have_value(NOTE)
    page.reload()
    expect(page.get_by_label("Internal note (optional)")).to_have_value(NOTE)
    # Never the sign-in form's password, nor anything the page hides.
    stored = page.evaluate("JSON.stringify(sessionStorage)")
    assert STAFF_PASSWORD not in stored and "csrfmiddlewaretoken" not in stored
    assert "version" not in stored

    page.get_by_role("button", name="Update status").click()
    expect(page.get_by_text("Status updated.")).to_be_visible()
    assert Case.objects.get(pk=case.pk).status == "inspecting"
    assert not [k for k in _kept_keys(page) if k.endswith("/status/")]
    page.reload()
    expect(page.get_by_label("Internal note (optional)")).to_have_value("")


def test_a_residents_answer_survives_a_failed_send(new_page, council_site, frontend_built):
    expect = _expect()
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="See all services").click()
    page.get_by_role("link", name="Report fly-tipping").click()
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1, name="What has been dumped?")).to_be_visible()
    question_url = page.url
    page.get_by_label("Household rubbish").check()

    _send_offline(page, page.get_by_role("button", name="Continue"))

    page.goto(question_url)
    expect(page.get_by_label("Household rubbish")).to_be_checked()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1, name="How much has been dumped?")).to_be_visible()
    assert _kept_keys(page) == []  # the answer was taken: nothing kept
