from django.core import mail

from townhall.cases.factories import submitted_case


def test_a_submitted_case_has_a_reference_and_acknowledges_by_email(
    fly_tipping, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submitted_case(fly_tipping)
    assert case.reference.startswith("EXA-")
    assert case.status == "received"
    assert len(mail.outbox) == 1
    assert case.reference in mail.outbox[0].subject
