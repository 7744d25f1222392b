"""Instructor views: owned sets, and drafting a set from a document."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from quizapp.auth.permissions import role_required
from quizapp.catalog import set_overviews
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.instructor import bp, drafts
from quizapp.instructor.forms import DocumentForm, EntryForm, StatusForm
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
    """Edit one drafted question as YAML, checked like a question-set file."""
    current = _own_draft(draft_id)
    try:
        text = drafts.entry_yaml(current, key)
    except KeyError:
        abort(404)
    form = EntryForm(yaml_text=text)
    if form.validate_on_submit():
        problems = drafts.update_entry(current, key, form.yaml_text.data or "")
        if problems:
            db.session.rollback()
            form.yaml_text.errors = problems
            return render_template(
                "instructor/edit_question.html", form=form, draft=current, key=key
            ), 400
        db.session.commit()
        flash("Question saved.", "success")
        return redirect(url_for("instructor.draft", draft_id=draft_id, _anchor=f"q-{key}"))
    return render_template("instructor/edit_question.html", form=form, draft=current, key=key)


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
