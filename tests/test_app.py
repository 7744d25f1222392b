"""The app factory, its settings, cookies, headers and error pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from quizapp import create_app
from quizapp.config import engine_options, normalise_database_url, secret_key_from_instance
from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import Browserless


def test_defaults_keep_database_and_secret_in_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("QUIZAPP_DATABASE_URL", "QUIZAPP_SECRET_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path / "inst"))
    first = create_app()
    assert (
        first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'quizapp.db'}"
    )
    key_file = tmp_path / "inst" / "secret_key"
    assert key_file.read_text().strip() == first.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 40
    # The key is generated once and reused by every later start (and every worker).
    assert create_app().config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_environment_settings_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("QUIZAPP_SECRET_KEY", "from-env")
    monkeypatch.setenv("QUIZAPP_DATABASE_URL", "postgresql://u@db/quiz")
    monkeypatch.setenv("QUIZAPP_MAX_UPLOAD_MB", "3")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/quiz"
    assert app.config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg3(given: str, expected: str) -> None:
    assert normalise_database_url(given) == expected


def test_postgresql_connections_plan_no_parallel_query(app: Flask) -> None:
    assert "connect_args" not in engine_options("sqlite:///x.db")
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting: the suite runs on SQLite here")
    assert db.session.scalar(sa.text("SHOW max_parallel_workers_per_gather")) == "0"


def test_empty_secret_key_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="secret_key is empty"):
        secret_key_from_instance(tmp_path)


def _session_cookie(headers: list[str]) -> str:
    return next(h for h in headers if h.startswith("quizapp_session="))


def test_session_cookie_flags(user_agent: Browserless, make_user: Callable[..., User]) -> None:
    make_user("lee@example.org")
    resp = user_agent.login("lee@example.org")
    cookie = _session_cookie(resp.headers.getlist("Set-Cookie"))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in development


def test_session_cookie_is_secure_over_https(app: Flask, make_user: Callable[..., User]) -> None:
    make_user("lee@example.org")
    client = app.test_client()
    page = client.get("/auth/login", base_url="https://quiz.example").get_data(as_text=True)
    from tests.conftest import PASSWORD, csrf_token_from

    resp = client.post(
        "/auth/login",
        base_url="https://quiz.example",
        headers={"Referer": "https://quiz.example/auth/login"},
        data={
            "email": "lee@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_token_from(page),
        },
    )
    assert resp.status_code == 302
    cookie = _session_cookie(resp.headers.getlist("Set-Cookie"))
    assert "Secure" in cookie
    assert "Strict-Transport-Security" in resp.headers


def test_security_headers(client: FlaskClient) -> None:
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_404_page(client: FlaskClient) -> None:
    resp = client.get("/no/such/page")
    assert resp.status_code == 404
    page = resp.get_data(as_text=True)
    assert "Page not found" in page
    assert "<nav" in page  # rendered in the site layout


def test_500_page_has_no_traceback(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    resp = app.test_client().get("/boom")
    assert resp.status_code == 500
    page = resp.get_data(as_text=True)
    assert "Something went wrong" in page
    assert "secret internals" not in page
    assert "Traceback" not in page


def test_static_files_are_served(client: FlaskClient) -> None:
    with client.get("/static/css/app.css") as resp:
        assert resp.status_code == 200
        assert b"prefers-color-scheme: dark" in resp.data
