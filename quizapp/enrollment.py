"""Enrolment: a learner joins and leaves question sets (from the catalogue, or through a class).
Services add and flush; the view commits."""

from __future__ import annotations

from datetime import date

from quizapp.extensions import db
from quizapp.models import Enrollment, QuestionSet, User


def enroll(user_id: int, set_id: int) -> bool:
    """Enrol a learner in a set (added, not flushed); return False if already enrolled."""
    if db.session.get(Enrollment, (user_id, set_id)) is not None:
        return False
    db.session.add(Enrollment(user_id=user_id, set_id=set_id))
    return True


def join_set(user: User, question_set: QuestionSet) -> bool:
    """Enrol ``user`` in ``question_set``; return False if already enrolled."""
    joined = enroll(user.id, question_set.id)
    db.session.flush()
    return joined


def leave_set(user: User, question_set: QuestionSet) -> bool:
    """Stop studying ``question_set``; the learner's history is kept should they come back."""
    enrollment = db.session.get(Enrollment, (user.id, question_set.id))
    if enrollment is None:
        return False
    db.session.delete(enrollment)
    db.session.flush()
    return True


class ExamDateError(ValueError):
    """An exam date that cannot be planned for, in words for the learner."""


def set_exam_date(user: User, question_set: QuestionSet, day: date | None, today: date) -> None:
    """Plan the learner's study of a set for their exam on ``day`` (None: no exam)."""
    enrollment = db.session.get(Enrollment, (user.id, question_set.id))
    if enrollment is None:
        raise ExamDateError("Join the set before planning an exam on it.")
    if day is not None and day <= today:
        raise ExamDateError("Give a day after today for the exam.")
    enrollment.exam_date = day
    db.session.flush()
