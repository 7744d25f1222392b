"""The typed answers marked wrong most often, and accepting one: the question accepts it from
then on, the change is recorded, and learners' past answers are graded again with their memory
of the question replayed, exactly as if each answer had been graded so at the time."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from quizapp.extensions import db
from quizapp.learners.models import LearnerStats, TopicStats
from quizapp.learners.rebuild import rebuild_learner
from quizapp.models import (
    Enrollment,
    Question,
    QuestionChange,
    QuestionMemory,
    QuestionSet,
    ReviewLog,
    Role,
    Topic,
    User,
)
from quizapp.study import answering
from tests.conftest import Browserless

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
SHORT = {"answers": ["T cell", "T lymphocyte"]}
CLOZE = {"text": "The cells are [[extracted]] from the blood and [[amplified]] in the lab."}


@pytest.fixture
def teacher(make_user: Callable[..., User]) -> User:
    return make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Ms Teacher")


@pytest.fixture
def bank(app: Flask, teacher: User) -> QuestionSet:
    qs = QuestionSet(uid="cart", title="CAR-T", owner_id=teacher.id)
    db.session.add(qs)
    db.session.flush()
    topic = Topic(set_id=qs.id, uid="basics", title="Basics", position=0)
    db.session.add(topic)
    db.session.flush()
    for position, (uid, qtype, spec) in enumerate(
        [("which-cell", "short_answer", SHORT), ("steps", "cloze", CLOZE)]
    ):
        db.session.add(
            Question(
                set_id=qs.id,
                topic_id=topic.id,
                uid=uid,
                qtype=qtype,
                prompt=f"{uid}?",
                spec=spec,
                position=position,
            )
        )
    db.session.commit()
    return qs


def question(uid: str) -> Question:
    found = db.session.scalar(sa.select(Question).where(Question.uid == uid))
    assert found is not None
    return found


@pytest.fixture
def learners(make_user: Callable[..., User], bank: QuestionSet) -> dict[str, User]:
    people = {name: make_user(f"{name}@example.org", name=name.title()) for name in "abc"}
    for person in people.values():
        db.session.add(Enrollment(user_id=person.id, set_id=bank.id))
    db.session.commit()
    return people


def give(user: User, uid: str, response: Any, days: float) -> ReviewLog:
    result = answering.answer_question(
        user, question(uid), response, duration_ms=6000, now=T0 + timedelta(days=days)
    )
    db.session.commit()
    return result.review


def memory(user: User, uid: str) -> dict[str, Any]:
    row = db.session.scalar(
        sa.select(QuestionMemory).where(
            QuestionMemory.user_id == user.id, QuestionMemory.question_id == question(uid).id
        )
    )
    assert row is not None
    return {k: getattr(row, k) for k in ("stability", "difficulty", "state", "due", "reps")}


def ratings(user: User, uid: str) -> list[tuple[str, int, dict[str, Any] | None]]:
    logs = db.session.scalars(
        sa.select(ReviewLog)
        .where(ReviewLog.user_id == user.id, ReviewLog.question_id == question(uid).id)
        .order_by(ReviewLog.reviewed_at)
    )
    return [(log.outcome, log.rating, log.state_before) for log in logs]


def figures(user: User) -> tuple[Any, ...]:
    db.session.expire_all()
    stats = db.session.get(LearnerStats, user.id)
    assert stats is not None
    topics = db.session.scalars(sa.select(TopicStats).where(TopicStats.user_id == user.id))
    return (
        stats.reviews,
        stats.fast_value,
        stats.slow_value,
        stats.first_n,
        stats.first_sum,
        sorted((t.topic_id, t.answers, t.successes, t.first_n, t.first_sum) for t in topics),
    )


@pytest.fixture
def teacher_agent(user_agent: Browserless, teacher: User) -> Browserless:
    user_agent.login(teacher.email)
    return user_agent


PAGE = "/instructor/sets/cart/typed-answers"


def accept(agent: Browserless, uid: str, part: int, text: str) -> str:
    response = agent.submit(
        PAGE,
        {"part": str(part), "answer": text},
        action=f"/instructor/sets/cart/questions/{question(uid).id}/accept",
    )
    assert response.status_code == 302
    return agent.get(response.headers["Location"]).get_data(as_text=True)


def test_the_page_lists_wrong_typed_answers_grouped_as_the_grader_compares_them(
    teacher_agent: Browserless, learners: dict[str, User]
) -> None:
    a, b, c = learners.values()
    give(a, "which-cell", "lymphocyte", 0)
    give(a, "which-cell", "lymphocyte", 2)
    give(b, "which-cell", "Lymphocyte.", 0)
    give(c, "which-cell", "B cell", 0)
    give(c, "which-cell", "T-cell", 1)  # right: not listed
    give(a, "steps", ["extracted", "expanded"], 0)
    give(b, "steps", ["removed", "expanded"], 0)

    page = teacher_agent.get(PAGE).get_data(as_text=True)
    rows = [line.strip() for line in page.splitlines() if '<th scope="row">' in line]
    assert rows[:2] == ['<th scope="row">“lymphocyte”</th>', '<th scope="row">“B cell”</th>']
    counts = re.search(
        r'“lymphocyte”</th>\s*<td class="num">(\d+)</td>\s*<td class="num">(\d+)', page
    )
    assert counts is not None
    assert counts.groups() == ("3", "2")  # 3 times, by 2 learners
    assert "T-cell" not in page
    # The cloze's wrong gaps, each with its gap number; the right first gap is not listed.
    assert "“expanded”" in page
    assert "“removed”" in page
    assert "“extracted”" not in page
    assert 'aria-label="Accept “expanded” in gap 2"' in page


def test_accepting_an_answer_regrades_past_answers_as_if_graded_so_at_the_time(
    teacher_agent: Browserless, learners: dict[str, User], teacher: User
) -> None:
    a, twin, _ = learners.values()
    for days, typed in ((0, "lymphocyte"), (2, "Lymphocyte"), (5, "T cell")):
        give(a, "which-cell", typed, days)
        give(twin, "which-cell", "T cell", days)  # the same answers, right each time
    assert [outcome for outcome, _, _ in ratings(a, "which-cell")] == ["wrong", "wrong", "correct"]
    assert memory(a, "which-cell") != memory(twin, "which-cell")

    page = accept(teacher_agent, "which-cell", 0, "lymphocyte")

    assert "“lymphocyte” is now accepted" in page
    assert "No answer to this question is graded wrong any more." in page
    assert "by Ms Teacher" in page
    db.session.expire_all()
    assert question("which-cell").spec["answers"] == ["T cell", "T lymphocyte", "lymphocyte"]
    change = db.session.scalar(sa.select(QuestionChange))
    assert change is not None
    assert (change.change, change.changed_by_id) == (
        {"accepted": "lymphocyte", "part": 0},
        teacher.id,
    )
    assert change.spec_before == SHORT
    # Past answers: graded right, with the ratings and states a right answer had then.
    assert ratings(a, "which-cell") == ratings(twin, "which-cell")
    assert memory(a, "which-cell") == memory(twin, "which-cell")
    regraded = db.session.scalars(
        sa.select(ReviewLog.regraded_at).where(ReviewLog.user_id == a.id)
    ).all()
    assert sum(at is not None for at in regraded) == 2  # the third was right already
    # The kept figures are the ones a rebuild from the log gives.
    kept = figures(a)
    rebuild_learner(a)
    db.session.flush()
    assert figures(a) == kept
    # Undoing the last answer restores the regraded state before it.
    answering.undo_last_answer(a, now=T0 + timedelta(days=5, minutes=1))
    answering.undo_last_answer(twin, now=T0 + timedelta(days=5, minutes=1))
    db.session.commit()
    assert memory(a, "which-cell") == memory(twin, "which-cell")
    # From now on it is right at once.
    assert give(a, "which-cell", "lymphocyte", 9).outcome == "correct"


def test_accepting_in_one_gap_of_a_cloze(
    teacher_agent: Browserless, learners: dict[str, User]
) -> None:
    a, b, _ = learners.values()
    give(a, "steps", ["extracted", "expanded"], 0)
    give(b, "steps", ["expanded", "amplified"], 0)  # "expanded" in the first gap stays wrong

    accept(teacher_agent, "steps", 1, "expanded")

    db.session.expire_all()
    assert question("steps").spec["text"] == (
        "The cells are [[extracted]] from the blood and [[amplified|expanded]] in the lab."
    )
    assert [o for o, _, _ in ratings(a, "steps")] == ["correct"]
    assert [o for o, _, _ in ratings(b, "steps")] == ["partial"]


@pytest.mark.parametrize(
    ("uid", "part", "text", "says"),
    [
        ("which-cell", 0, "T lymphocyte", "is accepted already"),
        ("which-cell", 0, "t-lymphocyte", "is accepted already"),  # the grader takes it
        ("steps", 0, "taken|removed", "cannot hold"),
        ("steps", 4, "removed", "not a gap 5"),
        ("which-cell", 0, "   ", "no answer to accept"),
    ],
)
def test_an_answer_that_cannot_be_accepted_changes_nothing(
    teacher_agent: Browserless,
    learners: dict[str, User],
    uid: str,
    part: int,
    text: str,
    says: str,
) -> None:
    give(learners["a"], uid, "x" if uid == "which-cell" else ["x", "y"], 0)
    before = dict(question(uid).spec)

    page = accept(teacher_agent, uid, part, text)

    assert says in page
    db.session.expire_all()
    assert question(uid).spec == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionChange)) == 0


def test_only_the_sets_owner_sees_and_accepts(
    user_agent: Browserless, make_user: Callable[..., User], learners: dict[str, User]
) -> None:
    make_user("other@example.org", role=Role.INSTRUCTOR)
    user_agent.login("other@example.org")
    assert user_agent.get(PAGE).status_code == 403
