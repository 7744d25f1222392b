"""Instructor views: import a question set from a file (preview, publish) and export one."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from quizapp.auth.permissions import role_required
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.instructor import bp
from quizapp.instructor.forms import ImportForm
from quizapp.instructor.uploads import receive_upload
from quizapp.models import PendingImport, QuestionSet, Role
from quizapp.sets import imports
from quizapp.sets.export import EXPORT_FORMATS, export_set
from quizapp.sets.loader import SetOwnershipError
from quizapp.visibility import can_manage

# The preview lists this many of the file's questions (a large file holds tens of thousands).
SHOWN_QUESTIONS = 200


def _own_pending(pending_id: int) -> PendingImport:
    pending = db.session.get(PendingImport, pending_id)
    # Another's upload is a 404 like a missing one (only its owner and admins see it).
    if pending is None or not can_manage(current_user, pending.owner_id):
        abort(404)
    return pending


def own_set(set_uid: str) -> QuestionSet:
    question_set = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == set_uid))
    if question_set is None:
        abort(404)
    if not can_manage(current_user, question_set.owner_id):
        abort(403)
    return question_set


@bp.route("/imports/new", methods=["GET", "POST"])
@role_required(Role.INSTRUCTOR)
def new_import() -> ResponseReturnValue:
    """Upload a question-set file; show its preview, or its problems.

    A small file is checked here; a larger one is stored and checked by a background job,
    while its preview page shows how far the check is.
    """
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("instructor/new_import.html", form=form)
    upload = receive_upload(form.upload.data, "upload")
    set_id = form.set_id.data or ""
    title = " ".join((form.title.data or "").split())
    pending = imports.keep_upload(upload.name, upload.data, current_user, set_id, title)
    if len(upload.data) > imports.INLINE_LIMIT:
        imports.check_later(pending)
    else:
        # Its preview page works out what it changes (see ``imports.preview_pending``).
        preview = imports.check_pending(pending, preview=False)
        if not preview.readable:
            db.session.rollback()
            return render_template(
                "instructor/import_preview.html", preview=preview, pending=None, form=form
            ), 400
    db.session.commit()
    return redirect(url_for("instructor.import_preview", pending_id=pending.id))


@bp.route("/imports/<int:pending_id>")
@role_required(Role.INSTRUCTOR)
def import_preview(pending_id: int) -> str:
    """Show what publishing an uploaded file would create, change and retire (or how far its
    check is, or why it failed)."""
    pending = _own_pending(pending_id)
    preview = None
    if pending.status == imports.READY:
        preview = imports.preview_pending(pending)
    elif pending.status == imports.CHECKING:
        imports.nudge_check(pending)
    # The page shows the upload as it was before the commit (which may run the job at once).
    state = imports.status_data(pending)
    db.session.commit()
    return render_template(
        "instructor/import_preview.html",
        preview=preview,
        pending=pending,
        state=state,
        steps=imports.STEPS,
        shown=SHOWN_QUESTIONS,
        form=EmptyForm(),
    )


@bp.route("/imports/<int:pending_id>/status")
@role_required(Role.INSTRUCTOR)
def import_status(pending_id: int) -> ResponseReturnValue:
    """How far an upload's check is, as JSON (``status``: checking, ready or failed)."""
    pending = _own_pending(pending_id)
    if imports.nudge_check(pending):
        db.session.commit()
    data = imports.status_data(pending)
    data["preview_url"] = url_for("instructor.import_preview", pending_id=pending.id)
    return jsonify(data)


@bp.route("/imports/<int:pending_id>/publish", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def publish_import(pending_id: int) -> ResponseReturnValue:
    """Publish an uploaded file as a question set, in one transaction."""
    pending = _own_pending(pending_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    # The preview's second button: publish the rest, leaving out what cannot be imported.
    leave_out = request.form.get("leave_out") == "1"
    try:
        published = imports.publish_import(pending, leave_out=leave_out)
    except (imports.ImportRefusedError, SetOwnershipError):
        db.session.rollback()
        flash("The file can no longer be published as it is: see its problems below.", "error")
        return redirect(url_for("instructor.import_preview", pending_id=pending_id))
    db.session.commit()
    report = published.report
    totals = report.totals
    message = (
        f"Published “{report.title}”: {totals.active} questions ({totals.created} new, "
        f"{totals.updated} updated, {totals.answer_changed} with a changed answer, "
        f"{totals.retired} retired, {totals.unchanged} unchanged)"
    )
    if published.media_written:
        message += f"; {published.media_written} media file(s) stored"
    if published.left_out:
        count = len(published.left_out)
        message += f"; {count} question{'' if count == 1 else 's'} left out"
    flash(message + ".", "success")
    return redirect(url_for("instructor.index"))


@bp.route("/imports/<int:pending_id>/discard", methods=["POST"])
@role_required(Role.INSTRUCTOR)
def discard_import(pending_id: int) -> ResponseReturnValue:
    """Forget an uploaded file without publishing it."""
    pending = _own_pending(pending_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db.session.delete(pending)
    db.session.commit()
    flash("Import discarded.", "info")
    return redirect(url_for("instructor.index"))


@bp.route("/sets/<set_uid>/export")
@role_required(Role.INSTRUCTOR)
def export_page(set_uid: str) -> str:
    """List the export formats of a set, with what each one leaves out."""
    question_set = own_set(set_uid)
    exported = {key: export_set(question_set, key) for key in EXPORT_FORMATS}
    return render_template(
        "instructor/export.html",
        question_set=question_set,
        formats=EXPORT_FORMATS,
        exported=exported,
    )


@bp.route("/sets/<set_uid>/export/<fmt>")
@role_required(Role.INSTRUCTOR)
def export_download(set_uid: str, fmt: str) -> Response:
    """Download a set in one format."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    exported = export_set(own_set(set_uid), fmt)
    response = Response(exported.result.data, content_type=exported.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    if exported.result.skipped:
        response.headers["X-Quizapp-Skipped"] = str(len(exported.result.skipped))
    return response
