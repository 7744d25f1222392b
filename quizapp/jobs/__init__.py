"""Background jobs: costly work (fitting a learner's recall model) kept off the request path.

A job is a function registered by name with ``@job("name")`` whose positional arguments are
ints and strings. Services call ``enqueue_after_commit(name, *args)``: the job is handed on only
when the current transaction commits, so it sees the data it was queued for, and is dropped on
rollback. The same (name, args) queued again while still waiting runs once.

Where jobs run depends on the app's config:

- ``QUIZAPP_REDIS_URL`` set: on RQ workers (``flask --app quizapp worker``), retried on failure;
- otherwise: in one daemon thread per process (``wait_idle`` waits for it);
- ``QUIZAPP_JOB_MODE=eager``: right after the commit, in the committing thread (tests, CLI).
  ``QUIZAPP_JOB_MODE`` may also force ``thread`` or ``rq``; ``QUIZAPP_JOB_QUEUE`` names the RQ
  queue (default ``quizapp``).

Each run is its own unit of work, committed once if the job returns and rolled back if it
raises. Jobs must be idempotent: a job may run again after a crash, or be lost with a stopped
process and redone when next enqueued.
"""

from __future__ import annotations

import importlib
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from quizapp.extensions import db
from quizapp.jobs.backends import THREAD, backend_for, job_mode, logger
from quizapp.jobs.registry import JobArg, JobArgs, check_job, job, run

__all__ = [
    "JOB_MODULES",
    "JobArg",
    "enqueue",
    "enqueue_after_commit",
    "init_jobs",
    "job",
    "run",
    "schedule_after_commit",
    "wait_idle",
]

# Modules whose import registers job functions; create_app imports them so that web
# processes and workers know every job by name.
JOB_MODULES = (
    "quizapp.learners.jobs",
    "quizapp.auth.jobs",
    "quizapp.courses.jobs",
    "quizapp.study.jobs",
    "quizapp.sets.jobs",
    "quizapp.quizzes.jobs",
    "quizapp.classmodel.jobs",
)

_PENDING = "quizapp.jobs.pending"
_SCHEDULED = "quizapp.jobs.scheduled"


def init_jobs(app: Flask) -> None:
    """Check the job settings, import the job modules and add the ``worker`` command."""
    job_mode(app)  # a wrong QUIZAPP_JOB_MODE fails at start-up, not at the first job
    for module in JOB_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # only a job module not written yet is tolerated
                raise
    from quizapp.jobs.cli import worker_command

    app.cli.add_command(worker_command)


def enqueue(name: str, *args: JobArg) -> None:
    """Hand the job to the current app's backend now (prefer ``enqueue_after_commit``)."""
    app = _current_app()
    backend_for(app).submit(app, name, check_job(name, args))


def enqueue_after_commit(name: str, *args: JobArg) -> None:
    """Hand the job on when the current session's transaction commits; drop it on rollback."""
    key = (name, check_job(name, args))
    session = _listening_session()
    pending: dict[tuple[str, JobArgs], Flask] = session.info[_PENDING]
    pending[key] = _current_app()


def schedule_after_commit(when: datetime, name: str, *args: JobArg) -> None:
    """Hand the job on for ``when`` once the current transaction commits (dropped on
    rollback). Without Redis it waits in a timer of this process and is lost if the process
    stops, so a scheduled job must be work the pages also do when they find it due."""
    checked = check_job(name, args)
    session = _listening_session()
    scheduled: list[tuple[datetime, str, JobArgs, Flask]] = session.info[_SCHEDULED]
    scheduled.append((when, name, checked, _current_app()))


def _listening_session() -> Session:
    """The current session, set to hand on its jobs when it commits, in a transaction."""
    session = db.session()
    if _PENDING not in session.info:
        session.info[_PENDING] = {}
        session.info[_SCHEDULED] = []
        event.listen(session, "after_commit", _submit_pending)
        event.listen(session, "after_transaction_end", _drop_pending)
    if not session.in_transaction():
        # Tie the job to a transaction now, so that a rollback before any SQL drops it too.
        session.begin()
    return session


def wait_idle(timeout: float) -> bool:
    """Wait until this process's job thread has run everything queued; False on timeout."""
    return THREAD.wait_idle(timeout)


def _current_app() -> Flask:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app


def _submit_pending(session: Session) -> None:
    pending: dict[tuple[str, JobArgs], Flask] = session.info.get(_PENDING, {})
    jobs = list(pending.items())
    pending.clear()
    scheduled: list[tuple[datetime, str, JobArgs, Flask]] = session.info.get(_SCHEDULED, [])
    later = list(scheduled)
    scheduled.clear()
    for when, name, args, app in later:
        try:
            backend_for(app).schedule(app, when, name, args)
        except Exception:
            logger.exception("could not schedule job %s%r", name, args)
    for (name, args), app in jobs:
        try:
            backend_for(app).submit(app, name, args)
        except Exception:
            # The data is committed already, and raising here would leave the session
            # half-closed; the job is redone the next time something enqueues it.
            logger.exception("could not enqueue job %s%r", name, args)


def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    # Jobs still pending when the outermost transaction ends were never committed.
    if transaction.parent is None:
        session.info.get(_PENDING, {}).clear()
        session.info.get(_SCHEDULED, []).clear()
