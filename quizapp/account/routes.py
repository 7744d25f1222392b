"""Settings views, the download of one's data and the deletion of one's account."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from quizapp.account import bp
from quizapp.account.deletion import DeletionRefused, delete_account, deletion_blockers
from quizapp.account.export import export_json
from quizapp.account.forms import MAX_RETENTION, MIN_RETENTION, DeleteAccountForm, SettingsForm
from quizapp.account.services import update_settings, workload_table
from quizapp.auth.services import AccountError, end_sessions
from quizapp.db import utcnow
from quizapp.extensions import db, limiter
from quizapp.forms import EmptyForm


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    """Change target retention, new questions per day and time zone."""
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        update_settings(
            current_user,
            target_retention=float(form.target_retention.data or 0),
            new_per_day=int(form.new_per_day.data or 0),
            timezone=form.timezone.data or "UTC",
        )
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("account.settings"))
    status = 400 if form.errors else 200
    return render_template(
        "account/settings.html",
        form=form,
        workload=workload_table(current_user.target_retention),
        min_retention=MIN_RETENTION,
        max_retention=MAX_RETENTION,
    ), status


@bp.route("/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions() -> Response:
    """Log out every other browser and device; this one stays logged in."""
    if EmptyForm().validate_on_submit():
        end_sessions(current_user)
        db.session.commit()
        login_user(current_user._get_current_object())  # this login carries the new version
        flash("You are logged out everywhere else.", "success")
    return redirect(url_for("account.settings"))


@bp.route("/export")
@login_required
def export_data() -> Response:
    """Download everything the app holds about you as one JSON file."""
    now = utcnow()
    # Streamed: the reviews are written as they are read (the request context, and with it
    # the database session, stays open until the last piece is sent).
    return Response(
        stream_with_context(export_json(current_user, now=now)),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="quizapp-data-{now:%Y-%m-%d}.json"',
            "Cache-Control": "no-store",
        },
    )


def _failed(response: Response) -> bool:
    return response.status_code == 400


# Each wrong password is a guess at it: as slow as logins for whoever holds a session cookie.
_throttle_delete = limiter.limit(
    "10 per 15 minutes",
    key_func=lambda: f"user-{current_user.id}",
    methods=["POST"],
    deduct_when=_failed,
    scope="delete-account",
)


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@_throttle_delete
def delete() -> ResponseReturnValue:
    """Delete your account and everything about you, once confirmed with your password."""
    form = DeleteAccountForm()
    blockers = deletion_blockers(current_user)
    if not blockers and form.validate_on_submit():
        try:
            delete_account(current_user, form.password.data or "")
        except DeletionRefused as exc:
            db.session.rollback()
            blockers = exc.blockers
        except AccountError as exc:
            db.session.rollback()
            form.password.errors = [*form.password.errors, str(exc)]
        else:
            db.session.commit()
            logout_user()
            flash("Your account and everything the app kept about you have been deleted.", "info")
            return redirect(url_for("main.index"))
    status = 409 if blockers and request.method == "POST" else 400 if form.errors else 200
    return render_template("account/delete.html", form=form, blockers=blockers), status
