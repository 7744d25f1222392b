"""Account forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from quizapp.auth.policy import MIN_PASSWORD_LENGTH

_LENGTH_MESSAGE = f"The password must have at least {MIN_PASSWORD_LENGTH} characters."


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Log in")


def _new_password(label: str) -> PasswordField:
    """A password being chosen (sign-up, change, reset); the policy is checked by the service."""
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, max=200, message=_LENGTH_MESSAGE),
        ],
        description=f"At least {MIN_PASSWORD_LENGTH} characters.",
    )


def _repeated_password(label: str) -> PasswordField:
    """The same password typed again, beside a ``password`` field."""
    return PasswordField(
        label,
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )


class RegisterForm(FlaskForm):
    display_name = StringField("Name", validators=[Length(max=80)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    password = _new_password("Password")
    confirm = _repeated_password("Repeat the password")
    # The browser's time zone, filled in by static/js/timezone.js; empty without a script (UTC).
    timezone = HiddenField(render_kw={"data-browser-timezone": ""})
    submit = SubmitField("Create account")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    password = _new_password("New password")
    confirm = _repeated_password("Repeat the new password")
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField("Send me a link")


class ResetPasswordForm(FlaskForm):
    password = _new_password("New password")
    confirm = _repeated_password("Repeat the new password")
    submit = SubmitField("Set password")
