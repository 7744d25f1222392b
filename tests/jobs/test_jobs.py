"""Jobs run after the commit that queued them, once, and never after a rollback."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner

from quizapp.extensions import db
from quizapp.jobs import enqueue, enqueue_after_commit, job, wait_idle
from quizapp.models import User
from tests.jobs.sample_jobs import RELEASE, display_name


def test_eager_job_runs_after_the_commit(eager: Flask, make_user: Callable[..., User]) -> None:
    user = make_user(name="Before")
    enqueue_after_commit("tests.rename", user.id, "After")
    assert display_name(user.id) == "Before"
    db.session.commit()
    assert display_name(user.id) == "After"


def test_eager_job_sees_the_data_committed_with_it(
    eager: Flask, make_user: Callable[..., User]
) -> None:
    user = User(email="new@example.org", display_name="New", password_hash="x")
    db.session.add(user)
    db.session.flush()
    enqueue_after_commit("tests.rename", user.id, "Renamed")
    db.session.commit()
    assert display_name(user.id) == "Renamed"


def test_rollback_drops_the_job(
    eager: Flask, make_user: Callable[..., User], runs: list[tuple[str, int, str]]
) -> None:
    user = make_user(name="Before")
    enqueue_after_commit("tests.rename", user.id, "After")
    db.session.rollback()
    db.session.commit()
    assert display_name(user.id) == "Before"
    assert runs == []


def test_same_job_queued_twice_in_a_transaction_runs_once(
    eager: Flask, make_user: Callable[..., User], runs: list[tuple[str, int, str]]
) -> None:
    user = make_user()
    for _ in range(3):
        enqueue_after_commit("tests.rename", user.id, "Once")
    enqueue_after_commit("tests.rename", user.id, "Other")
    db.session.commit()
    assert runs == [
        ("tests.rename", user.id, "Once"),
        ("tests.rename", user.id, "Other"),
    ]


def test_failed_job_is_rolled_back_and_logged(
    eager: Flask,
    make_user: Callable[..., User],
    runs: list[tuple[str, int, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = make_user(name="Before")
    enqueue_after_commit("tests.always_fails", user.id, "Half-written")
    with caplog.at_level(logging.ERROR, logger="quizapp.jobs"):
        db.session.commit()
    assert runs == [("tests.always_fails", user.id, "Half-written")]
    assert display_name(user.id) == "Before"
    assert "job tests.always_fails" in caplog.text
    # The session that queued the job goes on working.
    user.display_name = "Still usable"
    db.session.commit()
    assert display_name(user.id) == "Still usable"


def test_thread_runs_the_job_after_the_commit(
    threaded: Flask, make_user: Callable[..., User]
) -> None:
    user = make_user(name="Before")
    enqueue_after_commit("tests.rename", user.id, "After")
    assert wait_idle(10)
    assert display_name(user.id) == "Before"
    db.session.commit()
    assert wait_idle(10)
    assert display_name(user.id) == "After"


def test_thread_runs_a_waiting_job_once_and_a_started_one_again(
    threaded: Flask, make_user: Callable[..., User], runs: list[tuple[str, int, str]]
) -> None:
    user = make_user()
    enqueue("tests.blocked_rename", user.id, "First")  # keeps the thread busy until released
    for _ in range(3):
        enqueue_after_commit("tests.rename", user.id, "Second")
        db.session.commit()
    RELEASE.set()
    assert wait_idle(10)
    enqueue_after_commit("tests.rename", user.id, "Second")
    db.session.commit()
    assert wait_idle(10)
    assert runs == [
        ("tests.blocked_rename", user.id, "First"),
        ("tests.rename", user.id, "Second"),
        ("tests.rename", user.id, "Second"),
    ]


def test_thread_survives_a_failing_job(
    threaded: Flask,
    make_user: Callable[..., User],
    runs: list[tuple[str, int, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = make_user(name="Before")
    with caplog.at_level(logging.ERROR, logger="quizapp.jobs"):
        enqueue("tests.always_fails", user.id, "Half-written")
        enqueue("tests.rename", user.id, "After")
        assert wait_idle(10)
    assert "always fails" in caplog.text
    assert display_name(user.id) == "After"


def test_jobs_take_ints_and_strings_only(eager: Flask) -> None:
    with pytest.raises(TypeError, match="ints or strings"):
        enqueue_after_commit("tests.rename", 1.5, "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ints or strings"):
        enqueue("tests.rename", True, "x")
    with pytest.raises(LookupError, match="no job is registered"):
        enqueue_after_commit("tests.no_such_job", 1)


def test_a_name_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):

        @job("tests.rename")
        def other(user_id: int, name: str) -> None:
            pass


def test_unknown_job_mode_fails_at_start_up(database_url: str) -> None:
    from quizapp import create_app

    with pytest.raises(ValueError, match="QUIZAPP_JOB_MODE"):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "x",
                "QUIZAPP_JOB_MODE": "later",
            }
        )


def test_worker_without_redis_explains_and_exits_1(app: Flask, runner: FlaskCliRunner) -> None:
    app.config["QUIZAPP_REDIS_URL"] = None
    result: Result = runner.invoke(args=["worker"])
    assert result.exit_code == 1
    assert "QUIZAPP_REDIS_URL is not set" in result.output
    assert "jobs already run in a thread inside each web process" in result.output
