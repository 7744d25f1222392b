"""The instructor's side of quizzes through the browser: creating one (and what the form
refuses), times in the class's zone, results and item statistics, accommodations, the
gradebook, previews, and nobody else getting in."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.models import Question, ReviewLog, Role, User
from quizapp.quizzes import attempts, teaching
from quizapp.quizzes.models import Quiz, QuizAccommodation, QuizAttempt
from quizapp.quizzes.teaching_results import question_results, quiz_results
from tests.conftest import Browserless
from tests.quizzes.conftest import Class, make_quiz


@pytest.fixture(autouse=True)
def learner_pages(app: Flask) -> None:
    """Stand-ins for the learner's pages these pages link to, until they exist."""
    for endpoint, rule in (
        ("quizzes.question", "/quizzes/attempts/<int:attempt_id>/<int:n>"),
        ("quizzes.review", "/quizzes/attempts/<int:attempt_id>/review"),
    ):
        if endpoint not in app.view_functions:
            app.add_url_rule(rule, endpoint, lambda **_: "stand-in")


@pytest.fixture
def teacher(klass: Class, user_agent: Browserless) -> Browserless:
    user_agent.login(klass.teacher.email)
    return user_agent


def form_for(klass: Class, **changes: Any) -> dict[str, Any]:
    """A valid quiz form: 2 questions of each topic, times in Europe/Paris."""
    data: dict[str, Any] = {
        "title": "Week 1: capitals",
        "instructions": "No atlas.",
        "shuffle_questions": "y",
        "points": "2",
        "timezone": "Europe/Paris",
        "opens_at": "2026-03-02T09:00",
        "closes_at": "2026-03-09T18:00",
        "time_limit_minutes": "20",
        "max_attempts": "2",
        "grading": "last",
        "review_score": "after_attempt",
        "review_answers": "after_attempt",
        "review_correct": "after_close",
        "review_feedback": "after_close",
        "review_source": "never",
        **{f"count_{t.id}": "2" for t in klass.topics},
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def quizzes() -> list[Quiz]:
    return list(db.session.scalars(sa.select(Quiz).order_by(Quiz.id)))


def test_an_instructor_creates_a_quiz_in_the_class_zone(teacher: Browserless, klass: Class) -> None:
    course = klass.course
    listing = teacher.get(f"/courses/{course.id}").get_data(as_text=True)
    assert f"/quizzes/classes/{course.id}" in listing
    page = teacher.get(f"/quizzes/classes/{course.id}/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Europe (Capitals)" in html
    assert "Out of 4 questions (empty: none)." in html
    assert '<option selected value="UTC">' in html

    response = teacher.submit(f"/quizzes/classes/{course.id}/new", form_for(klass))
    assert response.status_code == 302, response.get_data(as_text=True)
    (quiz,) = quizzes()
    assert response.headers["Location"].endswith(f"/quizzes/{quiz.id}/results")
    assert quiz.title == "Week 1: capitals"
    assert quiz.draw == [{"topic_id": t.id, "count": 2} for t in klass.topics]
    assert (quiz.shuffle_questions, quiz.shuffle_choices) == (True, False)
    assert quiz.points == 2.0
    # 09:00 in Paris in winter is 08:00 UTC; 18:00 is 17:00 UTC.
    assert quiz.opens_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert quiz.closes_at == datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    assert (quiz.time_limit_minutes, quiz.max_attempts, quiz.grading) == (20, 2, "last")
    assert quiz.review["correct"] == "after_close"
    assert quiz.review["source"] == "never"
    db.session.refresh(course)
    assert course.timezone == "Europe/Paris"

    index = teacher.get(f"/quizzes/classes/{course.id}").get_data(as_text=True)
    assert "Week 1: capitals" in index
    assert "Mon 2 Mar 2026, 09:00 (Europe/Paris)" in index
    edit = teacher.get(f"/quizzes/{quiz.id}/edit").get_data(as_text=True)
    assert 'value="2026-03-02T09:00"' in edit


def test_editing_keeps_the_local_times_and_a_fixed_list(teacher: Browserless, klass: Class) -> None:
    quiz = make_quiz(klass)
    fixed = klass.questions[klass.topics[0].id][0]
    changes = form_for(klass, title="Renamed", timezone="America/New_York")
    changes.update({f"count_{t.id}": "0" for t in klass.topics}, fixed=[str(fixed.id)])
    changes[f"count_{klass.topics[0].id}"] = "3"
    response = teacher.submit(f"/quizzes/{quiz.id}/edit", changes)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(quiz)
    assert quiz.title == "Renamed"
    assert quiz.draw == [{"question_id": fixed.id}, {"topic_id": klass.topics[0].id, "count": 3}]
    # New York is UTC-5 on 2 March (summer time starts on 8 March 2026).
    assert quiz.opens_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert quiz.closes_at == datetime(2026, 3, 9, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"closes_at": "2026-03-01T09:00"}, "closes_at", "Close the quiz after it opens."),
        ({"count_0": "5"}, "count_0", "Choose a number from 0 to 4."),
        ({"count_0": "0", "count_1": "", "count_2": "0"}, "draw", "Choose at least one question"),
        ({"count_1": "two"}, "count_1", "Not a valid integer value."),
        ({"count_0": "4", "fixed": ["q0"]}, "count_0", "1 of them in the fixed list"),
        ({"title": ""}, "title", "Give the quiz a title."),
        ({"max_attempts": "-1"}, "max_attempts", "Choose a number from 0 to 100."),
        ({"time_limit_minutes": "0"}, "time_limit_minutes", "Choose 1 to 10080 minutes"),
        ({"opens_at": "2026-03-29T02:30"}, "opens_at", "does not exist in Europe/Paris"),
        ({"opens_at": "tomorrow"}, "opens_at", "Not a valid datetime value."),
    ],
)
def test_the_form_reports_each_problem_beside_its_field(
    teacher: Browserless, klass: Class, changes: dict[str, Any], field: str, message: str
) -> None:
    topic_ids = [t.id for t in klass.topics]
    named: dict[str, Any] = {}
    for key, value in changes.items():
        if key.startswith("count_"):
            key = f"count_{topic_ids[int(key[-1])]}"
        if key == "fixed":
            value = [str(klass.questions[topic_ids[0]][0].id)]
        named[key] = value
    field = f"count_{topic_ids[int(field[-1])]}" if field.startswith("count_") else field
    response = teacher.submit(f"/quizzes/classes/{klass.course.id}/new", form_for(klass, **named))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<p class="error" id="{field}-error">' in html
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert quizzes() == []
    assert 'value="Week 1: capitals"' in html or field == "title"  # what was typed is kept


def test_times_convert_both_ways_and_refuse_a_skipped_hour() -> None:
    paris = ZoneInfo("Europe/Paris")
    summer = datetime(2026, 7, 1, 9, 30)
    assert teaching.to_utc(summer, paris) == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)
    assert teaching.to_local(datetime(2026, 7, 1, 7, 30, tzinfo=UTC), paris) == summer
    # The hour that happens twice (clocks go back on 25 October): the first of the two.
    assert teaching.to_utc(datetime(2026, 10, 25, 2, 30), paris) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    with pytest.raises(teaching.NoSuchTime):
        teaching.to_utc(datetime(2026, 3, 29, 2, 30), paris)


def _choice_question(klass: Class) -> Question:
    question = Question(
        set_id=klass.question_set.id,
        topic_id=klass.topics[0].id,
        uid="europe-choice",
        qtype="single_choice",
        prompt="Capital of France?",
        spec={
            "choices": [
                {"text": "Paris", "correct": True},
                {"text": "Lyon", "correct": False},
                {"text": "Nice", "correct": False},
            ]
        },
        position=99,
    )
    db.session.add(question)
    db.session.commit()
    return question


def take(quiz: Quiz, learner: User, answers: dict[int, Any], now: datetime) -> QuizAttempt:
    attempt = attempts.start(quiz, learner, now)
    for question_id, response in answers.items():
        attempts.save(attempt.id, question_id, response, now)
    held = attempts.locked(attempt.id)
    assert held is not None
    attempts.submit(held, now + timedelta(minutes=3, seconds=5))
    db.session.commit()
    return held


def test_results_and_item_statistics_after_two_learners(teacher: Browserless, klass: Class) -> None:
    choice = _choice_question(klass)
    europe = klass.questions[klass.topics[0].id]
    quiz = make_quiz(
        klass,
        draw=[{"question_id": q.id} for q in (choice, europe[0], europe[1])],
        shuffle_questions=False,
        points=2.0,
        max_attempts=0,
        time_limit_minutes=10,
    )
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    one, two = klass.learners
    take(quiz, one, {choice.id: 0, europe[0].id: "Europecity0"}, now)
    take(quiz, two, {choice.id: 2, europe[1].id: "Europecity1"}, now)
    take(quiz, two, {choice.id: 0, europe[0].id: "Europecity0"}, now + timedelta(hours=1))
    # Learner one's second attempt runs out of time: the results page submits it.
    late = attempts.start(quiz, one, now + timedelta(hours=2))
    db.session.commit()

    page = teacher.get(f"/quizzes/{quiz.id}/results")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Learner 1" in html
    assert "Learner 2" in html
    assert "the timer (time ran out)" in html
    assert "3 min 05 s" in html
    assert f"/quizzes/attempts/{late.id}/review" in html
    db.session.refresh(late)
    assert late.submitted_by == "timer"

    results = {r.name: r for r in quiz_results(quiz, klass.course)}
    assert [a.score for a in results["Learner 1"].attempts] == [4.0, 0.0]
    assert [a.score for a in results["Learner 2"].attempts] == [2.0, 4.0]
    assert results["Learner 1"].counts == 4.0  # the highest
    assert results["Learner 2"].counts == 4.0
    assert results["Learner 1"].max_score == 6.0
    assert "4 / 6" in html

    stats = {r.question.id: r.stats for r in question_results(quiz, klass.course)}
    # Each learner's first attempt: one picked Paris, the other Nice.
    assert stats[choice.id].answers == 2
    assert stats[choice.id].facility == 0.5
    wrong = stats[choice.id].wrong_choices
    assert wrong is not None
    assert [(c.text, c.count) for c in wrong] == [("Lyon", 0), ("Nice", 1)]
    assert stats[europe[0].id].facility == 0.5  # right once, unanswered once
    assert stats[europe[1].id].facility == 0.5
    assert stats[europe[0].id].discrimination is None  # fewer than 3 learners
    assert "Nice: 1" in html


def test_an_accommodation_moves_the_deadline_of_an_attempt_under_way(
    teacher: Browserless, klass: Class
) -> None:
    quiz = make_quiz(klass, time_limit_minutes=10)
    learner = klass.learners[0]
    started = utcnow()
    attempt = attempts.start(quiz, learner, started)
    db.session.commit()
    assert attempt.deadline == started + timedelta(minutes=10)
    page = f"/quizzes/{quiz.id}/results"
    action = f"/quizzes/{quiz.id}/accommodations"

    wrong = teacher.submit(
        page, {"user_id": learner.id, "extra_minutes": "-5", "extra_attempts": "0"}, action=action
    )
    assert wrong.status_code == 400
    assert 'id="extra_minutes-error">Choose 0 to 10080 minutes.' in wrong.get_data(as_text=True)
    stranger = teacher.submit(
        page, {"user_id": klass.teacher.id, "extra_minutes": "5", "extra_attempts": "0"}, action
    )
    assert stranger.status_code == 400

    response = teacher.submit(
        page, {"user_id": learner.id, "extra_minutes": "15", "extra_attempts": "1"}, action=action
    )
    assert response.status_code == 302
    held = db.session.get(QuizAccommodation, (quiz.id, learner.id))
    assert held is not None
    assert (held.extra_minutes, held.extra_attempts) == (15, 1)
    db.session.refresh(attempt)
    assert attempt.deadline == started + timedelta(minutes=25)
    html = teacher.get(page).get_data(as_text=True)
    assert "15 extra minutes, 1 extra attempt" in html

    # 0 and 0 removes it, and the deadline goes back.
    teacher.submit(
        page, {"user_id": learner.id, "extra_minutes": "0", "extra_attempts": "0"}, action
    )
    assert db.session.get(QuizAccommodation, (quiz.id, learner.id)) is None
    db.session.refresh(attempt)
    assert attempt.deadline == started + timedelta(minutes=10)


def test_the_gradebook_has_a_row_per_learner_and_a_column_per_quiz(
    teacher: Browserless, klass: Class
) -> None:
    first = make_quiz(klass, title="Week 1", max_attempts=0, grading="highest")
    second = make_quiz(klass, title="=HYPERLINK(1)", grading="average")
    one, two = klass.learners
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    by_id = {q.id: q for qs in klass.questions.values() for q in qs}

    def right(attempt_questions: list[int], n: int) -> dict[int, Any]:
        return {q: by_id[q].spec["answers"][0] for q in attempt_questions[:n]}

    a = attempts.start(first, one, now)
    take(first, one, right(a.question_ids, 2), now)
    b = attempts.start(first, one, now + timedelta(hours=1))
    take(first, one, right(b.question_ids, 1), now + timedelta(hours=1))
    c = attempts.start(second, two, now)
    take(second, two, right(c.question_ids, 3), now)
    take(first, klass.teacher, {}, now)  # a preview: left out

    response = teacher.get(f"/quizzes/classes/{klass.course.id}/gradebook.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["name", "email", "Week 1", "'=HYPERLINK(1)"],
        ["Learner 1", "learner1@example.org", "2", ""],
        ["Learner 2", "learner2@example.org", "", "3"],
    ]


def test_a_preview_starts_an_attempt_as_the_instructor(teacher: Browserless, klass: Class) -> None:
    quiz = make_quiz(klass, max_attempts=1)
    page = f"/quizzes/{quiz.id}/results"
    response = teacher.submit(page, {}, action=f"/quizzes/{quiz.id}/preview")
    assert response.status_code == 302
    attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id))
    assert attempt is not None
    assert attempt.user_id == klass.teacher.id
    assert response.headers["Location"].endswith(f"/quizzes/attempts/{attempt.id}/1")
    assert "Ms Teacher" not in teacher.get(page).get_data(as_text=True)
    # Submitted, it does not use up the instructor's only attempt: a new preview starts.
    held = attempts.locked(attempt.id)
    assert held is not None
    attempts.submit(held, utcnow())
    db.session.commit()
    again = teacher.submit(page, {}, action=f"/quizzes/{quiz.id}/preview")
    assert again.status_code == 302
    assert "/quizzes/attempts/" in again.headers["Location"]


def test_a_quiz_not_open_yet_can_be_previewed_and_the_preview_is_no_study(
    teacher: Browserless, klass: Class
) -> None:
    quiz = make_quiz(klass, opens_at=utcnow() + timedelta(days=1))
    page = f"/quizzes/{quiz.id}/results"
    response = teacher.submit(page, {}, action=f"/quizzes/{quiz.id}/preview")
    assert response.status_code == 302
    assert "/quizzes/attempts/" in response.headers["Location"]
    attempt = db.session.scalars(sa.select(QuizAttempt)).one()
    assert attempt.user_id == klass.teacher.id
    question_id = attempt.question_ids[0]
    attempts.save(attempt.id, question_id, "an answer", utcnow())
    held = attempts.locked(attempt.id)
    assert held is not None
    attempts.submit(held, utcnow())
    db.session.commit()
    # The teacher's answer is not a review of theirs.
    reviews = sa.select(sa.func.count()).select_from(ReviewLog)
    assert db.session.scalar(reviews.where(ReviewLog.user_id == klass.teacher.id)) == 0


def test_only_the_class_owner_or_an_admin_gets_in(
    klass: Class, user_agent: Browserless, make_user: Any
) -> None:
    quiz = make_quiz(klass)
    course_id = klass.course.id
    pages = [
        f"/quizzes/classes/{course_id}",
        f"/quizzes/classes/{course_id}/new",
        f"/quizzes/{quiz.id}/edit",
        f"/quizzes/{quiz.id}/results",
        f"/quizzes/classes/{course_id}/gradebook.csv",
    ]
    posts = [
        f"/quizzes/classes/{course_id}/new",
        f"/quizzes/{quiz.id}/edit",
        f"/quizzes/{quiz.id}/accommodations",
        f"/quizzes/{quiz.id}/preview",
    ]
    for url in pages:
        assert user_agent.get(url).status_code == 302  # to the login page
    other = make_user("other@example.org", role=Role.INSTRUCTOR)
    user_agent.login(other.email)
    for url in pages:
        assert user_agent.get(url).status_code == 403, url
    for url in posts:
        data = {"user_id": klass.learners[0].id, "extra_minutes": "5", "extra_attempts": "0"}
        response = user_agent.submit("/account/settings", data, action=url)
        assert response.status_code == 403, url
    user_agent.submit("/account/settings", {}, action="/auth/logout")
    user_agent.login(klass.learners[0].email)
    assert user_agent.get(f"/quizzes/{quiz.id}/results").status_code == 403
    admin = make_user("admin@example.org", role=Role.ADMIN)
    user_agent.submit("/account/settings", {}, action="/auth/logout")
    user_agent.login(admin.email)
    for url in pages:
        assert user_agent.get(url).status_code == 200, url
    assert db.session.get(QuizAccommodation, (quiz.id, klass.learners[0].id)) is None


def test_a_learners_own_quiz_has_no_instructor_pages(teacher: Browserless, klass: Class) -> None:
    own = make_quiz(klass, course_id=None, owner_id=klass.learners[0].id)
    assert teacher.get(f"/quizzes/{own.id}/results").status_code == 404
    assert teacher.get(f"/quizzes/{own.id}/edit").status_code == 404
    assert teacher.get("/quizzes/999999/results").status_code == 404
