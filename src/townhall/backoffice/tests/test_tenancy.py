"""Staff of one council can never reach another council's cases or services, on any
staff URL."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse

from townhall.backoffice import urls as staff_urls
from townhall.cases.factories import submitted_case
from townhall.cases.models import Attachment
from townhall.catalogue.factories import branching_definition
from townhall.catalogue.models import ServiceVersion
from townhall.catalogue.services import service_import
from townhall.catalogue.transfer import definition_dump
from townhall.tenancy.factories import MembershipFactory, UserFactory
from townhall.testing.sign_in import sign_in

PUBLIC = {
    "login",
    "logout",
    "password-reset",
    "password-reset-sent",
    "password-reset-confirm",
    "password-reset-done",
}
# A person's own pages: their second factor, their sign-ins; nothing of a council's.
OWN_URLS = {"sign-in-code", "account", "two-factor-setup", "recovery-codes"}
CASE_URLS = [p for p in staff_urls.urlpatterns if "reference" in p.pattern.converters]
SERVICE_URLS = [p for p in staff_urls.urlpatterns if "slug" in p.pattern.converters]
# Staff URLs naming no case or service: each shows or writes only the council's own.
COUNCIL_URLS = {
    "queue",
    "services",
    "service-import",
    "contacts",
    "contact-new",
    "api-keys",
    "api-key-new",
    "insight",
    "insight-rates",
    "webhooks",
    "webhook-new",
    "webhook-dead-letters",
    # An endpoint's id is looked up among the council's own (webhooks' tests).
    "webhook-disable",
    "webhook-enable",
    "webhook-delete",
    "saved-filter-create",
    "saved-filter-delete",
    "bulk",
    "notify-settings",
    "council-security",
    "council-sign-ins",
    "audit",
    "audit-export",
    "contacts-export",
    "near",
    "teams",
    "response-templates",
    "response-template-new",
    # A team's or template's id is looked up among the council's own (test_setup).
    "team",
    "response-template",
    "response-template-delete",
    "routing",
    "routing-add",
    "routing-export",
    "routing-import",
    "routing-gaps",
}
ENDPOINT_URLS = {
    "webhook-disable",
    "webhook-enable",
    "webhook-delete",
    "saved-filter-delete",
    "team",
    "response-template",
    "response-template-delete",
}
# Staff URLs naming another kind of the council's things: tested in their own
# modules (an API key: test_api_keys; an insight table: test_insight; a
# routing row: test_routing_pages).
OTHER_URLS = {"api-key-revoke", "insight-download", "routing-remove"}
# Staff URLs that only accept POST (sign-out aside).
POST_ONLY = {
    "case-status",
    "case-note",
    "service-version-publish",
    "case-message-resend",
    "case-updates",
}


def _kwargs(pattern: URLPattern, reference: str, attachment_id: uuid.UUID) -> dict[str, object]:
    kwargs: dict[str, object] = {"reference": reference}
    if "attachment_id" in pattern.pattern.converters:
        kwargs["attachment_id"] = attachment_id
    if "delivery_id" in pattern.pattern.converters:
        kwargs["delivery_id"] = 1
    return kwargs


@pytest.fixture
def other_case(other_fly_tipping):
    case = submitted_case(other_fly_tipping)
    attachment = Attachment(
        case=case, filename="x.png", content_type="image/png", size=1, created_at=case.created_at
    )
    attachment.file.save("x", __import__("io").BytesIO(b"\x89PNG\r\n\x1a\n"), save=False)
    attachment.save()
    return case, attachment


@pytest.fixture
def other_street(other_council):
    """Other Council's street problem service (a slug only it has): version 1
    published, version 2 a draft."""
    service_import(organisation=other_council, definition=branching_definition())
    changed = branching_definition(description="Other Council's draft.")
    return service_import(organisation=other_council, definition=changed, publish=False).service


def _versions(service) -> list[tuple[int, str]]:
    return list(service.versions.order_by("number").values_list("number", "status"))


def test_every_staff_url_is_covered_here():
    names = {p.name for p in staff_urls.urlpatterns}
    case_names = {p.name for p in CASE_URLS}
    service_names = {p.name for p in SERVICE_URLS}
    assert names == PUBLIC | OWN_URLS | COUNCIL_URLS | OTHER_URLS | case_names | service_names
    assert not case_names & service_names
    assert len(CASE_URLS) >= 4
    assert len(SERVICE_URLS) >= 3
    assert names >= POST_ONLY


@pytest.mark.parametrize("pattern", CASE_URLS, ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_councils_case_is_not_found(staff_client, fly_tipping, other_case, pattern, method):
    case, attachment = other_case
    url = reverse(
        f"backoffice:{pattern.name}", kwargs=_kwargs(pattern, case.reference, attachment.pk)
    )
    response = getattr(staff_client, method)(url, {"status": "cleared", "note": "x"})
    assert response.status_code in {404, 405}
    assert case.reference not in response.content.decode()
    case.refresh_from_db()
    assert case.status == "received"
    assert case.events.count() == 1


def test_the_queue_shows_only_this_councils_cases(staff_client, fly_tipping, other_case):
    mine = submitted_case(fly_tipping)
    body = staff_client.get("/staff/").content.decode()
    assert mine.reference in body
    assert other_case[0].reference not in body


def _as_signed_out(client, url: str):
    """The URL answered signed out, in the method it accepts: a POST-only URL
    answers a GET with 405 before any sign-in check, so it is posted to."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {"status": "cleared", "note": "x", "action": "publish"})
    return response


@pytest.mark.parametrize("pattern", CASE_URLS, ids=lambda p: p.name)
def test_signed_out_people_are_sent_to_sign_in(client, fly_tipping, pattern):
    case = submitted_case(fly_tipping)
    url = reverse(
        f"backoffice:{pattern.name}", kwargs=_kwargs(pattern, case.reference, uuid.uuid4())
    )
    response = _as_signed_out(client, url)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")
    case.refresh_from_db()
    assert case.status == "received"
    assert case.events.count() == 1


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_signed_out_posts_are_sent_to_sign_in_and_change_nothing(client, fly_tipping, name):
    case = submitted_case(fly_tipping)
    kwargs = {"slug": fly_tipping.slug, "number": 1} if "version" in name else {}
    if "resend" in name:
        kwargs = {"reference": case.reference, "delivery_id": 1}
    url = reverse(f"backoffice:{name}", kwargs=kwargs or {"reference": case.reference})
    assert client.get(url).status_code == 405
    response = client.post(url, {"status": "cleared", "note": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")
    case.refresh_from_db()
    assert case.status == "received"
    assert case.events.count() == 1
    assert _versions(fly_tipping) == [(1, "published")]


def test_signed_in_people_without_a_council_are_refused(client, fly_tipping):
    case = submitted_case(fly_tipping)
    sign_in(client, UserFactory())
    assert client.get("/staff/").status_code == 403
    assert client.get(f"/staff/cases/{case.reference}/").status_code == 403


def test_staff_of_both_councils_see_the_one_they_work_in(client, fly_tipping, other_case):
    user = MembershipFactory(organisation=fly_tipping.organisation).user
    sign_in(client, user)
    assert client.get(f"/staff/cases/{other_case[0].reference}/").status_code == 404


def test_staff_download_their_own_councils_attachments_only(staff_client, fly_tipping, other_case):
    _case, attachment = other_case
    url = reverse(
        "backoffice:case-attachment",
        kwargs={"reference": _case.reference, "attachment_id": attachment.pk},
    )
    assert staff_client.get(url).status_code == 404


# ---- services ---------------------------------------------------------------------


@pytest.mark.parametrize("pattern", SERVICE_URLS, ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_councils_service_is_not_found(
    manager_client, fly_tipping, other_street, pattern, method
):
    before = _versions(other_street)
    url = reverse(f"backoffice:{pattern.name}", kwargs={"slug": other_street.slug, "number": 2})
    response = getattr(manager_client, method)(url)
    assert response.status_code in {404, 405}
    assert "Other Council's draft" not in response.content.decode()
    assert _versions(other_street) == before


@pytest.mark.parametrize("pattern", SERVICE_URLS, ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_slug_both_councils_use_reaches_only_your_own(
    manager_client, fly_tipping, other_fly_tipping, pattern, method
):
    # Other Council has a version 2 of report-fly-tipping; Example Council has none.
    changed = branching_definition()
    changed["slug"] = other_fly_tipping.slug
    service_import(organisation=other_fly_tipping.organisation, definition=changed, publish=False)
    url = reverse(f"backoffice:{pattern.name}", kwargs={"slug": fly_tipping.slug, "number": 2})
    response = getattr(manager_client, method)(url)
    assert response.status_code in {404, 405}
    assert _versions(other_fly_tipping) == [(1, "published"), (2, "draft")]


def test_the_services_list_shows_only_this_councils_services(
    manager_client, fly_tipping, other_street
):
    body = manager_client.get("/staff/services/").content.decode()
    assert "Report fly-tipping" in body
    assert other_street.name not in body
    assert f"/staff/services/{other_street.slug}/" not in body


def test_an_import_goes_to_this_council_only(manager_client, council, other_street):
    before = _versions(other_street)
    upload = SimpleUploadedFile("street.yaml", definition_dump(branching_definition()).encode())
    response = manager_client.post("/staff/services/import/", {"file": upload, "action": "publish"})
    assert response["Location"] == "/staff/services/report-street-problem/versions/1/"
    assert council.services.get(slug="report-street-problem").published_version.number == 1
    assert _versions(other_street) == before


def test_a_manager_of_another_council_is_not_a_manager_here(client, council, other_street):
    # A manager at Other Council who is a caseworker at Example Council (the
    # council they work in, first by name) cannot publish or import there.
    user = MembershipFactory(organisation=council).user
    MembershipFactory(user=user, organisation=other_street.organisation, role="organisation_admin")
    sign_in(client, user)
    assert client.get("/staff/services/import/").status_code == 403
    mine = service_import(organisation=council, definition=branching_definition(), publish=False)
    url = f"/staff/services/{mine.service.slug}/versions/1/publish/"
    assert client.post(url).status_code == 403
    assert mine.service.versions.get().status == ServiceVersion.Status.DRAFT


@pytest.mark.parametrize("name", sorted(COUNCIL_URLS - {"queue"}))
def test_signed_out_people_are_sent_to_sign_in_from_service_pages(client, name):
    kwargs = {"pk": 1} if name in ENDPOINT_URLS else {}
    response = _as_signed_out(client, reverse(f"backoffice:{name}", kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


@pytest.mark.parametrize("pattern", SERVICE_URLS, ids=lambda p: p.name)
def test_signed_out_people_cannot_reach_a_service_version(client, fly_tipping, pattern):
    url = reverse(f"backoffice:{pattern.name}", kwargs={"slug": fly_tipping.slug, "number": 1})
    response = _as_signed_out(client, url)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")
    # The other method is refused outright.
    other = client.post(url) if pattern.name not in POST_ONLY else client.get(url)
    assert other.status_code == 405
    assert _versions(fly_tipping) == [(1, "published")]


def test_people_without_a_council_cannot_see_services(client, fly_tipping):
    sign_in(client, UserFactory())
    assert client.get("/staff/services/").status_code == 403
    assert client.get("/staff/services/import/").status_code == 403
    assert client.get(f"/staff/services/{fly_tipping.slug}/versions/1/").status_code == 403
