"""`townhall secret_encrypt`: read a secret on standard input and print it
encrypted, for a CONNECTOR_SECRETS value the environment need not hold in clear."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from townhall.core.encryption import secret_encrypt


class Command(BaseCommand):
    help = (
        "Read a secret on standard input (one line) and print it encrypted with the first "
        "key of FIELD_ENCRYPTION_KEYS, to use as a CONNECTOR_SECRETS value."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        secret = sys.stdin.readline().strip()
        if not secret:
            raise CommandError("Give the secret on standard input.")
        self.stdout.write(secret_encrypt(secret))
