import pytest
from django.urls import reverse

from townhall.residents.identity import profile_for, resident_for_verified_email
from townhall.residents.models import Consent, HouseholdMember

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "dob_day": "10",
    "dob_month": "12",
    "dob_year": "1985",
    "phone": "07700 900982",
    "address_line1": "1 Castle Street",
    "address_line2": "",
    "town": "Oxford",
    "postcode": "ox1 1aa",
    "updates_by": "email",
    "language": "cy",
}


@pytest.fixture
def ada(client, council):
    user = resident_for_verified_email("ada@example.org")
    client.force_login(user)
    return user


def test_the_profile_pages_need_a_signed_in_resident(client, council):
    for name in ("show", "edit", "data", "data_json", "close", "reuse", "household_add"):
        response = client.get(reverse(f"profile:{name}"))
        assert response.status_code == 302, name
        assert "next=" in response["Location"]


def test_staff_are_not_residents(client, staff_user):
    client.force_login(staff_user)

    assert client.get(reverse("profile:show")).status_code == 403


def test_a_resident_sees_their_profile(client, ada):
    response = client.get(reverse("profile:show"))

    assert response.status_code == 200
    assert "ada@example.org" in response.content.decode()


def test_a_resident_changes_their_details(client, ada):
    response = client.post(reverse("profile:edit"), VALID)

    assert response.status_code == 302
    ada.refresh_from_db()
    profile = profile_for(ada)
    assert (ada.first_name, ada.last_name) == ("Ada", "Lovelace")
    assert profile.phone == "07700900982"
    assert profile.address == "1 Castle Street\nOxford"
    assert profile.postcode == "OX1 1AA"
    assert profile.date_of_birth.isoformat() == "1985-12-10"
    assert profile.language == "cy"
    page = client.get(reverse("profile:edit")).content.decode()
    assert 'value="1 Castle Street"' in page
    assert 'value="1985"' in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first_name": ""}, "Enter your first name"),
        ({"phone": "12"}, "Enter a phone number, like 01632 960 001"),
        ({"postcode": "NOT A CODE"}, "Enter a real postcode, like SW1A 2AA"),
        ({"dob_day": "31", "dob_month": "2"}, "Date of birth must be a real date"),
        ({"dob_month": ""}, "Date of birth must include a day, month and year"),
        ({"dob_year": "2999"}, "Date of birth must be in the past"),
        ({"town": ""}, "Enter the town or city, or leave the whole address empty"),
        ({"updates_by": "sms", "phone": ""}, "Enter a mobile phone number to get text messages"),
        ({"updates_by": "pigeon"}, "Select a valid choice"),
    ],
)
def test_bad_details_are_refused_with_a_clear_message(client, ada, change, message):
    response = client.post(reverse("profile:edit"), {**VALID, **change})

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "There is a problem" in page
    assert "<title>Error:" in page


def test_a_postcode_not_in_the_loaded_directory_is_refused(client, ada):
    from townhall.places.models import Postcode

    Postcode.objects.create(postcode="OX1 1BX", lon=-1.25, lat=51.75)

    response = client.post(reverse("profile:edit"), {**VALID, "postcode": "OX1 1AA"})

    assert response.status_code == 400
    assert "We cannot find the postcode OX1 1AA" in response.content.decode()
    response = client.post(reverse("profile:edit"), {**VALID, "postcode": "ox11bx"})
    assert response.status_code == 302


def test_a_resident_adds_changes_and_removes_household_members(client, ada):
    response = client.post(
        reverse("profile:household_add"),
        {
            "name": "Byron Lovelace",
            "relationship": "son",
            "dob_day": "",
            "dob_month": "",
            "dob_year": "",
        },
    )
    assert response.status_code == 302
    member = HouseholdMember.objects.get()
    assert (member.name, member.relationship, member.date_of_birth) == (
        "Byron Lovelace",
        "son",
        None,
    )

    client.post(
        reverse("profile:household_edit", args=[member.pk]),
        {
            "name": "Byron King",
            "relationship": "son",
            "dob_day": "1",
            "dob_month": "5",
            "dob_year": "2010",
        },
    )
    member.refresh_from_db()
    assert member.name == "Byron King"
    assert member.date_of_birth.isoformat() == "2010-05-01"
    assert "Byron King" in client.get(reverse("profile:show")).content.decode()

    assert client.get(reverse("profile:household_remove", args=[member.pk])).status_code == 200
    client.post(reverse("profile:household_remove", args=[member.pk]))
    assert not HouseholdMember.objects.exists()


def test_a_household_member_needs_a_name_and_relationship(client, ada):
    response = client.post(reverse("profile:household_add"), {"name": "", "relationship": ""})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter their full name" in page
    assert "Enter their relationship to you" in page


def test_agreeing_and_withdrawing_reuse_is_recorded(client, ada):
    client.post(reverse("profile:reuse"), {"agree": "on", "service": "report-fly-tipping"})
    assert profile_for(ada).reuse_agreed_at is not None

    client.post(reverse("profile:reuse"), {})
    assert profile_for(ada).reuse_agreed_at is None

    assert [(c.action, c.service_slug) for c in Consent.objects.filter(user=ada)] == [
        ("given", "report-fly-tipping"),
        ("withdrawn", ""),
    ]
    assert (
        "Consents you have given and withdrawn"
        in client.get(reverse("profile:show")).content.decode()
    )


def test_reuse_goes_on_only_to_a_page_of_this_site(client, ada):
    response = client.post(
        reverse("profile:reuse"), {"agree": "on", "next": "https://evil.example/steal"}
    )
    assert response["Location"] == reverse("profile:show")

    response = client.post(reverse("profile:reuse"), {"agree": "on", "next": "/services/x/"})
    assert response["Location"] == "/services/x/"


def test_the_profile_page_costs_the_same_queries_however_big_the_household(
    client, ada, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from townhall.residents.details import household_member_save

    household_member_save(user=ada, name="One", relationship="son", date_of_birth=None)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("profile:show"))
    for n in range(5):
        household_member_save(user=ada, name=f"More {n}", relationship="son", date_of_birth=None)
    with django_assert_num_queries(len(one)):
        response = client.get(reverse("profile:show"))
    assert "More 4" in response.content.decode()
