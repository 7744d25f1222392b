"""Forms that no one feature owns."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SubmitField


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""

    submit = SubmitField("Submit")
