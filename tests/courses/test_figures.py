"""The class's figures read from the kept figures: each learner's own forgetting curve, weeks in
each learner's calendar, wrong choices from the picks' bit masks, streamed exports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from quizapp.courses.membership import new_join_code
from quizapp.courses.models import Course, CourseSet
from quizapp.courses.overview import course_overview
from quizapp.courses.questions import question_stats
from quizapp.extensions import db
from quizapp.models import Question, QuestionSet, Topic, User
from quizapp.scheduler.params import DEFAULT_PARAMETERS
from quizapp.scheduler.vector import elapsed_days, retrievability_array
from tests.conftest import Browserless
from tests.courses.conftest import Figures

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FITTED = (*DEFAULT_PARAMETERS[:20], 0.6)


def question(uid: str) -> Question:
    found = db.session.scalar(sa.select(Question).where(Question.uid == uid))
    assert found is not None
    return found


@pytest.fixture
def course(instructor: User, course_set: QuestionSet) -> Course:
    course = Course(owner_id=instructor.id, title="Figures", join_code=new_join_code())
    db.session.add(course)
    db.session.flush()
    db.session.add(CourseSet(course_id=course.id, set_id=course_set.id))
    db.session.commit()
    return course


def learner(
    make_user: Callable[..., User], figures: Figures, course: Course, n: int, zone: str = "UTC"
) -> User:
    user = make_user(f"f{n}@example.org", name=f"Figures {n}")
    user.timezone = zone
    figures.member(course, user)
    return user


def test_recall_follows_each_learners_own_parameters(
    course: Course, make_user: Callable[..., User], figures: Figures
) -> None:
    plain, fitted, idle = (learner(make_user, figures, course, n) for n in (1, 2, 3))
    figures.fitted(fitted, FITTED)
    reviewed = NOW - timedelta(days=6, hours=5)
    for person in (plain, fitted):
        figures.answered(person, question("q1"), first=1.0, at=reviewed, stability=3.0)
    db.session.commit()

    view = course_overview(course, now=NOW)
    basics = next(row for row in view.topics if row.topic.title == "Basics")
    days = elapsed_days([reviewed], NOW)  # 6 whole days
    default = retrievability_array([3.0], days, DEFAULT_PARAMETERS)[0]
    own = retrievability_array([3.0], days, FITTED)[0]
    assert own != pytest.approx(default)
    assert basics.stats.mean_recall == pytest.approx((default + own) / 2)
    assert (basics.stats.studied_by, basics.stats.learners) == (2, 3)
    # 2 of 3 learners studied 1 of Basics' 2 questions.
    assert basics.stats.mean_coverage == pytest.approx(2 / 6)
    # Below target as the home page says weak (scheduler.weakness): a week ahead, over the
    # whole topic (the unstudied question at its estimate), so below the recall now.
    below = {row.member.user_id: row.below_target for row in view.behind}
    assert below[plain.id][0][1] < default
    assert idle.id not in below  # a topic never started is not weak


def test_weeks_are_each_learners_calendar_days(
    course: Course, make_user: Callable[..., User], figures: Figures
) -> None:
    # At NOW (12:00 UTC) it is already 11-26 in Kiritimati (UTC+14), still 11-25 in UTC.
    east = learner(make_user, figures, course, 1, "Pacific/Kiritimati")
    utc = learner(make_user, figures, course, 2, "UTC")
    lost = learner(make_user, figures, course, 3, "Nowhere/Unknown")  # counted in UTC
    topic = question("q1").topic_id
    for person in (east, utc, lost):
        figures.answered(person, question("q1"), first=1.0, at=NOW, stability=100.0)
        figures.day(person, topic, date(2026, 11, 19), [1.0, 1.0])
        figures.day(person, topic, date(2026, 11, 20), [0.0, 0.0])
        figures.day(person, topic, date(2026, 11, 12), [0.0])  # before both weeks for UTC
    db.session.commit()

    behind = {row.member.user_id: row for row in course_overview(course, now=NOW).behind}
    # East: the week before is 11-13..11-19 (1.0), the last week 11-20..11-26 (0.0).
    ((title_topic, before, after),) = behind[east.id].falling
    assert (title_topic.title, before, after) == ("Basics", 1.0, 0.0)
    # UTC: the last week 11-19..11-25 holds all four answers; the week before, one. (Both
    # are below target on Basics, half of it never studied: not falling, though.)
    assert not behind[utc.id].falling
    assert not behind[lost.id].falling


def test_wrong_choices_of_a_multiple_response_question_come_from_the_bits(
    course: Course, course_set: QuestionSet, make_user: Callable[..., User], figures: Figures
) -> None:
    topic = db.session.scalar(sa.select(Topic).where(Topic.uid == "advanced"))
    choices = [
        {"text": "Right one", "correct": True},
        {"text": "Wrong one", "correct": False},
        {"text": "Right two", "correct": True},
        {"text": "Wrong two", "correct": False},
    ]
    multi = Question(
        uid="q4",
        question_set=course_set,
        topic=topic,
        qtype="multiple_response",
        title="Question q4",
        prompt="Pick all",
        spec={"choices": choices},
        position=3,
    )
    db.session.add(multi)
    db.session.flush()
    picks = [0b0101, 0b0011, 0b1010, 0b1011]  # (right), (wrong one), (wrong one, wrong two) x2
    for n, mask in enumerate(picks):
        person = learner(make_user, figures, course, n)
        figures.answered(person, multi, first=1.0 if mask == 0b0101 else 0.0, picked=mask)
    db.session.commit()

    (row,) = [r for r in question_stats(course) if r.question.uid == "q4"]
    assert [(c.index, c.text, c.count) for c in row.stats.wrong_choices or ()] == [
        (1, "Wrong one", 3),
        (3, "Wrong two", 2),
    ]
    assert row.stats.facility == pytest.approx(0.25)


def test_exports_stream_every_member_and_question(
    course: Course,
    instructor: User,
    make_user: Callable[..., User],
    figures: Figures,
    browser_for: Callable[[User], Browserless],
) -> None:
    answered = learner(make_user, figures, course, 1)
    learner(make_user, figures, course, 2)  # answered nothing
    sneaky = make_user("sneaky@example.org", name="@SUM(A1)")
    figures.member(course, sneaky)
    later = NOW + timedelta(days=1)
    figures.answered(answered, question("q2"), first=0.0, last=1.0, last_at=later, attempts=3)
    db.session.commit()

    agent = browser_for(instructor)
    response = agent.get(f"/courses/{course.id}/results.csv")
    assert response.is_streamed
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 9  # 3 members x 3 questions, answered or not
    by_key = {(r["email"], r["question_id"]): r for r in rows}
    assert by_key[("f1@example.org", "q2")] == {
        "email": "f1@example.org",
        "name": "Figures 1",
        "set": "class-set",
        "question_id": "q2",
        "question": "Question q2",
        "attempts": "3",
        "first_score": "0.000",
        "last_score": "1.000",
        "last_answered_at": "2026-11-26T12:00:00+00:00",
    }
    assert by_key[("f2@example.org", "q1")]["attempts"] == "0"
    assert by_key[("f2@example.org", "q1")]["first_score"] == ""
    assert "'@SUM(A1)" in text
    assert re.search(r"^@", text, re.M) is None

    summary = agent.get(f"/courses/{course.id}/learners.csv")
    assert summary.is_streamed
    people = {r["email"]: r for r in csv.DictReader(io.StringIO(summary.get_data(as_text=True)))}
    assert people["f1@example.org"]["questions_answered"] == "1"
    assert people["f1@example.org"]["attempts"] == "3"
    assert people["f1@example.org"]["last_answered_at"] == "2026-11-26T12:00:00+00:00"
    assert people["f2@example.org"]["questions_answered"] == "0"
    assert people["f2@example.org"]["mean_first_score"] == ""
    assert people["sneaky@example.org"]["name"] == "'@SUM(A1)"


@pytest.mark.parametrize(
    ("stability", "ago"),
    [
        (3.0, timedelta(days=2)),  # exactly two whole days
        (3.0, timedelta(days=2) - timedelta(seconds=1)),  # still one
        (0.4, timedelta(hours=30)),
        (40.0, timedelta(days=95, hours=7)),
        (2.0, -timedelta(hours=1)),  # reviewed after "now": no time elapsed
    ],
)
def test_the_databases_curve_is_the_librarys(
    course: Course,
    make_user: Callable[..., User],
    figures: Figures,
    stability: float,
    ago: timedelta,
) -> None:
    person = learner(make_user, figures, course, 1)
    figures.answered(person, question("q3"), first=1.0, at=NOW - ago, stability=stability)
    db.session.commit()
    view = course_overview(course, now=NOW)
    advanced = next(row for row in view.topics if row.topic.title == "Advanced")
    expected = retrievability_array(
        [stability], elapsed_days([NOW - ago], NOW), DEFAULT_PARAMETERS
    )[0]
    assert advanced.stats.mean_recall == pytest.approx(expected, rel=1e-9)
