"""The last admin: the check and the role change happen under the admins' locks, so two
demotions at the same moment cannot leave the site without an administrator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from quizapp.admin.services import LastAdminError, change_role
from quizapp.extensions import db
from quizapp.models import Role, User
from tests.races import race


def admin_count() -> int:
    db.session.rollback()  # a fresh snapshot: the counts other transactions committed
    return db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == Role.ADMIN)) or 0


def test_demoting_admins_one_after_the_other_keeps_the_last(
    make_user: Callable[..., User],
) -> None:
    first = make_user("first@example.org", role=Role.ADMIN)
    second = make_user("second@example.org", role=Role.ADMIN)
    change_role(first, Role.INSTRUCTOR)
    db.session.commit()
    with pytest.raises(LastAdminError, match="only admin"):
        change_role(second, Role.LEARNER)
    db.session.rollback()
    assert admin_count() == 1
    # A user already demoted (out of date in memory) is demoted again without a refusal.
    change_role(first, Role.LEARNER)
    db.session.commit()
    assert admin_count() == 1


def test_promoting_and_demoting_others_is_free(make_user: Callable[..., User]) -> None:
    make_user("boss@example.org", role=Role.ADMIN)
    other = make_user("other@example.org")
    change_role(other, Role.ADMIN)
    db.session.commit()
    change_role(other, Role.INSTRUCTOR)
    db.session.commit()
    assert other.role is Role.INSTRUCTOR
    assert admin_count() == 1


@contextmanager
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def test_a_demotion_locks_the_admins_rows(make_user: Callable[..., User]) -> None:
    make_user("first@example.org", role=Role.ADMIN)
    second = make_user("second@example.org", role=Role.ADMIN)
    db.session.rollback()
    with statements() as seen:
        change_role(second, Role.LEARNER)
    db.session.commit()
    locks = [s for s in seen if "WHERE users.role" in s]
    assert locks, seen
    if db.engine.dialect.name == "postgresql":
        assert all("FOR UPDATE" in s for s in locks), locks
    # (SQLite ignores FOR UPDATE: a request that writes begins with BEGIN IMMEDIATE instead.)


def test_two_admins_demoting_each_other_at_once_leave_one(
    app: Flask, make_user: Callable[..., User]
) -> None:
    """The first demotion holds its transaction open; the second must wait for it, then see
    one admin left and refuse. Without the lock both pass the check and no admin is left."""
    make_user("first@example.org", role=Role.ADMIN)
    make_user("second@example.org", role=Role.ADMIN)
    db.session.commit()
    waited, outcomes = race(
        app,
        "/admin/users",
        ("first@example.org", "second@example.org"),
        lambda user: change_role(user, Role.LEARNER),
        LastAdminError,
        "demoted",
    )
    assert waited, "the second demotion did not wait for the first one's lock"
    assert outcomes == {"first@example.org": "demoted", "second@example.org": "refused"}
    assert admin_count() == 1
