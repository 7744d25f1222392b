"""Forms that no one feature owns."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""

    submit = SubmitField("Submit")


@cache
def timezone_choices() -> list[SelectChoice]:
    """Every IANA time zone, for a select field (an account's, a class's)."""
    return [SelectChoice(name, name.replace("_", " ")) for name in sorted(available_timezones())]
