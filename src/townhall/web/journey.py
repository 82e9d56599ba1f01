"""Where a resident's journey through a service is kept between requests:
the draft (and, once submitted, the case) for each service, in their session;
and the check-answers form's token, which names the draft the form sends."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from townhall.cases.models import Case, Draft
from townhall.catalogue.models import Service

DRAFTS = "townhall_drafts"
SUBMITTED = "townhall_submitted"
CHANNELS = "townhall_channels"
# The check-answers form's field that names the draft it sends.
CHECK_FIELD = "draft_token"
_CHECK_SALT = "townhall.web.check-answers"


def _key(name: str, scope: str) -> str:
    # Staff recording a contact and the same person trying the front door keep
    # separate journeys.
    return name if scope == "web" else f"{name}_{scope}"


def current_draft(request: HttpRequest, service: Service, scope: str = "web") -> Draft | None:
    draft_id = request.session.get(_key(DRAFTS, scope), {}).get(str(service.pk))
    if draft_id is None:
        return None
    return (
        Draft.objects.filter(pk=draft_id, case__isnull=True, service_version__service=service)
        .select_related("service_version")
        .first()
    )


def remember_draft(
    request: HttpRequest, service: Service, draft: Draft, scope: str = "web"
) -> None:
    drafts = dict(request.session.get(_key(DRAFTS, scope), {}))
    drafts[str(service.pk)] = str(draft.pk)
    request.session[_key(DRAFTS, scope)] = drafts


def forget_draft(request: HttpRequest, service: Service, scope: str = "web") -> None:
    """Drop the service's draft from the session (the resident joined an
    existing report instead of sending theirs)."""
    drafts = dict(request.session.get(_key(DRAFTS, scope), {}))
    drafts.pop(str(service.pk), None)
    request.session[_key(DRAFTS, scope)] = drafts
    if scope == "web":
        request.session.cycle_key()


def remember_submission(
    request: HttpRequest, service: Service, case: Case, scope: str = "web"
) -> None:
    drafts = dict(request.session.get(_key(DRAFTS, scope), {}))
    drafts.pop(str(service.pk), None)
    request.session[_key(DRAFTS, scope)] = drafts
    submitted = dict(request.session.get(_key(SUBMITTED, scope), {}))
    submitted[str(service.pk)] = case.pk
    request.session[_key(SUBMITTED, scope)] = submitted
    if scope == "web":
        request.session.cycle_key()


def submitted_case(request: HttpRequest, service: Service, scope: str = "web") -> Case | None:
    case_id = request.session.get(_key(SUBMITTED, scope), {}).get(str(service.pk))
    if case_id is None:
        return None
    return (
        Case.objects.filter(pk=case_id, service=service).select_related("service_version").first()
    )


def remember_channel(request: HttpRequest, service: Service, channel: str) -> None:
    """How the contact staff are recording reached the council."""
    channels = dict(request.session.get(CHANNELS, {}))
    channels[str(service.pk)] = channel
    request.session[CHANNELS] = channels


def channel_for(request: HttpRequest, service: Service) -> str | None:
    return request.session.get(CHANNELS, {}).get(str(service.pk))


def check_token(service: Service, draft: Draft, scope: str = "web") -> str:
    """A signed, expiring token for the check-answers form, naming the draft
    it sends. A submit whose session has moved on (the session key changes on
    the first submit, so a double click or a replayed form carries the old
    one) still says which journey it finishes, and is shown that journey's
    confirmation. The token gives nothing else: see `checked_draft_id`."""
    payload = {"service": service.pk, "draft": str(draft.pk), "scope": scope}
    return signing.dumps(payload, salt=_CHECK_SALT)


def checked_draft_id(request: HttpRequest, service: Service, scope: str = "web") -> str | None:
    """The id of the draft a sent check-answers form names, if its token is
    genuine, no older than a session may be, and made for this service and
    this kind of journey (resident or staff); None otherwise."""
    token = request.POST.get(CHECK_FIELD)
    if not token:
        return None
    try:
        payload = signing.loads(token, salt=_CHECK_SALT, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:  # forged, altered or expired
        return None
    if not isinstance(payload, dict):
        return None
    if payload.get("service") != service.pk or payload.get("scope") != scope:
        return None
    draft_id = payload.get("draft")
    return draft_id if isinstance(draft_id, str) else None
