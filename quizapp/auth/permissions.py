"""Role checks for views: ``@role_required(Role.INSTRUCTOR)`` refuses others with 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import abort
from flask_login import current_user, login_required

from quizapp.models import Role, User

P = ParamSpec("P")
R = TypeVar("R")


def role_required(role: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let through logged-in users whose role is ``role`` or above; 403 for the others."""

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)  # type: ignore[no-any-return]

    return decorator


def signed_in_user() -> User:
    """The logged-in user itself rather than the ``current_user`` proxy: a service reads its
    attributes hundreds of times on a page (its time zone per topic, its id per query), and
    each read through the proxy looks the user up again in the request's context."""
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


def inject_roles() -> dict[str, Any]:
    """Make ``Role`` available to every template."""
    return {"Role": Role}
