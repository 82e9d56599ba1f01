"""Residents and staff choose English or Welsh with the language switcher,
which works without JavaScript, and pages follow the choice."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from townhall.tenancy.models import Site


def html_lang(body: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', body)
    assert match, "no <html lang>"
    return match.group(1)


def switcher(body: str) -> str:
    match = re.search(r'<nav class="govuk-language-navigation.*?</nav>', body, re.DOTALL)
    return match.group(0) if match else ""


@pytest.fixture
def welsh_site(council):
    site = Site.objects.get(host="testserver")
    site.languages = ["en", "cy"]
    site.save()
    return site


def test_a_resident_switches_to_welsh_and_back(client, welsh_site, fly_tipping):
    home = client.get("/services/").content.decode()
    assert html_lang(home) == "en"
    assert "All services</h1>" in home
    form = switcher(home)
    assert '<span class="govuk-language-navigation__text" aria-current="true" lang="en">' in form
    assert 'action="/i18n/setlang/"' in form and 'name="csrfmiddlewaretoken"' in form
    assert 'name="language" value="cy" lang="cy"' in form and ">Cymraeg</button>" in form

    response = client.post("/i18n/setlang/", {"language": "cy", "next": "/services/"})
    assert response.status_code == 302
    assert response["Location"] == "/services/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"

    welsh = client.get("/services/").content.decode()
    assert html_lang(welsh) == "cy"
    assert "Pob gwasanaeth</h1>" in welsh  # "All services"
    assert "Neidio i'r prif gynnwys" in welsh  # the skip link
    assert "Report fly-tipping" in welsh  # the service's own text has no Welsh yet
    assert 'aria-current="true" lang="cy">Cymraeg</span>' in switcher(welsh)

    client.post("/i18n/setlang/", {"language": "en", "next": "/services/"})
    assert html_lang(client.get("/services/").content.decode()) == "en"


def test_a_question_page_and_its_errors_in_welsh(client, welsh_site, fly_tipping):
    client.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    page = client.get("/services/report-fly-tipping/questions/where/")
    body = page.content.decode()
    assert html_lang(body) == "cy"
    assert ">Parhau</button>" in body  # Continue
    assert ">Yn ôl</a>" in body  # Back
    body = client.post("/services/report-fly-tipping/questions/where/", {}).content.decode()
    assert "Mae problem wedi codi" in body  # There is a problem
    assert "<title>Gwall:" in body  # Error:


def test_django_forms_speak_welsh_too(client, welsh_site):
    client.post("/i18n/setlang/", {"language": "cy", "next": "/track/"})
    body = client.post("/track/", {"reference": "", "email": ""}).content.decode()
    assert "Cyfeiriad e-bost" in body  # the email address label
    assert "Rhowch eich cyfeirnod" in body  # Enter your reference, the form's error


def test_the_browser_language_is_followed(client, welsh_site):
    body = client.get("/", headers={"accept-language": "cy"}).content.decode()
    assert html_lang(body) == "cy"
    assert "Hafan" in body  # Home, in the <title>


def test_a_site_that_offers_only_english_shows_no_switcher(client, council):
    body = client.get("/").content.decode()
    assert html_lang(body) == "en"
    assert switcher(body) == ""


def test_welsh_chosen_elsewhere_can_be_switched_back_on_an_english_site(client, council):
    body = client.get("/", headers={"accept-language": "cy"}).content.decode()
    assert html_lang(body) == "cy"
    assert 'name="language" value="en" lang="en">English</button>' in switcher(body)


def test_staff_pages_have_the_switcher(staff_client, welsh_site):
    body = staff_client.get("/staff/").content.decode()
    assert 'value="cy" lang="cy">Cymraeg</button>' in switcher(body)
    staff_client.post("/i18n/setlang/", {"language": "cy", "next": "/staff/"})
    body = staff_client.get("/staff/").content.decode()
    assert html_lang(body) == "cy"
    assert ">Gwasanaethau</a>" in body  # Services, in the staff menu


def test_the_switcher_returns_only_to_this_site(client, welsh_site):
    response = client.post(
        "/i18n/setlang/", {"language": "cy", "next": "https://elsewhere.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_setlang_needs_a_post(client, welsh_site):
    response = client.get("/i18n/setlang/", {"language": "cy", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("languages", [["cy"], ["en", "fr"], "en cy", ["en", 1]])
def test_a_site_offers_known_languages_with_english(council, languages):
    site = Site.objects.get(host="testserver")
    site.languages = languages
    with pytest.raises(ValidationError, match="English is always offered"):
        site.full_clean()


def test_a_new_site_offers_english(db):
    assert Site(host="new.example", name="New").languages == ["en"]
