"""The accounts' background jobs (run by ``quizapp.jobs``: an RQ worker or a thread)."""

from __future__ import annotations

from flask import current_app

from quizapp.auth.reset import send_reset_link
from quizapp.extensions import db
from quizapp.jobs import job
from quizapp.mail import MailError
from quizapp.models import User

RESET_MAIL_JOB = "send_password_reset_mail"


@job(RESET_MAIL_JOB)
def send_password_reset_mail(user_id: int, link: str) -> None:
    """Mail a reset link asked for on the "forgot" page. Off the request, so that the page
    takes as long whether or not the address has an account (talking to the mail server is
    the slow part); a failure is logged and the job retried by the queue."""
    user = db.session.get(User, user_id)
    if user is None:
        return
    try:
        send_reset_link(user, link)
    except MailError:
        current_app.logger.exception("password reset mail to user %s failed", user_id)
        raise
