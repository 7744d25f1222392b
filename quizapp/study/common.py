"""What the study modules share: the learner's sets, memory-state rows, and the study error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.grading.registry import get_type
from quizapp.models import Enrollment, Question, QuestionMemory, QuestionSet, ReviewLog, User
from quizapp.scheduler import ItemPrior, item_prior

SESSION_LIMIT = 30  # questions in one session (a wrong one may come back on top of these)


class StudyError(ValueError):
    """A study action that cannot be carried out, with a message for the learner."""


def memory_row(user: User, question: Question) -> QuestionMemory | None:
    return db.session.scalar(
        sa.select(QuestionMemory).where(
            QuestionMemory.user_id == user.id, QuestionMemory.question_id == question.id
        )
    )


def class_prior(question: Question) -> ItemPrior | None:
    """The class's estimate a first answer to ``question`` starts from (kept on its row by
    ``quizapp.classmodel``; None below ``MIN_CLASS_LEARNERS`` learners)."""
    return item_prior(question.class_easiness, question.class_mean, question.class_learners)


def live_reviews() -> sa.ColumnElement[bool]:
    return ReviewLog.undone_at.is_(None)


def enrolled_set_ids(user: User) -> list[int]:
    return list(
        db.session.scalars(sa.select(Enrollment.set_id).where(Enrollment.user_id == user.id))
    )


# Per set and revision of its questions: each typed question's accepted answers. Read once per
# process and revision (a set's questions change rarely; answers come all the time).
_TYPED_ANSWERS: dict[tuple[int, int, float], dict[int, tuple[str, ...]]] = {}
_TYPED_ANSWERS_KEPT = 256  # sets


@dataclass(frozen=True)
class GradingContext:
    """What grading one question needs from its set: the accepted answers of the set's other
    active typed questions (a forgiven typo never turns a response into another question's
    answer) and the set's language. Pass as ``qtype.grade(spec, response, **context.kw)``."""

    others: tuple[str, ...] = ()
    language: str = "en"

    @property
    def kw(self) -> dict[str, Any]:
        return {"others": self.others, "language": self.language}


def grading_context(question: Question) -> GradingContext:
    """The set's part in grading ``question`` (nothing for a question that is not typed: its
    grader uses neither)."""
    return grading_contexts([question])[question.id]


def grading_contexts(questions: Sequence[Question]) -> dict[int, GradingContext]:
    """``grading_context`` of each question, by id: the set of each is read once, however
    many of its questions there are (a page that grades a whole set's answers)."""
    contexts: dict[int, GradingContext] = {}
    sets: dict[int, tuple[dict[int, tuple[str, ...]], str]] = {}
    for question in questions:
        if not get_type(question.qtype).typed_answers(question.spec):
            contexts[question.id] = GradingContext()
            continue
        if question.set_id not in sets:
            sets[question.set_id] = _set_answers(question.set_id)
        per_question, language = sets[question.set_id]
        others = tuple(
            answer
            for qid, answers in per_question.items()
            if qid != question.id
            for answer in answers
        )
        contexts[question.id] = GradingContext(others, language)
    return contexts


def _set_answers(set_id: int) -> tuple[dict[int, tuple[str, ...]], str]:
    """The accepted answers of each active typed question of a set, and the set's language."""
    revision, language, created = db.session.execute(
        sa.select(
            QuestionSet.questions_revision, QuestionSet.language, QuestionSet.created_at
        ).where(QuestionSet.id == set_id)
    ).one()
    # With the set's creation time: SQLite may give a deleted set's id to a new one, whose
    # revision count starts again.
    key = (set_id, revision or 0, created.timestamp() if created else 0.0)
    per_question = _TYPED_ANSWERS.get(key)
    if per_question is None:
        rows = db.session.execute(
            sa.select(Question.id, Question.qtype, Question.spec).where(
                Question.set_id == set_id, Question.is_active.is_(True)
            )
        )
        per_question = {
            qid: answers
            for qid, qtype, spec in rows
            if (answers := get_type(qtype).typed_answers(spec))
        }
        if len(_TYPED_ANSWERS) >= _TYPED_ANSWERS_KEPT:
            _TYPED_ANSWERS.clear()
        _TYPED_ANSWERS[key] = per_question
    return per_question, language
