"""``flask --app quizapp learners ...``: recompute the figures kept per learner."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from quizapp.auth.services import find_user
from quizapp.extensions import db
from quizapp.learners.rebuild import (
    learners_with_history,
    learners_without_figures,
    rebuild_learners,
)

learners_cli = AppGroup("learners", help="The figures kept for each learner.")


@learners_cli.command("rebuild")
@click.option("--user", "email", default=None, help="Only this learner (e-mail).")
@click.option(
    "--missing", is_flag=True, help="Only learners with answers but no figures yet (upgrades)."
)
def rebuild_command(email: str | None, missing: bool) -> None:
    """Recompute every kept figure (recall-model context, topic, question and day counts)
    from the review log, one learner per transaction."""
    if email is not None:
        user = find_user(email)
        if user is None:
            raise click.ClickException(f"No account with the e-mail {email}.")
        ids = [user.id]
    else:
        ids = list(learners_without_figures() if missing else learners_with_history())
    start = time.perf_counter()
    for user_id in ids:
        rebuild_learners([user_id])
        db.session.commit()
    seconds = time.perf_counter() - start
    click.echo(f"Rebuilt the figures of {len(ids)} learner(s) in {seconds:.1f} s.")
