"""The record of sign-ins (`SignIn`): written for every attempt on any sign-in
page, through Django's sign-in signals and the second step's own calls.

What is kept is chosen for privacy: the client's network, not its address,
and the browser's family ("Firefox on Windows"), not its user agent. Records
older than SIGN_IN_RECORD_DAYS are removed when the person signs in again.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from townhall.accounts.models import SignIn, User

# Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = [
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\bChrome/|\bCriOS/|\bChromium/")),
    ("Safari", re.compile(r"\bSafari/")),
]
_SYSTEMS = [
    ("Android", re.compile(r"\bAndroid\b")),
    ("iOS", re.compile(r"\biPhone\b|\biPad\b|\biPod\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Linux", re.compile(r"\bLinux\b")),
]


def browser_family(user_agent: str) -> str:
    """The browser and system a user agent names, such as "Firefox on Windows",
    or "" when neither is recognised. Never the user agent itself, which can
    tell one person from another."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system


def client_network(address: str | None) -> str:
    """The network an address belongs to: /24 for IPv4, /48 for IPv6; enough to
    tell the office from somewhere unexpected, not enough to name a household."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def sign_in_record(*, user: User, outcome: str, request: HttpRequest | None) -> SignIn:
    """Record one sign-in attempt by `user` and drop their records past the
    retention period."""
    meta: Mapping[str, Any] = request.META if request is not None else {}
    record = SignIn.objects.create(
        user=user,
        outcome=outcome,
        client_network=client_network(meta.get("REMOTE_ADDR")),
        browser=browser_family(str(meta.get("HTTP_USER_AGENT", ""))[:1000])[:60],
    )
    cutoff = timezone.now() - timedelta(days=settings.SIGN_IN_RECORD_DAYS)
    SignIn.objects.filter(user=user, at__lt=cutoff).delete()
    return record


def user_for_credentials(credentials: Mapping[str, Any] | None) -> User | None:
    """The account a failed sign-in named, if there is one: failures for
    addresses nobody has are not recorded (they belong to nobody)."""
    email = (credentials or {}).get("username")
    if not isinstance(email, str) or not email.strip() or "\x00" in email:
        return None
    return User.objects.filter(email__iexact=email.strip()).first()
