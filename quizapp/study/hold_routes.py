"""The learner's holds on a question: suspend, bury until tomorrow, flag for the instructor
(from the feedback page, with the keys s, b and f), and the page of held questions where a
suspension is taken back."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.humanize import localtime
from quizapp.models import Question, ReviewLog, StudySession
from quizapp.study import bp, holds
from quizapp.study.common import StudyError
from quizapp.visibility import can_see_set


def _session_and_review(session_id: int, review_id: int) -> tuple[StudySession, ReviewLog]:
    session = db.session.get(StudySession, session_id)
    review = db.session.get(ReviewLog, review_id)
    if (
        session is None
        or review is None
        or session.user_id != current_user.id
        or review.user_id != current_user.id
    ):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return session, review


@bp.route("/<int:session_id>/reviews/<int:review_id>/suspend", methods=["POST"])
@login_required
def suspend(session_id: int, review_id: int) -> ResponseReturnValue:
    """Leave the question just answered out of every queue, until taken back."""
    session, review = _session_and_review(session_id, review_id)
    try:
        holds.suspend(current_user, review.question, utcnow(), session=session)
    except StudyError as exc:
        db.session.rollback()
        flash(str(exc), "info")
        return redirect(url_for("study.feedback", session_id=session_id, review_id=review_id))
    db.session.commit()
    flash("Suspended: it is not asked again until you take it back (Held questions).", "info")
    return redirect(url_for("study.show", session_id=session_id), 303)


@bp.route("/<int:session_id>/reviews/<int:review_id>/bury", methods=["POST"])
@login_required
def bury(session_id: int, review_id: int) -> ResponseReturnValue:
    """Leave the question just answered out until tomorrow."""
    session, review = _session_and_review(session_id, review_id)
    try:
        back = holds.bury(current_user, review.question, utcnow(), session=session)
    except StudyError as exc:
        db.session.rollback()
        flash(str(exc), "info")
        return redirect(url_for("study.feedback", session_id=session_id, review_id=review_id))
    db.session.commit()
    flash(f"Buried until {localtime(back, current_user.timezone)}.", "info")
    return redirect(url_for("study.show", session_id=session_id), 303)


@bp.route("/<int:session_id>/reviews/<int:review_id>/flag", methods=["POST"])
@login_required
def flag(session_id: int, review_id: int) -> ResponseReturnValue:
    """Tell the instructor something is wrong with the question just answered."""
    _, review = _session_and_review(session_id, review_id)
    try:
        holds.flag(current_user, review.question, request.form.get("comment", ""), utcnow())
    except StudyError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Thank you: your note is on the question's page for the instructor.", "success")
    return redirect(url_for("study.feedback", session_id=session_id, review_id=review_id), 303)


@bp.route("/held")
@login_required
def held() -> str:
    """The learner's suspended and buried questions, leeches first with a suggestion."""
    return render_template(
        "study/held.html", held=holds.held_questions(current_user, utcnow()), form=EmptyForm()
    )


@bp.route("/held/<int:question_id>/unsuspend", methods=["POST"])
@login_required
def unsuspend(question_id: int) -> ResponseReturnValue:
    """Take a suspended (or buried) question back into the queues."""
    question = db.session.get(Question, question_id)
    if question is None or not can_see_set(current_user, question.question_set):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        holds.unsuspend(current_user, question)
    except StudyError:
        abort(404)
    db.session.commit()
    flash("Taken back: the question is in your queues again.", "success")
    return redirect(url_for("study.held"), 303)
