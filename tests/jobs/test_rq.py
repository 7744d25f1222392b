"""Jobs on RQ, against the Redis at 127.0.0.1:6379 (skipped without it, except in CI).

Each test uses a queue of its own, whose name is in every key it makes, and deletes those keys.
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue, SimpleWorker
from rq.job import Job

from quizapp.extensions import db
from quizapp.jobs import enqueue_after_commit
from quizapp.jobs.backends import rq_backend
from quizapp.models import User
from tests.jobs.sample_jobs import display_name

REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def queue(app: Flask, runs: list[tuple[str, int, str]]) -> Iterator[Queue]:
    """The app's RQ queue, on a name of its own; its keys are deleted afterwards."""
    connection = Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except RedisConnectionError as exc:
        connection.close()
        if os.environ.get("CI"):
            pytest.fail(f"Redis is needed in CI and unreachable at {REDIS_URL}: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    name = f"quizapp-test-{uuid.uuid4().hex[:12]}"
    app.config.update(QUIZAPP_JOB_MODE="rq", QUIZAPP_REDIS_URL=REDIS_URL, QUIZAPP_JOB_QUEUE=name)
    # RQ workers install their own SIGINT/SIGTERM handlers: give pytest its own back.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield rq_backend(app).queue
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    for key in connection.scan_iter(f"rq:*{name}*"):
        connection.delete(key)
    connection.srem("rq:queues", f"rq:queue:{name}")
    connection.close()
    rq_backend(app).queue.connection.close()


def work(queue: Queue) -> None:
    """Run every queued job in this process, as a worker would, then return."""
    worker = SimpleWorker(
        [queue], connection=queue.connection, serializer=queue.serializer, name=f"{queue.name}-w"
    )
    worker.work(burst=True)


def test_job_is_queued_on_commit_and_run_by_a_worker(
    queue: Queue, make_user: Callable[..., User]
) -> None:
    user = make_user(name="Before")
    enqueue_after_commit("tests.rename", user.id, "After")
    assert queue.count == 0
    db.session.commit()
    assert queue.count == 1
    assert display_name(user.id) == "Before"
    work(queue)
    assert display_name(user.id) == "After"
    assert queue.count == 0


def test_rolled_back_job_is_not_queued(queue: Queue, make_user: Callable[..., User]) -> None:
    user = make_user()
    enqueue_after_commit("tests.rename", user.id, "After")
    db.session.rollback()
    assert queue.count == 0


def test_a_queued_job_is_not_queued_twice(
    app: Flask, queue: Queue, make_user: Callable[..., User], runs: list[tuple[str, int, str]]
) -> None:
    user = make_user()
    for _ in range(3):
        enqueue_after_commit("tests.rename", user.id, "Once")
        db.session.commit()
    assert queue.job_ids == [rq_backend(app).job_id("tests.rename", (user.id, "Once"))]
    work(queue)
    # Once it has run, the same job is queued afresh: the data may have changed since.
    enqueue_after_commit("tests.rename", user.id, "Once")
    db.session.commit()
    assert queue.count == 1
    work(queue)
    assert runs == [("tests.rename", user.id, "Once")] * 2


def test_a_job_that_raises_is_retried_until_done(
    queue: Queue, make_user: Callable[..., User], runs: list[tuple[str, int, str]]
) -> None:
    user = make_user(name="Before")
    enqueue_after_commit("tests.crash_once", user.id, "After")
    db.session.commit()
    work(queue)
    assert runs == [("tests.crash_once", user.id, "After")] * 2
    assert display_name(user.id) == "After"
    assert queue.failed_job_registry.count == 0


def test_a_job_that_gave_up_can_be_queued_again(
    queue: Queue, make_user: Callable[..., User], runs: list[tuple[str, int, str]]
) -> None:
    user = make_user(name="Before")
    enqueue_after_commit("tests.always_fails", user.id, "After")
    db.session.commit()
    work(queue)
    assert len(runs) == 4  # the first run and three retries
    assert queue.failed_job_registry.count == 1
    assert display_name(user.id) == "Before"
    enqueue_after_commit("tests.always_fails", user.id, "After")
    db.session.commit()
    assert queue.count == 1


# The worker forks a work horse per job from this (multi-threaded) test process; Python 3.12+
# warns about that, which is harmless here.
@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_worker_command_reruns_the_job_of_a_worker_that_died(
    app: Flask,
    queue: Queue,
    runner: FlaskCliRunner,
    make_user: Callable[..., User],
    tmp_path: Path,
) -> None:
    user_id = make_user(name="Before").id
    marker = tmp_path / "died"
    enqueue_after_commit("tests.die_once", user_id, "After", str(marker))
    db.session.commit()
    # The worker forks a process per job: it must not inherit this process's connections.
    db.session.remove()
    db.engine.dispose()
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert marker.exists()
    assert display_name(user_id) == "After"
    job_id = rq_backend(app).job_id("tests.die_once", (user_id, "After", str(marker)))
    assert Job.exists(job_id, connection=queue.connection) is False  # done, and deleted
