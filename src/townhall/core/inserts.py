"""INSERTs that carry their own check, so the check costs no statement of its own.

`insert_where(instance, condition)` writes `instance` only while `condition`
finds a row, as `INSERT … SELECT … WHERE EXISTS (condition)`: the database
checks and writes in the same statement, so nothing can change between the
two. `insert_unless_taken(instance)` writes it unless a unique constraint
already holds its values, as `INSERT … ON CONFLICT DO NOTHING`: no error, so
no savepoint is needed to carry on in the same transaction.

`insert_rows(rows, where=condition)` writes a few rows that belong together
(a case, its event, its contact), later ones taking the keys of earlier ones
(`Key`), all or none: on PostgreSQL in one statement (data-modifying CTEs),
elsewhere one INSERT a row in the caller's transaction. Each model's INSERT
is built once per process, not by the ORM for every row (ADR 74).

All write a row as `Model.save()` would on its first save (defaults,
`auto_now_add`, the primary key given back), and run alike on PostgreSQL and
SQLite (from 3.35, for RETURNING).

None sends `pre_save`/`post_save` signals: use them only for models
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
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

_VALUES = " VALUES ("
_RETURNING = ") RETURNING "


def insert_where(instance: Model, condition: QuerySet[Any]) -> bool:
    """INSERT `instance` if `condition` finds a row, in one statement. Returns
    whether it was written; if so, `instance` has its primary key and counts
    as saved. Call it inside the transaction the row belongs to."""
    using = router.db_for_write(type(instance), instance=instance)
    insert_sql, params = _compiled(instance, using, on_conflict=None)
    exists_sql, exists_params = (
        condition.using(using).query.exists().get_compiler(using=using).as_sql()
    )
    head, values = insert_sql.split(_VALUES, 1)
    values, returning = values.rsplit(_RETURNING, 1)
    sql = f"{head} SELECT {values} WHERE EXISTS ({exists_sql}) RETURNING {returning}"
    return _run(instance, using, sql, (*params, *exists_params))


def insert_unless_taken(instance: Model) -> bool:
    """INSERT `instance` unless a row with the same unique values is there (or
    being written by a transaction not yet committed, which PostgreSQL waits
    for, as it would for the unique violation). Returns whether it was written."""
    using = router.db_for_write(type(instance), instance=instance)
    sql, params = _compiled(instance, using, on_conflict=OnConflict.IGNORE)
    return _run(instance, using, sql, params)


def _compiled(
    instance: Model, using: str, *, on_conflict: OnConflict | None
) -> tuple[str, tuple[Any, ...]]:
    """The ORM's own INSERT of `instance`, returning its primary key."""
    model = type(instance)
    meta = model._meta
    if not connections[using].features.can_return_columns_from_insert:
        raise NotImplementedError("these inserts need INSERT … RETURNING")
    fields = [
        field
        for field in meta.local_concrete_fields
        if not field.generated and not (field is meta.auto_field and instance.pk is None)
    ]
    query = InsertQuery(model, on_conflict=on_conflict)
    query.insert_values(fields, [instance], raw=False)
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = [meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, tuple(params)


def _run(instance: Model, using: str, sql: str, params: tuple[Any, ...]) -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    _saved(instance, using, type(instance)._meta.pk.to_python(row[0]))
    return True


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
    checked by the first row's INSERT as in `insert_where`. Returns whether
    they were written; if so every instance has its primary key and the
    fields given by `Key`, and counts as saved.

    On PostgreSQL this is one statement, each later row `INSERT … SELECT …
    FROM` the rows before it, so none is written unless the first was. On
    other databases it is one INSERT a row: call it inside a transaction (as
    for any other INSERTs that belong together). A unique or foreign-key
    violation raises IntegrityError, and nothing is written."""
    first = type(rows[0][0])
    using = router.db_for_write(first, instance=rows[0][0])
    connection = connections[using]
    if rows[0][1]:
        raise ValueError("the first row has no earlier row to take a key from")
    if connection.vendor == "postgresql":
        keys = _rows_together(connection, rows, where)
    else:
        keys = _rows_one_by_one(connection, rows, where)
    if keys is None:
        return False
    for (instance, links), key in zip(rows, keys, strict=True):
        for attname, link in links.items():
            if not link.path:
                setattr(instance, attname, keys[link.row])
            else:
                _set_at(getattr(instance, attname), link.path, keys[link.row])
        _saved(instance, using, key)
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
            # Neither is used by Townhall's models; insert_rows would write them wrong.
            raise NotImplementedError(f"{model.__name__}.{field.name} needs the ORM's INSERT")
    quote = connections[alias].ops.quote_name
    return _Shape(
        table=quote(meta.db_table),
        columns=", ".join(quote(str(field.column)) for field in fields),
        fields=fields,
        pk=meta.pk,
        pk_column=quote(str(meta.pk.column)),
    )


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
    parts, params = [], []
    for number, (instance, links) in enumerate(rows):
        shape = _shape_of(instance, connection)
        values = _values(instance, shape, connection)
        placeholders = []
        for field, value in zip(shape.fields, values, strict=True):
            link = links.get(field.attname)
            if link is None:
                placeholders.append("%s")
                params.append(value)
                continue
            if not 0 <= link.row < number:
                raise ValueError(f"row {number} takes a key from row {link.row}, not before it")
            earlier = f"r{link.row}.{_shape_of(rows[link.row][0], connection).pk_column}"
            if not link.path:
                placeholders.append(earlier)
            else:
                placeholders.append(f"jsonb_set(%s, %s::text[], to_jsonb({earlier}))")
                params += [value, [str(step) for step in link.path]]
        if number == 0:
            condition, condition_params = _condition_sql(where, connection.alias)
            source = condition
            params += condition_params
        else:
            sources = sorted({0, *(link.row for link in links.values())})
            source = " FROM " + ", ".join(f"r{row}" for row in sources)
        parts.append(
            f"r{number} AS (INSERT INTO {shape.table} ({shape.columns}) "
            f"SELECT {', '.join(placeholders)}{source} RETURNING {shape.pk_column})"
        )
    keys = ", ".join(
        f"(SELECT {_shape_of(instance, connection).pk_column} FROM r{number})"  # noqa: S608
        for number, (instance, _links) in enumerate(rows)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {keys}", params)
        found = cursor.fetchone()
    if found is None or found[0] is None:
        return None
    return [
        _shape_of(instance, connection).pk.to_python(key)
        for (instance, _links), key in zip(rows, found, strict=True)
    ]


def _rows_one_by_one(
    connection: BaseDatabaseWrapper, rows: Sequence[Row], where: QuerySet[Any] | None
) -> list[Any] | None:
    keys: list[Any] = []
    for number, (instance, links) in enumerate(rows):
        for attname, link in links.items():
            if not 0 <= link.row < number:
                raise ValueError(f"row {number} takes a key from row {link.row}, not before it")
            if not link.path:
                setattr(instance, attname, keys[link.row])
            else:
                _set_at(getattr(instance, attname), link.path, keys[link.row])
        shape = _shape_of(instance, connection)
        values = _values(instance, shape, connection)
        condition, condition_params = _condition_sql(
            where if number == 0 else None, connection.alias
        )
        placeholders = ", ".join("%s" for _field in shape.fields)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {shape.table} ({shape.columns}) "
                f"SELECT {placeholders}{condition} RETURNING {shape.pk_column}",
                (*values, *condition_params),
            )
            found = cursor.fetchone()
        if found is None:
            return None  # only the first row has a condition, so nothing was written
        keys.append(shape.pk.to_python(found[0]))
    return keys


def _set_at(document: Any, path: tuple[str | int, ...], value: Any) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


def _saved(instance: Model, using: str, key: Any) -> None:
    instance.pk = key
    instance._state.adding = False
    instance._state.db = using
