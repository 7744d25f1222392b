"""``flask learners rebuild``: figures recomputed from the log, for one learner or those
whose answers predate the figures (an upgraded database)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask.testing import FlaskCliRunner

from quizapp.extensions import db
from quizapp.learners.models import ItemStats, LearnerStats, ReviewDay, TopicStats
from quizapp.models import Enrollment, Question, QuestionSet, ReviewLog, User
from quizapp.study.answering import answer_question, undo_last_answer
from tests.study.conftest import bank  # noqa: F401

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _history(user: User, set_id: int) -> None:
    questions = db.session.scalars(sa.select(Question).where(Question.set_id == set_id)).all()
    for i, question in enumerate(questions[:12]):
        answer_question(user, question, "x", duration_ms=3000, now=T0 + timedelta(hours=5 * i))
    undo_last_answer(user, now=T0 + timedelta(days=3))
    db.session.commit()


def _counts(user_id: int) -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(t).where(t.user_id == user_id))
        or 0
        for t in (LearnerStats, TopicStats, ItemStats, ReviewDay)
    )


def test_missing_figures_are_computed_and_others_left_alone(
    runner: FlaskCliRunner,
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
) -> None:
    old, kept = make_user("old@example.org"), make_user("kept@example.org")
    for user in (old, kept):
        db.session.add(Enrollment(user_id=user.id, set_id=bank.id))
        _history(user, bank.id)
    expected = _counts(old.id)
    assert expected[0] == 1
    assert expected[2] == 11  # twelve answers, the last one undone
    # As after an upgrade: answers but no figures, and no snapshots on the review rows.
    for table in (LearnerStats, TopicStats, ItemStats, ReviewDay):
        db.session.execute(sa.delete(table).where(table.user_id == old.id))
    db.session.execute(
        sa.update(ReviewLog).where(ReviewLog.user_id == old.id).values(stats_before=None)
    )
    db.session.commit()
    result = runner.invoke(args=["learners", "rebuild", "--missing"])
    assert result.exit_code == 0, result.output
    assert "Rebuilt the figures of 1 learner(s)" in result.output
    assert _counts(old.id) == expected
    # The rebuild wrote the snapshots an undo restores.
    undo_last_answer(old, now=T0 + timedelta(days=4))
    db.session.commit()
    assert _counts(old.id)[2] == 10
    # An undo reaching an answer without a snapshot recomputes the figures from the log.
    db.session.execute(
        sa.update(ReviewLog).where(ReviewLog.user_id == old.id).values(stats_before=None)
    )
    db.session.commit()
    undo_last_answer(old, now=T0 + timedelta(days=5))
    db.session.commit()
    assert _counts(old.id)[2] == 9


def test_one_learner_by_email_and_an_unknown_one(
    runner: FlaskCliRunner,
    make_user: Callable[..., User],
    bank: QuestionSet,  # noqa: F811
) -> None:
    user = make_user("one@example.org")
    db.session.add(Enrollment(user_id=user.id, set_id=bank.id))
    _history(user, bank.id)
    result = runner.invoke(args=["learners", "rebuild", "--user", "one@example.org"])
    assert result.exit_code == 0, result.output
    assert "1 learner(s)" in result.output
    result = runner.invoke(args=["learners", "rebuild", "--user", "nobody@example.org"])
    assert result.exit_code != 0
    assert "No account with the e-mail nobody@example.org" in result.output
