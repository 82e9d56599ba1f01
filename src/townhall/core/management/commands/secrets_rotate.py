"""`townhall secrets_rotate [--dry-run]`: encrypt every stored secret again
with the newest key of FIELD_ENCRYPTION_KEYS; `--new-key` prints a new key."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from townhall.core.encryption import derived_key
from townhall.core.secrets import secrets_rotate


class Command(BaseCommand):
    help = (
        "Encrypt every secret kept in the database (GOV.UK Notify API keys, webhook signing "
        "secrets) again with the first key of FIELD_ENCRYPTION_KEYS. Run it after putting a "
        "new key first; remove the old key only once it reports no unreadable rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be rewritten; change nothing."
        )
        parser.add_argument(
            "--new-key", action="store_true", help="Print a new key to add and do nothing else."
        )
        parser.add_argument(
            "--derived-key",
            action="store_true",
            help=(
                "Print the key derived from SECRET_KEY (used while FIELD_ENCRYPTION_KEYS is "
                "unset), to list after a new key when moving to your own; do nothing else."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(Fernet.generate_key().decode("ascii"))
            return
        if options["derived_key"]:
            self.stdout.write(derived_key(settings.SECRET_KEY))
            return
        report = secrets_rotate(dry_run=options["dry_run"])
        verb = "would be re-encrypted" if options["dry_run"] else "re-encrypted"
        self.stdout.write(f"{report.checked} rows checked, {report.rewritten} {verb}.")
        if report.unreadable:
            raise CommandError(
                "No key in FIELD_ENCRYPTION_KEYS reads these rows (put the key that "
                "encrypted them back in the list): " + ", ".join(report.unreadable)
            )
