"""Shared fixtures: an app on a migrated database (SQLite, or PostgreSQL when asked), clients,
users, and helpers for forms with CSRF tokens.

Set ``QUIZAPP_TEST_DATABASE_URL`` to a PostgreSQL URL to run the suite there: each test run
creates a database of its own next to the one named in the URL and drops it at the end.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.engine import make_url
from werkzeug.test import TestResponse

from quizapp import create_app
from quizapp.auth.passwords import hash_password
from quizapp.extensions import db
from quizapp.models import Role, User

PASSWORD = "correct horse battery"
# Hashing with Argon2 is deliberately slow: hash the shared test password once per run.
_PASSWORD_HASH = hash_password(PASSWORD)

_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _create_postgres_database(base_url: str) -> tuple[str, Callable[[], None]]:
    """Create a fresh database beside ``base_url``'s and return its URL and a dropper."""
    url = make_url(base_url)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    name = f"quizapp_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for the whole run, built by the Alembic migrations."""
    base = os.environ.get("QUIZAPP_TEST_DATABASE_URL", "")
    drop: Callable[[], None] | None = None
    if base.startswith("postgres"):
        url, drop = _create_postgres_database(base)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    yield url
    if drop is not None:
        drop()


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app bound to the test database, inside an app context; tables emptied afterwards."""
    os.environ["QUIZAPP_INSTANCE_PATH"] = str(tmp_path / "instance")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            # Background jobs run right after the commit that queued them: deterministic.
            "QUIZAPP_JOB_MODE": "eager",
        }
    )
    # The app context below stays open for the whole test, so every test-client request
    # would share ``g``, where Flask-Login caches the logged-in user and Flask-WTF the CSRF
    # token: a second client (or a revoked cookie) would be served what an earlier request
    # loaded. Each request starts with an empty ``g``, as on a server.
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_earlier_requests)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.rollback()
            _empty_all_tables()
            db.session.remove()
            db.engine.dispose()
    os.environ.pop("QUIZAPP_INSTANCE_PATH", None)


def _forget_earlier_requests() -> None:
    for name in list(g):
        g.pop(name)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create (and commit) an account whose password is ``PASSWORD``."""
    counter = iter(range(1, 10_000))

    def make(email: str | None = None, role: Role = Role.LEARNER, name: str = "") -> User:
        n = next(counter)
        user = User(
            email=email or f"user{n}@example.org",
            display_name=name or f"User {n}",
            password_hash=_PASSWORD_HASH,
            role=role,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


def csrf_token_from(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Browserless:
    """Drive the app like a person with a browser that has no JavaScript."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, **kwargs)

    def submit(
        self, page_url: str, data: dict[str, Any], action: str | None = None, **kwargs: Any
    ) -> TestResponse:
        """GET the page that holds the form, then POST ``data`` with its CSRF token."""
        token = csrf_token_from(self.client.get(page_url).get_data(as_text=True))
        return self.client.post(action or page_url, data={**data, "csrf_token": token}, **kwargs)

    def login(self, email: str, password: str = PASSWORD) -> TestResponse:
        return self.submit("/auth/login", {"email": email, "password": password})


@pytest.fixture
def user_agent(client: FlaskClient) -> Browserless:
    return Browserless(client)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which database (and, in tests/browser, which browser) this run uses."""
    url = os.environ.get("QUIZAPP_TEST_DATABASE_URL", "")
    backend = make_url(url).get_backend_name() if url else "sqlite"
    chromium = os.environ.get("QUIZAPP_CHROMIUM") or "/usr/bin/chromium"
    browser = chromium if Path(chromium).exists() else "no Chromium found"
    return [
        f"quizapp database: {backend} (a fresh database for this run)",
        f"quizapp browser tests: {browser}",
    ]
