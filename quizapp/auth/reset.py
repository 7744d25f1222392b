"""Password reset links: signed, time-limited and single-use, sent by e-mail.

A token is the user's id and a fingerprint of their password hash and session version, signed
with the app's secret key and a timestamp (itsdangerous). It is valid for an hour and only while
the fingerprint still matches: setting the new password (or logging out everywhere) changes the
fingerprint, so a link works once. Nothing is stored per token.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from quizapp.extensions import db
from quizapp.mail import send_mail
from quizapp.models import User

__all__ = [
    "RESET_MAX_AGE_SECONDS",
    "InvalidResetLink",
    "external_url",
    "make_reset_token",
    "reset_link",
    "send_reset_link",
    "user_for_reset_token",
]

RESET_MAX_AGE_SECONDS = 60 * 60
_SALT = "quizapp.password-reset"

EXPIRED_MESSAGE = (
    "This password reset link has expired (links work for one hour): ask for a new one."
)
USED_MESSAGE = (
    "This password reset link has already been used, or the password was changed since it was "
    "sent: ask for a new one if you still need it."
)
INVALID_MESSAGE = (
    "This password reset link is not valid: check that it was copied whole, or ask for a new one."
)


class InvalidResetLink(ValueError):
    """A reset token that is forged, expired or already used, with a message for the user."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _fingerprint(user: User) -> str:
    """Changes whenever the password is set (a new salted hash) or every login is ended."""
    material = f"{user.password_hash}:{user.session_version or 0}".encode()
    return hashlib.sha256(material).hexdigest()[:20]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "fp": _fingerprint(user)})


def user_for_reset_token(token: str, max_age: int = RESET_MAX_AGE_SECONDS) -> User:
    """The user a valid token was made for; InvalidResetLink says why it is not valid."""
    try:
        data: Any = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidResetLink(EXPIRED_MESSAGE) from exc
    except BadSignature as exc:
        raise InvalidResetLink(INVALID_MESSAGE) from exc
    if not isinstance(data, dict) or not isinstance(data.get("user"), int):
        raise InvalidResetLink(INVALID_MESSAGE)
    user = db.session.get(User, data["user"])
    if user is None:
        raise InvalidResetLink(INVALID_MESSAGE)
    if data.get("fp") != _fingerprint(user):
        raise InvalidResetLink(USED_MESSAGE)
    return user


def external_url(endpoint: str, *, base_url: str | None = None, **values: Any) -> str:
    """An absolute URL for links that leave the site (mail, the terminal).

    Built on ``base_url`` or else ``QUIZAPP_BASE_URL`` when set, with or without a request;
    otherwise on the address the current request came to.
    """
    base = base_url or current_app.config.get("QUIZAPP_BASE_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def reset_link(user: User, *, base_url: str | None = None) -> str:
    return external_url("auth.reset_password", base_url=base_url, token=make_reset_token(user))


def send_reset_link(user: User, link: str | None = None) -> None:
    """Mail ``user`` a link to set a new password (``link``: one made for them earlier, in the
    request that asked; MailError when the server fails)."""
    minutes = RESET_MAX_AGE_SECONDS // 60
    body = (
        f"Hello {user.display_name},\n\n"
        "Someone (we hope you) asked to set a new password for your quizapp account "
        f"{user.email}. Open this link within {minutes} minutes to choose one:\n\n"
        f"{link or reset_link(user)}\n\n"
        "The link works once. If you did not ask for it, ignore this message: your password "
        "stays as it is.\n"
    )
    send_mail(user.email, "Set a new quizapp password", body)
