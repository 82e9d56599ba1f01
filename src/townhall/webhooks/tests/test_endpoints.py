"""Managing endpoints: by command and in the back office, for admins only;
which URLs are refused; the secret shown once."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from townhall.notifications.models import Delivery
from townhall.testing.sign_in import sign_in
from townhall.webhooks.models import Endpoint
from townhall.webhooks.payloads import EVENT_TYPES
from townhall.webhooks.services import EndpointRefused, endpoint_add

pytestmark = pytest.mark.django_db


def test_webhook_add_prints_the_secret_once(council):
    out = io.StringIO()
    call_command(
        "webhook_add",
        "--organisation",
        "example",
        "--url",
        "https://hooks.example.org/townhall",
        "--events",
        "case.created",
        "case.status_changed",
        stdout=out,
    )
    endpoint = Endpoint.objects.get()
    assert endpoint.organisation == council
    assert endpoint.events == ["case.created", "case.status_changed"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert out.getvalue().count(endpoint.secret) == 1


def test_webhook_add_takes_every_event_by_default(council):
    call_command(
        "webhook_add",
        "--organisation",
        "example",
        "--url",
        "http://x.example",
        stdout=io.StringIO(),
    )
    assert Endpoint.objects.get().events == EVENT_TYPES


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "nowhere", "--url", "https://a.example"], "No council"),
        (["--organisation", "example", "--url", "ftp://a.example/x"], "https:// or http://"),
        (["--organisation", "example", "--url", "https://u:p@a.example/"], "user name"),
        (["--organisation", "example", "--url", "a.example"], "https:// or http://"),
        (
            ["--organisation", "example", "--url", "https://a.example", "--events", "case.gone"],
            "Unknown event type case.gone",
        ),
    ],
)
def test_webhook_add_refuses_what_cannot_work_with_a_clear_message(council, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("webhook_add", *args, stdout=io.StringIO())
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "http://10.0.0.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://192.168.1.1/",
    ],
)
def test_private_and_local_addresses_are_refused_in_production(settings, council, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(EndpointRefused, match=r"private or local|cannot be found"):
        endpoint_add(organisation=council, url=url)


def test_private_addresses_can_be_allowed(settings, council):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    assert endpoint_add(organisation=council, url="http://127.0.0.1:9/hooks").pk


# ---- the back office ------------------------------------------------------------------


@pytest.fixture
def admin_client(client, council):
    from townhall.tenancy.factories import MembershipFactory
    from townhall.tenancy.models import Membership

    user = MembershipFactory(
        organisation=council,
        user__email="admin@example.gov.uk",
        user__password="!",
        role=Membership.Role.ORGANISATION_ADMIN,
    ).user
    sign_in(client, user)
    return client


@pytest.mark.parametrize("name", ["webhooks", "webhook-new", "webhook-dead-letters"])
def test_only_admins_manage_webhooks(staff_client, name):
    assert staff_client.get(reverse(f"backoffice:{name}")).status_code == 403


def test_a_caseworker_cannot_turn_off_or_delete_an_endpoint(staff_client, council):
    endpoint = endpoint_add(organisation=council, url="https://a.example/")
    for name in ["webhook-disable", "webhook-delete"]:
        assert (
            staff_client.post(reverse(f"backoffice:{name}", args=[endpoint.pk])).status_code == 403
        )
    assert Endpoint.objects.filter(pk=endpoint.pk, is_active=True).exists()


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(admin_client, council):
    page = admin_client.get(reverse("backoffice:webhook-new"))
    assert page.status_code == 200
    response = admin_client.post(
        reverse("backoffice:webhook-new"),
        {"url": "https://hooks.example.org/", "events": ["case.created"], "description": "CRM"},
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    listing = admin_client.get(reverse("backoffice:webhooks")).content.decode()
    assert "https://hooks.example.org/" in listing
    assert endpoint.secret not in listing
    # Only its last four characters, to tell which secret the receiver holds.
    assert f"Signing secret …{endpoint.secret[-4:]}" in listing


def test_a_bad_url_is_refused_with_an_error_on_the_form(admin_client):
    response = admin_client.post(
        reverse("backoffice:webhook-new"),
        {"url": "javascript:alert(1)", "events": ["case.created"]},
    )
    assert response.status_code == 400
    assert "The URL must start with https:// or http://" in response.content.decode()
    assert "Error:" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_another_councils_endpoint_is_out_of_reach(admin_client, other_council):
    theirs = endpoint_add(organisation=other_council, url="https://a.example/")
    assert (
        admin_client.post(reverse("backoffice:webhook-disable", args=[theirs.pk])).status_code
        == 404
    )
    assert (
        admin_client.get(reverse("backoffice:webhook-delete", args=[theirs.pk])).status_code == 404
    )
    assert "a.example" not in admin_client.get(reverse("backoffice:webhooks")).content.decode()


def test_an_admin_turns_an_endpoint_off_and_on_and_deletes_it(admin_client, council):
    endpoint = endpoint_add(organisation=council, url="https://a.example/")
    admin_client.post(reverse("backoffice:webhook-disable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_reason == "by_staff"
    admin_client.post(reverse("backoffice:webhook-enable", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert (
        admin_client.get(reverse("backoffice:webhook-delete", args=[endpoint.pk])).status_code
        == 200
    )
    admin_client.post(reverse("backoffice:webhook-delete", args=[endpoint.pk]))
    assert not Endpoint.objects.exists()


def test_the_dead_letter_list_replays_what_was_given_up(
    admin_client,
    council,
    fly_tipping,
    receiver,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    from townhall.cases.factories import submitted_case

    endpoint = endpoint_add(organisation=council, url=receiver.url)
    receiver.stop()
    with django_capture_on_commit_callbacks(execute=True):
        cases = [submitted_case(fly_tipping) for _ in range(3)]
    failed = list(Delivery.objects.filter(channel="webhook", status="failed").order_by("pk"))
    assert len(failed) == 3

    with django_assert_max_num_queries(12):
        page = admin_client.get(reverse("backoffice:webhook-dead-letters"))
    text = page.content.decode()
    assert all(case.reference in text for case in cases)
    assert "ConnectionError" in text

    receiver.start()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("backoffice:webhook-dead-letters"), {"delivery": [str(failed[0].pk)]}
        )
    assert len(receiver.wait_for(1)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("backoffice:webhook-dead-letters"), {"all": "1"})
    assert len(receiver.wait_for(3)) == 3
    assert not Delivery.objects.filter(channel="webhook").exclude(status="sent").exists()
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None
