"""Database connections after a fault: what a lost connection leaves behind."""

from __future__ import annotations

from django.db import Error as DatabaseError
from django.db import InterfaceError, OperationalError, connections

# Errors that say the database could not be reached or the connection was lost,
# not that a query was wrong: a restart, a failover, a network fault, SQLite's
# lock timeout. Trying again later can succeed.
UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` means the database was out of reach, not that a query was wrong."""
    return isinstance(error, UNAVAILABLE)


def connections_drop_broken() -> None:
    """Close this thread's database connections that an error has left unusable,
    so the next query opens a new one instead of failing on the dead one.
    Connections that still work are kept, with any transaction they are in."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or not connection.errors_occurred:
            continue
        if connection.is_usable():
            continue
        try:
            connection.close()
        except DatabaseError:
            # A connection that is already gone can fail to close; it is dropped anyway.
            connection.connection = None
