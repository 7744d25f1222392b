"""Instructor views: the typed answers of a set's learners marked wrong most often, and
accepting one (``quizapp.instructor.typed_answers``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from quizapp.auth.permissions import role_required
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.instructor import bp
from quizapp.instructor.transfer import own_set
from quizapp.instructor.typed_answers import AcceptError, accept_typed_answer, wrong_typed_answers
from quizapp.models import Question, Role

MAX_ANSWER_LENGTH = 300


@bp.route("/sets/<set_uid>/typed-answers")
@role_required(Role.INSTRUCTOR)
def typed_answers(set_uid: str) -> str:
    """Per typed question, the answers graded wrong most often, each with an Accept button."""
    question_set = own_set(set_uid)
    return render_template(
        "instructor/typed_answers.html",
        question_set=question_set,
        questions=wrong_typed_answers(question_set),
        form=EmptyForm(),
    )


@bp.route("/sets/<set_uid>/questions/<int:question_id>/accept", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def accept_answer(set_uid: str, question_id: int) -> ResponseReturnValue:
    """Accept a typed answer for one part of a question; learners' answers are regraded."""
    question_set = own_set(set_uid)
    question = db.session.get(Question, question_id)
    if question is None or question.set_id != question_set.id:
        abort(404)
    part = request.form.get("part", type=int)
    answer = request.form.get("answer", "")
    if not EmptyForm().validate_on_submit() or part is None or len(answer) > MAX_ANSWER_LENGTH:
        abort(400)
    back = url_for("instructor.typed_answers", set_uid=set_uid, _anchor=f"q-{question.id}")
    try:
        change = accept_typed_answer(current_user, question, part, answer, now=utcnow())
    except AcceptError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    flash(
        f"“{change.change['accepted']}” is now accepted. Learners who gave it are being "
        "graded again; their memory of the question follows.",
        "success",
    )
    return redirect(back)
