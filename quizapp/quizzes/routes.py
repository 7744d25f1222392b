"""The learner's quiz pages: the quizzes of their classes and their own, a quiz's page, taking
an attempt one question a page (with a navigation panel, flags and a countdown), the page
that confirms submission, and the review of a submitted attempt. "Quiz me" sets a quiz for
oneself.

Every page of an attempt first submits it if its time is up (the server's deadline, not the
browser's countdown, decides); the scheduled job does the same for attempts nobody opens.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from quizapp.courses.models import Course, CourseMember
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.grading import get_type
from quizapp.jobs import schedule_after_commit
from quizapp.models import Question
from quizapp.quizzes import attempts, bp, taking
from quizapp.quizzes.jobs import CLOSE_OVERDUE_JOB
from quizapp.quizzes.models import Quiz, QuizAttempt
from quizapp.study import sessions
from quizapp.study.common import StudyError
from quizapp.visibility import can_manage


def _teaches(quiz: Quiz) -> bool:
    course = db.session.get(Course, quiz.course_id) if quiz.course_id else None
    return course is not None and can_manage(current_user, course.owner_id)


def _may_take(quiz: Quiz) -> bool:
    if quiz.course_id is None:
        return bool(quiz.owner_id == current_user.id)
    member = db.session.get(CourseMember, (quiz.course_id, current_user.id))
    return member is not None or _teaches(quiz)


def _quiz(quiz_id: int) -> Quiz:
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or not _may_take(quiz):
        abort(404)
    return quiz


def _attempt(attempt_id: int, *, teacher_too: bool = False) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None:
        abort(404)
    if attempt.user_id != current_user.id and not (teacher_too and _teaches(attempt.quiz)):
        abort(404)
    return attempt


def _close_if_due(attempt: QuizAttempt, now: datetime) -> bool:
    """Submit the attempt if its time is up; whether it was."""
    if attempt.is_open and attempt.deadline is not None and now >= attempt.deadline:
        attempts.close_overdue(now, quiz_id=attempt.quiz_id, user_id=attempt.user_id)
        db.session.commit()
        flash("The time was up: your attempt was submitted with the answers saved.", "info")
        return True
    return False


@bp.route("/")
@login_required
def index() -> str:
    """The quizzes of the learner's classes, and their own."""
    now = utcnow()
    attempts.close_overdue(now, user_id=current_user.id)
    db.session.commit()
    return render_template(
        "quizzes/index.html",
        rows=taking.quiz_rows(current_user, now),
        form=EmptyForm(),
    )


@bp.route("/<int:quiz_id>")
@login_required
def quiz(quiz_id: int) -> str:
    """A quiz: its instructions, rules, the learner's attempts and a way to start one."""
    found = _quiz(quiz_id)
    now = utcnow()
    attempts.close_overdue(now, quiz_id=found.id, user_id=current_user.id)
    db.session.commit()
    return render_template(
        "quizzes/quiz.html",
        view=taking.quiz_view(found, current_user, now),
        teaches=_teaches(found),
        form=EmptyForm(),
    )


@bp.route("/<int:quiz_id>/start", methods=["POST"])
@login_required
def start(quiz_id: int) -> ResponseReturnValue:
    """Start an attempt (or go back to the open one)."""
    found = _quiz(quiz_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    now = utcnow()
    try:
        attempt = attempts.start(found, current_user, now)
    except attempts.QuizError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("quizzes.quiz", quiz_id=quiz_id))
    if attempt.deadline is not None:
        schedule_after_commit(attempt.deadline, CLOSE_OVERDUE_JOB)
    attempt_id = attempt.id
    first = taking.first_unanswered(attempt)
    db.session.commit()
    return redirect(url_for("quizzes.question", attempt_id=attempt_id, n=first))


def _target(attempt: QuizAttempt, n: int, go: str) -> ResponseReturnValue:
    total = len(attempt.question_ids)
    if go == "summary":
        return redirect(url_for("quizzes.summary", attempt_id=attempt.id))
    if go == "prev":
        n -= 1
    elif go == "next":
        n += 1
    elif go.isdigit():
        n = int(go)
    if n > total:
        return redirect(url_for("quizzes.summary", attempt_id=attempt.id))
    return redirect(url_for("quizzes.question", attempt_id=attempt.id, n=max(1, n)))


@bp.route("/attempts/<int:attempt_id>/<int:n>", methods=["GET", "POST"])
@login_required
def question(attempt_id: int, n: int) -> ResponseReturnValue:
    """Question ``n`` of an open attempt; a post saves its answer and flag, then goes on."""
    attempt = _attempt(attempt_id)
    now = utcnow()
    if _close_if_due(attempt, now) or not attempt.is_open:
        return redirect(url_for("quizzes.review", attempt_id=attempt_id))
    if not 1 <= n <= len(attempt.question_ids):
        abort(404)
    question_id = attempt.question_ids[n - 1]
    shown = db.session.get(Question, question_id)
    if shown is None:
        abort(404)
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        response = get_type(shown.qtype).read(shown.spec, request.form.to_dict(flat=False))
        try:
            attempts.save(
                attempt_id, question_id, response, now, flagged=request.form.get("flag") == "on"
            )
            db.session.commit()
        except attempts.QuizError as exc:
            db.session.commit()  # a submission by the timer stands
            flash(str(exc), "error")
            return redirect(url_for("quizzes.review", attempt_id=attempt_id))
        if request.headers.get("X-Autosave"):
            return "", 204
        return _target(attempt, n, request.form.get("go", "next"))
    return render_template(
        "quizzes/question.html",
        page=taking.question_page(attempt, n, now),
        form=EmptyForm(),
    )


@bp.route("/attempts/<int:attempt_id>/summary")
@login_required
def summary(attempt_id: int) -> ResponseReturnValue:
    """Before submitting: every question's state, the unanswered ones first to see."""
    attempt = _attempt(attempt_id)
    now = utcnow()
    if _close_if_due(attempt, now) or not attempt.is_open:
        return redirect(url_for("quizzes.review", attempt_id=attempt_id))
    return render_template(
        "quizzes/summary.html", page=taking.summary_page(attempt, now), form=EmptyForm()
    )


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(attempt_id: int) -> ResponseReturnValue:
    """Submit the attempt: it is graded and can no longer change."""
    _attempt(attempt_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    now = utcnow()
    attempt = attempts.locked(attempt_id)
    assert attempt is not None
    if attempt.is_open:
        if attempt.deadline is not None and now >= attempt.deadline:
            attempts.submit(attempt, attempt.deadline, by="timer")
            flash("The time was up: your attempt was submitted with the answers saved.", "info")
        else:
            attempts.submit(attempt, now)
            flash("Your attempt is submitted.", "success")
    db.session.commit()
    return redirect(url_for("quizzes.review", attempt_id=attempt_id))


@bp.route("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int) -> ResponseReturnValue:
    """A submitted attempt, as much of it as the quiz's review settings show now."""
    attempt = _attempt(attempt_id, teacher_too=True)
    now = utcnow()
    _close_if_due(attempt, now)
    if attempt.is_open:
        return redirect(url_for("quizzes.question", attempt_id=attempt_id, n=1))
    teacher = attempt.user_id != current_user.id
    return render_template(
        "quizzes/review.html",
        page=taking.review_page(attempt, now, teacher=teacher),
        form=EmptyForm(),
    )


@bp.route("/attempts/<int:attempt_id>/missed", methods=["POST"])
@login_required
def study_missed(attempt_id: int) -> ResponseReturnValue:
    """Study the questions missed in a submitted attempt now."""
    attempt = _attempt(attempt_id)
    if not EmptyForm().validate_on_submit() or attempt.is_open:
        abort(400)
    missed = taking.missed_ids(attempt)
    try:
        session = sessions.start_session_of(current_user, missed, now=utcnow())
    except StudyError:
        db.session.rollback()
        flash("Nothing was missed in this attempt.", "info")
        return redirect(url_for("quizzes.review", attempt_id=attempt_id))
    session_id = session.id
    db.session.commit()
    return redirect(url_for("study.show", session_id=session_id))


@bp.route("/mine/new", methods=["GET", "POST"])
@login_required
def quiz_me() -> ResponseReturnValue:
    """ "Quiz me": a quiz of one's own, on topics one picks (the weak ones to begin with)."""
    now = utcnow()
    choices = taking.own_quiz_choices(current_user, now)
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        try:
            own = taking.own_quiz(
                current_user,
                choices,
                request.form.getlist("topic", type=int),
                request.form.get("count", ""),
                request.form.get("minutes", ""),
            )
            attempt = attempts.start(own, current_user, now)
        except (taking.FormError, attempts.QuizError) as exc:
            db.session.rollback()
            return render_template(
                "quizzes/quiz_me.html",
                choices=choices,
                picked=set(request.form.getlist("topic", type=int)),
                count=request.form.get("count", ""),
                minutes=request.form.get("minutes", ""),
                error=str(exc),
                form=EmptyForm(),
            ), 422
        if attempt.deadline is not None:
            schedule_after_commit(attempt.deadline, CLOSE_OVERDUE_JOB)
        attempt_id = attempt.id
        db.session.commit()
        return redirect(url_for("quizzes.question", attempt_id=attempt_id, n=1))
    return render_template(
        "quizzes/quiz_me.html",
        choices=choices,
        picked={c.topic_id for c in choices if c.weak} or {c.topic_id for c in choices[:3]},
        count="10",
        minutes="",
        error=None,
        form=EmptyForm(),
    )
