"""Settings form, and the confirmation of an account's deletion."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, NumberRange

from quizapp.account.deletion import CONFIRM_WORD
from quizapp.forms import timezone_choices

MIN_RETENTION, MAX_RETENTION = 0.70, 0.97


class SettingsForm(FlaskForm):
    target_retention = DecimalField(
        "Target retention",
        places=2,
        validators=[
            InputRequired(),
            NumberRange(
                min=MIN_RETENTION,
                max=MAX_RETENTION,
                message=f"Choose a value between {MIN_RETENTION:.2f} and {MAX_RETENTION:.2f}.",
            ),
        ],
        description="The share of reviews you aim to answer right: higher means more reviews.",
    )
    new_per_day = IntegerField(
        "New questions per day",
        validators=[
            InputRequired(),
            NumberRange(min=0, max=1000, message="Choose a number from 0 to 1000."),
        ],
    )
    timezone = SelectField(
        "Time zone",
        validators=[DataRequired()],
        description="Days (for new questions, streaks and the calendar) start at midnight here.",
    )
    submit = SubmitField("Save settings")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired()])
    confirm = StringField(
        f"Type {CONFIRM_WORD} to confirm",
        filters=[lambda text: text.strip() if text else text],
        validators=[
            DataRequired(),
            AnyOf([CONFIRM_WORD], message=f"Type {CONFIRM_WORD} in capitals to confirm."),
        ],
    )
    submit = SubmitField("Delete my account")
