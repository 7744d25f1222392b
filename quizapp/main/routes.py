"""Home page and the catalogue of question sets."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from quizapp.auth.permissions import signed_in_user
from quizapp.catalog import set_overviews
from quizapp.db import utcnow
from quizapp.enrollment import ExamDateError, join_set, leave_set, set_exam_date
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.learners.calendar import local_date
from quizapp.main import bp
from quizapp.main.dashboard import dashboard
from quizapp.models import QuestionSet
from quizapp.study.common import enrolled_set_ids
from quizapp.visibility import public_sets


@bp.route("/")
def index() -> str:
    """Show the home page: the sign-in invitation, or the learner's dashboard."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    page = render_template("main/home.html", **dashboard(signed_in_user()))
    # The topic totals computed for this page are kept for the next ones (committed after
    # rendering: a commit expires the loaded user, whom the page would load again).
    db.session.commit()
    return page


@bp.route("/sets")
@login_required
def sets() -> str:
    """Browse the published question sets, with join and leave buttons."""
    return render_template(
        "main/sets.html",
        overviews=set_overviews(),
        enrolled=set(enrolled_set_ids(current_user)),
        form=EmptyForm(),
    )


def _published_set(uid: str) -> QuestionSet:
    qs = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == uid, public_sets()))
    if qs is None:
        abort(404)
    return qs


@bp.route("/sets/<uid>/join", methods=["POST"])
@login_required
def join(uid: str) -> ResponseReturnValue:
    """Start studying a set."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    qs = _published_set(uid)
    if join_set(current_user, qs):
        flash(f"You joined “{qs.title}”. Its questions are now in your study queue.", "success")
    db.session.commit()
    return redirect(url_for("main.sets"))


@bp.route("/sets/<uid>/exam", methods=["POST"])
@login_required
def exam(uid: str) -> ResponseReturnValue:
    """Plan for an exam on a set on a given day (an empty day takes the plan back)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    qs = _published_set(uid)
    text = (request.form.get("exam_date") or "").strip()
    try:
        day = date.fromisoformat(text) if text else None
        set_exam_date(current_user, qs, day, local_date(current_user, utcnow()))
    except ValueError as exc:
        db.session.rollback()
        message = str(exc) if isinstance(exc, ExamDateError) else f"“{text}” is not a date."
        flash(message, "error")
    else:
        db.session.commit()
        if day is None:
            flash(f"No exam planned on “{qs.title}” any more.", "info")
        else:
            flash(
                f"Planned: your topics of “{qs.title}” aim for your exam on {day:%d %B %Y}.",
                "success",
            )
    return redirect(url_for("main.index", _anchor="plans"))


@bp.route("/sets/<uid>/leave", methods=["POST"])
@login_required
def leave(uid: str) -> ResponseReturnValue:
    """Stop studying a set (the history is kept)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    qs = _published_set(uid)
    if leave_set(current_user, qs):
        flash(f"You left “{qs.title}”. Your answers are kept if you join again.", "info")
    db.session.commit()
    return redirect(url_for("main.sets"))
