"""commit_then: the action runs while the COMMIT is in flight, and the commit's outcome is reported."""

from collections.abc import Iterator

import pytest
from django.db import IntegrityError, connection, transaction
from psycopg import pq

from cxgap_project.db import commit_then

TransactionStatus = pq.TransactionStatus


@pytest.fixture
def probe_table(live_db: None) -> Iterator[str]:
    """A table whose foreign key is checked only at COMMIT, so a commit can be made to fail."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE commit_probe (id int PRIMARY KEY, "
            "parent int REFERENCES commit_probe (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    yield "commit_probe"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE commit_probe")


def _rows() -> list[tuple[int, int | None]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, parent FROM commit_probe ORDER BY id")
        return list(cursor.fetchall())


def _status() -> TransactionStatus:
    return TransactionStatus(connection.connection.pgconn.transaction_status)


def test_the_action_runs_while_the_commit_is_in_flight_and_the_transaction_is_committed(probe_table):
    seen: list[TransactionStatus] = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO commit_probe VALUES (1, NULL)")

        def action() -> str:
            seen.append(_status())
            return "done"

        result = commit_then(action)
        # Committed before Django's own commit at the end of the block (which has nothing to do).
        assert _status() == TransactionStatus.IDLE
    assert result == "done"
    assert seen == [TransactionStatus.ACTIVE]  # COMMIT sent, its reply not read yet
    assert _rows() == [(1, None)]


def test_a_failing_commit_is_raised_after_the_action_and_nothing_is_kept(probe_table):
    ran = []
    with pytest.raises(IntegrityError, match="commit_probe"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO commit_probe VALUES (1, 99)")  # no row 99: fails at COMMIT
        commit_then(lambda: ran.append(True))
    assert ran == [True]
    assert _rows() == []
    with transaction.atomic(), connection.cursor() as cursor:  # the connection is usable again
        cursor.execute("INSERT INTO commit_probe VALUES (2, NULL)")
    assert _rows() == [(2, None)]


def test_inside_a_nested_block_it_only_runs_the_action(probe_table):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO commit_probe VALUES (1, NULL)")
        with transaction.atomic():
            assert commit_then(lambda: 42) == 42
            assert _status() == TransactionStatus.INTRANS  # still the outer transaction
        transaction.set_rollback(True)
    assert _rows() == []
