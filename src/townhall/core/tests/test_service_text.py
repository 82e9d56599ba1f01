"""Service text: a safe Markdown subset with GOV.UK typography, plain in emails."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from townhall.core.service_text import render_html, render_text

TEXT = """Use this service to report waste.

## Before you start

You will need:

- the address
- a **photo**, if you have one

> If the waste is on private land, the landowner must clear it.

! If anyone is in danger, call 999.

Read [our waste policy](https://example.gov.uk/waste) first.
"""


def test_service_text_gets_gov_uk_typography():
    html = render_html(TEXT)
    assert '<p class="govuk-body">Use this service to report waste.</p>' in html
    assert '<h3 class="govuk-heading-s">Before you start</h3>' in html
    assert '<ul class="govuk-list govuk-list--bullet"><li>the address</li>' in html
    assert "<strong>photo</strong>" in html
    assert '<div class="govuk-inset-text"><p>If the waste is on private land' in html
    assert '<div class="govuk-warning-text">' in html
    assert "Warning</span> If anyone is in danger, call 999.</strong></div>" in html
    assert '<a class="govuk-link" href="https://example.gov.uk/waste">our waste policy</a>' in html


def test_a_top_heading_is_the_page_s_second_level():
    assert render_html("# Fees") == '<h2 class="govuk-heading-m">Fees</h2>'


def test_raw_html_and_unsafe_links_are_never_passed_through():
    html = render_html('<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b onclick="x">b</b>')
    assert "<script" not in html and "<b " not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<img" not in render_html("![alt](https://example.com/i.png)")


def test_emails_get_plain_text():
    text = render_text(TEXT)
    assert "- the address\n- a photo, if you have one" in text
    assert "Read our waste policy (https://example.gov.uk/waste) first." in text
    assert "If anyone is in danger, call 999." in text
    assert "**" not in text and "##" not in text and "> " not in text
    assert render_text("1. first\n2. second") == "1. first\n2. second"


@given(st.text(max_size=300))
def test_any_text_renders_without_raw_markup(text):
    html = render_html(text)
    assert "<script" not in html.lower()
    render_text(text)
