"""Settings view."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from quizapp.account import bp
from quizapp.account.forms import MAX_RETENTION, MIN_RETENTION, SettingsForm
from quizapp.account.services import update_settings, workload_table
from quizapp.extensions import db


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
