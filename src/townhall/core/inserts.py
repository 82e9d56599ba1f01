"""INSERTs that carry their own check, so the check costs no statement of its own.

`insert_where(instance, condition)` writes `instance` only while `condition`
finds a row, as `INSERT … SELECT … WHERE EXISTS (condition)`: the database
checks and writes in the same statement, so nothing can change between the
two. `insert_unless_taken(instance)` writes it unless a unique constraint
already holds its values, as `INSERT … ON CONFLICT DO NOTHING`: no error, so
no savepoint is needed to carry on in the same transaction. Both write the
row as `Model.save()` would on its first save (defaults, `auto_now_add`, the
primary key given back), and run alike on PostgreSQL and SQLite (from 3.35,
for RETURNING).

Neither sends `pre_save`/`post_save` signals: use them only for models
nothing listens to (core.memo listens to configuration models, never these).
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
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
    instance.pk = type(instance)._meta.pk.to_python(row[0])
    instance._state.adding = False
    instance._state.db = using
    return True
