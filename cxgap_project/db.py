"""Database helpers Django does not offer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import connection
from psycopg import errors, generators, pq

Result = TypeVar("Result")


def commit_then(action: Callable[[], Result]) -> Result:
    """Commit the transaction of the enclosing outermost `atomic()` block, running `action` as soon
    as the COMMIT has been handed to the kernel, before PostgreSQL has answered it.

    What it is for: work outside the database that must follow a commit as closely as possible
    (sending writes the end of an email's DATA right behind the commit of its "sent", so a worker
    killed in between leaves the smallest possible window; docs/faults.md). PostgreSQL commits a
    transaction whose COMMIT it has received even if the client dies after sending it.

    Call it last inside the outermost `atomic()`; Django's own commit at the end of the block then
    has nothing left to do. `action` runs even if the commit then fails (its error is raised after
    `action` returned), so it must not raise itself. Inside a nested block (a test wrapping
    everything in one transaction) there is nothing to commit: `action` just runs.
    """
    outermost = connection.in_atomic_block and len(connection.atomic_blocks) == 1 and not connection.needs_rollback
    if not outermost:
        return action()
    raw = connection.connection
    pgconn = raw.pgconn
    with connection.wrap_database_errors:
        pgconn.send_query(b"COMMIT")
        raw.wait(generators.send(pgconn))
    result = action()
    with connection.wrap_database_errors:
        replies = raw.wait(generators.fetch_many(pgconn))
        failed = [reply for reply in replies if reply.status != pq.ExecStatus.COMMAND_OK]
        if failed or not replies:
            raise errors.error_from_result(failed[0]) if failed else errors.OperationalError("COMMIT got no reply")
    return result
