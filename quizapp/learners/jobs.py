"""The learners' background jobs (run by ``quizapp.jobs``: an RQ worker or a thread)."""

from __future__ import annotations

from quizapp.db import utcnow
from quizapp.jobs import enqueue_after_commit, job
from quizapp.learners.fitting import CLASS_CHECK_JOB, FIT_JOB, fit_between_transactions
from quizapp.learners.rebuild import rebuild_learners

REBUILD_JOB = "rebuild_learner_figures"


@job(FIT_JOB)
def fit_learner_model(user_id: int) -> None:
    """Fit one learner's recall model and store it (nothing to do when nothing new came in);
    then queue the class estimates of the learner's sets that gathered enough new answers."""
    fit_between_transactions(user_id, utcnow())
    enqueue_after_commit(CLASS_CHECK_JOB, user_id)


@job(REBUILD_JOB)
def rebuild_learner_figures(user_id: int) -> None:
    """Recompute one learner's kept figures from the log (after a change of time zone)."""
    rebuild_learners([user_id])
