"""Insert many rows fast for benchmarks: plain tuples through COPY on
PostgreSQL and executemany on SQLite, skipping model instances.

Every concrete column of the model is written: the value given in each row
dict, else the field's default, so a column another change adds (with a
default) needs no change here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, models

BATCH = 10_000


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def rows_insert(model: type[models.Model], rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert `rows` (dicts keyed by field attname, e.g. `service_id`) into
    `model`'s table; returns how many."""
    fields = _columns(model)
    defaults = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.has_default() or f.null
    }
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)

    def prepared(row: Mapping[str, Any]) -> tuple[Any, ...]:
        values = []
        for field in fields:
            if field.attname in row:
                values.append(field.get_db_prep_save(row[field.attname], connection))
            elif field.attname in defaults:
                values.append(defaults[field.attname])
            else:
                raise KeyError(f"{model.__name__}.{field.attname} needs a value")
        return tuple(values)

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(_plain(prepared(row)))
                    count += 1
            return count
        # Names come from the model (quoted), values are parameters.
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(prepared(row))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _plain(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """COPY takes text: JSON adapters become their JSON text."""
    out = []
    for value in values:
        dumps = getattr(value, "obj", None)
        if dumps is not None and type(value).__name__ in {"Jsonb", "Json"}:
            import json

            out.append(json.dumps(value.obj))
        else:
            out.append(value)
    return tuple(out)
