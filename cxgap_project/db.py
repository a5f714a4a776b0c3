"""Database helpers Django does not offer."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import connection
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.sql.subqueries import UpdateQuery
from psycopg import errors, generators, pq

Result = TypeVar("Result")


def commit_then(action: Callable[[], Result]) -> Result:
    """Commit the transaction of the enclosing outermost `atomic()` block, running `action` as soon
    as the COMMIT has been handed to the kernel, before PostgreSQL has answered it.

    What it is for: work outside the database that must follow a commit as closely as possible
    (sending releases the ends of DATA it held in the kernel as soon as the COMMIT of their "sent"
    is out, and reads the SMTP replies while PostgreSQL flushes the commit; docs/faults.md).
    PostgreSQL commits a transaction whose COMMIT it has received even if the client then dies.

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


@dataclass(frozen=True)
class _CompiledQuery:
    """A compiled model queryset: its SQL, its parameters (with slots for prepared values), and
    how its rows become model instances (as Django's model iterable does, select_related included)."""

    queryset: QuerySet[Any]
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    slots: dict[int, str]

    @classmethod
    def of(cls, queryset: QuerySet[Any], stand_ins: dict[str, Any] | None = None) -> _CompiledQuery:
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        if getattr(queryset, "_known_related_objects", None) or queryset._iterable_class is not ModelIterable:
            raise ValueError("only plain model querysets can be compiled ahead")
        by_value = {value: name for name, value in (stand_ins or {}).items()}
        slots = {index: by_value[param] for index, param in enumerate(params) if param in by_value}
        if set(slots.values()) != set(by_value.values()):
            raise ValueError("every placeholder must appear as a parameter of the compiled query")
        return cls(queryset=queryset, compiler=compiler, sql=sql, params=tuple(params), slots=slots)

    def statement_params(self, values: dict[str, Any]) -> list[Any]:
        params = list(self.params)
        for index, name in self.slots.items():
            params[index] = values[name]
        return params

    def instances(self, rows: list[Any]) -> list[Any]:
        compiler, db = self.compiler, self.queryset.db
        klass_info = compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        names = [column[0].target.attname for column in compiler.select[start:end]]
        # Django 5.2's signature (the stubs describe a later one); tests/cxgap_project/test_db.py
        # compares what this builds with what the ORM builds.
        populators = get_related_populators(klass_info, compiler.select, db)  # type: ignore[call-arg]
        instances = []
        for row in compiler.results_iter(results=[rows]):
            instance = klass_info["model"].from_db(db, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for attribute, position in compiler.annotation_col_map.items():
                setattr(instance, attribute, row[position])
            instances.append(instance)
        return instances


@dataclass(frozen=True)
class BoundQuery:
    """A prepared query with the values of one run."""

    compiled: _CompiledQuery
    values: dict[str, Any]


def fetched_together(*queries: QuerySet[Any] | BoundQuery) -> list[list[Any]]:
    """The model instances of several querysets (or prepared queries), read in one round trip:
    their SELECTs go to PostgreSQL as one query of several statements (Django's default
    client-side binding cursor allows that).

    The statements run one after the other, each on its own snapshot (READ COMMITTED), so one
    after a `select_for_update()` sees what was committed while that lock was awaited, exactly as
    separate queries would. Saves a round trip, and django-tenants' `SET search_path`, per
    statement after the first. Model querysets only (`select_related`, `.only()`, locks; not
    `values()`).
    """
    bound = [query if isinstance(query, BoundQuery) else BoundQuery(_CompiledQuery.of(query), {}) for query in queries]
    sql = "; ".join(query.compiled.sql for query in bound)
    params = [param for query in bound for param in query.compiled.statement_params(query.values)]
    results: list[list[Any]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for index, query in enumerate(bound):
            if index:
                cursor.nextset()
            results.append(query.compiled.instances(cursor.fetchall()))
    return results


def update_statement(queryset: QuerySet[Any], **values: Any) -> tuple[str, Sequence[Any]]:
    """The SQL and parameters of `queryset.update(**values)`, to run with `run_together`.

    Like `update()`, it skips `save()`: no signals, and `auto_now` fields need their value passed.
    """
    query = cast(UpdateQuery, queryset.query.chain(UpdateQuery))
    query.add_update_values(values)
    sql, params = query.get_compiler(queryset.db).as_sql()
    return sql, params


def run_together(*statements: tuple[str, Sequence[Any]]) -> None:
    """Several writing statements in one round trip (one query of several statements)."""
    if not statements:
        return
    with connection.cursor() as cursor:
        cursor.execute("; ".join(sql for sql, _params in statements), [p for _sql, ps in statements for p in ps])


class PreparedQuery:
    """A model queryset compiled once per process and then only run with new values.

    Compiling a queryset with joins costs more CPU than PostgreSQL spends running it (the
    respondent token lookup: about 2 ms, on every respondent page view and submit). `build` gets
    placeholder values and must return a queryset of the same shape every time; it is compiled
    with stand-ins, and each run puts the real values where the stand-ins appear among the
    compiled parameters. The SQL names no schema, so it serves every client (django-tenants sets
    the search path). A queryset with `select_for_update()` must first run inside a transaction.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], **placeholder_types: type) -> None:
        self._build = build
        self._types = placeholder_types
        self._compiled: _CompiledQuery | None = None
        self._lock = threading.Lock()

    def _stand_ins(self) -> dict[str, Any]:
        stand_ins: dict[str, Any] = {}
        for number, (name, kind) in enumerate(self._types.items()):
            if kind is int:
                stand_ins[name] = -(2**62) + number
            elif kind is str:
                stand_ins[name] = f"cxgap-prepared-{name}-{uuid.uuid4().hex}"
            else:
                raise TypeError(f"placeholder {name}: only int and str values can be prepared")
        return stand_ins

    def _compile(self) -> _CompiledQuery:
        with self._lock:
            if self._compiled is None:
                stand_ins = self._stand_ins()
                self._compiled = _CompiledQuery.of(self._build(**stand_ins), stand_ins)
            return self._compiled

    def bind(self, **values: Any) -> BoundQuery:
        return BoundQuery(self._compiled or self._compile(), values)

    def run(self, **values: Any) -> list[Any]:
        return fetched_together(self.bind(**values))[0]
