"""The classes' background jobs (run by ``quizapp.jobs``: an RQ worker or a thread)."""

from __future__ import annotations

from quizapp.courses.snapshots import REFRESH_JOB, refresh
from quizapp.db import utcnow
from quizapp.jobs import job


@job(REFRESH_JOB)
def refresh_course_snapshot(course_id: int, kind: str) -> None:
    """Compute a class page's figures afresh (a large class's page shows the last ones
    meanwhile)."""
    refresh(course_id, kind, utcnow())
