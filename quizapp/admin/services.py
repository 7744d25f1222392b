"""Role administration. Services add and flush; the caller commits."""

from __future__ import annotations

import sqlalchemy as sa

from quizapp.auth.services import set_role
from quizapp.extensions import db
from quizapp.models import Role, User


class LastAdminError(ValueError):
    """Refused: the change would leave the site without an administrator."""


def change_role(user: User, role: Role) -> None:
    """Give ``user`` the role ``role``, keeping at least one admin."""
    if user.role is Role.ADMIN and role is not Role.ADMIN:
        admins = db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == Role.ADMIN))
        if (admins or 0) <= 1:
            raise LastAdminError(f"{user.email} is the only admin: promote another one first.")
    set_role(user, role)
