"""Every contact is recorded: a submission writes its contact with its case,
and staff log the others (`cases.contacts`)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from townhall.cases import contacts
from townhall.cases.factories import FLY_TIPPING_ANSWERS, submitted_case
from townhall.cases.journey import case_create
from townhall.cases.models import CaseEvent, Channel, Contact
from townhall.cases.services import case_submit, draft_save_answers, draft_start
from townhall.tenancy.factories import UserFactory

pytestmark = pytest.mark.django_db

API_ANSWERS = {k: v for k, v in FLY_TIPPING_ANSWERS.items() if v != ""}


def test_a_web_submission_records_its_contact(fly_tipping):
    case = submitted_case(fly_tipping)
    contact = Contact.objects.get()
    assert (contact.organisation, contact.service, contact.case, contact.channel) == (
        fly_tipping.organisation,
        fly_tipping,
        case,
        Channel.WEB,
    )
    assert (contact.reason, contact.outcome, contact.recorded_by) == (
        Contact.Reason.NEW_REQUEST,
        Contact.Outcome.CASE_OPENED,
        None,
    )
    assert contact.avoidable is None and contact.duration_minutes is None


def test_a_machine_front_end_records_its_contact(fly_tipping):
    case = case_create(
        service_version=fly_tipping.published_version,
        answers=dict(API_ANSWERS),
        channel=Channel.API,
        actor=None,
        declaration=False,
    )
    assert list(Contact.objects.values_list("case", "channel")) == [(case.pk, Channel.API)]


def test_the_contact_is_written_with_the_case(fly_tipping):
    """The contact's INSERT is the case's own statement on PostgreSQL (one
    INSERT more, in the same transaction, elsewhere)."""
    draft = draft_start(service_version=fly_tipping.published_version)
    draft_save_answers(draft=draft, answers=FLY_TIPPING_ANSWERS)
    with CaptureQueriesContext(connection) as queries:
        case_submit(draft=draft)
    writes = [q["sql"] for q in queries if 'INSERT INTO "cases_contact"' in q["sql"]]
    assert len(writes) == 1
    assert ('INSERT INTO "cases_case"' in writes[0]) == (connection.vendor == "postgresql")
    assert Contact.objects.count() == 1


def test_a_refused_submission_records_no_contact(fly_tipping):
    draft = draft_start(service_version=fly_tipping.published_version)
    draft_save_answers(draft=draft, answers={"waste_type": "furniture"})
    with pytest.raises(Exception, match="answers need attention"):
        case_submit(draft=draft)
    assert not Contact.objects.exists()


def test_a_contact_without_a_case_goes_on_no_timeline(council, fly_tipping):
    adviser = UserFactory.create()
    contact = contacts.contact_log(
        organisation=council,
        channel=Channel.PHONE,
        reason=Contact.Reason.GENERAL_ENQUIRY,
        outcome=Contact.Outcome.RESOLVED,
        actor=adviser,
        avoidable=True,
        duration_minutes=4,
        note="Asked about bin days",
    )
    contact.refresh_from_db()
    assert (contact.recorded_by, contact.duration_minutes, contact.avoidable) == (adviser, 4, True)
    assert contact.case is None and contact.service is None
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.CONTACT_LOGGED).exists()


def test_a_contact_about_a_case_goes_on_its_timeline(council, fly_tipping):
    case = submitted_case(fly_tipping)
    adviser = UserFactory.create()
    contact = contacts.contact_log(
        organisation=council,
        channel=Channel.LETTER,
        reason=Contact.Reason.PROGRESS_CHASING,
        outcome=Contact.Outcome.CASE_UPDATED,
        actor=adviser,
        case=case,
        duration_minutes=10,  # not kept: a letter has no duration
        note="Wrote asking for news",
    )
    assert contact.service == fly_tipping  # taken from the case
    assert contact.duration_minutes is None
    event = case.events.get(kind=CaseEvent.Kind.CONTACT_LOGGED)
    assert (event.actor, event.internal_note, event.public_message) == (
        adviser,
        "Wrote asking for news",
        "",
    )
    assert event.payload == {
        "contact": contact.pk,
        "channel": "letter",
        "reason": "progress_chasing",
    }


def test_another_councils_case_or_service_is_refused(council, other_fly_tipping):
    other_case = submitted_case(other_fly_tipping)
    for extra in ({"case": other_case}, {"service": other_fly_tipping}):
        with pytest.raises(contacts.ContactRefused):
            contacts.contact_log(
                organisation=council,
                channel=Channel.PHONE,
                reason=Contact.Reason.COMPLAINT,
                outcome=Contact.Outcome.REFERRED,
                actor=UserFactory.create(),
                **extra,
            )
    assert Contact.objects.filter(organisation=council).count() == 0
    assert not other_case.events.filter(kind=CaseEvent.Kind.CONTACT_LOGGED).exists()


BAD = [{"channel": "pigeon"}, {"reason": "boredom"}, {"outcome": "x"}, {"duration_minutes": -1}]


@pytest.mark.parametrize("bad", BAD)
def test_nonsense_is_refused(council, bad):
    kwargs = {
        "channel": Channel.PHONE,
        "reason": Contact.Reason.COMPLAINT,
        "outcome": Contact.Outcome.REFERRED,
    } | bad
    with pytest.raises(contacts.ContactRefused):
        contacts.contact_log(organisation=council, actor=UserFactory.create(), **kwargs)
    assert not Contact.objects.exists()


def test_administrators_can_read_contacts_but_not_write_them(admin_client, fly_tipping):
    submitted_case(fly_tipping)
    listing = admin_client.get("/admin/cases/contact/")
    assert listing.status_code == 200
    assert "New request" in listing.content.decode()
    assert admin_client.get("/admin/cases/contact/add/").status_code == 403
