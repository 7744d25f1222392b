"""Instructor forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from quizapp.instructor.drafts import STATUSES


class DocumentForm(FlaskForm):
    document = FileField(
        "Document",
        validators=[FileRequired("Choose a .txt or .md document.")],
        description="Plain text or Markdown; numbered or # headings become topics.",
    )
    title = StringField("Title of the set", validators=[Optional(), Length(max=200)])
    set_id = StringField(
        "Set id",
        validators=[
            Optional(),
            Length(max=100),
            Regexp(r"^[a-z0-9][a-z0-9._-]*$", message="Use lower-case letters, digits, . _ -"),
        ],
        description="A stable id; leave empty to make one from the title.",
    )
    limit = IntegerField(
        "How many questions",
        validators=[Optional(), NumberRange(min=1, max=500)],
        description="At most this many, the most central facts first; leave empty for all.",
    )
    submit = SubmitField("Draft questions")


class StatusForm(FlaskForm):
    status = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Save")

    def validate_status(self, field: HiddenField) -> None:
        if field.data not in STATUSES:
            raise ValueError("unknown status")


class ImportForm(FlaskForm):
    upload = FileField(
        "Question-set file",
        validators=[FileRequired("Choose a file to import.")],
        description=(
            "The app's YAML, Moodle GIFT or XML, Aiken, CSV or .xlsx, "
            "an Anki text export or an .apkg package."
        ),
    )
    set_id = StringField(
        "Set id",
        validators=[
            Optional(),
            Length(max=100),
            Regexp(r"^[a-z0-9][a-z0-9._-]*$", message="Use lower-case letters, digits, . _ -"),
        ],
        description="Leave empty to use the file's own id (or one made from its name). "
        "Give the id of one of your sets to update it.",
    )
    title = StringField(
        "Set title",
        validators=[Optional(), Length(max=300)],
        description="Leave empty to use the file's own title (or its name, for formats "
        "without one).",
    )
    submit = SubmitField("Preview the import")
