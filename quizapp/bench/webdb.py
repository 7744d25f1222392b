"""The web benchmark's database: an app on it, bulk writing (COPY on PostgreSQL, executemany
elsewhere), refreshing the planner's statistics, and timing each step of a build."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Flask

from quizapp import create_app
from quizapp.auth.passwords import hash_password
from quizapp.bench.webconfig import PASSWORD
from quizapp.db import Base
from quizapp.extensions import db
from quizapp.models import User


class _Writer(Protocol):
    def __call__(self, table: sa.Table, columns: Sequence[str], rows: Sequence[Any]) -> None: ...


def _copy_writer(table: sa.Table, columns: Sequence[str], rows: Sequence[Any]) -> None:
    """PostgreSQL: COPY the rows in (JSON columns as JSON text), in the session's transaction."""
    driver = db.session.connection().connection.driver_connection
    assert driver is not None
    names = ", ".join(f'"{c}"' for c in columns)
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:
        for row in rows:
            cp.write_row(row)


def _insert_writer(table: sa.Table, columns: Sequence[str], rows: Sequence[Any]) -> None:
    """Other databases: executemany through the models' column types."""
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    decode = [name in json_columns for name in columns]
    for start in range(0, len(rows), 20_000):
        batch = [
            {
                name: json.loads(value) if is_json and isinstance(value, str) else value
                for name, value, is_json in zip(columns, row, decode, strict=True)
            }
            for row in rows[start : start + 20_000]
        ]
        db.session.execute(sa.insert(table), batch)


def table_of(model: type[Base]) -> sa.Table:
    return Base.metadata.tables[model.__tablename__]


def bulk_writer() -> _Writer:
    return _copy_writer if db.engine.dialect.name == "postgresql" else _insert_writer


def insert_accounts(rows: Sequence[tuple[str, str, str]], created: datetime) -> None:
    """Every account of ``rows`` (e-mail, display name, role) in one bulk insert, all with the
    benchmarks' password, hashed once."""
    password_hash = hash_password(PASSWORD)
    bulk_writer()(
        table_of(User),
        (
            "email",
            "display_name",
            "password_hash",
            "role",
            "created_at",
            "target_retention",
            "new_per_day",
            "timezone",
        ),
        [(email, name, password_hash, role, created, 0.9, 20, "UTC") for email, name, role in rows],
    )


REVIEW_COLUMNS = (
    "user_id",
    "question_id",
    "reviewed_at",
    "response",
    "outcome",
    "score",
    "rating",
    "auto_rating",
    "duration_ms",
    "state_before",
)
STATE_COLUMNS = (
    "user_id",
    "question_id",
    "topic_id",
    "stability",
    "difficulty",
    "state",
    "step",
    "due",
    "last_review",
    "reps",
    "lapses",
)


def bench_app(url: str) -> Flask:
    """The app on the benchmark database (for building, not serving)."""
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-build"})


@contextmanager
def bench_context(url: str) -> Iterator[Flask]:
    """An app context on the benchmark database; its connections are closed at the end."""
    app = bench_app(url)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def user_count() -> int | None:
    """Accounts in the database, None if it has no users table yet."""
    if not sa.inspect(db.engine).has_table(User.__tablename__):
        return None
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(User)) or 0)


def timed(seconds: dict[str, float], name: str, log: Callable[[str], None]) -> Callable[[], None]:
    start = time.perf_counter()

    def done() -> None:
        seconds[name] = time.perf_counter() - start
        log(f"  {name}: {seconds[name]:.1f} s")

    return done


def analyze() -> None:
    """Refresh the planner's statistics (and PostgreSQL's visibility map) after bulk loading."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM (ANALYZE)"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def pairs(query: sa.Select[Any, Any]) -> dict[Any, Any]:
    """The rows of a two-column query as a dict."""
    return dict(db.session.execute(query).all())
