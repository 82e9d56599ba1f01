"""The council's set-up pages: teams (add, rename, members) for organisation
admins, response templates (add, change, delete) for service designers and
organisation admins; every change audited, another council's things never found."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from townhall.audit.models import AuditEntry
from townhall.cases.factories import submitted_case
from townhall.cases.models import ResponseTemplate
from townhall.tenancy.factories import MembershipFactory
from townhall.tenancy.models import Membership, Team
from townhall.testing.sign_in import sign_in


@pytest.fixture
def admin_client(client, council):
    admin = MembershipFactory(
        organisation=council, role=Membership.Role.ORGANISATION_ADMIN, user__password="!"
    ).user
    return sign_in(client, admin)


@pytest.fixture
def designer_client(council):
    designer = MembershipFactory(
        organisation=council, role=Membership.Role.SERVICE_DESIGNER, user__password="!"
    ).user
    return sign_in(Client(), designer)  # its own: beside staff_client in a test


def _settings_changed() -> list[str]:
    return list(
        AuditEntry.objects.filter(action="changed_setting")
        .order_by("pk")
        .values_list("detail", flat=True)
    )


def test_an_admin_adds_a_team_renames_it_and_chooses_its_members(admin_client, council):
    response = admin_client.post(
        "/staff/council/teams/", {"name": "Street scene", "slug": "streets"}
    )
    team = Team.objects.get(organisation=council, slug="streets")
    assert response["Location"] == f"/staff/council/teams/{team.pk}/"
    worker = MembershipFactory.create(
        organisation=council, user__first_name="Ada", user__password="!"
    )
    page = admin_client.get(f"/staff/council/teams/{team.pk}/").content.decode()
    assert "Ada" in page and "Caseworker" in page
    response = admin_client.post(
        f"/staff/council/teams/{team.pk}/", {"name": "Streets and parks", "members": [worker.pk]}
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "Streets and parks" and list(team.members.all()) == [worker]
    admin_client.post(f"/staff/council/teams/{team.pk}/", {"name": "Streets and parks"})
    assert not team.members.exists()
    assert _settings_changed() == [
        "team added: streets",
        "team streets: name, 1 joined, 0 left",
        "team streets: name, 0 joined, 1 left",
    ]


def test_a_team_short_name_must_be_new_and_well_formed(admin_client, council):
    Team.objects.create(organisation=council, slug="streets", name="Streets")
    response = admin_client.post("/staff/council/teams/", {"name": "Again", "slug": "streets"})
    assert response.status_code == 400
    assert "Another team already has that short name" in response.content.decode()
    for bad in ("Street Scene", "streets!", ""):
        response = admin_client.post("/staff/council/teams/", {"name": "X", "slug": bad})
        assert response.status_code == 400
        body = response.content.decode()
        assert "<title>Error:" in body
        assert "short name" in body
    assert Team.objects.filter(organisation=council).count() == 1
    assert _settings_changed() == []


def test_a_member_of_another_council_cannot_be_added(admin_client, council, other_council):
    team = Team.objects.create(organisation=council, slug="streets", name="Streets")
    outsider = MembershipFactory.create(organisation=other_council, user__password="!")
    response = admin_client.post(
        f"/staff/council/teams/{team.pk}/", {"name": "Streets", "members": [outsider.pk]}
    )
    assert response.status_code == 400
    assert "Choose members from the council" in response.content.decode()
    assert not team.members.exists()


def test_another_councils_team_and_template_are_not_found(admin_client, other_council):
    theirs = Team.objects.create(organisation=other_council, slug="streets", name="Theirs")
    template = ResponseTemplate.objects.create(organisation=other_council, name="T", text="x")
    assert admin_client.get(f"/staff/council/teams/{theirs.pk}/").status_code == 404
    assert (
        admin_client.post(f"/staff/council/teams/{theirs.pk}/", {"name": "Mine"}).status_code == 404
    )
    for url in (
        f"/staff/response-templates/{template.pk}/",
        f"/staff/response-templates/{template.pk}/delete/",
    ):
        assert admin_client.post(url, {"name": "Mine", "text": "y"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs" and ResponseTemplate.objects.get().name == "T"


def test_the_teams_page_costs_the_same_queries_however_many_teams(admin_client, council):
    Team.objects.create(organisation=council, slug="a", name="A")
    with CaptureQueriesContext(connection) as few:
        admin_client.get("/staff/council/teams/")
    for n in range(5):
        team = Team.objects.create(organisation=council, slug=f"t{n}", name=f"T{n}")
        team.members.add(MembershipFactory.create(organisation=council))
    with CaptureQueriesContext(connection) as many:
        body = admin_client.get("/staff/council/teams/").content.decode()
    assert "T4" in body
    assert len(few) == len(many)


def test_a_designer_adds_changes_and_deletes_a_response_template(
    designer_client, staff_client, fly_tipping
):
    response = designer_client.post(
        "/staff/response-templates/new/",
        {
            "name": "Cleared",
            "service": fly_tipping.pk,
            "state": "cleared",
            "text": "We cleared it. Reference ((reference)).",
        },
    )
    assert response.status_code == 302
    template = ResponseTemplate.objects.get()
    assert (template.service, template.state) == (fly_tipping, "cleared")
    case = submitted_case(fly_tipping)
    page = staff_client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert f"We cleared it. Reference {case.reference}." in page
    designer_client.post(
        f"/staff/response-templates/{template.pk}/",
        {"name": "Cleared", "service": "", "state": "", "text": "Done: ((status))."},
    )
    template.refresh_from_db()
    assert (template.service, template.state, template.text) == (None, "", "Done: ((status)).")
    assert (
        "Delete template"
        in designer_client.get(f"/staff/response-templates/{template.pk}/delete/").content.decode()
    )
    designer_client.post(f"/staff/response-templates/{template.pk}/delete/")
    assert not ResponseTemplate.objects.exists()
    assert _settings_changed() == [
        f"response template added: {template.pk}",
        f"response template changed: {template.pk}",
        f"response template deleted: {template.pk}",
    ]


def test_a_template_names_only_real_placeholders_and_the_services_states(
    designer_client, fly_tipping
):
    response = designer_client.post(
        "/staff/response-templates/new/",
        {"name": "X", "service": fly_tipping.pk, "state": "cleared", "text": "Hi ((name))"},
    )
    assert response.status_code == 400
    assert "((name)) is not a placeholder" in response.content.decode()
    response = designer_client.post(
        "/staff/response-templates/new/",
        {"name": "X", "service": fly_tipping.pk, "state": "nonsense", "text": "Hi"},
    )
    assert response.status_code == 400
    assert "Choose a status the service has" in response.content.decode()
    response = designer_client.post(
        "/staff/response-templates/new/", {"name": "", "service": "", "state": "", "text": ""}
    )
    body = response.content.decode()
    assert "Enter a name for the template" in body and "Enter the text of the template" in body
    assert not ResponseTemplate.objects.exists()


def test_the_templates_page_costs_the_same_queries_however_many(designer_client, fly_tipping):
    ResponseTemplate.objects.create(organisation=fly_tipping.organisation, name="A", text="a")
    with CaptureQueriesContext(connection) as few:
        designer_client.get("/staff/response-templates/")
    for n in range(5):
        ResponseTemplate.objects.create(
            organisation=fly_tipping.organisation, service=fly_tipping, name=f"T{n}", text="t"
        )
    with CaptureQueriesContext(connection) as many:
        body = designer_client.get("/staff/response-templates/").content.decode()
    assert "T4" in body and fly_tipping.name in body
    assert len(few) == len(many)
