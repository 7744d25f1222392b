"""Course views: instructors create classes, assign sets and follow results; learners join."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from quizapp.auth.permissions import role_required
from quizapp.courses import snapshots
from quizapp.courses.assignments import assign_set, assignable_sets, course_sets, unassign_set
from quizapp.courses.exports import (
    RESULT_COLUMNS,
    SUMMARY_COLUMNS,
    csv_lines,
    result_rows,
    summary_rows,
)
from quizapp.courses.forms import AssignForm, CourseForm, JoinForm
from quizapp.courses.membership import (
    CourseError,
    can_manage,
    create_course,
    join_course,
    joined_courses,
    member_count,
    members,
    owned_courses,
)
from quizapp.courses.models import Course
from quizapp.courses.overview import overview_view
from quizapp.courses.questions import learner_notes, question_rows
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.learners.calendar import zone
from quizapp.models import QuestionSet, Role
from quizapp.throttle import throttle_join

bp = Blueprint("courses", __name__, url_prefix="/courses")

LEARNERS_PER_PAGE = 50


def _managed_course(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    if not can_manage(current_user, course):
        abort(403)
    return course


def _assign_form(course: Course) -> AssignForm:
    form = AssignForm()
    form.set_id.choices = [(qs.id, qs.title) for qs in assignable_sets(course)]
    return form


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.INSTRUCTOR)
def index() -> ResponseReturnValue:
    """List the instructor's classes and create a new one."""
    form = CourseForm()
    if form.validate_on_submit():
        course = create_course(current_user, form.title.data or "")
        db.session.commit()
        flash(f"Class created. Learners join it with the code {course.join_code}.", "success")
        return redirect(url_for("courses.overview", course_id=course.id))
    status = 400 if form.errors else 200
    courses = owned_courses(current_user)
    return render_template("courses/index.html", form=form, courses=courses), status


def _local(moment: datetime) -> datetime:
    """A moment in the signed-in user's time zone (for "figures as of")."""
    return moment.astimezone(zone(current_user))


@bp.route("/<int:course_id>")
@role_required(Role.INSTRUCTOR)
def overview(course_id: int) -> str:
    """Show a class: its code, sets, recall per topic, and its learners a page at a time,
    each with the topics they are falling behind on (all of them, or only those behind)."""
    course = _managed_course(course_id)
    now = utcnow()
    snapshot = snapshots.overview_snapshot(course, now=now)
    # The figures computed for this view are kept for the next ones (before loading what the
    # page shows: a commit expires what was loaded).
    db.session.commit()
    behind_ids = [b.learner_id for b in snapshot.figures.behind]
    show = "behind" if request.args.get("show") == "behind" else "all"
    everyone = member_count(course)
    total = len(behind_ids) if show == "behind" else everyone
    pages = max(1, math.ceil(total / LEARNERS_PER_PAGE))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    people = members(
        course,
        only=behind_ids if show == "behind" else None,
        offset=(page - 1) * LEARNERS_PER_PAGE,
        limit=LEARNERS_PER_PAGE,
    )
    view = overview_view(course, snapshot.figures.topics, snapshot.figures.behind, people)
    return render_template(
        "courses/overview.html",
        course=course,
        sets=course_sets(course),
        assign_form=_assign_form(course),
        empty_form=EmptyForm(),
        view=view,
        behind_of={row.member.user_id: row for row in view.behind},
        behind_count=len(behind_ids),
        everyone=everyone,
        show=show,
        page=page,
        pages=pages,
        computed_at=_local(snapshot.computed_at),
        updating=snapshot.updating,
    )


@bp.route("/<int:course_id>/sets", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def assign(course_id: int) -> ResponseReturnValue:
    """Assign a question set to the class (its members are enrolled in it)."""
    course = _managed_course(course_id)
    form = _assign_form(course)
    if not form.validate_on_submit():
        flash("Choose one of the sets offered.", "error")
        return redirect(url_for("courses.overview", course_id=course.id))
    question_set = db.session.get(QuestionSet, form.set_id.data)
    if question_set is None:
        abort(404)
    try:
        assign_set(course, question_set)
    except CourseError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("courses.overview", course_id=course.id))
    db.session.commit()
    flash(f"“{question_set.title}” assigned; every member is now enrolled in it.", "success")
    return redirect(url_for("courses.overview", course_id=course.id))


@bp.route("/<int:course_id>/sets/<int:set_id>/remove", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def unassign(course_id: int, set_id: int) -> ResponseReturnValue:
    """Take a set off the class; learners keep studying it if they wish."""
    course = _managed_course(course_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    question_set = db.session.get(QuestionSet, set_id)
    if question_set is None or not unassign_set(course, question_set):
        abort(404)
    db.session.commit()
    flash(f"“{question_set.title}” is no longer assigned to the class.", "info")
    return redirect(url_for("courses.overview", course_id=course.id))


@bp.route("/<int:course_id>/questions")
@role_required(Role.INSTRUCTOR)
def questions(course_id: int) -> str:
    """Show the question statistics: answers, facility, discrimination, wrong choices, flags."""
    course = _managed_course(course_id)
    snapshot = snapshots.questions_snapshot(course, now=utcnow())
    # The figures computed for this view are kept for the next ones (before loading what the
    # page shows: a commit expires what was loaded).
    db.session.commit()
    rows = question_rows(course, snapshot.figures)
    return render_template(
        "courses/questions.html",
        course=course,
        rows=rows,
        notes=learner_notes(course),
        computed_at=_local(snapshot.computed_at),
        updating=snapshot.updating,
    )


def _csv_response(lines: Iterator[str], filename: str) -> Response:
    # Streamed: the rows are written as the query's rows come in (the request context stays
    # open, and with it the database session, until the last piece is sent).
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/<int:course_id>/results.csv")
@role_required(Role.INSTRUCTOR)
def results_csv(course_id: int) -> Response:
    """Download one row per learner and question."""
    course = _managed_course(course_id)
    lines = csv_lines(RESULT_COLUMNS, result_rows(course))
    return _csv_response(lines, f"class-{course.id}-results.csv")


@bp.route("/<int:course_id>/learners.csv")
@role_required(Role.INSTRUCTOR)
def learners_csv(course_id: int) -> Response:
    """Download one summary row per learner."""
    course = _managed_course(course_id)
    lines = csv_lines(SUMMARY_COLUMNS, summary_rows(course))
    return _csv_response(lines, f"class-{course.id}-learners.csv")


@bp.route("/join", methods=["GET", "POST"])
@login_required
@throttle_join
def join() -> ResponseReturnValue:
    """Join a class with the code the instructor gave."""
    form = JoinForm()
    if form.validate_on_submit():
        try:
            result = join_course(current_user, form.code.data or "")
        except CourseError as exc:
            db.session.rollback()
            form.code.errors = [*form.code.errors, str(exc)]
        else:
            db.session.commit()
            if result.joined:
                flash(
                    f"You joined “{result.course.title}”: {result.new_sets} question sets "
                    "added to your study queue.",
                    "success",
                )
            else:
                flash(f"You are already in “{result.course.title}”.", "info")
            return redirect(url_for("courses.join"))
    status = 400 if form.errors else 200
    courses = joined_courses(current_user)
    return render_template("courses/join.html", form=form, courses=courses), status
