"""Account services. They add and flush; the caller commits."""

from __future__ import annotations

from zoneinfo import available_timezones

import sqlalchemy as sa

from quizapp.auth.passwords import hash_password, needs_rehash, verify_password
from quizapp.auth.policy import password_problems
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.models import Role, User


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with a message for the user."""


class WeakPasswordError(AccountError):
    """A password the policy refuses; ``reasons`` says why, one message per reason."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def check_password_strength(password: str, *, email: str = "", display_name: str = "") -> None:
    """Raise WeakPasswordError with every reason the policy refuses ``password`` for."""
    reasons = password_problems(password, email=email, display_name=display_name)
    if reasons:
        raise WeakPasswordError(reasons)


def register_user(
    email: str,
    password: str,
    display_name: str = "",
    role: Role = Role.LEARNER,
    *,
    timezone: str = "",
) -> User:
    """Create an account; raise AccountError if the e-mail is taken or the password weak.

    ``timezone`` is the browser's zone (an IANA name); one that is not a known zone gives UTC.
    """
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(f"An account with the e-mail {email} already exists.")
    display_name = display_name.strip() or email.split("@")[0]
    check_password_strength(password, email=email, display_name=display_name)
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        timezone=timezone if timezone in available_timezones() else "UTC",
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the user whose e-mail and password match, or None."""
    user = find_user(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    assert user is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Check the current password, then set ``new`` (which ends every login of ``user``)."""
    if not verify_password(user.password_hash, current):
        raise AccountError("The current password is not correct.")
    set_password(user, new)


def set_password(user: User, password: str) -> None:
    """Set a password the policy accepts and end every login of ``user`` (the caller logs the
    current one in again if it should stay)."""
    check_password_strength(password, email=user.email, display_name=user.display_name)
    user.password_hash = hash_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End every login of ``user``: each cookie carries the session version it was issued
    under (``User.get_id``), and ``load_user`` refuses any other."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def user_for_login_id(value: str) -> User | None:
    """The user a login cookie names, or None when it is malformed or its version is old."""
    user_id, sep, version = value.partition(":")
    if not (sep and user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def set_role(user: User, role: Role) -> None:
    user.role = role
    db.session.flush()
