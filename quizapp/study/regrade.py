"""Grading a question's past answers again after what counts as right changed (an instructor
accepted a typed answer that had been marked wrong).

An answer graded differently now takes its new grade; for every learner who gave one, their
memory of the question is replayed from their answers in order, as if each had been graded so
at the time (the learner's own corrections, "I knew it", still stand), and their kept figures
are recomputed from the log. Both steps regrade against the question as it is when they run,
so running them again changes nothing: a job that runs twice, or after a crash, is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.grading.base import Grade, QuestionType
from quizapp.grading.registry import get_type, guess_options
from quizapp.learners.answers import lock_learner
from quizapp.learners.fitting import params_for
from quizapp.learners.rebuild import rebuild_learner
from quizapp.models import Question, QuestionMemory, ReviewLog, User
from quizapp.scheduler import Evidence, Override, review
from quizapp.scheduler import MemoryState as State
from quizapp.study.common import class_prior, grading_context, live_reviews, memory_row

#: The job that finds the learners whose answers to a question grade differently now.
REGRADE_QUESTION_JOB = "regrade_question"
#: The job that regrades one learner's answers to a question.
REGRADE_LEARNER_JOB = "regrade_learner_answers"


def _key(response: Any) -> str:
    # Responses are JSON values (a string, a list of gaps): equal responses grade alike.
    return repr(response)


class _Grader:
    """The question's grades, one per distinct response (a class gives the same few
    responses over and over)."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self.qtype: QuestionType = get_type(question.qtype)
        self.context = grading_context(question)
        self._grades: dict[str, Grade] = {}

    def grade(self, response: Any) -> Grade:
        key = _key(response)
        if key not in self._grades:
            self._grades[key] = self.qtype.grade(self.question.spec, response, **self.context.kw)
        return self._grades[key]

    def changes(self, log: ReviewLog) -> bool:
        grade = self.grade(log.response)
        return (grade.outcome, grade.score) != (log.outcome, log.score)


def learners_to_regrade(question_id: int) -> list[int]:
    """The learners with a live answer to the question that grades differently now."""
    question = db.session.get(Question, question_id)
    if question is None:
        return []
    grader = _Grader(question)
    rows = db.session.execute(
        sa.select(ReviewLog.user_id, ReviewLog.response, ReviewLog.outcome, ReviewLog.score)
        .where(ReviewLog.question_id == question_id, live_reviews())
        .distinct()
    )
    return sorted(
        {
            user_id
            for user_id, response, outcome, score in rows
            if (g := grader.grade(response)).outcome != outcome or g.score != score
        }
    )


def regrade_learner(question_id: int, user_id: int) -> int:
    """Regrade one learner's live answers to the question, replay their memory of it and
    recompute their figures; returns how many answers changed grade (flushes, no commit)."""
    question = db.session.get(Question, question_id)
    user = db.session.get(User, user_id)
    if question is None or user is None:
        return 0
    lock_learner(user)  # no answer of theirs lands between the read and the replay
    logs: Sequence[ReviewLog] = db.session.scalars(
        sa.select(ReviewLog)
        .where(ReviewLog.user_id == user_id, ReviewLog.question_id == question_id, live_reviews())
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    ).all()
    grader = _Grader(question)
    changed = [log for log in logs if grader.changes(log)]
    if not changed:
        return 0
    now = utcnow()
    for log in changed:
        grade = grader.grade(log.response)
        log.outcome, log.score, log.regraded_at = grade.outcome, grade.score, now
    _replay_memory(user, question, logs)
    rebuild_learner(user)
    db.session.flush()
    return len(changed)


def _replay_memory(user: User, question: Question, logs: Sequence[ReviewLog]) -> None:
    """Schedule the learner's answers to the question again, in order, from no memory: each
    log's ratings and the state before it, then the memory kept now."""
    params = params_for(user)
    options = guess_options(question.qtype, question.spec)
    prior = class_prior(question)
    state: State | None = None
    for log in logs:
        override = Override(log.override) if log.override else None
        evidence = Evidence(
            score=log.score, duration_ms=log.duration_ms, options=options, override=override
        )
        log.state_before = state.to_json_dict() if state is not None else None
        state, entry = review(state, evidence, log.reviewed_at, params, prior=prior)
        log.rating, log.auto_rating = entry.rating, entry.auto_rating
    row = memory_row(user, question)
    if state is None:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = QuestionMemory(user_id=user.id, question_id=question.id, topic_id=question.topic_id)
        db.session.add(row)
    state.write_to(row)
