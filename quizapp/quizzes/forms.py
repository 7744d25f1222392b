"""The instructor's quiz forms: a quiz's settings (with a count field for each topic of the
class, built per class) and an accommodation for one learner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from quizapp.courses.overview import ClassTopic
from quizapp.forms import timezone_choices
from quizapp.learners.calendar import zone_named
from quizapp.quizzes import rules
from quizapp.quizzes.models import Quiz
from quizapp.quizzes.teaching import (
    NoSuchTime,
    QuizSettings,
    draw_parts,
    make_draw,
    to_local,
    to_utc,
)

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
MAX_TIME_LIMIT = 7 * 24 * 60
MAX_ATTEMPTS = 100


def _whole(low: int, high: int, message: str) -> list[Any]:
    return [InputRequired(message), NumberRange(min=low, max=high, message=message)]


class QuizForm(FlaskForm):
    """A quiz's settings; ``quiz_form`` adds a ``count_<topic id>`` field per topic."""

    title = StringField(
        "Title",
        validators=[DataRequired("Give the quiz a title."), Length(max=200)],
        description="Learners see it in their list of quizzes, e.g. “Week 3: capitals”.",
    )
    instructions = TextAreaField(
        "Instructions",
        validators=[Length(max=5000)],
        description="Shown before a learner starts (optional).",
    )
    fixed = SelectMultipleField(
        "Questions every learner gets",
        coerce=int,
        validators=[Optional()],
        description="Optional. Hold Ctrl (⌘ on a Mac) to pick several. They come first; each "
        "topic's random draw then picks among its other questions.",
    )
    shuffle_questions = BooleanField("Shuffle the order of the questions", default=True)
    shuffle_choices = BooleanField("Shuffle the order of the choices", default=True)
    points = FloatField(
        "Points per question",
        default=1.0,
        validators=[
            InputRequired("Give the points of a question."),
            NumberRange(min=0.01, max=1000, message="Choose a number from 0.01 to 1000."),
        ],
        description="A partly right answer earns its share.",
    )
    timezone = SelectField(
        "The class's time zone",
        validators=[DataRequired()],
        description="Opening and closing times are in this zone. Changing it changes it for "
        "all the class's quizzes.",
    )
    opens_at = DateTimeLocalField(
        "Opens", format=LOCAL_FORMATS, validators=[Optional()], description="Empty: open now."
    )
    closes_at = DateTimeLocalField(
        "Closes",
        format=LOCAL_FORMATS,
        validators=[Optional()],
        description="Empty: never closes. An attempt under way ends at this time at the latest.",
    )
    time_limit_minutes = IntegerField(
        "Time limit (minutes)",
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_TIME_LIMIT, message="Choose 1 to 10080 minutes, or none."),
        ],
        description="Empty: no time limit.",
    )
    max_attempts = IntegerField(
        "Attempts allowed",
        default=1,
        validators=_whole(0, MAX_ATTEMPTS, "Choose a number from 0 to 100."),
        description="0: as many as a learner wants.",
    )
    grading = SelectField(
        "Which attempt counts",
        choices=[SelectChoice(k, v) for k, v in rules.GRADINGS.items()],
        default="highest",
        validators=[DataRequired()],
    )
    submit = SubmitField("Save quiz")

    topics: list[ClassTopic]
    topic_of: dict[int, int]  # the topic of each question offered for the fixed list
    draw_errors: list[str]
    opens_utc: datetime | None
    closes_utc: datetime | None

    def count_fields(self) -> list[tuple[ClassTopic, Field]]:
        return [(t, self[f"count_{t.topic_id}"]) for t in self.topics]

    def review_fields(self) -> list[Field]:
        return [self[f"review_{part}"] for part in rules.REVIEW_PARTS]

    def counts(self) -> dict[int, int]:
        return {t.topic_id: int(f.data or 0) for t, f in self.count_fields()}

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then what depends on several: the times in the chosen zone, closing
        after opening, and a draw of at least one question within what each topic has."""
        valid = super().validate(extra_validators)
        self.draw_errors = []
        self.opens_utc = self._utc(self.opens_at)
        self.closes_utc = self._utc(self.closes_at)
        if self.opens_utc and self.closes_utc and self.closes_utc <= self.opens_utc:
            self.closes_at.errors = [*self.closes_at.errors, "Close the quiz after it opens."]
        fixed = self.fixed.data or []
        for topic, count_field in self.count_fields():
            taken = sum(1 for q in fixed if self.topic_of.get(q) == topic.topic_id)
            room = topic.questions - taken
            if count_field.data and count_field.data > room and not count_field.errors:
                count_field.errors = [
                    f"{topic.title} has {topic.questions} questions"
                    + (f", {taken} of them in the fixed list" if taken else "")
                    + f": choose at most {room}."
                ]
        if not fixed and not any(self.counts().values()):
            self.draw_errors.append(
                "Choose at least one question: a count for a topic or a fixed question."
            )
        return (
            valid
            and not self.draw_errors
            and not self.closes_at.errors
            and not self.opens_at.errors
            and not any(f.errors for _, f in self.count_fields())
        )

    def _utc(self, local_field: DateTimeLocalField) -> datetime | None:
        if local_field.data is None or local_field.errors:
            return None
        zone = zone_named(self.timezone.data or "UTC")
        try:
            return to_utc(local_field.data, zone)
        except NoSuchTime:
            local_field.errors = [
                *local_field.errors,
                f"{local_field.data:%Y-%m-%d %H:%M} does not exist in {zone.key} (the clocks "
                "go forward then): choose another time.",
            ]
            return None

    def settings(self) -> QuizSettings:
        """The validated form as the settings of a quiz (times in UTC)."""
        return QuizSettings(
            title=self.title.data or "",
            instructions=self.instructions.data or "",
            draw=make_draw(self.counts(), self.fixed.data or []),
            shuffle_questions=bool(self.shuffle_questions.data),
            shuffle_choices=bool(self.shuffle_choices.data),
            points=float(self.points.data or 1.0),
            opens_at=self.opens_utc,
            closes_at=self.closes_utc,
            time_limit_minutes=self.time_limit_minutes.data or None,
            max_attempts=int(self.max_attempts.data or 0),
            grading=self.grading.data or "highest",
            review={part: self[f"review_{part}"].data for part in rules.REVIEW_PARTS},
        )


for _part, _label in rules.REVIEW_PARTS.items():
    setattr(
        QuizForm,
        f"review_{_part}",
        SelectField(
            _label,
            choices=[SelectChoice(k, v) for k, v in rules.REVIEW_WHEN.items()],
            default=rules.DEFAULT_REVIEW[_part],
            validators=[DataRequired()],
        ),
    )


def quiz_form(
    topics: Sequence[ClassTopic],
    questions: Sequence[tuple[int, str, int]],
    zone_name: str,
    quiz: Quiz | None = None,
) -> QuizForm:
    """The settings form for a class: a count per topic of its sets, its questions to pick
    from, its time zone; filled from ``quiz`` (times in the class's zone) when editing."""

    class ClassQuizForm(QuizForm):
        pass

    for topic in topics:
        setattr(
            ClassQuizForm,
            f"count_{topic.topic_id}",
            IntegerField(
                f"{topic.title} ({topic.set_title})",
                default=0,
                validators=[
                    Optional(),
                    NumberRange(
                        min=0,
                        max=topic.questions,
                        message=f"Choose a number from 0 to {topic.questions}.",
                    ),
                ],
                description=f"Out of {topic.questions} questions (empty: none).",
            ),
        )
    data: dict[str, Any] = {"timezone": zone_name}
    if quiz is not None:
        zone = zone_named(zone_name)
        counts, fixed = draw_parts(quiz.draw)
        data.update(
            title=quiz.title,
            instructions=quiz.instructions,
            fixed=fixed,
            shuffle_questions=quiz.shuffle_questions,
            shuffle_choices=quiz.shuffle_choices,
            points=quiz.points,
            opens_at=to_local(quiz.opens_at, zone),
            closes_at=to_local(quiz.closes_at, zone),
            time_limit_minutes=quiz.time_limit_minutes,
            max_attempts=quiz.max_attempts,
            grading=quiz.grading,
            **{f"count_{t.topic_id}": counts.get(t.topic_id, 0) for t in topics},
            **{f"review_{p}": quiz.review.get(p, w) for p, w in rules.DEFAULT_REVIEW.items()},
        )
    form = ClassQuizForm(data=data)
    form.topics = list(topics)
    form.topic_of = {question_id: topic_id for question_id, _, topic_id in questions}
    form.fixed.choices = [SelectChoice(question_id, label) for question_id, label, _ in questions]
    form.timezone.choices = timezone_choices()
    form.draw_errors = []
    return form


class AccommodationForm(FlaskForm):
    """Extra time and attempts for one learner."""

    user_id = SelectField("Learner", coerce=int, validators=[InputRequired()])
    extra_minutes = IntegerField(
        "Extra minutes",
        default=0,
        validators=_whole(0, MAX_TIME_LIMIT, "Choose 0 to 10080 minutes."),
        description="Added to the time limit (an attempt never runs past the closing time).",
    )
    extra_attempts = IntegerField(
        "Extra attempts",
        default=0,
        validators=_whole(0, MAX_ATTEMPTS, "Choose a number from 0 to 100."),
        description="0 and 0 removes the learner's accommodation.",
    )
    submit = SubmitField("Save accommodation")
