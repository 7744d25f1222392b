"""The study package's background jobs (run by ``quizapp.jobs``: an RQ worker or a thread)."""

from __future__ import annotations

from quizapp.jobs import enqueue_after_commit, job
from quizapp.study.regrade import (
    REGRADE_LEARNER_JOB,
    REGRADE_QUESTION_JOB,
    learners_to_regrade,
    regrade_learner,
)


@job(REGRADE_QUESTION_JOB)
def regrade_question(question_id: int) -> None:
    """Find the learners whose answers to the question grade differently now, and regrade
    each in a job of their own (one learner's lock at a time, never the whole class's)."""
    for user_id in learners_to_regrade(question_id):
        enqueue_after_commit(REGRADE_LEARNER_JOB, question_id, user_id)


@job(REGRADE_LEARNER_JOB)
def regrade_learner_answers(question_id: int, user_id: int) -> None:
    """Regrade one learner's answers to the question, their memory of it and their figures."""
    regrade_learner(question_id, user_id)
