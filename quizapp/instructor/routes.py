"""Instructor views: owned sets, and drafting a set from a document."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from quizapp.auth.permissions import role_required
from quizapp.catalog import set_overviews
from quizapp.editor import services as editor_services
from quizapp.editor.pages import Frame, more_rows, posted_values, preview_of, render_editor
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.grading import get_type
from quizapp.instructor import bp, drafts
from quizapp.instructor.forms import DocumentForm, StatusForm
from quizapp.instructor.models import Draft
from quizapp.instructor.uploads import receive_upload
from quizapp.models import Role
from quizapp.sets.export import EXPORT_FORMATS
from quizapp.sets.loader import SetOwnershipError
from quizapp.visibility import can_manage


def _own_draft(draft_id: int) -> Draft:
    draft = db.session.get(Draft, draft_id)
    if draft is None:
        abort(404)
    if not can_manage(current_user, draft.owner_id):
        abort(403)
    return draft


@bp.route("/")
@role_required(Role.INSTRUCTOR)
def index() -> str:
    """List the instructor's question sets and drafts."""
    own_drafts = db.session.scalars(
        sa.select(Draft).where(Draft.owner_id == current_user.id).order_by(Draft.created_at)
    ).all()
    return render_template(
        "instructor/index.html",
        overviews=set_overviews(owner_id=current_user.id, published_only=False),
        drafts=own_drafts,
        export_formats=EXPORT_FORMATS,
    )


@bp.route("/drafts/new", methods=["GET", "POST"])
@role_required(Role.INSTRUCTOR)
def new_draft() -> ResponseReturnValue:
    """Upload a document and draft questions from it."""
    form = DocumentForm()
    if form.validate_on_submit():
        upload = receive_upload(form.document.data, "document")
        try:
            draft = drafts.create_draft(
                current_user,
                upload.name,
                upload.data,
                form.title.data or "",
                form.set_id.data or "",
                limit=form.limit.data,
            )
        except drafts.DraftError as exc:
            db.session.rollback()
            form.document.errors = [*form.document.errors, *exc.problems]
            return render_template("instructor/new_draft.html", form=form), 400
        db.session.commit()
        flash(f"{len(draft.payload['questions'])} questions drafted. Review each one.", "success")
        return redirect(url_for("instructor.draft", draft_id=draft.id))
    return render_template("instructor/new_draft.html", form=form)


@bp.route("/drafts/<int:draft_id>")
@role_required(Role.INSTRUCTOR)
def draft(draft_id: int) -> str:
    """Review the drafted questions: keep, discard or edit each, then publish."""
    current = _own_draft(draft_id)
    found = drafts.items(current)
    counts = {status: sum(i.status == status for i in found) for status in drafts.STATUSES}
    return render_template(
        "instructor/draft.html",
        draft=current,
        items=found,
        counts=counts,
        status_form=StatusForm(),
        empty_form=EmptyForm(),
    )


@bp.route("/drafts/<int:draft_id>/questions/<key>/status", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def draft_status(draft_id: int, key: str) -> ResponseReturnValue:
    """Keep, discard or reconsider one drafted question."""
    current = _own_draft(draft_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        drafts.set_status(current, key, form.status.data)
    except KeyError:
        abort(404)
    db.session.commit()
    return redirect(url_for("instructor.draft", draft_id=draft_id, _anchor=f"q-{key}"))


@bp.route("/drafts/<int:draft_id>/questions/<key>", methods=["GET", "POST"])
@role_required(Role.INSTRUCTOR)
def edit_draft_question(draft_id: int, key: str) -> ResponseReturnValue:
    """Edit one drafted question with the editor's form for its type, checked like a file."""
    current = _own_draft(draft_id)
    try:
        entry = drafts.entry(current, key)
    except KeyError:
        abort(404)
    qtype = str(entry.get("type", ""))
    back = url_for("instructor.draft", draft_id=draft_id, _anchor=f"q-{key}")
    frame = Frame(
        set_uid=current.set_uid,
        title=current.title,
        back_url=back,
        back_label=f"The draft “{current.title}”",
        save_label="Save to the draft",
        document=current.source_text,
        headings=[str(t.get("section") or "") for t in current.payload["topics"]],
        topics=[(str(t["id"]), str(t["title"])) for t in current.payload["topics"]],
        images=False,  # a draft has no set to keep images in yet
        notes=["Checked like a file: the quote must be found in the document"],
    )
    heading = f"Edit a drafted question: {get_type(qtype).label.lower()}"
    if request.method == "GET":
        values = editor_services.entry_values(entry)
        edited = editor_services.read_form(qtype, str(entry.get("id")), values)
        shown = preview_of(frame, edited, try_it=False)
        return render_editor(frame, qtype, values, preview=shown, heading=heading)
    if not EmptyForm().validate_on_submit():
        abort(400)
    values = posted_values()
    action = request.form.get("action", "save")
    if action == "rows":
        more_rows(qtype, values)
        return render_editor(frame, qtype, values, heading=heading)
    edited = editor_services.read_form(qtype, str(entry.get("id")), values)
    problems = editor_services.problems_in(drafts.header(current), edited, require_source=True)
    shown = preview_of(frame, edited, try_it=action == "try")
    if action in ("preview", "try") or problems:
        status = 422 if problems and action == "save" else 200
        return render_editor(
            frame, qtype, values, problems=problems, preview=shown, heading=heading, status=status
        )
    drafts.replace_entry(current, key, editor_services.entry_of(edited))
    db.session.commit()
    flash("Question saved.", "success")
    return redirect(back)


@bp.route("/drafts/<int:draft_id>/publish", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def publish_draft(draft_id: int) -> ResponseReturnValue:
    """Publish the kept questions as a question set, in one transaction."""
    current = _own_draft(draft_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        report = drafts.publish(current, current_user)
    except drafts.DraftError as exc:
        db.session.rollback()
        for problem in exc.problems:
            flash(problem, "error")
        return redirect(url_for("instructor.draft", draft_id=draft_id))
    except SetOwnershipError as exc:
        db.session.rollback()
        flash(f"{exc} Choose another set id.", "error")
        return redirect(url_for("instructor.draft", draft_id=draft_id))
    db.session.commit()
    flash(
        f"Published “{report.title}”: {report.totals.active} questions "
        f"({report.totals.created} new, {report.totals.updated} updated).",
        "success",
    )
    return redirect(url_for("instructor.index"))


@bp.route("/drafts/<int:draft_id>/delete", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def delete_draft(draft_id: int) -> ResponseReturnValue:
    """Throw a draft away."""
    current = _own_draft(draft_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db.session.delete(current)
    db.session.commit()
    flash("Draft deleted.", "info")
    return redirect(request.referrer or url_for("instructor.index"))
