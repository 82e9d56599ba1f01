"""Which URLs a webhook may go to.

Only http and https, with a host and no user name or password in them. Unless
`WEBHOOKS_ALLOW_PRIVATE_ADDRESSES` is on (it is off in production), every
address the host resolves to must be a public one: a webhook cannot be aimed
at the database, the cloud metadata service or anything else beside Townhall
(server-side request forgery). The check runs when an endpoint is added and
again before every request, since DNS can change in between.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from townhall.notifications.providers import DeliveryRefused


class AddressNotAllowed(DeliveryRefused):
    """The URL is not one a webhook may go to; the message says why."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_check(url: str, *, resolve: bool = True) -> None:
    """Raise AddressNotAllowed, with a message for the person who typed the
    URL, unless a webhook may go to it."""
    if len(url) > 500:
        raise AddressNotAllowed(_("The URL must be 500 characters or fewer."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressNotAllowed(_("Enter a URL, such as https://example.org/hooks")) from None
    if parts.scheme not in {"http", "https"}:
        raise AddressNotAllowed(_("The URL must start with https:// or http://"))
    if not parts.hostname:
        raise AddressNotAllowed(_("Enter a URL, such as https://example.org/hooks"))
    if parts.username or parts.password:
        raise AddressNotAllowed(_("The URL must not contain a user name or password."))
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES or not resolve:
        return
    try:
        found = socket.getaddrinfo(
            parts.hostname,
            port or (443 if parts.scheme == "https" else 80),
            type=socket.SOCK_STREAM,
        )
    except (OSError, UnicodeError):
        raise AddressNotAllowed(_("The URL's host name cannot be found.")) from None
    if not found or not all(_public(str(info[4][0])) for info in found):
        raise AddressNotAllowed(
            _("The URL points to a private or local address, which webhooks may not reach.")
        )
