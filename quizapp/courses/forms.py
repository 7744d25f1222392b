"""Course forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class CourseForm(FlaskForm):
    title = StringField(
        "Name of the class",
        validators=[DataRequired("Give the class a name."), Length(max=200)],
        description="For example “Haematology 2027, group B”.",
    )
    submit = SubmitField("Create class")


class JoinForm(FlaskForm):
    code = StringField(
        "Class code",
        validators=[DataRequired("Type the code your instructor gave you."), Length(max=40)],
        description="8 letters and digits, for example K7QM-3XPA (dashes and case do not matter).",
    )
    submit = SubmitField("Join class")


class AssignForm(FlaskForm):
    set_id = SelectField("Question set", coerce=int, validators=[DataRequired()])
    submit = SubmitField("Assign")
