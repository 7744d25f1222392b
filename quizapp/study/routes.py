"""Study views: start a session, answer, see the feedback, override, undo, finish."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from quizapp.auth.permissions import signed_in_user
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.grading.registry import get_type
from quizapp.models import Question, ReviewLog, StudySession, Topic
from quizapp.study import answering, bp, sessions
from quizapp.study.common import StudyError
from quizapp.study.feedback import feedback_view, in_session, progress_view
from quizapp.study.history import question_history
from quizapp.study.holds import LEECH_LAPSES
from quizapp.study.presentation import is_blank
from quizapp.visibility import can_see_set

MODES = ("due", "topic", "weak")
MAX_DURATION_MS = 60 * 60 * 1000


def _own_session(session_id: int) -> StudySession:
    return _owned(db.session.get(StudySession, session_id))


def _owned(session: StudySession | None) -> StudySession:
    if session is None:
        abort(404)
    if session.user_id != current_user.id:
        abort(403)
    return session


def _seed(session: StudySession, question: Question) -> int:
    """Shuffle the options the same way on a reload, differently on another visit."""
    digest = hashlib.sha256(f"{session.id}:{question.id}:{session.answered}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _duration_ms(shown_at: str | None, now: datetime) -> int | None:
    try:
        shown = int(shown_at or "")
    except ValueError:
        return None
    return max(0, min(MAX_DURATION_MS, int(now.timestamp() * 1000) - shown))


def _render_question(
    session: StudySession,
    question: Question,
    error: str | None = None,
    *,
    undo_review_id: int | None,
) -> ResponseReturnValue:
    qtype = get_type(question.qtype)
    html = render_template(
        "study/question.html",
        session=session,
        question=question,
        type_label=qtype.label,
        presented=qtype.present(question.spec, _seed(session, question)),
        prog=progress_view(session, utcnow()),
        shown_at=int(time.time() * 1000),
        undo_review_id=undo_review_id,
        error=error,
    )
    return (html, 400) if error else html


@bp.route("/start", methods=["POST"])
@login_required
def start() -> ResponseReturnValue:
    """Start a session: everything due, one topic, or the weakest topics."""
    mode = request.form.get("mode", "due")
    if mode not in MODES:
        abort(400)
    topic_id = request.form.get("topic_id", type=int)
    if mode == "topic" and (topic_id is None or db.session.get(Topic, topic_id) is None):
        abort(400)
    try:
        session = sessions.start_session(signed_in_user(), mode, now=utcnow(), topic_id=topic_id)
    except StudyError as exc:
        db.session.rollback()
        flash(str(exc), "info")
        return redirect(url_for("main.index"))
    session_id = session.id  # read before the commit expires it (a reload otherwise)
    db.session.commit()
    return redirect(url_for("study.show", session_id=session_id))


@bp.route("/<int:session_id>/missed", methods=["POST"])
@login_required
def review_missed(session_id: int) -> ResponseReturnValue:
    """Start a session of the questions missed in a finished one."""
    finished = _own_session(session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        session = sessions.start_missed_session(current_user, finished, now=utcnow())
    except StudyError as exc:
        flash(str(exc), "info")
        return redirect(url_for("study.show", session_id=session_id))
    new_id = session.id
    db.session.commit()
    return redirect(url_for("study.show", session_id=new_id))


@bp.route("/<int:session_id>")
@login_required
def show(session_id: int) -> ResponseReturnValue:
    """Show the session's current question, or its summary once it is over."""
    found, last_answer, shown = answering.session_and_last_answer(session_id, signed_in_user())
    session = _owned(found)
    question = sessions.current_question(session, now=utcnow())
    del shown  # loaded with the session; current_question found it there
    if question is None:
        summary = sessions.session_summary(session, now=utcnow())
        db.session.commit()  # the session's end, and the topic totals computed for it
        return render_template(
            "study/summary.html", session=session, summary=summary, form=EmptyForm()
        )
    changed = bool(db.session.dirty)
    page = _render_question(session, question, undo_review_id=last_answer)
    if changed:
        # The session remembers which question it is showing. Committed after rendering: a
        # commit expires every loaded object, and the page would load them all again.
        db.session.commit()
    return page


@bp.route("/<int:session_id>/answer", methods=["POST"])
@login_required
def answer(session_id: int) -> ResponseReturnValue:
    """Grade the answer to the current question and show the feedback."""
    found, question = answering.session_and_question(
        session_id, request.form.get("question_id", type=int)
    )
    session = _owned(found)
    step = request.form.get("step", type=int)
    if question is None or question.id != session.current_question_id:
        stored = answering.answer_of_step(session, step) if step is not None else None
        if stored is not None:  # a doubled or replayed post: the feedback it got the first time
            return redirect(
                url_for("study.feedback", session_id=session_id, review_id=stored.id), 303
            )
        flash("That question was already answered; here is the next one.", "info")
        return redirect(url_for("study.show", session_id=session_id))
    response = get_type(question.qtype).read(question.spec, request.form.to_dict(flat=False))
    if is_blank(question.qtype, response):
        return _render_question(
            session,
            question,
            error="Give an answer first.",
            undo_review_id=answering.last_answer_id(current_user),
        )
    now = utcnow()
    try:
        result = answering.answer_question(
            signed_in_user(),
            question,
            response,
            duration_ms=_duration_ms(request.form.get("shown_at"), now),
            now=now,
            session=session,
            step=step,
        )
        review_id = result.review.id
        db.session.commit()
    except answering.AlreadyAnswered as done:
        # A doubled or replayed post: show the feedback of the answer stored the first time.
        review_id = done.review.id
        db.session.rollback()
    except StudyError as exc:
        db.session.rollback()
        flash(str(exc), "info")
        return redirect(url_for("study.show", session_id=session_id))
    except IntegrityError:
        # Two posts of one step got past the check at once (it cannot happen while the
        # learner's row is locked; the unique index is the last line): the first one won.
        db.session.rollback()
        stored = answering.answer_of_step(session, step) if step is not None else None
        if stored is None:
            raise
        review_id = stored.id
    return redirect(url_for("study.feedback", session_id=session_id, review_id=review_id), 303)


def _own_review(session: StudySession, review_id: int) -> ReviewLog:
    review = db.session.get(ReviewLog, review_id)
    if review is None or review.user_id != current_user.id or review.undone_at is not None:
        abort(404)
    return review


@bp.route("/<int:session_id>/reviews/<int:review_id>")
@login_required
def feedback(session_id: int, review_id: int) -> str:
    """Show how an answer was graded, the explanation and the source passage."""
    session = _own_session(session_id)
    review = _own_review(session, review_id)
    now = utcnow()
    return render_template(
        "study/feedback.html",
        session=session,
        review=review,
        question=review.question,
        fb=feedback_view(current_user, review, now, in_session(session, review.question_id)),
        prog=progress_view(session, now, answered=True),
        leech_lapses=LEECH_LAPSES,
    )


@bp.route("/<int:session_id>/reviews/<int:review_id>/override", methods=["POST"])
@login_required
def override(session_id: int, review_id: int) -> ResponseReturnValue:
    """Let the learner correct the grade: 'I knew it' or 'I didn't know it'."""
    session = _own_session(session_id)
    review = _own_review(session, review_id)
    kind = request.form.get("kind", "")
    if kind not in ("knew", "didnt_know"):
        abort(400)
    session_id, review_id = session.id, review.id
    try:
        answering.override_answer(current_user, review, kind, now=utcnow(), session=session)
    except StudyError as exc:
        db.session.rollback()
        flash(str(exc), "info")
    else:
        db.session.commit()
    return redirect(url_for("study.feedback", session_id=session_id, review_id=review_id), 303)


@bp.route("/<int:session_id>/undo", methods=["POST"])
@login_required
def undo(session_id: int) -> ResponseReturnValue:
    """Undo the last answer: the review and the memory state are restored exactly."""
    session = _own_session(session_id)
    undone = answering.undo_last_answer(
        current_user,
        now=utcnow(),
        session=session,
        review_id=request.form.get("review_id", type=int),
    )
    db.session.commit()
    if undone is None:
        flash("There is no answer to undo (it may have been undone already).", "info")
    else:
        flash("Answer undone. Here is the question again.", "info")
    return redirect(url_for("study.show", session_id=session_id), 303)


@bp.route("/questions/<int:question_id>/history")
@login_required
def history(question_id: int) -> str:
    """Every answer the learner gave to one question, and its recall over time."""
    question = db.session.get(Question, question_id)
    # 404, not 403: question ids are sequential, so a refusal would tell which ones exist.
    if question is None or not can_see_set(current_user, question.question_set):
        abort(404)
    return render_template(
        "study/history.html",
        question=question,
        history=question_history(current_user, question, now=utcnow()),
    )
