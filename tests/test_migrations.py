"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade

from quizapp.extensions import db


def _diff() -> list[object]:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, db.metadata))


def test_models_and_migrations_agree(app: Flask) -> None:
    assert _diff() == []


def test_downgrade_and_upgrade_again(app: Flask) -> None:
    db.session.remove()
    downgrade(revision="base")
    with db.engine.connect() as conn:
        tables = set(db.inspect(conn).get_table_names())
    assert tables <= {"alembic_version"}
    upgrade()
    assert _diff() == []
