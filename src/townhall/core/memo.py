"""A short per-process memory of the configuration every resident request
reads: the site for a host name, its councils, a published service.

These rows change when an administrator edits them, a few times a day, yet
reading them was three of a question page's five queries and about 40% of its
CPU time (docs/performance.md). Each web process keeps what it read for
`CONFIG_MEMO_SECONDS` (default 5; 0, as in tests, turns it off), and forgets
everything as soon as it saves or deletes a site, council, service or service
version itself. Another process sees a change within `CONFIG_MEMO_SECONDS`.
Values are shared by the threads of a process: callers must not change them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")

# The models whose rows are remembered, by app label and model name.
WATCHED = {
    "tenancy.site",
    "tenancy.organisation",
    "tenancy.site_organisations",
    "catalogue.service",
    "catalogue.serviceversion",
}

_memory: dict[Hashable, tuple[float, Any]] = {}
_lock = threading.Lock()
MAX_ENTRIES = 1024


def remembered(key: Hashable, compute: Callable[[], T], *, fresh: bool = False) -> T:
    """`compute()`, or what it returned for `key` less than CONFIG_MEMO_SECONDS
    ago. `fresh` computes it again (and remembers that), for a caller that
    found what was remembered out of date, such as a service published since."""
    seconds = settings.CONFIG_MEMO_SECONDS
    if seconds <= 0:
        return compute()
    now = time.monotonic()
    found = None if fresh else _memory.get(key)
    if found is not None and found[0] > now:
        return found[1]
    value = compute()
    with _lock:
        if len(_memory) >= MAX_ENTRIES:
            _memory.clear()
        _memory[key] = (now + seconds, value)
    return value


def forget(*args: Any, sender: Any = None, **kwargs: Any) -> None:
    """Forget everything, when a watched model is saved or deleted here."""
    if sender is not None and sender._meta.label_lower in WATCHED:
        with _lock:
            _memory.clear()


def forget_all() -> None:
    with _lock:
        _memory.clear()
