"""Throttling of what an attacker repeats: logins, registrations, password resets, class joins.

Flask-Limiter counts attempts per client address (and, for logins, per account) in fixed
windows. The limits are tested before the view runs, so a throttled login never computes a
password hash. Logins and joins count only failures (a 401 or a 400), so a learner who types
their password right is never held back by their own earlier successes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import TypeVar, cast

from flask import Response, request
from flask_limiter.util import get_remote_address

from quizapp.extensions import limiter

F = TypeVar("F", bound=Callable[..., object])

LOGIN_PER_ACCOUNT = "10 per 15 minutes"
LOGIN_PER_ADDRESS = "50 per 15 minutes"
REGISTER_PER_ADDRESS = "10 per hour"
RESET_PER_ADDRESS = "5 per 15 minutes"
JOIN_PER_ADDRESS = "20 per 15 minutes"


def _failed(response: Response) -> bool:
    return response.status_code in (400, 401)


def _posted_email() -> str:
    """The account a login is aimed at, as typed (case and spaces do not make a new key)."""
    return (request.form.get("email") or "").strip().lower() or get_remote_address()


def throttle_login(view: F) -> F:
    """Failed logins: per account (guessing one password) and per address (spraying many)."""
    limited = limiter.limit(
        LOGIN_PER_ACCOUNT,
        key_func=_posted_email,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-account",
    )(view)
    return cast(
        F,
        limiter.limit(
            LOGIN_PER_ADDRESS, methods=["POST"], deduct_when=_failed, scope="login-address"
        )(limited),
    )


def throttle_registration(view: F) -> F:
    """Account creation per address, successful or not."""
    return cast(F, limiter.limit(REGISTER_PER_ADDRESS, methods=["POST"], scope="register")(view))


def throttle_password_reset(view: F) -> F:
    """Reset e-mails asked for per address (each may send mail)."""
    return cast(F, limiter.limit(RESET_PER_ADDRESS, methods=["POST"], scope="password-reset")(view))


def throttle_join(view: F) -> F:
    """Wrong class-join codes per address (join codes are short: guessing must be slow)."""
    limit = limiter.limit(JOIN_PER_ADDRESS, methods=["POST"], deduct_when=_failed, scope="join")
    return cast(F, limit(view))


def retry_after_seconds() -> int | None:
    """Seconds until the limit this request broke lets the next attempt in."""
    current = limiter.current_limit
    if current is None:
        return None
    # reset_at is an epoch time the limits library took from time.time(): the wait is measured
    # on that library's clock, not on the app's utcnow(), so this stays time.time().
    return max(1, math.ceil(current.reset_at - time.time()))


def wait_in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
