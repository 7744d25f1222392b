"""The class estimates' background job (run by ``quizapp.jobs``: an RQ worker or a thread)."""

from __future__ import annotations

from quizapp.classmodel.service import REFRESH_JOB, refresh_estimates, stale_sets
from quizapp.db import utcnow
from quizapp.jobs import enqueue_after_commit, job
from quizapp.learners.fitting import CLASS_CHECK_JOB


@job(REFRESH_JOB)
def refresh_class_estimates(set_id: int) -> None:
    """Estimate a set's questions from the class's first answers (nothing to do when fewer
    than ``MIN_NEW_ANSWERS`` came in since the last estimate)."""
    refresh_estimates(set_id, utcnow())


@job(CLASS_CHECK_JOB)
def check_class_estimates(user_id: int) -> None:
    """Queue the refresh of the sets the learner answered that gathered enough new first
    answers (queued after a refit of the learner's model, or every ``CLASS_CHECK_EVERY``
    answers before they have one: never inside the answer's request)."""
    for set_id in stale_sets(user_id):
        enqueue_after_commit(REFRESH_JOB, set_id)
