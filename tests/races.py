"""Two requests racing for one lock: the first holds its transaction open until the second is
seen waiting, then both finish. For the tests of checks that must hold under concurrency (the
last admin)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask

from quizapp.extensions import db
from quizapp.models import User


def another_waits_on_a_lock(timeout: float = 10.0) -> bool:
    """Whether another connection to this database waits on a lock (PostgreSQL)."""
    deadline = time.monotonic() + timeout
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            if conn.scalar(query):
                return True
        time.sleep(0.02)
    return False


def race(
    app: Flask,
    path: str,
    emails: tuple[str, str],
    act: Callable[[User], None],
    refused: type[Exception],
    done: str,
) -> tuple[bool, dict[str, str]]:
    """Run ``act`` for the user of each e-mail in a POST request of its own, the second while
    the first holds its transaction open. Returns whether the second waited for the first's
    lock, and each e-mail's outcome: ``done``, ``"refused"`` (``refused`` raised) or the error.
    """
    waited, outcomes = race_acts(app, path, ((emails[0], act), (emails[1], act)), refused, done)
    return waited, dict(zip(emails, outcomes, strict=True))


def race_acts(
    app: Flask,
    path: str,
    acts: tuple[tuple[str, Callable[[User], None]], tuple[str, Callable[[User], None]]],
    refused: type[Exception],
    done: str,
) -> tuple[bool, list[str]]:
    """``race`` with an act of its own for each request (the same user may make both):
    whether the second waited, and the two outcomes in order."""
    first_acted, release = threading.Event(), threading.Event()
    outcomes = ["", ""]

    def request(k: int, hold: bool) -> None:
        email, act = acts[k]
        # A request that writes (on SQLite: BEGIN IMMEDIATE, see quizapp.db).
        with app.test_request_context(path, method="POST"):
            try:
                user = db.session.scalar(sa.select(User).where(User.email == email))
                assert user is not None
                act(user)
                if hold:
                    first_acted.set()
                    release.wait(10)
                db.session.commit()
                outcomes[k] = done
            except refused:
                db.session.rollback()
                outcomes[k] = "refused"
            except Exception as exc:  # reported by the caller's assertion
                db.session.rollback()
                outcomes[k] = repr(exc)
            finally:
                db.session.remove()

    first = threading.Thread(target=request, args=(0, True))
    second = threading.Thread(target=request, args=(1, False))
    first.start()
    assert first_acted.wait(10)
    second.start()
    if db.engine.dialect.name == "postgresql":
        waited = another_waits_on_a_lock()
    else:
        time.sleep(0.2)  # the second request waits for SQLite's write lock (busy timeout)
        waited = True
    release.set()
    first.join(20)
    second.join(20)
    return waited, outcomes
