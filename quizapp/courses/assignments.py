"""The sets assigned to a class: which, which may be, assigning (its members are enrolled) and
taking off.

Services add and flush; the view commits once.
"""

from __future__ import annotations

import sqlalchemy as sa

from quizapp.courses.membership import CourseError
from quizapp.courses.models import Course, CourseSet
from quizapp.enrollment import enroll
from quizapp.extensions import db
from quizapp.models import QuestionSet
from quizapp.visibility import public_sets


def course_sets(course: Course) -> list[QuestionSet]:
    return list(
        db.session.scalars(
            sa.select(QuestionSet)
            .join(CourseSet, CourseSet.set_id == QuestionSet.id)
            .where(CourseSet.course_id == course.id)
            .order_by(QuestionSet.title)
        )
    )


def assignable_sets(course: Course) -> list[QuestionSet]:
    """Sets the course's owner may assign: their own and every published one, not yet assigned."""
    assigned = sa.select(CourseSet.set_id).where(CourseSet.course_id == course.id)
    return list(
        db.session.scalars(
            sa.select(QuestionSet)
            .where(
                sa.or_(QuestionSet.owner_id == course.owner_id, public_sets()),
                QuestionSet.id.not_in(assigned),
            )
            .order_by(QuestionSet.title)
        )
    )


def assign_set(course: Course, question_set: QuestionSet) -> bool:
    """Assign a set to the course and enroll its members in it; False if already assigned."""
    if question_set not in assignable_sets(course):
        if db.session.get(CourseSet, (course.id, question_set.id)) is not None:
            return False
        raise CourseError("You may assign only your own sets or published ones.")
    db.session.add(CourseSet(course_id=course.id, set_id=question_set.id))
    for member in course.members:
        enroll(member.user_id, question_set.id)
    db.session.flush()
    return True


def unassign_set(course: Course, question_set: QuestionSet) -> bool:
    """Take a set off the course. Members stay enrolled in it (their study goes on)."""
    link = db.session.get(CourseSet, (course.id, question_set.id))
    if link is None:
        return False
    db.session.delete(link)
    db.session.flush()
    return True
