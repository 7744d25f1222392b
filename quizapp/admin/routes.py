"""Account administration."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from quizapp.admin import bp
from quizapp.admin.services import LastAdminError, change_role
from quizapp.auth.permissions import role_required
from quizapp.auth.reset import RESET_MAX_AGE_SECONDS, send_reset_link
from quizapp.extensions import db
from quizapp.forms import EmptyForm
from quizapp.mail import MailError
from quizapp.models import Role, User


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in Role])
    submit = SubmitField("Save")


@bp.route("/users")
@role_required(Role.ADMIN)
def users() -> str:
    """List every account with a form to change its role."""
    accounts = db.session.scalars(sa.select(User).order_by(User.created_at)).all()
    forms = {u.id: RoleForm(prefix=f"u{u.id}", role=u.role.value) for u in accounts}
    return render_template("admin/users.html", accounts=accounts, forms=forms)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@role_required(Role.ADMIN)
def set_user_role(user_id: int) -> Response:
    """Change one account's role."""
    user = db.session.get(User, user_id) or abort(404)
    form = RoleForm(prefix=f"u{user_id}")
    if not form.validate_on_submit():
        flash("Choose one of the listed roles.", "error")
        return redirect(url_for("admin.users"))
    try:
        change_role(user, Role(form.role.data))
    except LastAdminError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.users"))
    db.session.commit()
    flash(f"{user.email} is now {user.role.value}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password-reset", methods=["POST"])
@role_required(Role.ADMIN)
def send_password_reset(user_id: int) -> Response:
    """Mail one account a link to set a new password."""
    user = db.session.get(User, user_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        send_reset_link(user)
    except MailError:
        current_app.logger.exception("password reset mail to user %s failed", user.id)
        flash(f"The mail to {user.email} could not be sent: the log says why.", "error")
        return redirect(url_for("admin.users"))
    hours = RESET_MAX_AGE_SECONDS // 3600
    flash(
        f"Sent {user.email} a link to set a new password (it works once, for {hours} hour).",
        "success",
    )
    return redirect(url_for("admin.users"))
