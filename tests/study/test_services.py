"""The study services on the database: answering, overrides, undo, sessions, queues, figures.

A small set is built directly with the models (two topics, every question type), and every
test passes a fixed ``now``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from quizapp import scheduler as sch
from quizapp.extensions import db
from quizapp.learners.fitting import fit_and_store
from quizapp.models import (
    Enrollment,
    LearnerModelRecord,
    Question,
    QuestionMemory,
    QuestionSet,
    ReviewLog,
    Topic,
    User,
)
from quizapp.study import answering, progress, sessions
from quizapp.study.common import StudyError
from quizapp.study.history import question_history

T0 = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)

CHOICES = [
    {"text": "Bone marrow", "correct": True},
    {"text": "Liver"},
    {"text": "Skin"},
    {"text": "Gut"},
]
MULTIPLE = [{"text": "A", "correct": True}, {"text": "B", "correct": True}, {"text": "C"}]
MATCHING = {"pairs": [{"left": "BCMA", "right": "antigen"}, {"left": "CAR", "right": "receptor"}]}

# type: (spec, a correct response, a wrong response)
TYPES: dict[str, tuple[dict[str, Any], object, object]] = {
    "single_choice": ({"choices": CHOICES}, 0, 2),
    "multiple_response": ({"choices": MULTIPLE}, [0, 1], [2]),
    "true_false": ({"answer": True}, True, False),
    "short_answer": ({"answers": ["BCMA"]}, "bcma", "CD19"),
    "cloze": (
        {"text": "Cells are [[extracted]] and [[infused]]."},
        ["extracted", "infused"],
        ["x", "y"],
    ),
    "matching": (MATCHING, [0, 1], [1, 0]),
    "ordering": ({"items": ["first", "second", "third"]}, [0, 1, 2], [2, 1, 0]),
    "numeric": ({"answer": 3, "tolerance": 0}, "3", "4"),
}


@pytest.fixture
def study_set(app: Flask) -> QuestionSet:
    """Topic A holds one question of every type (in TYPES order); topic B two short answers."""
    qs = QuestionSet(uid="demo", title="Demo set")
    db.session.add(qs)
    db.session.flush()
    a = Topic(set_id=qs.id, uid="a", title="Topic A", position=0)
    b = Topic(set_id=qs.id, uid="b", title="Topic B", position=1)
    db.session.add_all([a, b])
    db.session.flush()
    for i, (qtype, (spec, _, _)) in enumerate(TYPES.items()):
        db.session.add(
            Question(
                set_id=qs.id,
                topic_id=a.id,
                uid=qtype,
                qtype=qtype,
                prompt=qtype,
                spec=spec,
                position=i,
            )
        )
    for i in range(2):
        db.session.add(
            Question(
                set_id=qs.id,
                topic_id=b.id,
                uid=f"b{i}",
                qtype="short_answer",
                prompt=f"b{i}",
                spec={"answers": [f"answer {i}"]},
                position=10 + i,
            )
        )
    db.session.commit()
    return qs


@pytest.fixture
def learner(make_user: Callable[..., User], study_set: QuestionSet) -> User:
    user = make_user("learner@example.org")
    db.session.add(Enrollment(user_id=user.id, set_id=study_set.id))
    db.session.commit()
    return user


def q(uid: str) -> Question:
    question = db.session.scalar(sa.select(Question).where(Question.uid == uid))
    assert question is not None
    return question


def answer(
    user: User, uid: str, right: bool, now: datetime, duration_ms: int | None = 5000, **kw: Any
) -> answering.AnswerResult:
    question = q(uid)
    _spec, good, bad = TYPES.get(question.qtype, ({}, None, None))
    if question.qtype == "short_answer" and uid.startswith("b"):
        good, bad = question.spec["answers"][0], "nonsense"
    return answering.answer_question(
        user, question, good if right else bad, duration_ms=duration_ms, now=now, **kw
    )


def state_row(user: User, uid: str) -> QuestionMemory | None:
    return db.session.scalar(
        sa.select(QuestionMemory).where(
            QuestionMemory.user_id == user.id, QuestionMemory.question_id == q(uid).id
        )
    )


STATE_FIELDS = (
    "stability",
    "difficulty",
    "state",
    "step",
    "due",
    "last_review",
    "reps",
    "lapses",
    "topic_id",
)


def snapshot(row: QuestionMemory | None) -> dict[str, Any] | None:
    return None if row is None else {f: getattr(row, f) for f in STATE_FIELDS}


def put_state(user: User, uid: str, stability: float, last: datetime, due: datetime) -> None:
    """Give the learner a review-state memory of a question (as after earlier answers)."""
    question = q(uid)
    db.session.add(
        QuestionMemory(
            user_id=user.id,
            question_id=question.id,
            topic_id=question.topic_id,
            stability=stability,
            difficulty=5.0,
            state=sch.REVIEW,
            step=None,
            due=due,
            last_review=last,
            reps=3,
            lapses=0,
        )
    )
    db.session.flush()


# --- answering ---------------------------------------------------------------------------------

# With a fast answer (5 s): a correct answer that cannot be guessed is Easy (4); a guessable one
# is never Easy: knew-probability 1 / (1 + c) with the new-question prior 0.5 gives Good (3)
# for 4 options (0.8) and Hard (2) for true/false (0.67); partial credit is Hard.
EXPECTED_RATING = {
    "single_choice": 3,
    "multiple_response": 4,
    "true_false": 2,
    "short_answer": 4,
    "cloze": 4,
    "matching": 4,
    "ordering": 4,
    "numeric": 4,
}


@pytest.mark.parametrize("qtype", list(TYPES))
def test_answering_every_type_writes_the_log_and_the_state(learner: User, qtype: str) -> None:
    result = answer(learner, qtype, True, T0)
    log = db.session.scalar(sa.select(ReviewLog).where(ReviewLog.question_id == q(qtype).id))
    assert log is result.review
    assert (log.outcome, log.score, log.override, log.duration_ms) == ("correct", 1.0, None, 5000)
    assert log.response == TYPES[qtype][1]
    assert (log.rating, log.auto_rating) == (EXPECTED_RATING[qtype],) * 2
    assert log.state_before is None
    assert log.reviewed_at == T0
    row = state_row(learner, qtype)
    assert row is not None
    assert row.topic_id == q(qtype).topic_id
    assert (row.reps, row.last_review, row.due) == (1, T0, result.due)
    after_first = snapshot(row)
    assert result.recall_before is None

    later = T0 + timedelta(days=3)
    wrong = answer(learner, qtype, False, later)
    assert (wrong.review.outcome, wrong.review.rating) == ("wrong", 1)
    # the log keeps the state the answer started from: the one the first answer left
    assert wrong.review.state_before is not None
    before = sch.MemoryState.from_dict(wrong.review.state_before).to_dict()
    assert {**before, "topic_id": row.topic_id} == after_first
    assert wrong.recall_before is not None
    assert 0.0 < wrong.recall_before < 1.0
    assert state_row(learner, qtype).reps == 2  # type: ignore[union-attr]


def test_partial_credit_is_hard(learner: User) -> None:
    result = answering.answer_question(
        learner, q("cloze"), ["extracted", "wrong"], duration_ms=5000, now=T0
    )
    assert (result.review.outcome, result.review.score, result.review.rating) == ("partial", 0.5, 2)


def test_a_lucky_guess_does_not_push_the_question_months_away(learner: User) -> None:
    # The same memory (stability 10 days, answered 10 days ago) and a correct answer: the
    # true/false question may grow to at most (1 + (1 - 1/2) * 2) * 10 = 20 days; the short
    # answer, which cannot be guessed, goes much further.
    for uid in ("true_false", "short_answer"):
        put_state(learner, uid, 10.0, T0 - timedelta(days=10), T0)
    guessable = answer(learner, "true_false", True, T0)
    free = answer(learner, "short_answer", True, T0)
    cap = sch.guess_interval_cap(0.5, 10.0)
    assert cap == 20.0
    assert guessable.interval_days <= cap
    assert free.interval_days > 2 * cap


# --- override ----------------------------------------------------------------------------------


def test_override_recomputes_from_the_state_before_and_is_kept(learner: User) -> None:
    put_state(learner, "short_answer", 10.0, T0 - timedelta(days=10), T0)
    before = sch.MemoryState.from_dict(snapshot(state_row(learner, "short_answer")) or {})
    wrong = answer(learner, "short_answer", False, T0)
    assert wrong.review.rating == 1
    result = answering.override_answer(
        learner, wrong.review, "knew", now=T0 + timedelta(seconds=30)
    )
    assert result is not None
    log = result.review
    assert (log.override, log.auto_rating) == ("knew", 1)
    assert log.rating >= 3
    expected, _ = sch.review(
        before,
        sch.Evidence(0.0, 5000, None, sch.Override.KNEW),
        T0,
        sch.SchedulerParams(desired_retention=learner.target_retention),
    )
    row = state_row(learner, "short_answer")
    assert snapshot(row) == {**expected.to_dict(), "topic_id": q("short_answer").topic_id}
    assert row is not None
    assert row.lapses == 0  # the lapse the wrong answer caused is gone
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(ReviewLog, log.id)
    assert stored is not None
    assert (stored.override, stored.rating) == ("knew", log.rating)

    # "I didn't really know" on a correct answer makes it a lapse
    again = answer(learner, "short_answer", True, T0 + timedelta(days=40))
    flipped = answering.override_answer(
        learner, again.review, "didnt_know", now=again.review.reviewed_at
    )
    assert flipped is not None
    assert (flipped.review.rating, flipped.review.auto_rating) == (1, again.review.auto_rating)
    assert state_row(learner, "short_answer").lapses == 1  # type: ignore[union-attr]

    # only the latest answer to a question can be overridden
    with pytest.raises(ValueError, match="latest"):
        answering.override_answer(learner, wrong.review, "didnt_know", now=T0 + timedelta(days=41))


# --- undo --------------------------------------------------------------------------------------


def test_undo_restores_the_state_exactly_and_the_answer_counts_nowhere(learner: User) -> None:
    first = answer(learner, "short_answer", True, T0)
    db.session.commit()
    kept = snapshot(state_row(learner, "short_answer"))
    day2 = T0 + timedelta(days=2)
    answer(learner, "short_answer", False, day2)
    db.session.commit()
    assert snapshot(state_row(learner, "short_answer")) != kept

    undone = answering.undo_last_answer(learner, now=day2 + timedelta(minutes=1))
    db.session.commit()
    db.session.expire_all()
    assert undone is not None
    assert undone.undone_at == day2 + timedelta(minutes=1)
    assert snapshot(state_row(learner, "short_answer")) == kept  # every field, exactly

    # the undone answer is left out of every figure
    history = question_history(learner, q("short_answer"), now=day2)
    assert [h.reviewed_at for h in history] == [T0]
    heat = dict(progress.review_heatmap(learner, now=day2, days=5))
    assert (heat[T0.date()], heat[day2.date()]) == (1, 0)
    assert progress.day_streak(learner, now=day2) == 0
    topic_a = next(v for v in progress.topic_summaries(learner, now=day2) if v.title == "Topic A")
    assert topic_a.studied == 1
    assert answering.last_answer_id(learner) == first.review.id

    # undoing the first answer removes the memory state: the question is new again
    answering.undo_last_answer(learner, now=day2 + timedelta(minutes=2))
    db.session.commit()
    assert state_row(learner, "short_answer") is None
    assert answering.last_answer_id(learner) is None
    assert answering.undo_last_answer(learner, now=day2) is None
    assert progress.due_counts(learner, now=T0 + timedelta(hours=1)) == (0, 10)


# --- sessions ----------------------------------------------------------------------------------


def test_a_wrong_answer_comes_back_later_in_the_session_never_twice_in_a_row(
    learner: User,
) -> None:
    learner.new_per_day = 4
    session = sessions.start_session(learner, "due", now=T0)
    asked: list[int] = []
    now = T0
    while (question := sessions.current_question(session, now=now)) is not None:
        assert sessions.current_question(session, now=now) is question  # stable on reload
        asked.append(question.id)
        now += timedelta(minutes=1)
        first_time = asked.count(question.id) == 1
        right = not (question.id == asked[0] and first_time)  # the first question: wrong once
        _spec, good, bad = TYPES[question.qtype]
        answering.answer_question(
            learner, question, good if right else bad, duration_ms=4000, now=now, session=session
        )
        assert len(asked) < 20
    assert len(set(asked)) == 4  # the daily limit of new questions
    assert asked.count(asked[0]) == 2
    assert asked.index(asked[0], 1) > 1  # it came back later, not at once
    assert all(x != y for x, y in itertools.pairwise(asked))
    assert session.finished_at is not None
    summary = sessions.session_summary(session, now=now)
    assert (summary.answered, summary.correct) == (5, 4)
    assert summary.topics[0].title == "Topic A"
    assert summary.topics[0].before is None
    assert summary.topics[0].improved


def test_the_only_question_left_is_not_asked_twice_in_a_row(learner: User) -> None:
    learner.new_per_day = 1
    session = sessions.start_session(learner, "due", now=T0)
    question = sessions.current_question(session, now=T0)
    assert question is not None
    _spec, _good, bad = TYPES[question.qtype]
    answering.answer_question(learner, question, bad, duration_ms=4000, now=T0, session=session)
    assert sessions.current_question(session, now=T0) is None


def test_undo_in_a_session_asks_the_question_again(learner: User) -> None:
    learner.new_per_day = 3
    session = sessions.start_session(learner, "due", now=T0)
    first = sessions.current_question(session, now=T0)
    assert first is not None
    _spec, good, _bad = TYPES[first.qtype]
    answering.answer_question(learner, first, good, duration_ms=4000, now=T0, session=session)
    second = sessions.current_question(session, now=T0)
    assert second is not None
    assert second.id != first.id
    answering.undo_last_answer(learner, now=T0 + timedelta(seconds=5), session=session)
    assert session.answered == 0
    assert sessions.current_question(session, now=T0) is first


def test_a_first_answer_that_graduates_keeps_no_learning_step(learner: User) -> None:
    """Easy on a new question puts it in review, which has no step: the row keeps None, not
    a column default (what the next answer starts from is the state the scheduler made)."""
    result = answer(learner, "short_answer", True, T0)
    assert (result.state.state, result.state.step) == (sch.REVIEW, None)
    db.session.commit()
    db.session.expire_all()
    row = state_row(learner, "short_answer")
    assert row is not None
    assert (row.state, row.step) == (sch.REVIEW, None)


# --- queues ------------------------------------------------------------------------------------


def test_new_per_day_counts_the_day_in_the_learners_time_zone(learner: User) -> None:
    learner.timezone = "Pacific/Auckland"  # UTC+13 in January
    learner.new_per_day = 3
    evening = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)  # 22:00 on 10 January in Auckland
    for uid in ("short_answer", "numeric", "cloze"):
        answer(learner, uid, True, evening)
    late = evening + timedelta(hours=1, minutes=30)  # 23:30, still the 10th there
    assert progress.due_counts(learner, now=late)[1] == 0
    queue = sessions.study_queue_for(learner, now=late, mode="due")
    assert not {qid for qid in queue if state_row_by_id(learner, qid) is None}
    after_midnight = evening + timedelta(hours=3)  # 00:00+ on the 11th there, same UTC day
    assert progress.due_counts(learner, now=after_midnight)[1] == 3
    queue = sessions.study_queue_for(learner, now=after_midnight, mode="due")
    assert len({qid for qid in queue if state_row_by_id(learner, qid) is None}) == 3


def state_row_by_id(user: User, question_id: int) -> QuestionMemory | None:
    return db.session.scalar(
        sa.select(QuestionMemory).where(
            QuestionMemory.user_id == user.id, QuestionMemory.question_id == question_id
        )
    )


def test_the_due_queue_asks_the_lowest_recall_first(learner: User) -> None:
    learner.new_per_day = 0
    # all due now; recall now is lowest for the smallest stability
    put_state(learner, "b0", 2.0, T0 - timedelta(days=8), T0)
    put_state(learner, "b1", 30.0, T0 - timedelta(days=8), T0)
    put_state(learner, "numeric", 5.0, T0 - timedelta(days=8), T0)
    put_state(learner, "cloze", 5.0, T0 - timedelta(days=8), T0 + timedelta(days=1))  # not due
    queue = sessions.study_queue_for(learner, now=T0, mode="due")
    assert queue == [q("b0").id, q("numeric").id, q("b1").id]


def test_a_learner_with_more_due_than_candidates_gets_the_lowest_recall_first(
    learner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a few due questions per place are ranked, chosen in SQL by how far past due they
    are in units of their stability: the same first questions as ranking every due one,
    although the longest overdue by the calendar are not the lowest recall."""
    learner.new_per_day = 0
    # (stability, days since the last review): all due; recall falls with days / stability
    memories = {
        "single_choice": (100.0, 150),  # due longest ago by the calendar, recall still high
        "multiple_response": (80.0, 120),
        "true_false": (2.0, 4),  # lowest recall: 2 stabilities past the last review
        "short_answer": (3.0, 5),  # third lowest
        "cloze": (60.0, 70),
        "matching": (1.0, 1.5),
        "ordering": (40.0, 45),
        "numeric": (10.0, 12),
        "b0": (20.0, 30),
        "b1": (5.0, 9),  # second lowest
    }
    for uid, (stability, days) in memories.items():
        last = T0 - timedelta(days=days)
        put_state(learner, uid, stability, last, last + timedelta(days=stability * 0.9))
    everything = sessions.study_queue_for(learner, now=T0, mode="due", limit=None)
    assert len(everything) == len(memories)
    assert everything[:3] == [q("true_false").id, q("b1").id, q("short_answer").id]
    monkeypatch.setattr(sessions, "DUE_CANDIDATES_PER_PLACE", 1)
    assert sessions.study_queue_for(learner, now=T0, mode="due", limit=3) == everything[:3]


# --- topics ------------------------------------------------------------------------------------


def test_topic_summaries_on_a_hand_checked_example(learner: User) -> None:
    # First attempts: two right in topic A (free text), one wrong in topic B.
    answer(learner, "short_answer", True, T0)
    answer(learner, "numeric", True, T0)
    answer(learner, "b0", False, T0)
    now = T0 + timedelta(days=3)
    views = {v.title: v for v in progress.topic_summaries(learner, now=now)}
    a, b = views["Topic A"], views["Topic B"]
    assert (a.questions, a.studied, a.coverage) == (8, 2, 0.25)
    assert (b.questions, b.studied, b.coverage) == (2, 1, 0.5)
    # unstudied estimate: the learner's first attempts (2 of 3) shrunk to the prior 0.3 with 5
    # pseudo-answers: (2 + 1.5) / 8 = 0.4375; then per topic with 5 pseudo-answers of that
    assert a.estimate_unstudied == pytest.approx((2 + 5 * 0.4375) / 7)
    assert b.estimate_unstudied == pytest.approx((0 + 5 * 0.4375) / 6)
    params = sch.SchedulerParams(desired_retention=0.9)
    recalls = [
        sch.recall_probability(
            sch.MemoryState.from_dict(snapshot(state_row(learner, uid)) or {}), now, params
        )
        for uid in ("short_answer", "numeric")
    ]
    assert a.recall_now == pytest.approx(sum(recalls) / 2)
    assert a.below_target == sum(r < 0.9 for r in recalls)
    assert a.expected_recall == pytest.approx(0.25 * a.recall_now + 0.75 * a.estimate_unstudied)  # type: ignore[operator]
    assert b.expected_recall < a.expected_recall
    assert b.is_weak


def test_refresh_learner_model_counts_only_answers_not_undone(learner: User) -> None:
    uids = [*TYPES, "b0", "b1"]
    now = T0
    for day in range(20):
        for uid in uids:
            answer(learner, uid, (day + len(uid)) % 4 != 0, now + timedelta(days=day, minutes=1))
    end = now + timedelta(days=20)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewLog)) == 200
    answering.undo_last_answer(learner, now=end)
    assert fit_and_store(learner.id, end) is False
    assert db.session.get(LearnerModelRecord, learner.id) is None
    answer(learner, "b0", True, end)
    assert fit_and_store(learner.id, end) is True
    record = db.session.get(LearnerModelRecord, learner.id)
    assert record is not None
    assert record.n_reviews == 200
    model = sch.LearnerModel.from_dict(record.payload)
    assert model.parameters_source in ("default", "fitted")


# --- dashboard ---------------------------------------------------------------------------------


def test_forecast_heatmap_and_streak_on_fixed_dates(learner: User) -> None:
    learner.timezone = "America/New_York"  # UTC-5 in January
    # answers at 02:00 UTC fall on the previous day in New York
    for day in (1, 2, 3, 5, 6, 7):
        answer(learner, "b0", True, datetime(2024, 1, day, 15, 0, tzinfo=UTC))
    answer(learner, "b1", True, datetime(2024, 1, 8, 2, 0, tzinfo=UTC))  # 7 Jan in New York
    now = datetime(2024, 1, 8, 14, 0, tzinfo=UTC)  # 09:00 on 8 January in New York
    heat = progress.review_heatmap(learner, now=now, days=8)
    assert heat == [
        (date(2024, 1, 1), 1),
        (date(2024, 1, 2), 1),
        (date(2024, 1, 3), 1),
        (date(2024, 1, 4), 0),
        (date(2024, 1, 5), 1),
        (date(2024, 1, 6), 1),
        (date(2024, 1, 7), 2),
        (date(2024, 1, 8), 0),
    ]
    assert progress.day_streak(learner, now=now) == 3  # 5, 6, 7 January; today not yet broken
    answer(learner, "b1", True, now)
    assert progress.day_streak(learner, now=now) == 4

    db.session.execute(sa.delete(QuestionMemory))
    for uid, due in (
        ("b0", datetime(2024, 1, 5, 12, tzinfo=UTC)),  # overdue: counts today
        ("b1", datetime(2024, 1, 9, 3, tzinfo=UTC)),  # 22:00 on 8 January in New York
        ("numeric", datetime(2024, 1, 9, 6, tzinfo=UTC)),  # 01:00 on the 9th
        ("cloze", datetime(2024, 3, 1, tzinfo=UTC)),  # beyond the horizon
    ):
        put_state(learner, uid, 5.0, T0 - timedelta(days=1), due)
    forecast = progress.due_forecast(learner, now=now, days=3)
    assert forecast == [(date(2024, 1, 8), 2), (date(2024, 1, 9), 1), (date(2024, 1, 10), 0)]
    assert progress.due_counts(learner, now=now)[0] == 1


def test_a_streak_longer_than_the_heatmap_is_counted_whole(learner: User) -> None:
    for day in range(1, 9):  # 1 to 8 January, every day
        answer(learner, "b0", True, datetime(2024, 1, day, 15, 0, tzinfo=UTC))
    now = datetime(2024, 1, 8, 18, 0, tzinfo=UTC)
    calendar = progress.review_calendar(learner, now=now, days=3)
    assert calendar.streak == 8  # read on past the three days shown
    assert calendar.days == [(date(2024, 1, d), 1) for d in (6, 7, 8)]
    gap = progress.review_calendar(learner, now=datetime(2024, 1, 10, 12, tzinfo=UTC), days=3)
    assert gap.streak == 0  # nothing on the 9th or the 10th
    assert gap.days == [(date(2024, 1, 8), 1), (date(2024, 1, 9), 0), (date(2024, 1, 10), 0)]


def test_question_history_gives_the_recall_at_each_answer(learner: User) -> None:
    first = answer(learner, "short_answer", True, T0)
    second = answer(learner, "short_answer", True, T0 + timedelta(days=4))
    history = question_history(learner, q("short_answer"), now=T0 + timedelta(days=5))
    assert [h.reviewed_at for h in history] == [T0, T0 + timedelta(days=4)]
    assert history[0].recall is None
    assert history[1].recall == pytest.approx(second.recall_before)
    assert [h.rating for h in history] == [4, second.review.rating]
    assert [h.next_in_days for h in history] == pytest.approx(
        [first.interval_days, second.interval_days]
    )


def test_workload_grows_with_the_target_retention() -> None:
    values = [sch.relative_workload(r) for r in (0.7, 0.8, 0.9, 0.95, 0.97)]
    assert values == sorted(values)
    assert values[0] < values[-1]


def test_the_weak_topics_queue_respects_the_daily_limit_of_new_questions(learner: User) -> None:
    answer(learner, "b0", False, T0)
    answer(learner, "short_answer", False, T0)
    now = T0 + timedelta(days=1)
    learner.new_per_day = 1  # the two first answers were yesterday: one new question today
    queue = sessions.study_queue_for(learner, now=now, mode="weak")
    new = [qid for qid in queue if state_row_by_id(learner, qid) is None]
    assert len(new) == 1
    assert {q("b0").id, q("short_answer").id} <= set(queue)
    learner.new_per_day = 0
    queue = sessions.study_queue_for(learner, now=now, mode="weak")
    assert sorted(queue) == sorted([q("b0").id, q("short_answer").id])


def _record_model(user: User, source: str, parameters: tuple[float, ...]) -> None:
    model = sch.LearnerModel(
        parameters=parameters if source == "fitted" else sch.DEFAULT_PARAMETERS,
        parameters_source=source,
        fitted_parameters=parameters,
        members=(sch.Member(source),),
    )
    db.session.add(
        LearnerModelRecord(user_id=user.id, fitted_at=T0, n_reviews=300, payload=model.to_dict())
    )
    db.session.flush()


@pytest.mark.parametrize(("source", "stability"), [("fitted", 20.0), ("default", None)])
def test_fitted_parameters_schedule_only_when_the_fit_chose_them(
    learner: User, source: str, stability: float | None
) -> None:
    # w3 is the initial stability after an Easy first answer
    parameters = (*sch.DEFAULT_PARAMETERS[:3], 20.0, *sch.DEFAULT_PARAMETERS[4:])
    _record_model(learner, source, parameters)
    answer(learner, "short_answer", True, T0)  # fast and right: Easy
    row = state_row(learner, "short_answer")
    assert row is not None
    expected = stability if stability is not None else sch.DEFAULT_PARAMETERS[3]
    assert row.stability == pytest.approx(expected)


def test_workload_is_relative_to_ninety_percent() -> None:
    assert sch.relative_workload(0.9) == 1.0
    assert sch.relative_workload(0.8) == pytest.approx(sch.relative_workload(0.8))


def test_undo_restores_the_session_the_answer_was_given_in(learner: User) -> None:
    learner.new_per_day = 3
    first_session = sessions.start_session(learner, "due", now=T0)
    question = sessions.current_question(first_session, now=T0)
    assert question is not None
    _spec, good, _bad = TYPES[question.qtype]
    answering.answer_question(
        learner, question, good, duration_ms=4000, now=T0, session=first_session
    )
    other = sessions.start_session(learner, "weak", now=T0 + timedelta(minutes=1))
    answering.undo_last_answer(learner, now=T0 + timedelta(minutes=2), session=other)
    assert first_session.answered == 0
    assert sessions.current_question(first_session, now=T0) is question


def test_an_answer_to_a_question_already_answered_in_the_session_is_refused(
    learner: User,
) -> None:
    session = sessions.start_session(learner, "due", now=T0)
    question = sessions.current_question(session, now=T0)
    assert question is not None
    answer(learner, question.uid, True, T0, session=session)
    db.session.commit()
    # the same post again (a double click, a second tab): decided under the learner's lock
    with pytest.raises(StudyError, match="already answered"):
        answer(learner, question.uid, True, T0 + timedelta(seconds=1), session=session)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewLog)) == 1


# --- grading within the set ----------------------------------------------------------------------


def test_a_typo_is_not_forgiven_into_another_questions_answer(learner: User) -> None:
    """'hepatology' is one letter from 'hematology': a slip elsewhere, but here it is the
    answer of another question of the set, so it is another thing."""
    topic = q("b0").topic_id
    for uid, key in (("hematology", "hematology"), ("hepatology", "hepatology")):
        db.session.add(
            Question(
                set_id=q("b0").set_id,
                topic_id=topic,
                uid=uid,
                qtype="short_answer",
                prompt=f"What is {uid} the study of?",
                spec={"answers": [key]},
                position=20 + len(uid),
            )
        )
    db.session.commit()
    slip = answering.answer_question(
        learner, q("hematology"), "hematolgy", duration_ms=4000, now=T0
    )
    assert slip.grade.outcome == "correct"
    other = answering.answer_question(
        learner, q("hematology"), "hepatology", duration_ms=4000, now=T0 + timedelta(days=1)
    )
    assert other.grade.outcome == "wrong"
