"""Account services. They add and flush; the caller commits."""

from __future__ import annotations

import sqlalchemy as sa

from quizapp.auth.passwords import hash_password, needs_rehash, verify_password
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.models import Role, User

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with a message for the user."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def register_user(
    email: str, password: str, display_name: str = "", role: Role = Role.LEARNER
) -> User:
    """Create an account; raise AccountError if the e-mail is taken or the password weak."""
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(f"An account with the e-mail {email} already exists.")
    check_password_strength(password)
    user = User(
        email=email,
        display_name=display_name.strip() or email.split("@")[0],
        password_hash=hash_password(password),
        role=role,
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
    if not verify_password(user.password_hash, current):
        raise AccountError("The current password is not correct.")
    check_password_strength(new)
    user.password_hash = hash_password(new)
    db.session.flush()


def set_role(user: User, role: Role) -> None:
    user.role = role
    db.session.flush()
