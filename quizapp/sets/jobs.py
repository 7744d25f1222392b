"""The question sets' background jobs (run by ``quizapp.jobs``: an RQ worker or a thread)."""

from __future__ import annotations

from quizapp.jobs import job
from quizapp.sets.imports import CHECK_JOB, run_check


@job(CHECK_JOB)
def check_import(pending_id: int) -> None:
    """Read and check a large uploaded file, and work out its preview (off the request)."""
    run_check(pending_id)
