"""Ask once: filling a service's questions marked `prefill: profile.<field>`
from a signed-in resident's profile, once they have agreed, and writing an
answer back to the profile when they ask for that.

Nothing is stored by filling in: the profile's values are shown as the
page's answers, and become the request's answers only when the resident
sends the page, having seen them. Check answers marks those still equal to
the profile's."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from django.contrib.auth.models import AnonymousUser

from townhall.accounts.models import User
from townhall.catalogue.engine.definition import Question, ServiceDefinition
from townhall.catalogue.engine.types import question_type
from townhall.catalogue.engine.types.base import is_empty
from townhall.residents.details import Details, address_lines, profile_details_update
from townhall.residents.identity import profile_for
from townhall.residents.models import Profile
from townhall.tenancy.models import Membership


def resident_of(user: User | AnonymousUser) -> User | None:
    """`user` if they are a signed-in resident (not council staff), else None."""
    if not user.is_authenticated or Membership.objects.filter(user=user).exists():
        return None
    return user


def may_prefill(user: User | AnonymousUser, definition: ServiceDefinition) -> bool:
    """Whether this resident's profile fills in this service's questions: it
    marks some, and they have agreed."""
    resident = resident_of(user)
    if resident is None or not definition.prefilled_questions:
        return False
    return profile_for(resident).reuse_agreed_at is not None


def asks_to_prefill(user: User | AnonymousUser, definition: ServiceDefinition) -> bool:
    """Whether to ask this resident to agree: the service could use their
    profile and they have not agreed yet."""
    resident = resident_of(user)
    if resident is None or not definition.prefilled_questions:
        return False
    return profile_for(resident).reuse_agreed_at is None


def _profile_value(user: User, profile: Profile, question: Question) -> Any:
    field = question.prefill.removeprefix("profile.")
    if field == "name":
        return user.get_full_name()
    if field == "email":
        return user.email
    if field == "date_of_birth":
        return profile.date_of_birth.isoformat() if profile.date_of_birth else ""
    if field == "address":
        line1, line2, town = address_lines(profile)
        if question.type == "address":
            if not line1:
                return ""
            return {"line1": line1, "line2": line2, "town": town, "postcode": profile.postcode}
        return "\n".join(part for part in (line1, line2, town, profile.postcode) if part)
    return getattr(profile, field, "")


def profile_answers(user: User, questions: Iterable[Question]) -> dict[str, Any]:
    """The profile's answers to those of `questions` marked `prefill`: only
    values the question would accept, so a filled-in page is never wrong."""
    profile = profile_for(user)
    answers = {}
    for question in questions:
        if not question.prefill:
            continue
        value = _profile_value(user, profile, question)
        if is_empty(value):
            continue
        if question_type(question.type).check(question, value) is None:
            answers[question.id] = value
    return answers


def page_answers(
    user: User, questions: Iterable[Question], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """The profile's answers for a page's questions not yet answered."""
    return {
        key: value
        for key, value in profile_answers(user, questions).items()
        if is_empty(answers.get(key))
    }


def from_profile(user: User, definition: ServiceDefinition, answers: Mapping[str, Any]) -> set[str]:
    """The ids of answers that are the profile's own (for check answers)."""
    questions = [q for q in definition.prefilled_questions if q.id in answers]
    return {key for key, value in profile_answers(user, questions).items() if answers[key] == value}


def profile_update_from_answers(
    *, user: User, questions: Iterable[Question], answers: Mapping[str, Any]
) -> list[str]:
    """Write the given answers back to the profile ("also update my profile"),
    for questions marked `prefill`; the email address, which the resident
    signs in with, is not changed this way. Returns the contact details that
    changed (their open cases are told, as for any change)."""
    profile = profile_for(user)
    details = Details(
        first_name=user.first_name,
        last_name=user.last_name,
        date_of_birth=profile.date_of_birth,
        phone=profile.phone,
        address=profile.address,
        postcode=profile.postcode,
        updates_by=profile.updates_by,
        language=profile.language,
    )
    for question in questions:
        value = answers.get(question.id)
        if not question.prefill or is_empty(value):
            continue
        details = _with_answer(details, question, value)
    return profile_details_update(user=user, details=details)


def _with_answer(details: Details, question: Question, value: Any) -> Details:
    field = question.prefill.removeprefix("profile.")
    if field == "name" and isinstance(value, str):
        first, _sep, last = value.strip().partition(" ")
        return replace(details, first_name=first[:150], last_name=last.strip()[:150])
    if field == "phone" and isinstance(value, str):
        return replace(details, phone=value[:20])
    if field == "postcode" and isinstance(value, str):
        return replace(details, postcode=value[:10])
    if field == "date_of_birth" and isinstance(value, str):
        return replace(details, date_of_birth=datetime.date.fromisoformat(value))
    if field == "address" and isinstance(value, dict):
        lines = (value.get("line1", ""), value.get("line2", ""), value.get("town", ""))
        return replace(
            details,
            address="\n".join(line for line in lines if line),
            postcode=value.get("postcode", details.postcode)[:10],
        )
    if field == "address" and isinstance(value, str):
        return replace(details, address=value)
    return details
