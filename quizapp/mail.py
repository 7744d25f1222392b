"""Outgoing mail through SMTP (stdlib ``smtplib``), or into the log when no server is set.

Settings (read by ``quizapp.config.settings_from_env``): ``QUIZAPP_SMTP_HOST``, ``_PORT``,
``_USER``, ``_PASSWORD``, ``_STARTTLS`` and ``QUIZAPP_MAIL_FROM``. Without a host (the
default) the message is written to the app's log as a warning, so that a development server
(``make run``) can still reset passwords: the link is in the log.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

__all__ = ["MailError", "send_mail"]

SMTP_TIMEOUT_SECONDS = 15


class MailError(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message to ``to``; raise MailError when the server fails."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["QUIZAPP_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    sender_domain = str(config["QUIZAPP_MAIL_FROM"]).rpartition("@")[2].strip("> ") or None
    message["Message-ID"] = make_msgid(domain=sender_domain)
    message.set_content(body)
    host = config.get("QUIZAPP_SMTP_HOST")
    if not host:
        current_app.logger.warning(
            "No SMTP server is set (QUIZAPP_SMTP_HOST): this mail was not sent.\n"
            "To: %s\nSubject: %s\n\n%s",
            to,
            subject,
            body,
        )
        return
    try:
        with smtplib.SMTP(
            host, int(config["QUIZAPP_SMTP_PORT"]), timeout=SMTP_TIMEOUT_SECONDS
        ) as smtp:
            if config.get("QUIZAPP_SMTP_STARTTLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("QUIZAPP_SMTP_USER"):
                smtp.login(config["QUIZAPP_SMTP_USER"], config.get("QUIZAPP_SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"could not send mail through {host}: {exc}") from exc
