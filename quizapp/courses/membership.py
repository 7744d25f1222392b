"""Classes on the database: creating them, join codes, joining, who owns or joined which, and
their members.

Services add and flush; the view commits once.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from quizapp import visibility
from quizapp.courses.models import JOIN_CODE_LENGTH, Course, CourseMember
from quizapp.enrollment import enroll
from quizapp.extensions import db
from quizapp.models import LearnerModelRecord, User

# No 0/O, 1/I/L: a code read aloud or copied from a projector is typed right the first time.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class CourseError(ValueError):
    """A course action that cannot be carried out, with a message for the user."""


def new_join_code() -> str:
    """A random join code of unambiguous capitals and digits that no course uses yet."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if db.session.scalar(sa.select(Course.id).where(Course.join_code == code)) is None:
            return code


def normalize_code(text: str) -> str:
    """The code as stored: spaces and dashes dropped, upper case (learners type it loosely)."""
    return re.sub(r"[\s-]+", "", text).upper()


def create_course(owner: User, title: str) -> Course:
    """Create a course owned by ``owner`` with a fresh join code."""
    course = Course(owner_id=owner.id, title=title.strip(), join_code=new_join_code())
    db.session.add(course)
    db.session.flush()
    return course


def owned_courses(user: User) -> list[Course]:
    return list(
        db.session.scalars(
            sa.select(Course).where(Course.owner_id == user.id).order_by(Course.created_at)
        )
    )


def joined_courses(user: User) -> list[Course]:
    return list(
        db.session.scalars(
            sa.select(Course)
            .join(CourseMember, CourseMember.course_id == Course.id)
            .where(CourseMember.user_id == user.id)
            .order_by(CourseMember.joined_at)
        )
    )


def can_manage(user: User, course: Course) -> bool:
    """Whether ``user`` may see the course's results and change it (its owner, or an admin)."""
    return visibility.can_manage(user, course.owner_id)


@dataclass(frozen=True)
class JoinResult:
    course: Course
    joined: bool  # False when the user was already a member
    new_sets: int  # sets the user was newly enrolled in


def join_course(user: User, code: str) -> JoinResult:
    """Add ``user`` to the course whose join code is ``code`` and enroll them in its sets.

    Raises:
        CourseError: no course has this code (nothing is written).
    """
    course = db.session.scalar(sa.select(Course).where(Course.join_code == normalize_code(code)))
    if course is None:
        raise CourseError("No class has this code. Check it with your instructor.")
    joined = db.session.get(CourseMember, (course.id, user.id)) is None
    if joined:
        db.session.add(CourseMember(course_id=course.id, user_id=user.id))
    new_sets = sum(enroll(user.id, link.set_id) for link in course.course_sets)
    db.session.flush()
    return JoinResult(course, joined, new_sets)


@dataclass(frozen=True)
class Member:
    """One member of the class (plain columns, no ORM object).

    Attributes:
        parameters: the learner's fitted FSRS-6 parameters when their model uses them, else
            None (the defaults; as ``quizapp.learners.fitting.params_for`` decides).
    """

    user_id: int
    display_name: str
    email: str
    joined_at: datetime
    target: float
    timezone: str
    parameters: tuple[float, ...] | None


def members(
    course: Course,
    *,
    only: Sequence[int] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> list[Member]:
    """The course's members by name, with what their figures need (one query): all of them,
    or those among ``only``, from ``offset`` on, at most ``limit``."""
    model = LearnerModelRecord
    fitted = model.payload["parameters_source"].as_string() == "fitted"
    rows = db.session.execute(
        sa.select(
            User.id,
            User.display_name,
            User.email,
            CourseMember.joined_at,
            User.target_retention,
            User.timezone,
            # Only the parameters out of the model's JSON document, and only when fitted.
            sa.case((fitted, model.payload["parameters"]), else_=sa.null()),
        )
        .join(CourseMember, CourseMember.user_id == User.id)
        .outerjoin(model, model.user_id == User.id)
        .where(CourseMember.course_id == course.id)
        .where(sa.true() if only is None else CourseMember.user_id.in_(list(only)))
        .order_by(User.display_name, User.email, User.id)
        .offset(offset)
        .limit(limit)
    )
    return [
        Member(
            user_id,
            name,
            email,
            joined,
            target,
            zone,
            None if parameters is None else tuple(float(w) for w in parameters),
        )
        for user_id, name, email, joined, target, zone, parameters in rows
    ]


def member_count(course: Course) -> int:
    """How many learners the course has."""
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CourseMember)
        .where(CourseMember.course_id == course.id)
    )
    return int(count or 0)
