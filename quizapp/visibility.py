"""Who may see a question set, and who may change one: the one rule every page applies.

A logged-in user may see a set (its questions, media and their history) when

- the set is published (the catalogue of *Sets* offers it to every account), or
- the user owns it (the instructor who imported or drafted it), or
- it is assigned to a class the user is a member of, or owns (an instructor follows the
  sets of their classes, even one published when it was assigned and withdrawn since), or
- the user is enrolled in it (joined it, or was enrolled by a class, even one since left), or
- the user is an admin.

Anonymous visitors see no set. The rule has two forms that must agree: ``visible_sets(user)``,
a condition on ``QuestionSet`` for queries, and ``can_see_set(user, question_set)`` for one set
already loaded. Changing a set, a draft, an upload or a class is for its owner or an admin
(``can_manage``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.extensions import db
from quizapp.models import Enrollment, QuestionSet, Role, User

__all__ = ["can_manage", "can_see_set", "public_sets", "visible_sets"]


def _account(user: Any) -> User | None:
    """The user if logged in (``current_user`` may be Flask-Login's anonymous user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    assert isinstance(user, User)
    return user


def public_sets() -> sa.ColumnElement[bool]:
    """Sets offered to every account: the published ones."""
    return QuestionSet.is_published.is_(True)


def visible_sets(user: Any) -> sa.ColumnElement[bool]:
    """A condition on ``QuestionSet``: the sets ``user`` may see (see the module's rule)."""
    account = _account(user)
    if account is None:
        return sa.false()
    if account.has_role(Role.ADMIN):
        return sa.true()
    enrolled = sa.select(Enrollment.set_id).where(Enrollment.user_id == account.id)
    in_classes = (
        sa.select(CourseSet.set_id)
        .join(CourseMember, CourseMember.course_id == CourseSet.course_id)
        .where(CourseMember.user_id == account.id)
    )
    of_own_classes = (
        sa.select(CourseSet.set_id)
        .join(Course, Course.id == CourseSet.course_id)
        .where(Course.owner_id == account.id)
    )
    return sa.or_(
        public_sets(),
        QuestionSet.owner_id == account.id,
        QuestionSet.id.in_(enrolled),
        QuestionSet.id.in_(in_classes),
        QuestionSet.id.in_(of_own_classes),
    )


def can_see_set(user: Any, question_set: QuestionSet) -> bool:
    """Whether ``user`` may see ``question_set``, its questions, media and their history."""
    account = _account(user)
    if account is None:
        return False
    # Answered without a query when the set's own columns decide; the rest is the SQL form.
    if question_set.is_published or can_manage(account, question_set.owner_id):
        return True
    found = db.session.scalar(
        sa.select(QuestionSet.id).where(QuestionSet.id == question_set.id, visible_sets(account))
    )
    return found is not None


def can_manage(user: Any, owner_id: int | None) -> bool:
    """Whether ``user`` may see and change what ``owner_id`` owns (a set, a draft, an upload,
    a class): its owner or an admin."""
    account = _account(user)
    if account is None:
        return False
    return (owner_id is not None and owner_id == account.id) or account.has_role(Role.ADMIN)
