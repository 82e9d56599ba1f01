"""A real SMTP server for tests that inject mail faults.

aiosmtpd, on a free loopback port, in a thread of the test process. Django's
SMTP backend (or a worker process given `environment()`) talks to it as it
would to a council's mail server. It can be:

- stopped, so connections are refused, and started again on the same port;
- told to refuse, with a reply code at RCPT (`rcpt_reply`) or at the end of
  DATA (`data_reply`), as a mail server does when it is overloaded (451) or
  rejects a message (554);
- told to stall (`stall_at`) until `release()`: at "DATA", after the message
  has arrived and before the server answers, so it is never accepted if the
  sender goes away; or at "QUIT", after it has accepted the message, so the
  sender never learns that it was.

It keeps every message it accepted (answered 250) in `accepted`, and counts
what it refused, so a test can say exactly what a recipient got.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Literal

from aiosmtpd.controller import Controller

WAIT = 60.0  # seconds before a wait gives up: only stops a hang, never a timing check
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """A message the server accepted."""

    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""


class MailServer:
    """An SMTP server on a loopback port; see the module's docstring."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind((HOST, 0))
            self.port: int = probe.getsockname()[1]
        self.accepted: list[Received] = []
        self.refusals = 0
        self.rcpt_reply: str | None = None
        self.data_reply: str | None = None
        self.stall_at: Literal["DATA", "QUIT"] | None = None
        self.stalled = threading.Event()
        self._release = threading.Event()
        self._controller: Controller | None = None
        # aiosmtpd logs every command at INFO: only its warnings are of use here.
        logging.getLogger("mail.log").setLevel(logging.WARNING)

    # ---- control, from the test ----------------------------------------------------

    def start(self) -> None:
        """Listen on the port (connections are refused until then)."""
        if self._controller is None:
            # A controller's event loop is closed when it stops: a new one each time.
            self._controller = Controller(self, hostname=HOST, port=self.port, ready_timeout=WAIT)
            self._controller.start()

    def stop(self) -> None:
        """Stop listening and drop every connection, as a mail server going down does."""
        self.release()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def release(self) -> None:
        """Let a stalled conversation go on (if its sender is still there)."""
        self._release.set()

    def django_settings(self) -> dict[str, Any]:
        """Django's SMTP backend settings that send to this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": HOST,
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
        }

    def environment(self) -> dict[str, str]:
        """The same, as the environment variables of a `townhall` process."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": HOST,
            "EMAIL_PORT": str(self.port),
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": "false",
            # Longer than any stall lasts before the test ends it, so the sender
            # never gives up on its own.
            "EMAIL_TIMEOUT": str(int(WAIT)),
        }

    # ---- aiosmtpd's handler hooks, in the server's thread ---------------------------

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply:
            self.refusals += 1
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stall_at == "DATA":
            # Cancelled, so never accepted, if the sender goes away meanwhile.
            await self._stall()
        if self.data_reply:
            self.refusals += 1
            return self.data_reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.accepted.append(Received(recipients=tuple(envelope.rcpt_tos), message=message))
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stall_at == "QUIT":
            await self._stall()
        return "221 Bye"

    async def _stall(self) -> None:
        self.stalled.set()
        deadline = time.monotonic() + WAIT
        while not self._release.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
