"""Declarative base, naming convention and column types shared by all models."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.compiler import SQLCompiler

# Constraint names must be deterministic for Alembic to alter them later (and on SQLite's
# batch mode to find them at all).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# SQLite ------------------------------------------------------------------------------------
#
# The embedded default runs several gunicorn workers (and a job thread) on one SQLite file.
# pysqlite's own transaction handling begins a transaction at the first write, so two
# requests that both read then write fail with "database is locked" instead of waiting.
# Here the driver's handling is off and each transaction is begun by us: a request that may
# a request's transaction (and a background job's, see ``writer``) begins with
# ``BEGIN IMMEDIATE``, taking SQLite's write lock at once, so they serialise (waiting up to
# the busy timeout) as ``SELECT ... FOR UPDATE`` serialises answers on PostgreSQL. GET
# requests are no exception: several of them write too (the question a session shows, the
# cached topic figures), and a transaction that read first cannot take the lock later in WAL
# mode once another has committed. Other transactions (commands, tests) keep a plain BEGIN;
# WAL lets readers go on while a writer works. Foreign keys are enforced (SQLite's default is
# to ignore them, which would leave a deleted user's rows behind).

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITER: ContextVar[bool] = ContextVar("quizapp_sqlite_writer", default=False)


@contextmanager
def writer() -> Iterator[None]:
    """Transactions begun in this block take SQLite's write lock as they begin (jobs)."""
    token = _WRITER.set(True)
    try:
        yield
    finally:
        _WRITER.reset(token)


@sa.event.listens_for(sa.Engine, "connect")
def _sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (below)
    dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    dbapi_connection.execute("PRAGMA foreign_keys = ON")
    dbapi_connection.execute("PRAGMA journal_mode = WAL")  # "memory" for :memory:, fine


@sa.event.listens_for(sa.Engine, "begin")
def _sqlite_begin(connection: sa.Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    immediate = has_request_context() or _WRITER.get()
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def sqlite_foreign_keys_off(connection: sa.Connection) -> Iterator[None]:
    """Foreign keys off for a migration on SQLite: Alembic's batch mode copies a table and
    drops the old one, and with foreign keys on that drop would cascade to every child row.
    (The pragma only takes effect outside a transaction, hence the raw driver connection.)"""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def upsert_into(
    session: sa.orm.Session | sa.orm.scoped_session[Any], table: sa.Table
) -> postgresql.Insert | sqlite.Insert:
    """An INSERT with ``on_conflict_do_update`` / ``on_conflict_do_nothing``, in the dialect
    the session is bound to (PostgreSQL's and SQLite's spell them the same)."""
    return _insert_for(session.get_bind().dialect.name, table)


def _insert_for(dialect: str, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def add_to_counts(
    session: sa.orm.Session | sa.orm.scoped_session[Any],
    model: type[Base],
    keys: dict[str, Any],
    amounts: dict[str, int | float],
) -> None:
    """Add ``amounts`` to the counters of the row ``keys`` names, creating it with them if it
    does not exist: one ``INSERT ... ON CONFLICT DO UPDATE`` (PostgreSQL and SQLite both have
    it) instead of a read and a write. Not through the ORM: loaded objects of ``model`` go
    stale."""
    table = model.__table__
    assert isinstance(table, sa.Table)
    statement = _count_upsert(session.get_bind().dialect.name, table, tuple(keys), tuple(amounts))
    session.execute(statement, {**keys, **amounts})


CountRow = tuple[type["Base"], dict[str, Any], dict[str, int | float]]
"""A counts row to add to: its model, the values of its key columns, the amounts to add."""


def add_to_counts_of(
    session: sa.orm.Session | sa.orm.scoped_session[Any], rows: Sequence[CountRow]
) -> None:
    """``add_to_counts`` for several rows of different tables: on PostgreSQL one statement
    (each upsert but the last in a ``WITH`` of its own, which PostgreSQL runs whether or not
    the rest reads it), elsewhere one per row. An answer adds to three count tables; the
    round trips cost more than the upserts."""
    dialect = session.get_bind().dialect.name
    if dialect != "postgresql" or len(rows) < 2:
        for model, keys, amounts in rows:
            add_to_counts(session, model, keys, amounts)
        return
    shape = tuple((model, tuple(keys), tuple(amounts)) for model, keys, amounts in rows)
    params = {
        f"c{i}_{column}": value
        for i, (_, keys, amounts) in enumerate(rows)
        for column, value in (*keys.items(), *amounts.items())
    }
    session.execute(_counts_upsert(shape), params)


@functools.cache
def _counts_upsert(
    shape: tuple[tuple[type[Base], tuple[str, ...], tuple[str, ...]], ...],
) -> postgresql.Insert | sqlite.Insert:
    statements = []
    for i, (model, keys, amounts) in enumerate(shape):
        table = model.__table__
        assert isinstance(table, sa.Table)
        insert = postgresql.insert(table).values(
            {c: sa.bindparam(f"c{i}_{c}") for c in (*keys, *amounts)}
        )
        statements.append(_adding(insert, table, keys, amounts))
    *first, last = statements
    return last.add_cte(*(s.cte(f"counts_{i}") for i, s in enumerate(first)))


@functools.cache
def _count_upsert(
    dialect: str, table: sa.Table, keys: tuple[str, ...], amounts: tuple[str, ...]
) -> postgresql.Insert | sqlite.Insert:
    # One statement object per table and columns, its values given as parameters: building
    # the ON CONFLICT clause (its EXCLUDED alias) afresh cost more than running it.
    return _adding(_insert_for(dialect, table), table, keys, amounts)


def _adding(
    insert: postgresql.Insert | sqlite.Insert,
    table: sa.Table,
    keys: Sequence[str],
    amounts: Sequence[str],
) -> postgresql.Insert | sqlite.Insert:
    """``insert`` that, where the row ``keys`` names exists, adds its ``amounts`` to it."""
    return insert.on_conflict_do_update(
        index_elements=list(keys),
        set_={column: table.c[column] + insert.excluded[column] for column in amounts},
    )


def json_loads(text: str | bytes) -> Any:
    """Decode a JSON column: with orjson, about three times faster than ``json`` (a class
    overview's kept figures, 100 kB for 500 learners: 1.2 ms against 3.4), and with ``json``
    for what orjson refuses and a SQLite column may hold (``NaN``, which ``json.dumps``
    writes). Unlike ``json``, an integer beyond 64 bits comes back as a float."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime (callable column default)."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp that is always an aware UTC datetime in Python.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored as
    naive UTC and the zone is put back on the way out.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware (UTC) datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# JSON documents: JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JSONDoc = sa.JSON().with_variant(JSONB(), "postgresql")


class epoch_seconds(sa.sql.functions.GenericFunction[float]):
    """Seconds since 1970 (UTC) of a ``UTCDateTime`` column, computed by the database, for
    pages that read thousands of timestamps into arrays."""

    type = sa.Float()
    inherit_cache = True


@compiles(epoch_seconds, "postgresql")
def _epoch_postgresql(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # date_part gives double precision (EXTRACT gives numeric since PostgreSQL 14)
    return f"date_part('epoch', {compiler.process(element.clauses, **kw)})"


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Stored as naive UTC text; julianday keeps the fractional seconds.
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"
