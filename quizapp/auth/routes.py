"""Account views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from quizapp.auth import bp
from quizapp.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from quizapp.auth.jobs import RESET_MAIL_JOB
from quizapp.auth.reset import InvalidResetLink, reset_link, user_for_reset_token
from quizapp.auth.services import (
    AccountError,
    WeakPasswordError,
    authenticate,
    change_password,
    end_sessions,
    find_user,
    register_user,
    set_password,
    user_for_login_id,
)
from quizapp.extensions import db, login_manager
from quizapp.forms import EmptyForm
from quizapp.jobs import enqueue_after_commit
from quizapp.models import User
from quizapp.throttle import throttle_login, throttle_password_reset, throttle_registration


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    """The user a login cookie names (``User.get_id``), None once its session version is old."""
    return user_for_login_id(login_id)


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
                form.email.data or "",
                form.password.data or "",
                form.display_name.data or "",
                timezone=(form.timezone.data or "").strip(),
            )
        except WeakPasswordError as exc:
            db.session.rollback()
            form.password.errors = [*form.password.errors, *exc.reasons]
            return render_template("auth/register.html", form=form), 400
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
    """Log out (POST only, with a CSRF token), ending every copy of the login cookie."""
    if EmptyForm().validate_on_submit():
        end_sessions(current_user)
        db.session.commit()
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> ResponseReturnValue:
    """Change the current user's password; every other login of theirs ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current.data or "", form.password.data or "")
        except WeakPasswordError as exc:
            db.session.rollback()
            form.password.errors = [*form.password.errors, *exc.reasons]
            return render_template("auth/password.html", form=form), 400
        except AccountError as exc:
            db.session.rollback()
            form.current.errors = [*form.current.errors, str(exc)]
            return render_template("auth/password.html", form=form), 400
        db.session.commit()
        login_user(current_user._get_current_object())  # this login carries the new version
        flash("Your password has been changed. You are logged out everywhere else.", "success")
        return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/forgot", methods=["GET", "POST"])
@throttle_password_reset
def forgot_password() -> ResponseReturnValue:
    """Ask for a password reset link; the answer is the same whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = find_user(form.email.data or "")
        if user is not None:
            # Sent by a job after the response: the page must take as long whether or not the
            # address has an account (a failure is logged there; saying so here would tell).
            enqueue_after_commit(RESET_MAIL_JOB, user.id, reset_link(user))
        db.session.commit()
        return render_template("auth/forgot.html", form=form, sent_to=form.email.data)
    status = 400 if form.errors else 200
    return render_template("auth/forgot.html", form=form, sent_to=None), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Set a new password from a reset link; the link then stops working."""
    try:
        user = user_for_reset_token(token)
    except InvalidResetLink as exc:
        return render_template("auth/reset_invalid.html", message=str(exc)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data or "")
        except WeakPasswordError as exc:
            db.session.rollback()
            form.password.errors = [*form.password.errors, *exc.reasons]
            return render_template("auth/reset.html", form=form, user=user), 400
        db.session.commit()
        flash("Your new password is set: log in with it.", "success")
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/reset.html", form=form, user=user), status
