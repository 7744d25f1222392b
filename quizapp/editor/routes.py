"""The editor's pages: choose a type, write or change a question, preview and try it, see its
versions and undo the latest.

One form holds the question's fields and, in its preview, the answer area a learner sees:
its buttons save, preview, try the answer given in the preview, or add rows. Everything works
without JavaScript; static/js/editor.js previews as one types and quotes a selection of the
document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from quizapp.auth.permissions import role_required
from quizapp.db import utcnow
from quizapp.editor import bp, services
from quizapp.editor.pages import (
    Frame,
    Preview,
    more_rows,
    posted_values,
    preview_of,
    render_editor,
)
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.grading import REGISTRY, get_type
from quizapp.models import Question, QuestionSet, Role
from quizapp.visibility import can_manage


def _own_set(set_uid: str) -> QuestionSet:
    question_set = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == set_uid))
    if question_set is None:
        abort(404)
    if not can_manage(current_user, question_set.owner_id):
        abort(403)
    return question_set


def _own_question(question_set: QuestionSet, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.set_id != question_set.id:
        abort(404)
    return question


def _frame(question_set: QuestionSet, question: Question | None) -> Frame:
    notes = []
    if question is not None:
        notes.append(f"Question {question.uid}" + ("" if question.is_active else " (retired)"))
    return Frame(
        set_uid=question_set.uid,
        title=question_set.title,
        back_url=url_for("instructor.questions", set_uid=question_set.uid),
        back_label=f"Questions of “{question_set.title}”",
        save_label="Save the question" if question else "Publish the question",
        language=question_set.language,
        preview_url=url_for("editor.preview", set_uid=question_set.uid),
        document=question_set.source_text or "",
        headings=[t.section for t in question_set.topics if t.section],
        topics=[(t.uid, t.title) for t in question_set.topics],
        history_url=(
            url_for("editor.versions", set_uid=question_set.uid, question_id=question.id)
            if question is not None
            else None
        ),
        notes=notes,
    )


def _page(
    question_set: QuestionSet,
    qtype: str,
    values: Mapping[str, str],
    *,
    question: Question | None = None,
    problems: Mapping[str, list[str]] | None = None,
    preview: Preview | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_editor(
        _frame(question_set, question),
        qtype,
        values,
        problems=problems,
        preview=preview,
        status=status,
        heading=f"{'Edit' if question else 'Write'} a question: {get_type(qtype).label.lower()}",
    )


def _handle_post(
    question_set: QuestionSet, qtype: str, question: Question | None
) -> ResponseReturnValue:
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    values = posted_values()
    action = request.form.get("action", "save")
    image = request.files.get("image")
    if image is not None and image.filename:
        try:
            markdown = services.add_image(question_set, image.filename, image.read())
        except services.EditorError as exc:
            return _page(
                question_set,
                qtype,
                values,
                question=question,
                problems={"image": [str(exc)]},
                status=422,
            )
        values["prompt"] = f"{values.get('prompt', '').rstrip()}\n\n{markdown}".strip()
        db.session.commit()
        flash("The image is stored with the set and added at the end of the question text.", "info")
    if action == "rows":
        more_rows(qtype, values)
        return _page(question_set, qtype, values, question=question)
    uid = question.uid if question is not None else "new-question"
    edited = services.read_form(qtype, uid, values)
    problems = services.problems(question_set, edited)
    preview = preview_of(_frame(question_set, question), edited, try_it=action == "try")
    if action in ("preview", "try") or problems:
        status = 422 if problems and action == "save" else 200
        return _page(
            question_set,
            qtype,
            values,
            question=question,
            problems=problems,
            preview=preview,
            status=status,
        )
    if question is None:
        edited = services.Edited(
            replace(edited.doc, id=services.new_uid(question_set, edited)),
            edited.fields,
            edited.sources,
        )
    saved = services.save(current_user, question_set, edited, question, utcnow())
    db.session.commit()
    if question is None:
        flash("The question is published in the set.", "success")
    elif saved.memory_reset:
        flash(
            f"Saved. The answer changed: {saved.memory_reset} learner(s) start this question "
            "afresh.",
            "success",
        )
    else:
        flash("Saved. Learners keep what they remember of this question.", "success")
    return redirect(url_for("editor.edit", set_uid=question_set.uid, question_id=saved.question.id))


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.INSTRUCTOR)
def new(set_uid: str) -> ResponseReturnValue:
    """Write a new question: first its type, then its form."""
    question_set = _own_set(set_uid)
    qtype = request.values.get("type", "")
    if qtype not in REGISTRY:
        return render_template(
            "editor/choose_type.html", question_set=question_set, types=list(REGISTRY.values())
        )
    if request.method == "POST":
        return _handle_post(question_set, qtype, None)
    return _page(question_set, qtype, services.blank_values(question_set))


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@role_required(Role.INSTRUCTOR)
def edit(set_uid: str, question_id: int) -> ResponseReturnValue:
    """Change a question: its wording, answer, explanation, source, topic and tags."""
    question_set = _own_set(set_uid)
    question = _own_question(question_set, question_id)
    if request.method == "POST":
        return _handle_post(question_set, question.qtype, question)
    values = services.form_values(question)
    edited = services.read_form(question.qtype, question.uid, values)
    shown = preview_of(_frame(question_set, question), edited, try_it=False)
    return _page(question_set, question.qtype, values, question=question, preview=shown)


@bp.route("/preview", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def preview(set_uid: str) -> ResponseReturnValue:
    """The preview alone (for the editor's script): the question as the form describes it."""
    question_set = _own_set(set_uid)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    qtype = request.form.get("type", "")
    if qtype not in REGISTRY:
        abort(400)
    edited = services.read_form(qtype, "preview", posted_values())
    frame = _frame(question_set, None)
    shown = preview_of(frame, edited, try_it=request.form.get("action") == "try")
    problems = services.problems(question_set, edited)
    return render_template("editor/_preview.html", preview=shown, problems=problems, frame=frame)


@bp.route("/<int:question_id>/versions")
@role_required(Role.INSTRUCTOR)
def versions(set_uid: str, question_id: int) -> str:
    """The question's versions: who changed what and when; the latest can be undone."""
    question_set = _own_set(set_uid)
    question = _own_question(question_set, question_id)
    changes = services.history(question)
    return render_template(
        "editor/versions.html",
        question_set=question_set,
        question=question,
        changes=changes,
        label=services.change_label,
        undoable=services.undoable(changes[0]) if changes else False,
        form=EmptyForm(),
    )


@bp.route("/<int:question_id>/versions/<int:change_id>/undo", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def undo(set_uid: str, question_id: int, change_id: int) -> ResponseReturnValue:
    """Put the question back as it was before its latest change."""
    question_set = _own_set(set_uid)
    question = _own_question(question_set, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        saved = services.undo(current_user, question, change_id, utcnow())
    except services.EditorError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        reset = f" {saved.memory_reset} learner(s) start it afresh." if saved.memory_reset else ""
        flash(f"The change is undone.{reset}", "success")
    return redirect(url_for("editor.versions", set_uid=set_uid, question_id=question_id))
