"""Account views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from quizapp.auth import bp
from quizapp.auth.forms import ChangePasswordForm, EmptyForm, LoginForm, RegisterForm
from quizapp.auth.services import AccountError, authenticate, change_password, register_user
from quizapp.extensions import db, login_manager
from quizapp.models import User
from quizapp.throttle import throttle_login, throttle_registration


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def _safe_next(default: str) -> str:
    """Return the ``next`` parameter if it points inside this site, else ``default``."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@bp.route("/login", methods=["GET", "POST"])
@throttle_login
def login() -> ResponseReturnValue:
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            db.session.rollback()
            flash("Wrong e-mail or password. Check both and try again.", "error")
            return render_template("auth/login.html", form=form), 401
        db.session.commit()
        login_user(user)
        flash(f"Welcome back, {user.display_name}.", "success")
        return redirect(_safe_next(url_for("main.index")))
    return render_template("auth/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
@throttle_registration
def register() -> ResponseReturnValue:
    """Create a learner account."""
    if not current_app.config.get("QUIZAPP_OPEN_REGISTRATION", True):
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = register_user(
                form.email.data or "", form.password.data or "", form.display_name.data or ""
            )
        except AccountError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc)]
            return render_template("auth/register.html", form=form), 400
        db.session.commit()
        login_user(user)
        flash("Your account is ready. Welcome!", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Log out (POST only, with a CSRF token)."""
    if EmptyForm().validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:
    """Change the current user's password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data or "", form.password.data or "")
        except AccountError as exc:
            db.session.rollback()
            form.current.errors = [*form.current.errors, str(exc)]
            return render_template("auth/password.html", form=form), 400
        db.session.commit()
        flash("Your password has been changed.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)
