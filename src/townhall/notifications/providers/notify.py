"""GOV.UK Notify: email, text messages and letters through the official
client (`notifications-python-client`), for councils that have configured it
(`NotifySettings`).

Townhall writes the words; each council's Notify templates hold
placeholders for them: `((subject))` and `((body))` (and, for letters, the
address lines Notify needs), plus `((reference))` (the case's reference) and
`((stop_url))` (the link that stops updates). Notify's `reference` is the
row's UUID, which says nothing about the person, and lets an interrupted
send be looked up instead of repeated.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from django.conf import settings
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from townhall.notifications.providers import PermanentFailure, Provider, provider_register

if TYPE_CHECKING:
    from townhall.notifications.models import Delivery, NotifySettings
    from townhall.tenancy.models import Organisation

# Notify's answers that trying again cannot change: 400 (a number that is not
# a mobile, a missing placeholder, a team-only key) and 403 (a revoked or
# wrong key). Everything else (429 rate limits, 5xx, no answer) is retried.
PERMANENT_STATUSES = frozenset({400, 403})
# Notify needs at least three lines of address (the last a postcode), at most seven.
LETTER_LINES = 7

_clients = threading.local()


class NotifyUnavailable(Exception):
    """Notify did not take the message this time (rate limit, outage, no answer)."""


def notify_client(api_key: str) -> NotificationsAPIClient:
    """A client for `api_key`, one per thread (the client is not thread-safe),
    kept so its HTTP connection is reused."""
    cache: dict[tuple[str, str], NotificationsAPIClient] = _clients.__dict__.setdefault(
        "by_key", {}
    )
    key = (api_key, settings.NOTIFY_BASE_URL)
    if key not in cache:
        cache[key] = NotificationsAPIClient(
            api_key, base_url=settings.NOTIFY_BASE_URL, timeout=settings.NOTIFY_TIMEOUT
        )
    return cache[key]


def settings_for(organisation_id: int) -> NotifySettings | None:
    from townhall.notifications.models import NotifySettings

    return NotifySettings.objects.filter(organisation_id=organisation_id, enabled=True).first()


def loaded_settings(delivery: Delivery) -> NotifySettings | None:
    """The council's enabled Notify settings, from the row's own query when it
    loaded them (`delivery_send` does)."""
    from townhall.notifications.models import NotifySettings

    try:
        config = delivery.organisation.notify_settings
    except NotifySettings.DoesNotExist:
        return None
    return config if config.enabled else None


def letter_address(recipient: str) -> dict[str, str]:
    """Notify's address_line_1 … address_line_7 from a postal address, one line
    per line (or comma), the postcode last."""
    lines = [part.strip() for line in recipient.splitlines() for part in line.split(",")]
    lines = [line for line in lines if line]
    if len(lines) > LETTER_LINES:
        lines = [", ".join(lines[: len(lines) - LETTER_LINES + 1]), *lines[-LETTER_LINES + 1 :]]
    return {f"address_line_{number}": line for number, line in enumerate(lines, start=1)}


def _refusal(error: APIError, recipient: str) -> str:
    """Notify's reason, for staff, without the recipient (Notify does not echo
    it, but a reason is kept on the row, so make sure)."""
    detail = error.message
    if isinstance(detail, list):
        detail = "; ".join(
            f"{item.get('error', '')}: {item.get('message', '')}" for item in detail if item
        )
    text = f"GOV.UK Notify {error.status_code}: {detail}"
    for part in {recipient, *recipient.splitlines()}:
        if part.strip():
            text = text.replace(part.strip(), "…")
    return text


class NotifyProvider(Provider):
    """One channel through GOV.UK Notify; subclasses name the channel and
    make the request."""

    idempotent_retry = True
    per_organisation = True

    def serves(self, organisation: Organisation) -> bool:
        config = settings_for(organisation.pk)
        return config is not None and bool(config.template_for(self.channel))

    def send(self, delivery: Delivery) -> str:
        config = loaded_settings(delivery)
        template_id = config.template_for(self.channel) if config else ""
        if config is None or not template_id:
            raise PermanentFailure(
                f"GOV.UK Notify has no {self.channel} template for this council any more"
            )
        client = notify_client(config.api_key)
        try:
            if delivery.interrupted:
                # Cut off mid-send earlier: Notify may have it already.
                found = client.get_all_notifications(reference=str(delivery.reference))
                for notification in found.get("notifications", []):
                    return str(notification["id"])
            answer = self.post(client, config, template_id, delivery)
        except APIError as error:
            if error.status_code in PERMANENT_STATUSES:
                raise PermanentFailure(_refusal(error, delivery.recipient)) from None
            raise NotifyUnavailable(f"GOV.UK Notify answered {error.status_code}") from None
        return str(answer["id"])

    def post(
        self,
        client: NotificationsAPIClient,
        config: NotifySettings,
        template_id: str,
        delivery: Delivery,
    ) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def personalisation(delivery: Delivery) -> dict[str, str]:
        """What the template's placeholders are filled with."""
        values = {"subject": delivery.subject, "body": delivery.body}
        for name in ("case_reference", "stop_url"):
            values[name] = str(delivery.payload.get(name, ""))
        return values


class NotifyEmailProvider(NotifyProvider):
    name = "notify-email"
    channel = "email"

    def post(
        self,
        client: NotificationsAPIClient,
        config: NotifySettings,
        template_id: str,
        delivery: Delivery,
    ) -> dict[str, Any]:
        return client.send_email_notification(
            email_address=delivery.recipient,
            template_id=template_id,
            personalisation=self.personalisation(delivery),
            reference=str(delivery.reference),
            email_reply_to_id=config.email_reply_to_id or None,
            one_click_unsubscribe_url=delivery.payload.get("stop_url") or None,
        )


class NotifySmsProvider(NotifyProvider):
    name = "notify-sms"
    channel = "sms"

    def post(
        self,
        client: NotificationsAPIClient,
        config: NotifySettings,
        template_id: str,
        delivery: Delivery,
    ) -> dict[str, Any]:
        return client.send_sms_notification(
            phone_number=delivery.recipient,
            template_id=template_id,
            personalisation=self.personalisation(delivery),
            reference=str(delivery.reference),
            sms_sender_id=config.sms_sender_id or None,
        )


class NotifyLetterProvider(NotifyProvider):
    name = "notify-letter"
    channel = "letter"

    def post(
        self,
        client: NotificationsAPIClient,
        config: NotifySettings,
        template_id: str,
        delivery: Delivery,
    ) -> dict[str, Any]:
        return client.send_letter_notification(
            template_id=template_id,
            personalisation={
                **letter_address(delivery.recipient),
                **self.personalisation(delivery),
            },
            reference=str(delivery.reference),
        )


for _provider in (NotifyEmailProvider(), NotifySmsProvider(), NotifyLetterProvider()):
    provider_register(_provider)
