"""Jobs for the job tests: each renames a user, so that its effect shows in the database."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.jobs import job
from quizapp.models import User

# Every run of a test job, in order: (job name, user id, new name).
RUNS: list[tuple[str, int, str]] = []
# The "tests.blocked_rename" job waits for this, so a test can keep the job thread busy.
RELEASE = threading.Event()


def _rename(job_name: str, user_id: int, name: str) -> None:
    RUNS.append((job_name, user_id, name))
    user = db.session.get(User, user_id)
    assert user is not None
    user.display_name = name
    db.session.flush()


@job("tests.rename")
def rename(user_id: int, name: str) -> None:
    _rename("tests.rename", user_id, name)


@job("tests.blocked_rename")
def blocked_rename(user_id: int, name: str) -> None:
    assert RELEASE.wait(10), "the test never released the job"
    _rename("tests.blocked_rename", user_id, name)


@job("tests.crash_once")
def crash_once(user_id: int, name: str) -> None:
    """Rename, but raise on the first run, after writing: the rollback must undo that write."""
    _rename("tests.crash_once", user_id, name)
    if len([run for run in RUNS if run[0] == "tests.crash_once"]) == 1:
        raise RuntimeError("simulated crash")


@job("tests.always_fails")
def always_fails(user_id: int, name: str) -> None:
    _rename("tests.always_fails", user_id, name)
    raise RuntimeError("always fails")


@job("tests.die_once")
def die_once(user_id: int, name: str, marker: str) -> None:
    """Kill the process running the job the first time (a worker dying mid-job), then rename."""
    if not Path(marker).exists():
        Path(marker).touch()
        os._exit(1)
    _rename("tests.die_once", user_id, name)


def display_name(user_id: int) -> str | None:
    """Read the name as committed, on a connection of its own (not from the session's
    identity map, nor from the snapshot of a transaction begun before a worker committed)."""
    with db.engine.connect() as connection:
        return connection.scalar(sa.select(User.display_name).where(User.id == user_id))
