"""INSERTs that carry their own check, so the check costs no statement of its own.

`insert_rows(rows, where=condition)` writes a few rows that belong together
(a case, its event, its contact), later ones taking the keys of earlier ones
(`Key`), all or none, and only while `condition` finds a row (`INSERT …
SELECT … WHERE EXISTS (condition)`: the database checks and writes in the
same statement, so nothing can change between the two). On PostgreSQL it is
one statement (data-modifying CTEs); elsewhere one INSERT a row in the
caller's transaction. `insert_unless_taken(instance)` writes a row unless a
unique constraint already holds its values, as `INSERT … ON CONFLICT DO
NOTHING`: no error, so no savepoint is needed to carry on in the same
transaction.

Each model's INSERT (its table, columns and fields) is worked out once per
process, not by the ORM for every row (ADR 74), and each row's values are
prepared as the ORM's INSERT prepares them: both write a row as
`Model.save()` would on its first save (defaults, `auto_now_add`, the
primary key given back), and run alike on PostgreSQL and SQLite (from 3.35,
for RETURNING).

Neither sends `pre_save`/`post_save` signals: use them only for models
nothing listens to (core.memo listens to configuration models, never these).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet


@dataclass(frozen=True)
class Key:
    """For a field of a row given to `insert_rows`: the primary key of the
    earlier row number `row` (0 is the first). Without `path` the field is
    that key (a foreign key's column); with it, the field is a JSON document
    that holds the key at `path` (for example ("args", 0))."""

    row: int
    path: tuple[str | int, ...] = ()


Row = tuple[Model, Mapping[str, Key]]


def insert_rows(rows: Sequence[Row], *, where: QuerySet[Any] | None = None) -> bool:
    """Write `rows` (each an instance, and which of its fields (attnames) take
    an earlier row's key), in order, all or none, with `where` (if given)
    checked by the first row's INSERT. Returns whether they were written; if
    so every instance has its primary key and the fields given by `Key`, and
    counts as saved.

    On PostgreSQL this is one statement, each later row `INSERT … SELECT …
    FROM` the rows before it, so none is written unless the first was. On
    other databases it is one INSERT a row: call it inside a transaction (as
    for any other INSERTs that belong together). A unique or foreign-key
    violation raises IntegrityError, and nothing is written."""
    for number, (_instance, links) in enumerate(rows):
        for link in links.values():
            if not 0 <= link.row < number:
                raise ValueError(f"row {number} takes a key from row {link.row}, not before it")
    connection = _connection_for(rows[0][0])
    if connection.vendor == "postgresql":
        keys = _rows_together(connection, rows, where)
        if keys is not None:
            for instance, links in rows:
                _take_keys(instance, links, keys)
    else:
        keys = _rows_one_by_one(connection, rows, where)
    if keys is None:
        return False
    for (instance, _links), key in zip(rows, keys, strict=True):
        _saved(instance, connection.alias, key)
    return True


def insert_unless_taken(instance: Model) -> bool:
    """INSERT `instance` unless a row with the same unique values is there (or
    being written by a transaction not yet committed, which PostgreSQL waits
    for, as it would for the unique violation). Returns whether it was written."""
    connection = _connection_for(instance)
    shape = _shape_of(instance, connection)
    placeholders = ", ".join("%s" for _field in shape.fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {shape.table} ({shape.columns}) VALUES ({placeholders}) "  # noqa: S608
            f"ON CONFLICT DO NOTHING RETURNING {shape.pk_column}",
            _values(instance, shape, connection),
        )
        found = cursor.fetchone()
    if found is None:
        return False
    _saved(instance, connection.alias, shape.pk.to_python(found[0]))
    return True


@dataclass(frozen=True)
class _Shape:
    """A model's INSERT, built once: its table, columns and fields."""

    table: str
    columns: str
    fields: tuple[Field[Any, Any], ...]
    pk: Field[Any, Any]
    pk_column: str


@cache
def _shape(model: type[Model], alias: str, with_pk: bool) -> _Shape:
    """The fields a first save writes: every concrete one, the primary key
    only when the row brings its own (`with_pk`), none the database makes."""
    meta = model._meta
    fields = tuple(
        field
        for field in meta.local_concrete_fields
        if not field.generated and (with_pk or field is not meta.auto_field)
    )
    for field in fields:
        if hasattr(field, "get_placeholder") or field.has_db_default():
            # Neither is used by Townhall's models; these INSERTs would write them wrong.
            raise NotImplementedError(f"{model.__name__}.{field.name} needs the ORM's INSERT")
    quote = connections[alias].ops.quote_name
    return _Shape(
        table=quote(meta.db_table),
        columns=", ".join(quote(str(field.column)) for field in fields),
        fields=fields,
        pk=meta.pk,
        pk_column=quote(str(meta.pk.column)),
    )


def _connection_for(instance: Model) -> BaseDatabaseWrapper:
    connection = connections[router.db_for_write(type(instance), instance=instance)]
    if not connection.features.can_return_columns_from_insert:
        raise NotImplementedError("these inserts need INSERT … RETURNING")
    return connection


def _shape_of(instance: Model, connection: BaseDatabaseWrapper) -> _Shape:
    with_pk = instance.pk is not None or type(instance)._meta.auto_field is None
    return _shape(type(instance), connection.alias, with_pk)


def _values(instance: Model, shape: _Shape, connection: BaseDatabaseWrapper) -> list[Any]:
    """The row's values, made ready as the ORM's INSERT makes them."""
    return [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in shape.fields
    ]


def _condition_sql(where: QuerySet[Any] | None, using: str) -> tuple[str, tuple[Any, ...]]:
    if where is None:
        return "", ()
    sql, params = where.using(using).query.exists().get_compiler(using=using).as_sql()
    return f" WHERE EXISTS ({sql})", tuple(params)


def _rows_together(
    connection: BaseDatabaseWrapper, rows: Sequence[Row], where: QuerySet[Any] | None
) -> list[Any] | None:
    shapes = [_shape_of(instance, connection) for instance, _links in rows]
    parts, params = [], []
    for number, ((instance, links), shape) in enumerate(zip(rows, shapes, strict=True)):
        placeholders = []
        for field, value in zip(shape.fields, _values(instance, shape, connection), strict=True):
            link = links.get(field.attname)
            if link is None:
                placeholders.append("%s")
                params.append(value)
                continue
            earlier = f"r{link.row}.{shapes[link.row].pk_column}"
            if not link.path:
                placeholders.append(earlier)
            else:
                placeholders.append(f"jsonb_set(%s, %s::text[], to_jsonb({earlier}))")
                params += [value, [str(step) for step in link.path]]
        if number == 0:
            source, condition_params = _condition_sql(where, connection.alias)
            params += condition_params
        else:
            sources = sorted({0, *(link.row for link in links.values())})
            source = " FROM " + ", ".join(f"r{row}" for row in sources)
        parts.append(
            f"r{number} AS (INSERT INTO {shape.table} ({shape.columns}) "
            f"SELECT {', '.join(placeholders)}{source} RETURNING {shape.pk_column})"
        )
    keys = ", ".join(
        f"(SELECT {shape.pk_column} FROM r{number})"  # noqa: S608
        for number, shape in enumerate(shapes)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {keys}", params)
        found = cursor.fetchone()
    if found is None or found[0] is None:
        return None
    return [shape.pk.to_python(key) for shape, key in zip(shapes, found, strict=True)]


def _rows_one_by_one(
    connection: BaseDatabaseWrapper, rows: Sequence[Row], where: QuerySet[Any] | None
) -> list[Any] | None:
    keys: list[Any] = []
    for number, (instance, links) in enumerate(rows):
        _take_keys(instance, links, keys)
        shape = _shape_of(instance, connection)
        condition, condition_params = _condition_sql(
            where if number == 0 else None, connection.alias
        )
        placeholders = ", ".join("%s" for _field in shape.fields)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {shape.table} ({shape.columns}) "
                f"SELECT {placeholders}{condition} RETURNING {shape.pk_column}",
                (*_values(instance, shape, connection), *condition_params),
            )
            found = cursor.fetchone()
        if found is None:
            return None  # only the first row has a condition, so nothing was written
        keys.append(shape.pk.to_python(found[0]))
    return keys


def _take_keys(instance: Model, links: Mapping[str, Key], keys: Sequence[Any]) -> None:
    """Give `instance` the earlier rows' keys its `links` name."""
    for attname, link in links.items():
        if not link.path:
            setattr(instance, attname, keys[link.row])
            continue
        document = getattr(instance, attname)
        for step in link.path[:-1]:
            document = document[step]
        document[link.path[-1]] = keys[link.row]


def _saved(instance: Model, using: str, key: Any) -> None:
    instance.pk = key
    instance._state.adding = False
    instance._state.db = using
