"""Alerts of new public reports, by email: subscribing with double opt-in,
one-click unsubscribing, and sending (as each report is made, or a daily
digest).

A subscription is for a ward, or a circle round a postcode, on one site (the
reports of that site's councils). Nothing is sent until the address
confirms, through a signed link that expires; every alert carries a signed
link that unsubscribes in one click (and `List-Unsubscribe`, RFC 8058). An
alert lists only what public report pages show (`cases.public`): the
service, its status, a chosen summary, the ward and a link; never anything
about who reported it."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from townhall.alerts.models import Frequency, Subscription
from townhall.cases.models import Case
from townhall.cases.public import (
    bounding_box,
    distance_metres,
    public_status,
    public_summary,
)
from townhall.catalogue.models import ServiceVersion
from townhall.insight.open_data import public_services
from townhall.notifications.messages import message_render
from townhall.notifications.models import Delivery
from townhall.notifications.services import Outgoing, delivery_queue, email_queue
from townhall.places.models import Area, AreaType
from townhall.places.postcodes import PostcodeNotFound, postcode_find
from townhall.tenancy.models import Organisation, Site

CONFIRM_SALT = "townhall.alerts.confirm"
UNSUBSCRIBE_SALT = "townhall.alerts.unsubscribe"
CONFIRM_MAX_AGE = timedelta(days=7)
RADII = (200, 500, 1000, 2000)  # metres round a postcode a resident may choose
MAX_RADIUS = max(RADII)
MAX_REPORTS = 50  # in one alert; the rest are on /reports/


class AlertRefused(Exception):
    """The subscription cannot be made as asked; the message says what to put right."""


@dataclass(frozen=True)
class AlertReport:
    reference: str
    service: str
    summary: str
    status: str
    ward: str
    url: str


def site_url(site: Site) -> str:
    from django.conf import settings

    return (site.public_url or settings.TOWNHALL_PUBLIC_URL).rstrip("/")


def sender(site: Site) -> Organisation:
    """The council alerts for `site` are sent as: its first by name."""
    organisation = site.organisations.order_by("name").first()
    if organisation is None:
        raise AlertRefused(_("This site has no council to send alerts"))
    return organisation


def wards_for(site: Site) -> list[tuple[str, str]]:
    """The wards residents may choose: (code, name), by name."""
    return list(
        Area.objects.filter(type=AreaType.WARD)
        .filter(Q(organisation__in=site.organisations.all()) | Q(organisation__isnull=True))
        .order_by("name")
        .values_list("code", "name")
    )


def subscription_start(
    *,
    site: Site,
    email: str,
    frequency: str,
    ward_code: str = "",
    postcode: str = "",
    radius_metres: int | None = None,
    language: str = "en",
) -> Subscription:
    """Make an unconfirmed subscription and email its confirmation link.
    Raises AlertRefused naming what is wrong (no place, an unknown ward or
    postcode, a radius not offered)."""
    if frequency not in Frequency.values:
        raise AlertRefused(_("Choose how often to get alerts"))
    fields: dict[str, object] = {}
    if ward_code:
        name = dict(wards_for(site)).get(ward_code)
        if name is None:
            raise AlertRefused(_("Choose a ward from the list"))
        fields.update(ward_code=ward_code, place_name=name)
    elif postcode:
        if radius_metres not in RADII:
            raise AlertRefused(_("Choose how far from the postcode"))
        try:
            found = postcode_find(postcode)
        except PostcodeNotFound as error:
            raise AlertRefused(str(error)) from error
        fields.update(
            lat=found.lat,
            lon=found.lon,
            radius_metres=radius_metres,
            place_name=found.postcode,
        )
    else:
        raise AlertRefused(_("Choose a ward, or enter a postcode"))
    organisation = sender(site)
    with transaction.atomic():
        subscription = Subscription.objects.create(
            site=site,
            email=email.strip(),
            frequency=frequency,
            language=language,
            nonce=secrets.token_urlsafe(24),
            **fields,
        )
        with translation.override(language):
            message = message_render(
                channel="email",
                name="alert_confirm",
                context={
                    "place": subscription.place_name,
                    "radius": radius_metres or "",
                    "site_name": site.name,
                    "confirm_url": link(subscription, "confirm"),
                    "days": CONFIRM_MAX_AGE.days,
                },
                language=language,
            )
        email_queue(
            organisation=organisation,
            to=subscription.email,
            subject=message.subject,
            body=message.body,
        )
    return subscription


def token_for(subscription: Subscription, purpose: str) -> str:
    value = f"{subscription.pk}.{subscription.nonce}"
    if purpose == "confirm":
        return signing.TimestampSigner(salt=CONFIRM_SALT).sign(value)
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(value)


def link(subscription: Subscription, purpose: str) -> str:
    """The full confirm or unsubscribe link for `subscription`."""
    name = "web:alert-confirm" if purpose == "confirm" else "web:alert-unsubscribe"
    path = reverse(name, kwargs={"token": token_for(subscription, purpose)})
    return f"{site_url(subscription.site)}{path}"


def subscription_for_token(token: str, purpose: str) -> Subscription | None:
    """The subscription a link names, or None: altered, made up, or (to
    confirm) older than a week."""
    try:
        if purpose == "confirm":
            value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(
                token, max_age=CONFIRM_MAX_AGE
            )
        else:
            value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _sep, nonce = value.partition(".")
    if not pk.isdigit():
        return None
    subscription = Subscription.objects.select_related("site").filter(pk=pk).first()
    if subscription is None or not secrets.compare_digest(subscription.nonce, nonce):
        return None
    return subscription


def subscription_confirm(*, subscription: Subscription) -> bool:
    """Confirm the address (the second opt-in): alerts start with reports
    made from now. False if it was confirmed already or has been ended."""
    now = timezone.now()
    return bool(
        Subscription.objects.filter(
            pk=subscription.pk, confirmed_at__isnull=True, unsubscribed_at__isnull=True
        ).update(confirmed_at=now, sent_until=now)
    )


def subscription_end(*, subscription: Subscription) -> bool:
    """Unsubscribe. False if it had ended already."""
    return bool(
        Subscription.objects.filter(pk=subscription.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
    )


def matches(subscription: Subscription, case: Case) -> bool:
    """Whether a case lies in the subscription's ward or circle."""
    if subscription.ward_code:
        return subscription.ward_code in (case.area_codes or [])
    if None in (subscription.lat, subscription.lon, case.lat, case.lon):
        return False
    distance = distance_metres(subscription.lon, subscription.lat, case.lon, case.lat)  # type: ignore[arg-type]
    return distance <= (subscription.radius_metres or 0)


def _new_public_cases(subscription: Subscription, since: datetime, until: datetime) -> list[Case]:
    services = public_services(subscription.site.organisations.all())
    cases = Case.objects.filter(
        service__in=services, created_at__gt=since, created_at__lte=until
    ).select_related("service")
    if subscription.lat is not None and subscription.lon is not None:
        min_lon, min_lat, max_lon, max_lat = bounding_box(
            subscription.lon, subscription.lat, subscription.radius_metres or 0
        )
        cases = cases.filter(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon)
    found = [case for case in cases.order_by("created_at", "pk") if matches(subscription, case)]
    return found[:MAX_REPORTS]


def alert_reports(subscription: Subscription, cases: Iterable[Case]) -> list[AlertReport]:
    """What an alert says of each case: only what its public page shows."""
    cases = list(cases)
    versions = {
        v.pk: v.parsed
        for v in ServiceVersion.objects.filter(pk__in={c.service_version_id for c in cases})
    }
    wards = dict(Area.objects.filter(type=AreaType.WARD).values_list("code", "name"))
    base = site_url(subscription.site)
    reports = []
    for case in cases:
        definition = versions[case.service_version_id]
        reports.append(
            AlertReport(
                reference=case.reference,
                service=case.service.name,
                summary=public_summary(definition, case.answers or {}),
                status=public_status(definition, case.status),
                ward=next((wards[c] for c in case.area_codes or [] if c in wards), ""),
                url=f"{base}{reverse('web:report', kwargs={'reference': case.reference})}",
            )
        )
    return reports


def alert_send(*, subscription: Subscription, now: datetime | None = None) -> Delivery | None:
    """Send one subscription its new reports since its last alert, if any,
    and move its mark on. The row is locked, so two senders never send the
    same reports twice."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("site")
            .filter(pk=subscription.pk)
            .active()
            .first()
        )
        if locked is None:
            return None
        subscription = locked
        since = subscription.sent_until or subscription.confirmed_at or now
        cases = _new_public_cases(subscription, since, now)
        subscription.sent_until = now
        subscription.save(update_fields=["sent_until"])
        if not cases:
            return None
        unsubscribe = link(subscription, "unsubscribe")
        with translation.override(subscription.language):
            message = message_render(
                channel="email",
                name="alert",
                context={
                    "place": subscription.place_name,
                    "reports": alert_reports(subscription, cases),
                    "count": len(cases),
                    "daily": subscription.frequency == Frequency.DAILY,
                    "unsubscribe_url": unsubscribe,
                    "reports_url": f"{site_url(subscription.site)}{reverse('web:reports')}",
                },
                language=subscription.language,
            )
        return delivery_queue(
            organisation=sender(subscription.site),
            outgoing=Outgoing(
                channel=Delivery.Channel.EMAIL,
                recipient=subscription.email,
                subject=message.subject,
                body=message.body,
                payload={"stop_url": unsubscribe},
            ),
        )


def subscriptions_for_case(case: Case) -> list[Subscription]:
    """The confirmed immediate subscriptions a new case is news for."""
    candidates = Subscription.objects.active().filter(
        frequency=Frequency.IMMEDIATE, site__organisations=case.organisation_id
    )
    place = Q(ward_code__in=list(case.area_codes or []))
    if case.lat is not None and case.lon is not None:
        min_lon, min_lat, max_lon, max_lat = bounding_box(case.lon, case.lat, MAX_RADIUS)
        place |= Q(
            ward_code="",
            lat__gte=min_lat,
            lat__lte=max_lat,
            lon__gte=min_lon,
            lon__lte=max_lon,
        )
    return [s for s in candidates.filter(place).distinct() if matches(s, case)]


def alerts_send(*, frequency: str, now: datetime | None = None) -> int:
    """Send every confirmed subscription of `frequency` its new reports (the
    daily digest; for immediate ones, anything a lost task left). Returns
    how many alerts were written."""
    now = now or timezone.now()
    sent = 0
    for subscription in Subscription.objects.active().filter(frequency=frequency).iterator():
        if alert_send(subscription=subscription, now=now) is not None:
            sent += 1
    return sent
