"""Delivery providers: how an outbox row leaves Townhall.

A provider delivers the rows of one channel (email, sms, letter, webhook)
through one service: Django's email backend today, GOV.UK Notify, a text
message gateway or a webhook client later, each one module that subclasses
`Provider` and registers an instance. A row names its provider, so changing
the default later does not change how rows already written are sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from townhall.notifications.models import Delivery
    from townhall.tenancy.models import Organisation


class Provider:
    """Sends outbox rows of one channel. Subclasses set the class attributes
    and implement `send`."""

    name: ClassVar[str]
    channel: ClassVar[str]
    # True when sending the same row twice (same `Delivery.reference`) reaches
    # the recipient once: the service drops a repeated reference, or `send`
    # asks it whether a row marked `interrupted` was taken already. Then an
    # attempt cut off mid-send is retried safely; otherwise a retry may repeat.
    idempotent_retry: ClassVar[bool] = False
    # True for a provider each council configures (GOV.UK Notify): it serves
    # only the councils `serves` says, and is never a channel's default.
    per_organisation: ClassVar[bool] = False

    def send(self, delivery: Delivery) -> str:
        """Hand the row to the service. Returns the service's own id for the
        message, or "". Raises on any failure; the row is then retried, unless
        the failure is a `PermanentFailure`."""
        raise NotImplementedError

    def prepare(self, deliveries: list[Delivery]) -> None:
        """Load what sending `deliveries` needs, in as few queries as it can,
        before they are sent one by one (a batch, or a single row). Providers
        that read nothing beyond the row leave it as it is."""

    def serves(self, organisation: Organisation) -> bool:
        """True when this provider is the council's own choice for its
        channel (it has configured it), ahead of the channel's default. Only
        providers configured per council override this."""
        return False


class PermanentFailure(Exception):
    """The service refused the message for good (a number that is not a
    mobile, a key without permission): trying again cannot help. The row is
    marked failed at once and shown to staff. The message must not hold the
    recipient's address or number."""


class DeliveryRefused(Exception):
    """Raised by a provider for a row that no further attempt can deliver (its
    webhook endpoint was disabled or deleted, its address is not allowed): the
    row is given up at once, and stays in the outbox to be tried again by hand."""


class ProviderMissing(LookupError):
    """A row names a provider that is not registered (removed, or misspelt in settings)."""


_providers: dict[str, Provider] = {}
# The provider new rows of each channel use unless they name another.
_defaults: dict[str, str] = {}


def provider_register(provider: Provider, *, default: bool = False) -> Provider:
    """Make a provider available by its name; with `default`, new rows of its
    channel use it unless they name another."""
    _providers[provider.name] = provider
    if default or (provider.channel not in _defaults and not provider.per_organisation):
        _defaults[provider.channel] = provider.name
    return provider


def provider_unregister(name: str) -> None:
    """Remove a provider (and stop it being a channel's default)."""
    provider = _providers.pop(name, None)
    if provider is not None and _defaults.get(provider.channel) == name:
        del _defaults[provider.channel]
        for other in _providers.values():
            if other.channel == provider.channel and not other.per_organisation:
                _defaults[provider.channel] = other.name
                break


def provider_registered(name: str) -> Provider | None:
    return _providers.get(name)


def provider_get(name: str) -> Provider:
    """The provider called `name`. Raises ProviderMissing."""
    try:
        return _providers[name]
    except KeyError:
        raise ProviderMissing(name) from None


def provider_default(channel: str) -> str:
    """The name of the provider new rows of `channel` use. Raises ProviderMissing."""
    try:
        return _defaults[channel]
    except KeyError:
        raise ProviderMissing(f"no provider for {channel}") from None


def provider_for(channel: str, organisation: Organisation) -> str:
    """The name of the provider a new row of `channel` for `organisation`
    uses: one the council configured for it (`Provider.serves`), else the
    channel's default. Raises ProviderMissing."""
    for provider in _providers.values():
        if provider.channel == channel and provider.serves(organisation):
            return provider.name
    return provider_default(channel)


def provider_available(channel: str, organisation: Organisation) -> bool:
    """Whether messages of `channel` can be sent for `organisation` at all."""
    try:
        provider_for(channel, organisation)
    except ProviderMissing:
        return False
    return True
