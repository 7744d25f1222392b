"""The ``flask --app quizapp users ...`` commands."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskCliRunner

from quizapp.auth.passwords import verify_password
from quizapp.extensions import db
from quizapp.models import Role, User


def test_create_admin(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", "Root@Example.org", "--role", "admin", "--password", "long-enough"]
    )
    assert result.exit_code == 0, result.output
    assert "Created root@example.org (admin)." in result.output
    user = db.session.scalar(sa.select(User).where(User.email == "root@example.org"))
    assert user is not None
    assert user.role is Role.ADMIN
    assert verify_password(user.password_hash, "long-enough")


def test_create_asks_for_the_password(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", "a@example.org"], input="long-enough\nlong-enough\n"
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_create_refuses_duplicates_and_weak_passwords(
    runner: FlaskCliRunner, make_user: Callable[..., User]
) -> None:
    make_user("a@example.org")
    result = runner.invoke(args=["users", "create", "a@example.org", "--password", "long-enough"])
    assert result.exit_code == 1
    assert "already exists" in result.output
    result = runner.invoke(args=["users", "create", "b@example.org", "--password", "short"])
    assert result.exit_code == 1
    assert "at least 8 characters" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_promote_and_list(runner: FlaskCliRunner, make_user: Callable[..., User]) -> None:
    user = make_user("t@example.org")
    result = runner.invoke(args=["users", "set-role", "t@example.org", "instructor"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.role is Role.INSTRUCTOR
    listing = runner.invoke(args=["users", "list"]).output
    assert "instructor\tt@example.org" in listing


def test_promote_unknown_user(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "set-role", "ghost@example.org", "admin"])
    assert result.exit_code == 1
    assert "No account with the e-mail ghost@example.org" in result.output
