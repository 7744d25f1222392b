"""Deleting an account with everything personal in it. Services flush; the caller commits.

Every row that references the user goes with the account, by each foreign key's own ``ON
DELETE`` rule, applied here statement by statement (children first) rather than left to the
database: the result is the same on PostgreSQL and on SQLite whether or not SQLite enforces
foreign keys. Reviews are removed, not anonymised: the class pages count a learner only while
they are a member of the class, so a departed learner's answers would count nowhere anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from quizapp.admin.services import lock_admins
from quizapp.auth.passwords import verify_password
from quizapp.auth.services import AccountError
from quizapp.courses.models import Course
from quizapp.db import Base
from quizapp.extensions import db
from quizapp.humanize import plural
from quizapp.models import QuestionSet, Role, User

CONFIRM_WORD = "DELETE"


@dataclass(frozen=True)
class Blocker:
    """Why the account cannot be deleted yet, and the page (an endpoint) where to fix it."""

    reason: str
    endpoint: str
    link_text: str


class DeletionRefused(AccountError):
    """The account holds something that must not go with it (see ``blockers``)."""

    def __init__(self, blockers: list[Blocker]) -> None:
        super().__init__(" ".join(blocker.reason for blocker in blockers))
        self.blockers = blockers


def deletion_blockers(user: User, *, lock: bool = False) -> list[Blocker]:
    """What stops the account from being deleted now (nothing: an empty list); with ``lock``,
    the admins' rows stay locked until the transaction ends (``_last_admin``)."""
    blockers = []
    sets = db.session.scalar(sa.select(sa.func.count()).where(QuestionSet.owner_id == user.id))
    if sets:
        blockers.append(
            Blocker(
                f"You own {plural(sets, 'question set')}: learners' history hangs on them. "
                "Ask an administrator to hand them over to another instructor first.",
                "instructor.index",
                "Your question sets (Teach)",
            )
        )
    courses = db.session.scalar(sa.select(sa.func.count()).where(Course.owner_id == user.id))
    if courses:
        blockers.append(
            Blocker(
                f"You own {plural(courses, 'class')}: deleting your account would delete "
                "them and their members' enrollment. Ask an administrator to hand them over "
                "to another instructor first.",
                "courses.index",
                "Your classes",
            )
        )
    if _last_admin(user, lock=lock):
        blockers.append(
            Blocker(
                "You are the only administrator: make another account an administrator first.",
                "admin.users",
                "Users and roles",
            )
        )
    return blockers


def hand_over(owner: User, recipient: User) -> tuple[int, int]:
    """Give ``owner``'s question sets and classes to ``recipient``, an instructor (learners'
    history and class members stay as they are); returns how many sets and classes moved."""
    if recipient.id == owner.id:
        raise AccountError("Hand the sets and classes over to someone else.")
    if not recipient.has_role(Role.INSTRUCTOR):
        raise AccountError(f"{recipient.email} is not an instructor: make them one first.")
    moved = []
    for model in (QuestionSet, Course):
        ids = db.session.scalars(sa.select(model.id).where(model.owner_id == owner.id)).all()
        db.session.execute(
            sa.update(model).where(model.id.in_(ids)).values(owner_id=recipient.id),
            execution_options={"synchronize_session": "fetch"},
        )
        moved.append(len(ids))
    db.session.flush()
    return moved[0], moved[1]


def _last_admin(user: User, *, lock: bool) -> bool:
    """Whether ``user`` is the only admin. With ``lock``, read under the admins' row locks
    (``lock_admins``, as a demotion takes them) until the transaction ends: two admins cannot
    each delete themselves (or demote the other) believing the other stays."""
    if lock:
        admins = lock_admins()
        return user in admins and len(admins) <= 1
    others = db.session.scalar(
        sa.select(sa.func.count()).where(User.role == Role.ADMIN, User.id != user.id)
    )
    return user.role is Role.ADMIN and not others


def delete_account(user: User, password: str) -> None:
    """Delete ``user`` and every row about them, once ``password`` is theirs and nothing
    blocks it (``AccountError`` otherwise, ``DeletionRefused`` with the blockers)."""
    if not verify_password(user.password_hash, password):
        raise AccountError("The password is not correct.")
    blockers = deletion_blockers(user, lock=True)
    if blockers:
        raise DeletionRefused(blockers)
    users = Base.metadata.tables["users"]
    user_id = user.id
    # The statements below bypass the ORM: the object must not be flushed or refreshed later.
    db.session.expunge(user)
    _delete_rows(users, users.c.id == user_id)
    db.session.flush()


def _referencing(table: sa.Table) -> list[tuple[sa.Table, sa.ForeignKey]]:
    """The foreign keys pointing at ``table``, dependants' tables first."""
    return [
        (child, fk)
        for child in reversed(Base.metadata.sorted_tables)
        for fk in child.foreign_keys
        if fk.column.table is table
    ]


def _delete_rows(table: sa.Table, where: sa.ColumnElement[bool]) -> None:
    """Delete ``table``'s rows matching ``where`` after applying, to the rows that reference
    them, what their foreign keys' ``ON DELETE`` says (CASCADE: delete, SET NULL: clear)."""
    for child, fk in _referencing(table):
        keys = sa.select(fk.column).where(where)
        action = (fk.ondelete or "").upper()
        if action == "CASCADE":
            _delete_rows(child, fk.parent.in_(keys))
        elif action == "SET NULL":
            db.session.execute(
                sa.update(child).where(fk.parent.in_(keys)).values({fk.parent: None})
            )
        # Otherwise (no action, restrict) the database refuses the delete, as it should.
    db.session.execute(sa.delete(table).where(where))
