"""The instructor's quiz pages: a class's quizzes, creating and changing one, its results,
accommodations, a preview, and the class's gradebook (CSV).

Only the class's owner (or an admin) may see or change a class's quizzes.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from quizapp.auth.permissions import role_required
from quizapp.courses.exports import csv_lines
from quizapp.courses.models import Course
from quizapp.courses.overview import class_topics
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.models import Role
from quizapp.quizzes import attempts, bp, rules, teaching
from quizapp.quizzes.forms import AccommodationForm, QuizForm, quiz_form
from quizapp.quizzes.models import Quiz
from quizapp.quizzes.teaching_results import (
    class_quizzes_in_order,
    gradebook_columns,
    gradebook_rows,
    question_results,
    quiz_results,
)
from quizapp.visibility import can_manage


def _managed_course(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    if not can_manage(current_user, course.owner_id):
        abort(403)
    return course


def _managed_quiz(quiz_id: int) -> tuple[Quiz, Course]:
    """A class's quiz and its class, for their owner (a learner's own quiz: 404)."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or quiz.course_id is None:
        abort(404)
    return quiz, _managed_course(quiz.course_id)


def _settings_form(course: Course, quiz: Quiz | None = None) -> QuizForm:
    return quiz_form(
        class_topics(course),
        teaching.class_question_choices(course),
        course.timezone,
        quiz,
    )


def _render_form(course: Course, form: QuizForm, quiz: Quiz | None) -> ResponseReturnValue:
    status = 400 if form.is_submitted() else 200
    return render_template(
        "quizzes/teach_form.html",
        course=course,
        form=form,
        quiz=quiz,
        empty_form=EmptyForm(),
        review_when=rules.REVIEW_WHEN,
    ), status


@bp.route("/classes/<int:course_id>")
@role_required(Role.INSTRUCTOR)
def class_quizzes(course_id: int) -> str:
    """List the class's quizzes with their state."""
    course = _managed_course(course_id)
    rows = teaching.class_quizzes(course, utcnow())
    return render_template(
        "quizzes/teach_index.html",
        course=course,
        rows=rows,
        zone=teaching.course_zone(course),
    )


@bp.route("/classes/<int:course_id>/new", methods=["GET", "POST"])
@role_required(Role.INSTRUCTOR)
def create(course_id: int) -> ResponseReturnValue:
    """Create a quiz for the class."""
    course = _managed_course(course_id)
    form = _settings_form(course)
    if form.validate_on_submit():
        teaching.set_course_zone(course, form.timezone.data or course.timezone)
        quiz = teaching.create_quiz(course, current_user, form.settings())
        db.session.commit()
        flash(f"Quiz “{quiz.title}” created.", "success")
        return redirect(url_for("quizzes.results", quiz_id=quiz.id))
    return _render_form(course, form, None)


@bp.route("/<int:quiz_id>/edit", methods=["GET", "POST"])
@role_required(Role.INSTRUCTOR)
def edit(quiz_id: int) -> ResponseReturnValue:
    """Change a quiz's settings (attempts already drawn keep their questions)."""
    quiz, course = _managed_quiz(quiz_id)
    form = _settings_form(course, quiz)
    if form.validate_on_submit():
        teaching.set_course_zone(course, form.timezone.data or course.timezone)
        moved = teaching.update_quiz(quiz, form.settings())
        db.session.commit()
        message = f"Quiz “{quiz.title}” saved."
        if moved:
            message += f" The deadline of {moved} attempt(s) under way changed with it."
        flash(message, "success")
        return redirect(url_for("quizzes.results", quiz_id=quiz.id))
    return _render_form(course, form, quiz)


def _accommodation_form(course: Course) -> AccommodationForm:
    form = AccommodationForm()
    form.user_id.choices = [
        SelectChoice(user_id, f"{name} ({email})")
        for user_id, name, email in teaching.class_learners(course)
    ]
    return form


def _render_results(
    quiz: Quiz, course: Course, form: AccommodationForm, status: int = 200
) -> ResponseReturnValue:
    now = utcnow()
    attempts.close_overdue(now, quiz_id=quiz.id)
    # Attempts submitted by the timer just now are kept before the page is built.
    db.session.commit()
    return render_template(
        "quizzes/teach_results.html",
        course=course,
        quiz=quiz,
        state=rules.state(quiz.opens_at, quiz.closes_at, now),
        zone=teaching.course_zone(course),
        learners=quiz_results(quiz, course),
        questions=question_results(quiz, course),
        accommodations=teaching.accommodations(quiz),
        form=form,
        empty_form=EmptyForm(),
        gradings=rules.GRADINGS,
    ), status


@bp.route("/<int:quiz_id>/results")
@role_required(Role.INSTRUCTOR)
def results(quiz_id: int) -> ResponseReturnValue:
    """Show a quiz's results: each learner's attempts, and each question's statistics."""
    quiz, course = _managed_quiz(quiz_id)
    return _render_results(quiz, course, _accommodation_form(course))


@bp.route("/<int:quiz_id>/accommodations", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def accommodations(quiz_id: int) -> ResponseReturnValue:
    """Give one learner extra minutes and extra attempts."""
    quiz, course = _managed_quiz(quiz_id)
    form = _accommodation_form(course)
    if not form.validate_on_submit():
        return _render_results(quiz, course, form, 400)
    try:
        moved = teaching.accommodate(
            quiz, form.user_id.data, form.extra_minutes.data or 0, form.extra_attempts.data or 0
        )
    except teaching.AccommodationError as exc:
        db.session.rollback()
        form.user_id.errors = [*form.user_id.errors, str(exc)]
        return _render_results(quiz, course, form, 400)
    db.session.commit()
    message = "Accommodation saved."
    if moved:
        message += " The deadline of their attempt under way moved with it."
    flash(message, "success")
    return redirect(url_for("quizzes.results", quiz_id=quiz.id) + "#accommodations")


@bp.route("/<int:quiz_id>/preview", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def preview(quiz_id: int) -> ResponseReturnValue:
    """Start an attempt as the instructor (left out of results) and open its first question."""
    quiz, _ = _managed_quiz(quiz_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    teaching.clear_previews(quiz, current_user)
    try:
        attempt = attempts.start(quiz, current_user, utcnow(), preview=True)
    except attempts.QuizError as exc:
        db.session.rollback()
        flash(f"No preview: {exc}", "error")
        return redirect(url_for("quizzes.results", quiz_id=quiz.id))
    db.session.commit()
    return redirect(url_for("quizzes.question", attempt_id=attempt.id, n=1))


@bp.route("/classes/<int:course_id>/gradebook.csv")
@role_required(Role.INSTRUCTOR)
def gradebook(course_id: int) -> Response:
    """Download the class's gradebook: one row per learner, one column per quiz."""
    course = _managed_course(course_id)
    quizzes = class_quizzes_in_order(course)
    lines = csv_lines(gradebook_columns(quizzes), gradebook_rows(course, quizzes))
    # Streamed: the request context, and with it the session, stays open to the last piece.
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="class-{course.id}-gradebook.csv"'},
    )
