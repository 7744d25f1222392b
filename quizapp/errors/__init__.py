"""Error pages: friendly HTML, no tracebacks."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from quizapp.extensions import db
from quizapp.throttle import retry_after_seconds, wait_in_words

bp = Blueprint("errors", __name__)

_MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Page not found", "There is no page at this address."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("Too large", "The upload is larger than this site accepts."),
    429: ("Too many attempts", "Too many attempts from here. Wait a while and try again."),
    500: ("Something went wrong", "An unexpected error occurred; nothing was saved."),
}


def _render(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = _MESSAGES.get(code, ("Error", "The request could not be completed."))
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message
    ), code


@bp.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> tuple[str, int]:
    """Refuse a state-changing request without a valid CSRF token."""
    return _render(
        400,
        "The form had expired or did not come from this site (CSRF check failed: "
        f"{error.description}). Go back, reload the page and try again.",
    )


@bp.app_errorhandler(RateLimitExceeded)
def too_many_attempts(error: RateLimitExceeded) -> tuple[str, int, dict[str, str]]:
    """Say when the next attempt will be let in (the Retry-After header says it to clients)."""
    wait = retry_after_seconds()
    detail = None
    headers = {}
    if wait is not None:
        detail = (
            "There were too many attempts from here or for this account. "
            f"Try again in {wait_in_words(wait)}."
        )
        headers["Retry-After"] = str(wait)
    body, code = _render(429, detail)
    return body, code, headers


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str, int]:
    """Render any HTTP error with the site's layout."""
    code = error.code or 500
    if code == 413:
        return _render(413)
    return _render(code)


@bp.app_errorhandler(InternalServerError)
def internal_error(error: InternalServerError) -> tuple[str, int]:
    """Roll back whatever the failed request had written and say so, without a traceback."""
    db.session.rollback()
    return _render(500)
