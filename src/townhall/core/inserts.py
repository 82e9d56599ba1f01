"""An INSERT that happens only while a condition holds, in one statement.

`insert_where(instance, condition)` writes `instance` as `Model.save()` would
on its first save (defaults, `auto_now_add`, the primary key it is given back),
but as `INSERT … SELECT … WHERE EXISTS (condition)`: the database checks the
condition and writes the row in the same statement, so nothing can change
between the check and the write, and the check costs no round trip of its own.
PostgreSQL and SQLite both run it (SQLite from 3.35, for RETURNING).

It sends no `pre_save`/`post_save` signals; use it only for models nothing
listens to (core.memo listens to configuration models, never these).
"""

from __future__ import annotations

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.sql import InsertQuery

_VALUES = " VALUES ("
_RETURNING = ") RETURNING "


def insert_where(instance: Model, condition: QuerySet[Model]) -> bool:
    """INSERT `instance` if `condition` finds a row, in one statement. Returns
    whether it was written; if so, `instance` has its primary key and counts
    as saved. Call it inside the transaction the row belongs to."""
    model = type(instance)
    meta = model._meta
    using = router.db_for_write(model, instance=instance)
    connection = connections[using]
    if not connection.features.can_return_columns_from_insert:
        raise NotImplementedError("insert_where needs INSERT … RETURNING")
    fields = [
        field
        for field in meta.local_concrete_fields
        if not field.generated and not (field is meta.auto_field and instance.pk is None)
    ]
    query = InsertQuery(model)
    query.insert_values(fields, [instance], raw=False)
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = [meta.pk]
    [(insert_sql, insert_params)] = compiler.as_sql()
    exists_sql, exists_params = (
        condition.using(using).query.exists().get_compiler(using=using).as_sql()
    )
    head, values = insert_sql.split(_VALUES, 1)
    values, returning = values.rsplit(_RETURNING, 1)
    sql = f"{head} SELECT {values} WHERE EXISTS ({exists_sql}) RETURNING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, (*insert_params, *exists_params))
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = meta.pk.to_python(row[0])
    instance._state.adding = False
    instance._state.db = using
    return True
