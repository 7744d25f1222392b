"""Where jobs run: right away (eager), in a thread of this process, or on RQ workers."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from flask import Flask

from quizapp.jobs.registry import JobArgs, run_unit

if TYPE_CHECKING:
    from rq import Queue

logger = logging.getLogger("quizapp.jobs")

MODES = ("eager", "thread", "rq")
DEFAULT_QUEUE = "quizapp"
# A failed run (a crash, the database restarting, the worker killed) is run again at once;
# a job that keeps failing after that is left in RQ's failed-job registry.
RQ_RETRIES = 3


class Backend(Protocol):
    def submit(self, app: Flask, name: str, args: JobArgs) -> None: ...

    def schedule(self, app: Flask, when: datetime, name: str, args: JobArgs) -> None: ...


def job_mode(app: Flask) -> str:
    """Return the app's backend: ``QUIZAPP_JOB_MODE``, else RQ when Redis is configured."""
    mode = str(app.config.get("QUIZAPP_JOB_MODE") or "").strip().lower()
    if not mode:
        return "rq" if app.config.get("QUIZAPP_REDIS_URL") else "thread"
    if mode not in MODES:
        raise ValueError(f"QUIZAPP_JOB_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "rq" and not app.config.get("QUIZAPP_REDIS_URL"):
        raise ValueError("QUIZAPP_JOB_MODE=rq needs QUIZAPP_REDIS_URL")
    return mode


def backend_for(app: Flask) -> Backend:
    """Return the backend the app's config asks for (read on each call: tests change it)."""
    mode = job_mode(app)
    if mode == "eager":
        return EAGER
    if mode == "thread":
        return THREAD
    return rq_backend(app)


class EagerBackend:
    """Run the job now, in this thread, as its own unit of work (tests and CLI)."""

    def submit(self, app: Flask, name: str, args: JobArgs) -> None:
        try:
            run_unit(app, name, args)
        except Exception:
            # Called from the enqueuing session's after_commit: raising there would leave that
            # session half-closed, and its data is committed anyway.
            logger.exception("job %s%r failed", name, args)

    def schedule(self, app: Flask, when: datetime, name: str, args: JobArgs) -> None:
        # No clock to wait on here: a scheduled job must do nothing harmful when run early
        # (closing overdue attempts closes none before their time).
        self.submit(app, name, args)


class ThreadBackend:
    """One daemon thread per process runs the jobs in order, after the response is sent.

    A job waiting in the queue is not queued again; once it has started, queuing it again runs
    it once more afterwards, so that it sees what was committed meanwhile. Jobs still queued
    when the process stops are lost: they are redone the next time something enqueues them.
    """

    def __init__(self) -> None:
        self._reset()
        # A forked child (a gunicorn worker of a preloaded app) has the queue but not the
        # thread: start afresh there.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Condition()
        self._queue: queue.SimpleQueue[tuple[Flask, str, JobArgs]] | None = None
        self._waiting: set[tuple[Flask, str, JobArgs]] = set()
        self._unfinished = 0

    def submit(self, app: Flask, name: str, args: JobArgs) -> None:
        item = (app, name, args)
        with self._lock:
            if item in self._waiting:
                return
            if self._queue is None:
                self._queue = queue.SimpleQueue()
                threading.Thread(
                    target=self._work, args=(self._queue,), name="quizapp-jobs", daemon=True
                ).start()
            self._waiting.add(item)
            self._unfinished += 1
            self._queue.put(item)

    def _work(self, items: queue.SimpleQueue[tuple[Flask, str, JobArgs]]) -> None:
        while True:
            item = items.get()
            with self._lock:
                self._waiting.discard(item)
            app, name, args = item
            try:
                run_unit(app, name, args)
            except Exception:
                # Logged, never raised: the thread must live on for the next job.
                logger.exception("job %s%r failed", name, args)
            finally:
                with self._lock:
                    self._unfinished -= 1
                    self._lock.notify_all()

    def schedule(self, app: Flask, when: datetime, name: str, args: JobArgs) -> None:
        """Queue the job at ``when`` (a timer thread; lost with the process, like a queued job:
        scheduled jobs must be ones the pages also do when they find them due)."""
        delay = max(0.0, (when - datetime.now(UTC)).total_seconds())
        timer = threading.Timer(delay, self.submit, args=(app, name, args))
        timer.daemon = True
        timer.start()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued job has run; False if ``timeout`` seconds passed first."""
        with self._lock:
            return self._lock.wait_for(lambda: self._unfinished == 0, timeout)


class RQBackend:
    """Queue jobs on Redis for ``flask --app quizapp worker`` processes."""

    def __init__(self, url: str, queue_name: str) -> None:
        from redis import Redis
        from rq import Queue
        from rq.serializers import JSONSerializer

        self.url = url
        # JSON, not pickle: nothing read back from Redis can run code, and args stay plain.
        self.queue: Queue = Queue(
            queue_name, connection=Redis.from_url(url), serializer=JSONSerializer
        )

    def job_id(self, name: str, args: JobArgs) -> str:
        """Return the same id for the same job on the same queue (RQ ids allow [A-Za-z0-9_-])."""
        key = json.dumps([name, *args], separators=(",", ":"))
        return f"{self.queue.name}-{hashlib.sha256(key.encode()).hexdigest()[:32]}"

    def submit(self, app: Flask, name: str, args: JobArgs) -> None:
        from rq.exceptions import DuplicateJobError, InvalidJobOperation, NoSuchJobError
        from rq.job import Job, JobStatus, Retry

        job_id = self.job_id(name, args)
        for _ in range(2):
            try:
                # unique=True checks and queues in one Redis script: of two processes queuing
                # the same job at once, one wins. result_ttl=0 deletes a job once it succeeded.
                self.queue.enqueue_call(
                    "quizapp.jobs.run",
                    args=(name, *args),
                    job_id=job_id,
                    unique=True,
                    retry=Retry(max=RQ_RETRIES),
                    result_ttl=0,
                    description=f"{name}{args!r}",
                )
                return
            except DuplicateJobError:
                pass
            try:
                known = Job.fetch(
                    job_id, connection=self.queue.connection, serializer=self.queue.serializer
                )
                status = known.get_status()
            except (NoSuchJobError, InvalidJobOperation):
                continue  # it finished between the two calls: queue it again
            # Queued, waiting for a retry or running: that run will do. (A running job may
            # miss what was just committed; the next enqueue catches up.)
            ended = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)
            if status not in ended:
                return
            # A job that gave up earlier must not block this new request for it.
            known.delete()

    def schedule(self, app: Flask, when: datetime, name: str, args: JobArgs) -> None:
        """Queue the job for ``when``: run by a worker started with its scheduler (``flask
        --app quizapp worker`` does), retried like any job."""
        from rq.job import Retry

        self.queue.enqueue_at(
            when,
            "quizapp.jobs.run",
            name,
            *args,
            job_id=f"{self.job_id(name, args)}-{int(when.timestamp())}",
            retry=Retry(max=RQ_RETRIES),
            result_ttl=0,
            description=f"{name}{args!r} at {when.isoformat()}",
        )


EAGER = EagerBackend()
THREAD = ThreadBackend()


def rq_backend(app: Flask) -> RQBackend:
    """Return the app's RQ backend, made once per Redis URL and queue name."""
    url = str(app.config["QUIZAPP_REDIS_URL"])
    queue_name = str(app.config.get("QUIZAPP_JOB_QUEUE") or DEFAULT_QUEUE)
    backend = app.extensions.get("quizapp.jobs.rq")
    if not isinstance(backend, RQBackend) or (backend.url, backend.queue.name) != (url, queue_name):
        backend = app.extensions["quizapp.jobs.rq"] = RQBackend(url, queue_name)
    return backend
