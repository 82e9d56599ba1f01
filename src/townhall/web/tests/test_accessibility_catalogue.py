"""Every page of every standard service, with the answers a resident would have
given, and each question page once more with its errors, checked by axe-core
against WCAG 2.2 A and AA in a real browser."""

from __future__ import annotations

import json
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings

from townhall.cases import services as case_services
from townhall.cases.conditions import condition_context
from townhall.cases.models import Channel
from townhall.catalogue.engine import flow
from townhall.catalogue.models import Audience
from townhall.catalogue.services import service_import
from townhall.catalogue.standard import standard_definitions
from townhall.catalogue.tests.test_standard_catalogue import sample_answers
from townhall.web.journey import DRAFTS
from townhall.web.tests.test_accessibility import _check

pytestmark = pytest.mark.browser


def _journeys(council: Any) -> tuple[dict[str, str], list[tuple[str, list[str]]]]:
    """A draft per standard service (its sample answers) and the pages to visit."""
    drafts: dict[str, str] = {}
    visits: list[tuple[str, list[str]]] = []
    for path, data in standard_definitions():
        if data.get("audience", Audience.ANYONE) != Audience.ANYONE:
            continue
        service = service_import(organisation=council, definition=data).service
        version = service.published_version
        assert version is not None
        draft = case_services.draft_start(service_version=version, channel=Channel.WEB)
        answers = sample_answers()[path.stem]
        draft = case_services.draft_save_answers(draft=draft, answers=answers)
        drafts[str(service.pk)] = str(draft.pk)
        context = condition_context(organisation=council)
        route = flow.route(version.parsed, draft.answers, context=context)
        start = f"/services/{path.stem}/"
        pages = [f"{start}questions/{page.id}/" for page in route if not page.is_exit]
        visits.append((start, pages))
    return drafts, visits


def test_every_page_of_every_standard_service_meets_wcag_aa(browser, live_server, council_site):
    drafts, visits = _journeys(council_site)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[DRAFTS] = drafts
    session.save()
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
          "url": live_server.url}]
    )  # fmt: skip
    page = context.new_page()
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        for start, pages in visits:
            page.goto(start)
            _check(page, found)
            for url in pages:
                page.goto(url)
                _check(page, found)
            page.goto(f"{start}check/")
            _check(page, found)
        # Each question page with its errors, in a fresh session with no answers.
        empty = browser.new_context(base_url=live_server.url, bypass_csp=True)
        try:
            errors = empty.new_page()
            for _start, pages in visits:
                errors.goto(pages[0])
                errors.get_by_role("button", name="Continue").click()
                _check(errors, found)
        finally:
            empty.close()
    finally:
        context.close()
    assert not found, json.dumps(found, indent=2)
