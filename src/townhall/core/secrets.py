"""Writing every stored secret again with the newest encryption key, after
a key is added to FIELD_ENCRYPTION_KEYS (or before the first one is set,
for rows kept in clear or with the key derived from SECRET_KEY)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, models, transaction

from townhall.core.encryption import (
    SecretUnreadable,
    encrypted_fields,
    secret_decrypt,
    secret_is_current,
)


@dataclass
class RotationReport:
    checked: int = 0
    rewritten: int = 0
    # "app_label.Model pk" of rows no key of FIELD_ENCRYPTION_KEYS can read.
    unreadable: list[str] = field(default_factory=list)


def _raw_rows(model: type[models.Model], names: list[str]) -> list[tuple[object, ...]]:
    """The rows' primary keys and stored (still encrypted) values."""
    quote = connection.ops.quote_name
    column = {f.name: str(f.column) for f in model._meta.concrete_fields}
    primary = next(str(f.column) for f in model._meta.concrete_fields if f.primary_key)
    columns = [primary, *(column[n] for n in names)]
    sql = "SELECT {} FROM {} ORDER BY 1".format(  # noqa: S608 (names from the models)
        ", ".join(quote(c) for c in columns), quote(model._meta.db_table)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def secrets_rotate(*, dry_run: bool = False) -> RotationReport:
    """Encrypt again, with the newest key, every stored secret that is in
    clear or encrypted with an older key. A row no key can read is left as it
    is and named in the report. With `dry_run`, only counts."""
    report = RotationReport()
    for model, names in encrypted_fields():
        with transaction.atomic():
            for pk, *stored in _raw_rows(model, names):
                report.checked += 1
                if all(secret_is_current(str(value or "")) for value in stored):
                    continue
                try:
                    clear = {
                        n: secret_decrypt(str(v or "")) for n, v in zip(names, stored, strict=True)
                    }
                except SecretUnreadable:
                    report.unreadable.append(f"{model._meta.label} {pk}")
                    continue
                report.rewritten += 1
                if not dry_run:
                    # update() encrypts each value with the newest key.
                    model._default_manager.filter(pk=pk).update(**clear)
    return report
