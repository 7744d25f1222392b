"""``flask --app quizapp users hand-over``: what an instructor owns goes to another one, so
that the first can delete their account (or leave)."""

from __future__ import annotations

import click

from quizapp.account.deletion import hand_over
from quizapp.auth.services import AccountError, find_user
from quizapp.extensions import db


@click.command("hand-over")
@click.argument("from_email")
@click.argument("to_email")
def hand_over_command(from_email: str, to_email: str) -> None:
    """Make TO_EMAIL (an instructor) the owner of FROM_EMAIL's question sets and classes."""
    owner, recipient = find_user(from_email), find_user(to_email)
    if owner is None or recipient is None:
        missing = from_email if owner is None else to_email
        raise click.ClickException(f"No account with the e-mail {missing}.")
    try:
        sets, courses = hand_over(owner, recipient)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{recipient.email} now owns {sets} question set(s) and {courses} class(es) more.")
