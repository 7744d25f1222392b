"""Estimating each question's easiness from the class's first answers (services flush, the
job or the command commits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from quizapp.classmodel.models import ClassEstimate
from quizapp.db import upsert_into
from quizapp.extensions import db
from quizapp.grading.registry import guess_options
from quizapp.learners.models import ItemStats
from quizapp.models import Question
from quizapp.scheduler.class_effects import fit_item_effects

#: First answers a set must gather since its last estimate before the job refreshes it: at
#: least ``MIN_NEW_ANSWERS``, and a tenth of those the estimate rests on. An estimate's cost
#: grows with its answers; refitting a large class's set every 20 answers would cost more
#: CPU per answer the larger the class, a tenth keeps it bounded (as for a learner's model).
MIN_NEW_ANSWERS = 20
NEW_ANSWERS_FRACTION = 0.1

REFRESH_JOB = "refresh_class_estimates"


@dataclass(frozen=True)
class FirstAnswer:
    """A learner's first answer to a question, as the estimate reads it."""

    user_id: int
    question_id: int
    score: float


def first_answers(set_id: int) -> list[FirstAnswer]:
    """Every learner's first answer to each question of the set (in a fixed order)."""
    rows = db.session.execute(
        sa.select(ItemStats.user_id, ItemStats.question_id, ItemStats.first_score)
        .join(Question, Question.id == ItemStats.question_id)
        .where(Question.set_id == set_id)
        .order_by(ItemStats.question_id, ItemStats.user_id)
    )
    return [FirstAnswer(int(u), int(q), float(s)) for u, q, s in rows]


def first_answer_counts(set_ids: Sequence[int]) -> dict[int, int]:
    """How many first answers each set's questions have (sets without any are left out)."""
    if not set_ids:
        return {}
    rows = db.session.execute(
        sa.select(Question.set_id, sa.func.count())
        .select_from(ItemStats)
        .join(Question, Question.id == ItemStats.question_id)
        .where(Question.set_id.in_(set_ids))
        .group_by(Question.set_id)
    )
    return {int(set_id): int(count) for set_id, count in rows}


def _due(estimate: ClassEstimate | None, answers: int) -> bool:
    if estimate is None:
        return answers > 0
    change = abs(answers - estimate.answers)
    return change >= MIN_NEW_ANSWERS and change >= NEW_ANSWERS_FRACTION * estimate.answers


def stale_sets(user_id: int) -> list[int]:
    """The sets the learner answered whose estimate is due (``MIN_NEW_ANSWERS`` new first
    answers since the last one, or none yet)."""
    answered = (
        sa.select(Question.set_id)
        .join(ItemStats, ItemStats.question_id == Question.id)
        .where(ItemStats.user_id == user_id)
        .distinct()
    )
    set_ids = [int(s) for s in db.session.scalars(answered)]
    counts = first_answer_counts(set_ids)
    estimates = {
        e.set_id: e
        for e in db.session.scalars(
            sa.select(ClassEstimate).where(ClassEstimate.set_id.in_(set_ids))
        )
    }
    return [s for s in set_ids if _due(estimates.get(s), counts.get(s, 0))]


def refresh_estimates(set_id: int, now: datetime, *, force: bool = False) -> bool:
    """Estimate the set's questions afresh from the class's first answers and store the
    figures on them (flushed). Unless ``force``, nothing is done when fewer than
    ``MIN_NEW_ANSWERS`` first answers came in since the last estimate; the same answers
    always give the same figures, so running it again changes nothing. Returns whether it
    estimated."""
    estimate = _locked_estimate(set_id, now)
    answers = first_answers(set_id)
    if not force and not _due(estimate, len(answers)):
        return False
    questions = db.session.execute(
        sa.select(Question.id, Question.qtype, Question.spec).where(Question.set_id == set_id)
    ).all()
    chance = {}
    for question_id, qtype, spec in questions:
        options = guess_options(qtype, spec)
        chance[int(question_id)] = 0.0 if not options else 1.0 / options
    mean: float | None = None
    easiness: dict[int, float] = {}
    learners: dict[int, int] = {}
    if answers:
        effects = fit_item_effects(
            [a.user_id for a in answers],
            [a.question_id for a in answers],
            [min(max(a.score, 0.0), 1.0) for a in answers],
            chance=[chance.get(a.question_id, 0.0) for a in answers],
        )
        mean = effects.mean
        easiness = {int(str(k)): v for k, v in effects.easiness.items()}
        learners = {int(str(k)): v for k, v in effects.answers.items()}
    _write_figures(
        [
            {
                "qid": int(question_id),
                "easiness": easiness.get(int(question_id)),
                "mean": mean if int(question_id) in easiness else None,
                "learners": learners.get(int(question_id), 0),
            }
            for question_id, _, _ in questions
        ]
    )
    if estimate is None:
        estimate = db.session.get(ClassEstimate, set_id)
        assert estimate is not None  # created by _locked_estimate
    estimate.answers = len(answers)
    estimate.learners = len({a.user_id for a in answers})
    estimate.mean = mean
    estimate.estimated_at = now
    db.session.flush()
    return True


def _locked_estimate(set_id: int, now: datetime) -> ClassEstimate | None:
    """The set's last estimate, its row locked for this transaction (None: never estimated;
    a row is created to lock). Two jobs for one set (several learners' checks queue it at
    once) then run one after the other, and the second finds the work done."""
    table = ClassEstimate.__table__
    assert isinstance(table, sa.Table)
    created = db.session.execute(
        upsert_into(db.session, table)
        .values(set_id=set_id, answers=0, learners=0, mean=None, estimated_at=now)
        .on_conflict_do_nothing(index_elements=["set_id"])
    )
    row = db.session.scalar(
        sa.select(ClassEstimate)
        .where(ClassEstimate.set_id == set_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return None if getattr(created, "rowcount", 0) == 1 else row


def _write_figures(rows: list[dict[str, object]]) -> None:
    """The figures onto the question rows by a plain UPDATE: not an edit of the question
    (its ``updated_at`` and its set's ``questions_revision``, which caches follow, stay)."""
    if not rows:
        return
    table = sa.table(
        "questions",
        sa.column("id"),
        sa.column("class_easiness"),
        sa.column("class_mean"),
        sa.column("class_learners"),
        sa.column("updated_at"),
    )
    db.session.execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("qid"))
        .values(
            class_easiness=sa.bindparam("easiness"),
            class_mean=sa.bindparam("mean"),
            class_learners=sa.bindparam("learners"),
            updated_at=table.c.updated_at,
        ),
        rows,
    )
