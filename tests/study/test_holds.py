"""What Anki users rely on (issue 16): suspend and take back, bury until tomorrow, flag for the
instructor, leech detection; held questions leave the queues and the due counts, nothing else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.extensions import db
from quizapp.models import Question, QuestionFlag, QuestionMemory, QuestionSet, Role, User
from quizapp.study import answering, holds, progress, sessions
from tests.conftest import Browserless
from tests.study.test_pages import answer_current, start

T0 = datetime(2025, 5, 5, 9, 0, tzinfo=UTC)


def _memory(user: User, question_id: int) -> QuestionMemory:
    row = db.session.scalar(
        sa.select(QuestionMemory).where(
            QuestionMemory.user_id == user.id, QuestionMemory.question_id == question_id
        )
    )
    assert row is not None
    return row


def test_a_suspended_question_leaves_the_queues_until_taken_back(
    logged_in: Browserless, learner: User
) -> None:
    url = start(logged_in)
    feedback = answer_current(logged_in, url, {"choice": "1"})  # wrong: it would come back
    page = logged_in.get(feedback).get_data(as_text=True)
    assert "Suspend" in page
    assert "Bury until tomorrow" in page
    question_id = _answered_id(learner)
    response = logged_in.submit(feedback, {}, action=feedback + "/suspend")
    assert response.status_code == 303
    row = _memory(learner, question_id)
    assert row.suspended_reason == "learner"
    # Not asked again in this session, nor in a new one, and not counted as due.
    later = datetime.now(UTC) + timedelta(days=400)
    assert question_id not in sessions.study_queue_for(learner, now=later, mode="due")
    due, _ = progress.due_counts(learner, now=later)
    all_due = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(QuestionMemory)
        .where(QuestionMemory.user_id == learner.id)
    )
    assert due == (all_due or 0) - 1
    held = logged_in.get("/study/held").get_data(as_text=True)
    assert "Suspended by you." in held
    logged_in.submit("/study/held", {}, action=f"/study/held/{question_id}/unsuspend")
    db.session.expire_all()
    assert _memory(learner, question_id).suspended_at is None
    assert question_id in sessions.study_queue_for(learner, now=later, mode="due")


def _answered_id(learner: User) -> int:
    row = db.session.scalars(
        sa.select(QuestionMemory).where(QuestionMemory.user_id == learner.id)
    ).first()
    assert row is not None
    return row.question_id


def test_a_buried_question_is_back_the_next_local_day(
    logged_in: Browserless, learner: User
) -> None:
    url = start(logged_in)
    feedback = answer_current(logged_in, url, {"choice": "1"})
    response = logged_in.submit(feedback, {}, action=feedback + "/bury", follow_redirects=True)
    assert "Buried until" in response.get_data(as_text=True)
    question_id = _answered_id(learner)
    row = _memory(learner, question_id)
    assert row.buried_until is not None
    now = datetime.now(UTC)
    assert question_id in holds.held_ids(learner, now)
    assert question_id not in holds.held_ids(learner, row.buried_until)
    assert row.buried_until <= now + timedelta(days=1)


def test_a_flag_reaches_the_instructors_question_page(
    logged_in: Browserless,
    learner: User,
    bank: QuestionSet,
    make_user: Callable[..., User],
    app: Flask,
) -> None:
    url = start(logged_in)
    feedback = answer_current(logged_in, url, {"choice": "1"})
    empty = logged_in.submit(
        feedback, {"comment": "  "}, action=feedback + "/flag", follow_redirects=True
    )
    assert "Say what is wrong with the question" in empty.get_data(as_text=True)
    logged_in.submit(
        feedback, {"comment": "Two choices say the same thing."}, action=feedback + "/flag"
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionFlag)) == 1
    teacher = make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Tess")
    course = Course(owner_id=teacher.id, title="Myeloma 101", join_code="MYEL0101")
    db.session.add(course)
    db.session.flush()
    db.session.add_all(
        [
            CourseSet(course_id=course.id, set_id=bank.id),
            CourseMember(course_id=course.id, user_id=learner.id),
        ]
    )
    db.session.commit()
    instructor = Browserless(app.test_client())
    instructor.login(teacher.email)
    page = instructor.get(f"/courses/{course.id}/questions").get_data(as_text=True)
    assert "Two choices say the same thing." in page
    assert "1 flag" in page


def test_a_question_forgotten_eight_times_is_a_leech_and_undo_takes_it_back(
    learner: User, bank: QuestionSet
) -> None:
    question = db.session.scalars(
        sa.select(Question).where(Question.set_id == bank.id, Question.qtype == "single_choice")
    ).first()
    assert question is not None
    right = next(i for i, c in enumerate(question.spec["choices"]) if c.get("correct"))
    wrong = next(i for i, c in enumerate(question.spec["choices"]) if not c.get("correct"))
    now = T0
    lapses_seen = []
    leech_at = None
    for _ in range(40):
        # Right until it graduates to review (the learning steps), then forgotten: a lapse.
        for _ in range(3):
            answering.answer_question(learner, question, right, duration_ms=5000, now=now)
            now += timedelta(days=3)
        answering.answer_question(learner, question, wrong, duration_ms=5000, now=now)
        db.session.commit()
        row = _memory(learner, question.id)
        lapses_seen.append(row.lapses)
        if row.suspended_at is not None:
            leech_at = row.lapses
            break
        now += timedelta(days=3)
    assert leech_at == holds.LEECH_LAPSES, lapses_seen
    assert row.suspended_reason == "leech"
    assert question.id in holds.held_ids(learner, now + timedelta(days=30))
    # Undoing the answer that made it a leech takes the suspension back.
    answering.undo_last_answer(learner, now=now)
    db.session.commit()
    db.session.expire_all()
    row = _memory(learner, question.id)
    assert row.lapses == holds.LEECH_LAPSES - 1
    assert row.suspended_at is None


def test_no_one_holds_anothers_question(
    logged_in: Browserless, learner: User, make_user: Callable[..., User], app: Flask
) -> None:
    url = start(logged_in)
    feedback = answer_current(logged_in, url, {"choice": "1"})
    other = Browserless(app.test_client())
    other.login(make_user("other@example.org").email)
    token_page = "/study/held"
    response = other.submit(token_page, {}, action=feedback + "/suspend")
    assert response.status_code == 404
    assert _memory(learner, _answered_id(learner)).suspended_at is None
