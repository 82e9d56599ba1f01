"""Who the client is when Townhall runs behind proxies (see ADR 0017).

A proxy that ends TLS tells the application the scheme (`X-Forwarded-Proto`)
and appends the address it saw to `X-Forwarded-For`. Those headers are believed
only from a peer listed in `TRUSTED_PROXIES`, and the client is the entry
`TRUSTED_PROXY_COUNT` places from the right: the entries further left were
written by whoever sent the request, so anyone could forge them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

ANY = "*"


def proxy_networks(entries: Sequence[str]) -> tuple[Network, ...] | None:
    """The networks `TRUSTED_PROXIES` names (addresses or CIDR ranges); None for
    `*`, which trusts any peer. Raises ImproperlyConfigured naming a bad entry."""
    if ANY in entries:
        return None
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network such as "
                "10.0.0.0/8 (or * for any)"
            ) from error
    return tuple(networks)


@lru_cache(maxsize=16)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...] | None:
    return proxy_networks(entries)


def parse_address(text: str) -> Address | None:
    """An address as proxies write it (`203.0.113.7`, `203.0.113.7:5123`,
    `[2001:db8::1]:443`, `2001:db8::1`), or None if it is not one."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def peer_is_trusted(peer: str, entries: Sequence[str]) -> bool:
    """Whether the address that connected to us is one of the trusted proxies."""
    networks = _networks(tuple(entries))
    if networks is None:
        return True
    address = parse_address(peer)
    return address is not None and any(address in network for network in networks)


def forwarded_client(forwarded_for: str, *, count: int) -> str | None:
    """The client address in an `X-Forwarded-For` header that `count` trusted
    proxies appended to: the `count`-th entry from the right (or the leftmost,
    if fewer proxies handled the request, which a trusted proxy still wrote).
    None when there is no such header or that entry is not an address."""
    entries = [entry for entry in forwarded_for.split(",") if entry.strip()]
    if not entries:
        return None
    address = parse_address(entries[-count] if len(entries) >= count else entries[0])
    return str(address) if address is not None else None
