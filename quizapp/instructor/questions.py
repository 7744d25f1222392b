"""Instructor views: find a set's questions and change many at once
(``quizapp.instructor.finding``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from quizapp.auth.permissions import role_required
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.grading import REGISTRY, get_type
from quizapp.instructor import bp
from quizapp.instructor.finding import (
    BulkError,
    Filters,
    add_tag,
    move_questions,
    remove_tag,
    search_questions,
    set_retired,
    set_tags,
)
from quizapp.instructor.transfer import own_set
from quizapp.models import QuestionSet, Role, Topic

# The search form's fields, kept in the URL the bulk form returns to.
SEARCH_ARGS = ("q", "topic", "type", "tag", "retired", "page")
MAX_QUERY_LENGTH = 200


def _plural(count: int) -> str:
    return f"{count} question{'s' if count != 1 else ''}"


def _filters(args: MultiDict[str, str], question_set: QuestionSet) -> Filters:
    topic_id = args.get("topic", type=int)
    if topic_id is not None and topic_id not in {t.id for t in question_set.topics}:
        topic_id = None
    qtype = args.get("type", "")
    return Filters(
        text=args.get("q", "")[:MAX_QUERY_LENGTH],
        topic_id=topic_id,
        qtype=qtype if qtype in REGISTRY else "",
        tag=args.get("tag", ""),
        retired=bool(args.get("retired")),
    )


@bp.route("/sets/<set_uid>/questions")
@role_required(Role.INSTRUCTOR)
def questions(set_uid: str) -> str:
    """Search the set's questions; select some and act on them all at once."""
    question_set = own_set(set_uid)
    filters = _filters(request.args, question_set)
    result = search_questions(question_set, filters, request.args.get("page", 1, type=int))
    answers = {q.id: get_type(q.qtype).correct_answer_text(q.spec) for q in result.questions}
    search_args = {k: v for k, v in request.args.items() if k in SEARCH_ARGS and k != "page" and v}
    return render_template(
        "instructor/questions.html",
        question_set=question_set,
        filters=filters,
        result=result,
        answers=answers,
        labels={name: qtype.label for name, qtype in REGISTRY.items()},
        tags=set_tags(question_set),
        search_args=search_args,
        back=request.query_string.decode("utf-8", "replace"),
        form=EmptyForm(),
    )


def _apply(question_set: QuestionSet, action: str, ids: list[int]) -> str:
    """Do one bulk action; return what to tell. BulkError if it cannot be done."""
    if action == "move":
        topic = db.session.get(Topic, request.form.get("to_topic", type=int) or 0)
        if topic is None or topic.set_id != question_set.id:
            raise BulkError("Choose a topic of this set to move the questions to.")
        count = move_questions(question_set, ids, topic.id)
        return f"{_plural(count)} moved to '{topic.title}'."
    if action in ("retire", "restore"):
        count = set_retired(question_set, ids, retired=action == "retire")
        return f"{_plural(count)} {'retired' if action == 'retire' else 'restored'}."
    tag = request.form.get("tag_name", "")
    if action == "add_tag":
        count = add_tag(question_set, ids, tag)
        return f"{_plural(count)} tagged '{' '.join(tag.split())}'."
    if action == "remove_tag":
        count = remove_tag(question_set, ids, tag)
        return f"Tag '{' '.join(tag.split())}' removed from {_plural(count)}."
    raise BulkError("Choose what to do with the selected questions.")


@bp.route("/sets/<set_uid>/questions/bulk", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def bulk_questions(set_uid: str) -> ResponseReturnValue:
    """Move, retire, restore or tag the selected questions (one transaction)."""
    question_set = own_set(set_uid)
    if not EmptyForm().validate_on_submit():
        abort(400)
    back_args: dict[str, Any] = {
        k: v
        for k, v in MultiDict(parse_qsl(request.form.get("back", "")[:2000])).items()
        if k in SEARCH_ARGS and v
    }
    back = url_for("instructor.questions", set_uid=set_uid, **back_args)
    ids = request.form.getlist("question", type=int)
    if not ids:
        flash("Select the questions to change first.", "error")
        return redirect(back)
    try:
        message = _apply(question_set, request.form.get("action", ""), ids)
    except BulkError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    flash(message, "success")
    return redirect(back)
