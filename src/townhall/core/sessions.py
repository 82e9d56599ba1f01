"""Django's database sessions, with two round trips fewer (docs/performance.md).

- A new session key is not first looked up to see whether it is free: it is
  32 random characters, and the insert that follows fails on a duplicate
  anyway (Django then tries another key), so the look-up only cost a query on
  every new session.
- When the key is changed (`cycle_key`, after a submission), the new row is
  written with the session's data; the response then wrote the same data
  again. It is written again only if the data changed since.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils.crypto import get_random_string


class SessionStore(DatabaseSessionStore):
    _written: bytes | None = None

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self) -> None:
        super().cycle_key()
        self._written = self._serialised()

    def save(self, must_create: bool = False) -> Any:
        if not must_create and self._written is not None and self._serialised() == self._written:
            return None  # this very data was just written by cycle_key
        self._written = None
        return super().save(must_create=must_create)

    def _serialised(self) -> bytes:
        # The session's data, as the response would write it (typeshed omits `_session`).
        data = self._session  # type: ignore[attr-defined]
        return bytes(self.serializer().dumps(data))
