"""The quizzes' background jobs: grading answers again after a key changed, and submitting
attempts whose time ran out (pages check too, so no attempt waits on this job)."""

from __future__ import annotations

from quizapp.db import utcnow
from quizapp.jobs import job
from quizapp.quizzes import attempts

REGRADE_QUIZ_ANSWERS_JOB = "regrade_quiz_answers"
CLOSE_OVERDUE_JOB = "close_overdue_quiz_attempts"


@job(REGRADE_QUIZ_ANSWERS_JOB)
def regrade_quiz_answers(question_id: int) -> None:
    attempts.regrade_question(question_id)


@job(CLOSE_OVERDUE_JOB)
def close_overdue_attempts() -> None:
    attempts.close_overdue(utcnow())
