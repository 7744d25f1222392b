"""``flask --app quizapp classes estimate``: the class's estimates of each question."""

from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from quizapp.classmodel.service import refresh_estimates
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.models import QuestionSet

classes_cli = AppGroup("classes", help="What the class's answers say of each question.")


@classes_cli.command("estimate")
@click.option("--set", "set_id", type=int, default=None, help="Only this question set (id).")
@click.option("--stale", is_flag=True, help="Only sets with enough new first answers.")
def estimate_command(set_id: int | None, stale: bool) -> None:
    """Estimate every question's easiness from the class's first answers, one set per
    transaction (what the scheduler starts a learner's first answer with)."""
    if set_id is not None:
        if db.session.get(QuestionSet, set_id) is None:
            raise click.ClickException(f"No question set with the id {set_id}.")
        ids = [set_id]
    else:
        ids = list(db.session.scalars(sa.select(QuestionSet.id).order_by(QuestionSet.id)))
    start = time.perf_counter()
    done = 0
    for one in ids:
        done += refresh_estimates(one, utcnow(), force=not stale)
        db.session.commit()
    seconds = time.perf_counter() - start
    click.echo(f"Estimated {done} of {len(ids)} question set(s) in {seconds:.1f} s.")
