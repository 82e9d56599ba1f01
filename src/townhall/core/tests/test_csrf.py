"""A form post the CSRF check refuses (a page left open past its session, cookies
off) gets the council's page with a way back, never Django's own."""

from __future__ import annotations

import pytest
from django.test import Client

from townhall.core.views import csrf_failure

QUESTION = "/services/report-fly-tipping/questions/what/"


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def test_a_refused_post_gets_the_councils_page_and_a_way_back(strict_client, fly_tipping):
    response = strict_client.post(QUESTION, {"waste_type": "tyres"})
    body = response.content.decode()
    assert response.status_code == 403
    assert "Sorry, we could not accept what you sent" in body
    assert "page was open for a long time" in body
    assert "blocking cookies" in body
    assert "Example Council" in body  # the site's own header
    assert f'href="{QUESTION}"' in body
    assert 'href="/"' in body
    assert "DEBUG" not in body and "CSRF" not in body


def test_the_way_back_is_the_page_the_form_was_on(strict_client, fly_tipping):
    response = strict_client.post(
        "/services/report-fly-tipping/save/",
        {},
        HTTP_REFERER="http://testserver/services/report-fly-tipping/check/?change=1",
    )
    assert response.status_code == 403
    assert 'href="/services/report-fly-tipping/check/?change=1"' in response.content.decode()


@pytest.mark.parametrize(
    "referer", ["https://elsewhere.example/phish", "//elsewhere.example/", "javascript:alert(1)"]
)
def test_the_way_back_never_leads_to_another_site(strict_client, fly_tipping, referer):
    response = strict_client.post(QUESTION, {}, HTTP_REFERER=referer)
    body = response.content.decode()
    assert "elsewhere.example" not in body and "javascript:" not in body
    assert f'href="{QUESTION}"' in body


@pytest.mark.parametrize("path", ["//elsewhere.example/x", "/\\elsewhere.example/x"])
def test_a_path_that_looks_like_another_site_is_not_a_way_back(rf, council, path):
    request = rf.post("/")
    request.path = request.path_info = path
    response = csrf_failure(request, reason="CSRF cookie not set.")
    body = response.content.decode()
    assert response.status_code == 403
    # Only links a browser reads as this site's own pages.
    assert 'href="//' not in body and 'href="/\\' not in body


def test_staff_sign_in_without_a_cookie_is_explained(strict_client, staff_user):
    response = strict_client.post(
        "/staff/login/", {"username": staff_user.email, "password": "correct horse battery staple"}
    )
    assert response.status_code == 403
    assert "Sorry, we could not accept what you sent" in response.content.decode()
    assert "_auth_user_id" not in strict_client.session


def test_a_post_with_its_token_still_works(strict_client, fly_tipping):
    strict_client.get(QUESTION)
    token = strict_client.cookies["csrftoken"].value
    response = strict_client.post(QUESTION, {"waste_type": "tyres", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
