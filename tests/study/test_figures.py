"""The figures each answer keeps equal the ones rebuilt from the review log, after long random
sequences of answers, undos and overrides (and a model fitted in between); predictions from
them equal the predictor that replays the whole log."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from quizapp import scheduler as sch
from quizapp.extensions import db
from quizapp.learners.fitting import review_events, store_model
from quizapp.learners.models import ItemStats, LearnerStats, ReviewDay, StudyDay, TopicStats
from quizapp.learners.rebuild import rebuild_learner
from quizapp.models import Question, ReviewLog, User
from quizapp.scheduler.features import CONTEXT_FEATURES
from quizapp.scheduler.learner_ensemble import FSRS_FEATURES
from quizapp.study import answering
from quizapp.study.progress import LearnerNow
from tests.study.test_services import T0, TYPES, answer, learner, study_set  # noqa: F401

TABLES: dict[type[Any], tuple[str, ...]] = {
    LearnerStats: ("user_id",),
    TopicStats: ("user_id", "topic_id"),
    ItemStats: ("user_id", "question_id"),
    ReviewDay: ("user_id", "day", "topic_id"),
    StudyDay: ("user_id", "day"),
}


def figures(user: User) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """Every kept figure of ``user``, row by row."""
    db.session.flush()
    db.session.expire_all()
    out = {}
    for table, key in TABLES.items():
        rows = {}
        for row in db.session.scalars(sa.select(table).where(table.user_id == user.id)):
            values = {
                c.key: getattr(row, c.key)
                for c in sa.inspect(table).columns
                if c.key != "revision"  # a change counter, not a figure
            }
            rows[tuple(values[k] for k in key)] = values
        out[table.__tablename__] = rows
    return out


def assert_same(kept: dict[str, Any], rebuilt: dict[str, Any]) -> None:
    for table, rows in rebuilt.items():
        assert set(kept[table]) == set(rows), table
        for key, values in rows.items():
            for column, value in values.items():
                got = kept[table][key][column]
                if isinstance(value, float):
                    assert got == pytest.approx(value, rel=1e-9, abs=1e-9), (table, key, column)
                elif isinstance(value, list):
                    assert got == pytest.approx(value, rel=1e-12), (table, key, column)
                else:
                    assert got == value, (table, key, column)


def _model_with_layer(fitted: bool) -> sch.LearnerModel:
    """A model whose members use every feature (weights made up, not fitted)."""
    names = FSRS_FEATURES + CONTEXT_FEATURES
    rng = np.random.default_rng(3)
    members = [
        sch.Member(
            "default",
            "full",
            30.0,
            names,
            tuple(float(w) for w in rng.normal(0, 0.3, len(names) + 1)),
            tuple(0.0 for _ in names),
            tuple(1.0 for _ in names),
        )
    ]
    fitted_parameters = None
    if fitted:
        fitted_parameters = tuple(
            w * (1.05 if i not in (19, 20) else 1.0) for i, w in enumerate(sch.DEFAULT_PARAMETERS)
        )
        members.append(sch.Member("fitted", "fsrs", 0.0))
    return sch.LearnerModel(
        parameters=fitted_parameters or sch.DEFAULT_PARAMETERS,
        parameters_source="fitted" if fitted else "default",
        fitted_parameters=fitted_parameters,
        members=tuple(members),
    )


def _latest_per_question(user: User) -> list[ReviewLog]:
    logs = db.session.scalars(
        sa.select(ReviewLog)
        .where(ReviewLog.user_id == user.id, ReviewLog.undone_at.is_(None))
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    ).all()
    latest: dict[int, ReviewLog] = {}
    for log in logs:
        latest[log.question_id] = log
    return list(latest.values())


@pytest.mark.parametrize("seed", [1, 2])
def test_kept_figures_equal_the_rebuilt_ones(learner: User, seed: int) -> None:  # noqa: F811
    rng = random.Random(seed)
    uids = [*TYPES, "b0", "b1"]
    now = T0
    for step in range(260):
        now += rng.choice(
            [timedelta(seconds=40), timedelta(minutes=7), timedelta(hours=5), timedelta(days=2)]
        )
        action = rng.random()
        if action < 0.7 or step < 5:
            answer(
                learner,
                rng.choice(uids),
                rng.random() < 0.7,
                now,
                duration_ms=rng.choice([None, rng.randint(500, 90_000)]),
            )
        elif action < 0.85:
            answering.undo_last_answer(learner, now=now)
        else:
            candidates = _latest_per_question(learner)
            if candidates:
                log = rng.choice(candidates)
                kind = rng.choice(["knew", "didnt_know"])
                answering.override_answer(learner, log, kind, now=now)
        if step in (80, 170):
            store_model(learner, _model_with_layer(fitted=step == 170), now)
        db.session.commit()
    kept = figures(learner)
    rebuild_learner(learner)
    db.session.commit()
    rebuilt = figures(learner)
    assert sum(v["answers"] for v in rebuilt["topic_stats"].values()) > 100
    assert_same(kept, rebuilt)


def test_predictions_from_kept_figures_equal_the_whole_log_replay(learner: User) -> None:  # noqa: F811
    rng = random.Random(7)
    uids = [*TYPES, "b0", "b1"]
    now = T0
    for _ in range(120):
        now += rng.choice([timedelta(minutes=3), timedelta(hours=20), timedelta(days=3)])
        answer(learner, rng.choice(uids), rng.random() < 0.75, now, rng.randint(800, 40_000))
        db.session.commit()
    store_model(learner, _model_with_layer(fitted=True), now)
    for _ in range(30):
        now += timedelta(hours=9)
        answer(learner, rng.choice(uids), rng.random() < 0.75, now, rng.randint(800, 40_000))
        db.session.commit()
    later = now + timedelta(days=4, hours=3)
    kept = LearnerNow(learner, later)
    record_model = sch.LearnerModel.from_dict(
        db.session.get(sch_record(), learner.id).payload  # type: ignore[union-attr]
    )
    predictor = sch.LearnerPredictor(record_model, review_events(learner.id))
    studied = [q for q in kept.records if q.state is not None]
    expected = predictor.recall_many([(q.question_id, q.topic_id, q.state) for q in studied], later)
    got = [kept.recalls[int(q.question_id)] for q in studied]
    assert len(studied) >= 8
    assert got == pytest.approx(expected, rel=1e-5, abs=1e-6)


def sch_record() -> Any:
    from quizapp.models import LearnerModelRecord

    return LearnerModelRecord


def test_a_question_in_another_set_does_not_count_twice(learner: User) -> None:  # noqa: F811
    question = db.session.scalar(sa.select(Question).where(Question.uid == "b0"))
    assert question is not None
    answer(learner, "b0", True, T0)
    answer(learner, "b0", False, T0 + timedelta(minutes=2))
    db.session.commit()
    topic = db.session.get(TopicStats, (learner.id, question.topic_id))
    assert topic is not None
    assert (topic.answers, topic.successes, topic.first_n) == (2, 1, 1)


def test_undoing_the_only_answer_of_a_topic_leaves_no_counts(learner: User) -> None:  # noqa: F811
    answer(learner, "short_answer", True, T0)
    answer(learner, "b0", True, T0 + timedelta(minutes=1))
    answering.undo_last_answer(learner, now=T0 + timedelta(minutes=2))
    db.session.commit()
    kept = figures(learner)
    rebuild_learner(learner)
    db.session.commit()
    assert_same(kept, figures(learner))
    assert len(kept["topic_stats"]) == 1


def test_topic_totals_are_read_back_until_something_changes(
    learner: User,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from quizapp.study import progress

    answer(learner, "short_answer", True, T0)
    answer(learner, "b0", False, T0 + timedelta(minutes=1))
    db.session.commit()
    first = progress.topic_figures(learner, T0 + timedelta(minutes=2))
    db.session.commit()
    loads: list[int] = []
    real = progress._bank_rows

    def counted(*args: Any, **kwargs: Any) -> Any:
        loads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(progress, "_bank_rows", counted)
    again = progress.topic_figures(learner, T0 + timedelta(minutes=10))
    assert loads == []  # read back
    assert [s.recall_now for s in again] == [s.recall_now for s in first]
    progress.topic_figures(learner, T0 + timedelta(minutes=2) + progress.TOTALS_TTL)
    assert loads == [1]  # recall decays: computed afresh after the time to live
    db.session.commit()
    answer(learner, "b1", True, T0 + timedelta(minutes=20))
    db.session.commit()
    after = progress.topic_figures(learner, T0 + timedelta(minutes=21))
    assert loads == [1, 1]  # an answer changes the figures
    assert sum(s.studied for s in after) == 3
    question = db.session.scalar(sa.select(Question).where(Question.uid == "b1"))
    assert question is not None
    question.is_active = False  # retired from the bank
    db.session.commit()
    retired = progress.topic_figures(learner, T0 + timedelta(minutes=22))
    assert loads == [1, 1, 1]
    assert sum(s.studied for s in retired) == 2
