"""Every staff URL, as each role and as staff of another council, GET and POST:
the permission table (`tenancy.permissions`) is what every view obeys.

A new staff URL fails `test_every_staff_url_has_a_role_expectation` until it is
added to EXPECTED with the permission it needs and the methods it answers."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from townhall.audit.services import audit_record
from townhall.backoffice import assisted
from townhall.backoffice import urls as staff_urls
from townhall.cases.factories import submitted_case, tiny_png
from townhall.cases.models import Attachment, Case, CaseEvent, Contact, ResponseTemplate
from townhall.catalogue.factories import branching_definition
from townhall.catalogue.services import service_import
from townhall.integrations.keys import api_key_create
from townhall.integrations.models import ApiKey
from townhall.tenancy.factories import MembershipFactory
from townhall.tenancy.models import Membership, Team
from townhall.tenancy.permissions import ROLE_PERMISSIONS, Permission
from townhall.testing.sign_in import authenticator_for, current_code, sign_in
from townhall.webhooks.models import Endpoint

P = Permission
GET, POST, BOTH = {"get"}, {"post"}, {"get", "post"}

PUBLIC = {
    "backoffice:login",
    "backoffice:logout",
    "backoffice:password-reset",
    "backoffice:password-reset-sent",
    "backoffice:password-reset-confirm",
    "backoffice:password-reset-done",
}
# A signed-in person's own pages, whatever their role: the methods each answers.
OWN: dict[str, set[str]] = {
    "backoffice:sign-in-code": {"get", "post"},
    "backoffice:account": {"get"},
    "backoffice:two-factor-setup": {"get", "post"},
    "backoffice:recovery-codes": {"post"},
}
# Every staff URL: the permission it needs and the methods it answers.
EXPECTED: dict[str, tuple[Permission, set[str]]] = {
    "backoffice:queue": (P.VIEW_CASES, GET),
    "backoffice:case": (P.VIEW_CASES, GET),
    "backoffice:case-attachment": (P.VIEW_CASES, GET),
    "backoffice:case-status": (P.CHANGE_CASES, POST),
    "backoffice:case-note": (P.CHANGE_CASES, POST),
    "backoffice:case-resend": (P.CHANGE_CASES, POST),
    "backoffice:case-assign": (P.CHANGE_CASES, POST),
    "backoffice:case-priority": (P.CHANGE_CASES, POST),
    "backoffice:case-reopen": (P.CHANGE_CASES, POST),
    "backoffice:case-merge": (P.CHANGE_CASES, POST),
    "backoffice:case-follow": (P.VIEW_CASES, POST),
    "backoffice:case-transfer": (P.CHANGE_CASES, POST),
    "backoffice:case-thumbnail": (P.VIEW_CASES, GET),
    "backoffice:bulk": (P.CHANGE_CASES, POST),
    "backoffice:near": (P.VIEW_CASES, GET),
    "backoffice:saved-filter-create": (P.VIEW_CASES, POST),
    "backoffice:saved-filter-delete": (P.VIEW_CASES, POST),
    "backoffice:case-message-resend": (P.CHANGE_CASES, POST),
    "backoffice:case-updates": (P.CHANGE_CASES, POST),
    "backoffice:notify-settings": (P.ADMINISTER, BOTH),
    "backoffice:contacts": (P.RECORD_CONTACTS, GET),
    "backoffice:contact-new": (P.RECORD_CONTACTS, BOTH),
    "backoffice:contacts-export": (P.RECORD_CONTACTS, GET),
    "backoffice:services": (P.VIEW_SERVICES, GET),
    "backoffice:service-version": (P.VIEW_SERVICES, GET),
    "backoffice:service-import": (P.MANAGE_SERVICES, BOTH),
    "backoffice:service-version-publish": (P.MANAGE_SERVICES, POST),
    "backoffice:service-version-export": (P.MANAGE_SERVICES, GET),
    "backoffice:routing": (P.VIEW_SERVICES, GET),
    "backoffice:routing-add": (P.MANAGE_SERVICES, BOTH),
    "backoffice:routing-remove": (P.MANAGE_SERVICES, POST),
    "backoffice:routing-export": (P.VIEW_SERVICES, GET),
    "backoffice:routing-import": (P.MANAGE_SERVICES, BOTH),
    "backoffice:routing-gaps": (P.VIEW_SERVICES, GET),
    "backoffice:api-keys": (P.ADMINISTER, GET),
    "backoffice:api-key-new": (P.ADMINISTER, BOTH),
    "backoffice:api-key-revoke": (P.ADMINISTER, POST),
    "backoffice:insight": (P.VIEW_INSIGHT, GET),
    "backoffice:insight-download": (P.VIEW_INSIGHT, GET),
    "backoffice:insight-rates": (P.ADMINISTER, BOTH),
    "backoffice:webhooks": (P.ADMINISTER, GET),
    "backoffice:webhook-new": (P.ADMINISTER, BOTH),
    "backoffice:webhook-dead-letters": (P.ADMINISTER, BOTH),
    "backoffice:webhook-disable": (P.ADMINISTER, POST),
    "backoffice:webhook-enable": (P.ADMINISTER, POST),
    "backoffice:webhook-delete": (P.ADMINISTER, BOTH),
    "backoffice:council-security": (P.ADMINISTER, BOTH),
    "backoffice:council-sign-ins": (P.ADMINISTER, GET),
    "backoffice:teams": (P.ADMINISTER, BOTH),
    "backoffice:team": (P.ADMINISTER, BOTH),
    "backoffice:response-templates": (P.MANAGE_SERVICES, GET),
    "backoffice:response-template-new": (P.MANAGE_SERVICES, BOTH),
    "backoffice:response-template": (P.MANAGE_SERVICES, BOTH),
    "backoffice:response-template-delete": (P.MANAGE_SERVICES, BOTH),
    "backoffice:audit": (P.ADMINISTER, GET),
    "backoffice:audit-export": (P.ADMINISTER, GET),
    "assisted:index": (P.RECORD_CONTACTS, BOTH),
    "assisted:start": (P.RECORD_CONTACTS, BOTH),
    "assisted:page": (P.RECORD_CONTACTS, BOTH),
    "assisted:check": (P.RECORD_CONTACTS, BOTH),
    "assisted:done": (P.RECORD_CONTACTS, BOTH),
    "assisted:updates": (P.RECORD_CONTACTS, BOTH),
}
PATTERNS = {f"backoffice:{p.name}": p for p in staff_urls.urlpatterns} | {
    f"assisted:{p.name}": p for p in assisted.urlpatterns
}
ROLES = list(Membership.Role.values)
POSTED = {
    "status": "cleared",
    "note": "A note",
    "channel": "phone",
    "reason": "complaint",
    "outcome": "resolved",
    "action": "publish",
    "name": "A key",
    "scope": "read",
}


def test_every_staff_url_has_a_role_expectation():
    assert set(PATTERNS) == set(EXPECTED) | PUBLIC | set(OWN)
    for name, (permission, _methods) in EXPECTED.items():
        view = PATTERNS[name].callback
        assert getattr(view, "staff_permission", None) == permission, name
    for name in OWN:
        assert getattr(PATTERNS[name].callback, "staff_signed_in", False), name


def test_the_table_gives_each_role_what_the_issue_asks():
    can = {role: ROLE_PERMISSIONS[role] for role in ROLES}
    assert {r for r in ROLES if P.CHANGE_CASES in can[r]} == {
        "caseworker",
        "team_manager",
        "organisation_admin",
    }
    assert {r for r in ROLES if P.RECORD_CONTACTS in can[r]} == {
        "adviser",
        "caseworker",
        "team_manager",
        "organisation_admin",
    }
    assert {r for r in ROLES if P.MANAGE_SERVICES in can[r]} == {
        "service_designer",
        "organisation_admin",
    }
    assert can["analyst"] == {P.VIEW_INSIGHT}  # no cases, no contacts
    assert {r for r in ROLES if P.ADMINISTER in can[r]} == {"organisation_admin"}


@pytest.fixture
def world(fly_tipping):
    """Example Council's case (with a file) and a service only it has, with a
    draft version 2 to publish."""
    case = submitted_case(fly_tipping)
    attachment = Attachment(
        case=case, filename="x.png", content_type="image/png", size=1, created_at=case.created_at
    )
    attachment.file.save("x", ContentFile(tiny_png()), save=False)
    attachment.save()
    service_import(organisation=fly_tipping.organisation, definition=branching_definition())
    changed = branching_definition(description="A draft to publish.")
    street = service_import(
        organisation=fly_tipping.organisation, definition=changed, publish=False
    ).service
    api_key_create(organisation=fly_tipping.organisation, name="Highways")
    # A webhook endpoint of the council's, turned off so that nothing is sent.
    Endpoint.objects.create(
        organisation=fly_tipping.organisation,
        url="https://hooks.example.invalid/",
        secret="whsec_test",
        is_active=False,
    )
    # A team and a response template of the council's, for their set-up pages.
    Team.objects.create(organisation=case.organisation, slug="street-scene", name="Streets")
    ResponseTemplate.objects.create(
        organisation=case.organisation, name="Cleared", text="Cleared ((reference))"
    )
    # Something in the council's audit log and sign-ins, which no other council may see.
    colleague = MembershipFactory.create(organisation=case.organisation, user__password="!").user
    audit_record(
        organisation=case.organisation,
        actor=colleague,
        action="viewed_case",
        case_reference=case.reference,
    )
    return case, attachment, street


def _message_id(case) -> int:
    """A message to the resident about one of the case's events."""
    from townhall.notifications.models import Delivery

    message = case.deliveries.filter(event__isnull=False).first() or Delivery.objects.create(
        organisation=case.organisation,
        case=case,
        event=case.events.first(),
        channel=Delivery.Channel.EMAIL,
        provider="email",
        recipient="ada@example.com",
    )
    return message.pk


def _url(name: str, world) -> str:
    case, attachment, street = world
    values = {
        "reference": case.reference,
        "attachment_id": attachment.pk,
        "delivery_id": _message_id(case),
        "slug": street.slug,
        "number": 2,
        "page_id": street.published_version.parsed.pages[0].id,
        "key_id": ApiKey.objects.get(organisation=case.organisation).pk,
        "table": "channels",
        "extension": "csv",
        "pk": Endpoint.objects.get(organisation=case.organisation).pk,
        "rule_id": 0,
    }
    # An id in the URL is one of the council's things of the kind the page shows.
    if name == "backoffice:team":
        values["pk"] = Team.objects.get(organisation=case.organisation).pk
    elif name.startswith("backoffice:response-template"):
        values["pk"] = ResponseTemplate.objects.get(organisation=case.organisation).pk
    wanted = PATTERNS[name].pattern.converters
    return reverse(name, kwargs={k: v for k, v in values.items() if k in wanted})


def _state(world) -> tuple[object, ...]:
    """What Example Council has: whatever is refused must leave it as it was."""
    case, _attachment, street = world
    case.refresh_from_db()
    return (
        case.status,
        CaseEvent.objects.filter(case__organisation=case.organisation).count(),
        Contact.objects.filter(organisation=case.organisation).count(),
        Case.objects.filter(organisation=case.organisation).count(),
        list(street.versions.order_by("number").values_list("status", flat=True)),
        list(ApiKey.objects.filter(organisation=case.organisation).values_list("revoked_at")),
        ApiKey.objects.filter(organisation=case.organisation).count(),
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_each_role_gets_what_the_table_allows(client, council, world, role, name, method):
    permission, methods = EXPECTED[name]
    user = MembershipFactory(organisation=council, role=role, user__password="!").user
    sign_in(client, user)
    before = _state(world)
    response = getattr(client, method)(_url(name, world), POSTED)
    if method not in methods:
        assert response.status_code == 405
    elif permission in ROLE_PERMISSIONS[role]:
        assert response.status_code not in {403, 404, 405}
        assert response.status_code < 500
    else:
        assert response.status_code == 403
        assert _state(world) == before  # refused: nothing written
    if response.status_code in {403, 405}:
        assert _state(world) == before


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_councils_admin_reaches_nothing_of_ours(client, other_council, world, name, method):
    _permission, methods = EXPECTED[name]
    admin = MembershipFactory(
        organisation=other_council, role="organisation_admin", user__password="!"
    ).user
    sign_in(client, admin)
    before = _state(world)
    case, _attachment, street = world
    response = getattr(client, method)(_url(name, world), POSTED)
    names_ours = {"reference", "slug"} & set(PATTERNS[name].pattern.converters)
    if method not in methods:
        assert response.status_code == 405
    elif names_ours:
        assert response.status_code == 404
    else:  # a council-wide page: theirs, with nothing of ours on it
        assert response.status_code < 500
        content = b"".join(response.streaming_content) if response.streaming else response.content
        body = content.decode()
        assert case.reference not in body
        assert street.name not in body
    assert _state(world) == before


HOME = {
    "adviser": "/staff/",
    "caseworker": "/staff/",
    "team_manager": "/staff/",
    "organisation_admin": "/staff/",
    "service_designer": "/staff/services/",
    "analyst": "/staff/insight/",
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_starts_on_a_page_it_may_see(client, council, role):
    user = MembershipFactory.create(organisation=council, role=role).user
    user.set_password("correct horse battery staple")
    user.save()
    device = authenticator_for(user)
    response = client.post(
        "/staff/login/", {"username": user.email, "password": "correct horse battery staple"}
    )
    assert response["Location"] == f"/staff/login/code/?{urlencode({'next': HOME[role]})}"
    response = client.post(response["Location"], {"code": current_code(device)})
    assert response["Location"] == HOME[role]
    home = client.get(HOME[role])
    assert home.status_code == 200
    assert f'href="{HOME[role]}" class="govuk-generic-header__homepage-link"' in (
        home.content.decode()
    )


@pytest.mark.parametrize("name", sorted(OWN))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_each_role_reaches_its_own_pages(client, council, world, role, name, method):
    user = MembershipFactory(organisation=council, role=role, user__password="!").user
    sign_in(client, user)
    before = _state(world)
    response = getattr(client, method)(_url(name, world), {"code": "000000"})
    if method not in OWN[name]:
        assert response.status_code == 405
    else:
        assert response.status_code not in {403, 404, 405}
        assert response.status_code < 500
    assert _state(world) == before  # nothing of the council's is changed by them


@pytest.mark.parametrize("name", sorted(OWN))
def test_own_pages_send_people_signed_out_to_sign_in(client, world, name):
    method = "get" if "get" in OWN[name] else "post"
    response = getattr(client, method)(_url(name, world))
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_password_alone_opens_no_staff_page(client, council, world, name):
    """Signed in with the password but not the code: every staff page sends
    them to the second step, and nothing is written."""
    _permission, methods = EXPECTED[name]
    user = MembershipFactory(organisation=council, role="organisation_admin").user
    authenticator_for(user)
    client.force_login(user)  # the password step only
    before = _state(world)
    method = "get" if "get" in methods else "post"
    response = getattr(client, method)(_url(name, world), POSTED)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/code/?next=")
    assert _state(world) == before
