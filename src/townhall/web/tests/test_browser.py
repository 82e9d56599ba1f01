"""End to end in a real headless Chromium (Debian's `chromium` package, never a
downloaded browser): a resident reports fly-tipping, tracks it, and a member of
staff updates it, against pytest-django's live server.

Without chromium these tests are skipped, except under CI (CI is set), where
that is a failure: `scripts/ensure-chromium` installs it.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from townhall.testing.browser import (
    RESIDENT_EMAIL,
    TIMEOUT_MS,
    staff_sign_in,
    tiny_png,
)

pytestmark = pytest.mark.browser

# --- steps ------------------------------------------------------------------


def _expect() -> Any:
    from playwright.sync_api import expect

    return expect


def _heading(page: Any, name: str) -> Any:
    return page.get_by_role("heading", level=1, name=name)


def _start_fly_tipping_report(page: Any) -> None:
    expect = _expect()
    page.goto("/")
    expect(_heading(page, "Example Council")).to_be_visible()
    page.get_by_role("link", name="See all services").click()
    expect(_heading(page, "All services")).to_be_visible()
    page.get_by_role("link", name="Report fly-tipping").click()
    expect(_heading(page, "Report fly-tipping")).to_be_visible()
    page.get_by_role("button", name="Start now").click()
    expect(_heading(page, "What has been dumped?")).to_be_visible()


def _answer_every_page(page: Any) -> None:
    """From the first question to check your answers, answering everything."""
    expect = _expect()
    continue_button = page.get_by_role("button", name="Continue")

    page.get_by_label("Household rubbish").check()
    continue_button.click()

    expect(_heading(page, "How much has been dumped?")).to_be_visible()
    page.get_by_label("About a car boot full").check()
    continue_button.click()

    expect(_heading(page, "Where is it?")).to_be_visible()
    page.get_by_label("Where is it?").fill("Behind the library, 1 High Street, EX1 1AA")
    continue_button.click()

    expect(_heading(page, "When did you see it?")).to_be_visible()
    seen = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Day").fill(str(seen.day))
    page.get_by_label("Month").fill(str(seen.month))
    page.get_by_label("Year").fill(str(seen.year))
    continue_button.click()

    expect(_heading(page, "Is there anything else we should know?")).to_be_visible()
    page.get_by_label("Is there anything else we should know?").fill("A white van, early morning.")
    continue_button.click()

    expect(_heading(page, "Upload a photo (optional)")).to_be_visible()
    page.get_by_label("Upload a photo (optional)").set_input_files(
        files=[{"name": "fly-tipping.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    continue_button.click()

    expect(_heading(page, "What is your email address?")).to_be_visible()
    page.get_by_label("What is your email address?").fill(RESIDENT_EMAIL)
    continue_button.click()

    expect(_heading(page, "Check your answers before sending")).to_be_visible()
    answers = page.locator(".govuk-summary-list")
    for text in (
        "Household rubbish",
        "About a car boot full",
        "Behind the library, 1 High Street, EX1 1AA",
        "A white van, early morning.",
        "fly-tipping.png",
        RESIDENT_EMAIL,
    ):
        expect(answers).to_contain_text(text)


def _reference_from_confirmation(page: Any) -> str:
    expect = _expect()
    expect(page.locator(".govuk-panel__title")).to_have_text("Fly-tipping reported")
    reference = page.locator(".govuk-panel .th-reference").inner_text().strip()
    assert re.fullmatch(r"EXA-\d{4}-\d{8}", reference), reference
    return reference


def _wait_for_mail(outbox: list[Any], count: int) -> None:
    """Emails are sent by the live server's thread; give it a moment."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while len(outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(outbox) == count, [message.subject for message in outbox]


def _expect_javascript(page: Any, *, enabled: bool) -> None:
    """Prove which journey this is: townhall.js marks the body when it runs."""
    body = _expect()(page.locator("body"))
    if enabled:
        body.to_have_class(re.compile(r"\bjs-enabled\b"))
    else:
        body.not_to_have_class(re.compile(r"\bjs-enabled\b"))


# --- tests ------------------------------------------------------------------


def test_report_track_and_update_with_javascript(new_page, mailoutbox, frontend_built):
    from townhall.cases.models import Case

    expect = _expect()
    resident = new_page(javascript=True)

    _start_fly_tipping_report(resident)
    _expect_javascript(resident, enabled=True)
    _answer_every_page(resident)
    resident.get_by_role("button", name="Accept and send").click()
    reference = _reference_from_confirmation(resident)

    _wait_for_mail(mailoutbox, 1)
    acknowledgement = mailoutbox[0]
    assert acknowledgement.to == [RESIDENT_EMAIL]
    assert reference in acknowledgement.subject
    assert reference in acknowledgement.body
    case = Case.objects.get(reference=reference)
    assert case.attachments.count() == 1

    # The resident tracks it.
    resident.get_by_role("link", name="track your request").click()
    expect(_heading(resident, "Track a request")).to_be_visible()
    resident.get_by_label("Your reference").fill(reference)
    resident.get_by_label("Email address").fill(RESIDENT_EMAIL)
    resident.get_by_role("button", name="Find my request").click()
    expect(_heading(resident, f"Request {reference}")).to_be_visible()
    expect(resident.locator(".govuk-summary-list .govuk-tag")).to_have_text("Received")

    # A member of staff, in their own browser context, clears it.
    staff = new_page(javascript=True)
    staff.goto("/staff/login/")
    staff_sign_in(staff)
    expect(_heading(staff, "Open cases")).to_be_visible()
    row = staff.get_by_role("row").filter(has_text=reference)
    expect(row).to_contain_text("Report fly-tipping")
    expect(row).to_contain_text("Received")
    row.get_by_role("link", name=reference).click()

    expect(_heading(staff, reference)).to_be_visible()
    expect(staff.locator("main")).to_contain_text("Behind the library, 1 High Street, EX1 1AA")
    staff.get_by_role("radio", name="Cleared (closes the case)").check()
    public_message = "Our crew cleared it this morning. Thank you."
    staff.get_by_label("Update for the resident (optional)").fill(public_message)
    staff.get_by_label("Internal note (optional)").fill("Two bags, no evidence.")
    staff.get_by_role("button", name="Update status").click()

    expect(
        staff.get_by_text("Status updated. The resident will be emailed about it.")
    ).to_be_visible()
    expect(staff.locator(".govuk-summary-list .govuk-tag").first).to_have_text("Cleared")
    latest = staff.locator(".th-timeline__item").first
    expect(latest).to_contain_text("Received → Cleared")
    expect(latest).to_contain_text("by Sam Okafor")
    expect(latest).to_contain_text(public_message)
    expect(latest).to_contain_text("Two bags, no evidence.")
    expect(staff.locator(".th-timeline__item").last).to_contain_text("by the resident")

    _wait_for_mail(mailoutbox, 2)
    update = mailoutbox[1]
    assert update.to == [RESIDENT_EMAIL]
    assert reference in update.subject
    assert public_message in update.body
    assert "Two bags" not in update.body  # the internal note stays internal

    case.refresh_from_db()
    assert (case.status, case.is_open) == ("cleared", False)


def test_report_without_javascript_and_see_a_validation_error(new_page, mailoutbox):
    from townhall.cases.models import Case

    expect = _expect()
    resident = new_page(javascript=False)

    _start_fly_tipping_report(resident)
    _expect_javascript(resident, enabled=False)

    # Continue without choosing: the page comes back with the GOV.UK error pattern.
    resident.get_by_role("button", name="Continue").click()
    summary = resident.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(resident).to_have_title(re.compile(r"^Error: "))
    error_link = summary.get_by_role("link")
    expect(error_link).to_have_count(1)
    expect(error_link).to_have_attribute("href", "#waste_type")
    expect(resident.locator("#waste_type-error")).to_be_visible()

    _answer_every_page(resident)
    expect(resident).not_to_have_title(re.compile(r"^Error: "))
    resident.get_by_role("button", name="Accept and send").click()
    reference = _reference_from_confirmation(resident)

    case = Case.objects.get()
    assert case.reference == reference
    assert case.contact_email == RESIDENT_EMAIL
    assert case.answers["waste_type"] == "household"
    assert case.attachments.count() == 1
    _wait_for_mail(mailoutbox, 1)
    assert mailoutbox[0].to == [RESIDENT_EMAIL]
    assert reference in mailoutbox[0].subject


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_double_click_on_accept_and_send_makes_one_case(new_page, mailoutbox, javascript, request):
    from townhall.cases.models import Case

    if javascript:
        request.getfixturevalue("frontend_built")
    resident = new_page(javascript=javascript)
    _start_fly_tipping_report(resident)
    _answer_every_page(resident)

    resident.get_by_role("button", name="Accept and send").dblclick()
    reference = _reference_from_confirmation(resident)

    assert list(Case.objects.values_list("reference", flat=True)) == [reference]
    _wait_for_mail(mailoutbox, 1)


def test_sending_the_same_answers_again_makes_no_second_case(new_page, mailoutbox):
    """The form sent twice (a second tab, or a resubmission after a slow
    response): the second arrives after the first has made the case, and the
    resident is shown the case the first one made."""
    from townhall.cases.models import Case

    first = new_page(javascript=False)
    _start_fly_tipping_report(first)
    _answer_every_page(first)
    second = first.context.new_page()  # same browser, same session
    second.goto(first.url)
    _expect()(_heading(second, "Check your answers before sending")).to_be_visible()

    first.get_by_role("button", name="Accept and send").click()
    reference = _reference_from_confirmation(first)
    second.get_by_role("button", name="Accept and send").click()
    assert _reference_from_confirmation(second) == reference

    assert list(Case.objects.values_list("reference", flat=True)) == [reference]
    _wait_for_mail(mailoutbox, 1)
