"""``flask --app quizapp users reset-password``: a way back into an account from the server."""

from __future__ import annotations

import click
from flask import current_app

from quizapp.auth.reset import RESET_MAX_AGE_SECONDS, reset_link
from quizapp.auth.services import AccountError, find_user, set_password
from quizapp.extensions import db

# Where links point when QUIZAPP_BASE_URL is not set (the address ``make run`` serves on).
FALLBACK_BASE_URL = "http://127.0.0.1:5000"


@click.command("reset-password")
@click.argument("email")
@click.option(
    "--password",
    default=None,
    help="Set this password now (checked like any other) instead of printing a link.",
)
def reset_password_command(email: str, password: str | None) -> None:
    """Print a link that sets a new password for EMAIL, or set one with --password.

    Either way, once the password is set every login of the account ends.
    """
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No account with the e-mail {email}.")
    if password is not None:
        try:
            set_password(user, password)
        except AccountError as exc:
            db.session.rollback()
            raise click.ClickException(f"Password refused: {exc}") from exc
        db.session.commit()
        click.echo(f"Set a new password for {user.email}; every login of the account has ended.")
        return
    base_url = current_app.config.get("QUIZAPP_BASE_URL")
    if not base_url:
        base_url = FALLBACK_BASE_URL
        click.echo(f"QUIZAPP_BASE_URL is not set: the link points at {base_url}.", err=True)
    minutes = RESET_MAX_AGE_SECONDS // 60
    click.echo(f"Link to set a new password for {user.email} (works once, for {minutes} minutes):")
    click.echo(reset_link(user, base_url=base_url))
