"""Role administration. Services add and flush; the caller commits."""

from __future__ import annotations

import sqlalchemy as sa

from quizapp.auth.services import set_role
from quizapp.extensions import db
from quizapp.models import Role, User


class LastAdminError(ValueError):
    """Refused: the change would leave the site without an administrator."""


def lock_admins() -> list[User]:
    """The admins as they are now, their rows locked until the transaction ends.

    On PostgreSQL ``SELECT ... FOR UPDATE`` (in id order, so two callers cannot deadlock): a
    second caller waits here for the first one's commit, then reads the admins as that commit
    left them. SQLite has no row locks; a request that writes holds its write lock from its
    first statement (``quizapp.db``), which serialises the same way.
    """
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.ADMIN)
            .order_by(User.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def change_role(user: User, role: Role) -> None:
    """Give ``user`` the role ``role``, keeping at least one admin.

    The check and the change happen under the admins' locks: two admins demoting each other
    at the same moment cannot both pass the check.
    """
    if role is not Role.ADMIN:
        # Whether ``user`` is an admin is read under the lock too: the row loaded before it
        # may be out of date.
        admins = lock_admins()
        if user in admins and len(admins) <= 1:
            raise LastAdminError(f"{user.email} is the only admin: promote another one first.")
    set_role(user, role)
