"""``flask --app quizapp worker``: run queued jobs from Redis."""

from __future__ import annotations

import click
from flask import current_app

from quizapp.jobs.backends import job_mode, rq_backend


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs already queued, then stop.")
def worker_command(burst: bool) -> None:
    """Run jobs from the Redis queue; start as many of these as the load needs."""
    from rq import Worker

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("QUIZAPP_REDIS_URL"):
        raise click.ClickException(
            "QUIZAPP_REDIS_URL is not set: without Redis, jobs already run in a thread inside "
            "each web process, and no worker is needed."
        )
    if job_mode(app) != "rq":
        raise click.ClickException(
            f"QUIZAPP_JOB_MODE={app.config['QUIZAPP_JOB_MODE']}: jobs do not go through Redis."
        )
    queue = rq_backend(app).queue
    # Each job runs in a work horse forked from this process, inside this app context. This
    # process never opens a database connection, so no horse inherits one.
    worker = Worker([queue], connection=queue.connection, serializer=queue.serializer)
    # with_scheduler: jobs queued for a time (a quiz attempt's deadline) are moved onto the
    # queue when due by whichever worker holds the scheduler's lock.
    worker.work(burst=burst, logging_level="INFO", with_scheduler=True)
