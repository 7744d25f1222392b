"""Recomputing a learner's stored figures from their review log.

The definition the incremental updates must agree with (``quizapp.scheduler.figures.replay``),
used by ``flask --app quizapp learners rebuild``, once for learners whose answers predate the
figures, after a change of time zone (local days move), and when an undo reaches back past the
answers that keep a snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.learners.answers import current_model, guess_chance, picked_mask
from quizapp.learners.calendar import zone
from quizapp.learners.models import ItemStats, LearnerStats, ReviewDay, StudyDay, TopicStats
from quizapp.learners.store import item_row_values, snapshot, store_learner
from quizapp.models import Question, ReviewLog, User
from quizapp.scheduler import LearnerModel
from quizapp.scheduler.figures import AnswerFacts, FsrsPair, fitted_states, replay

#: Answers at the end of a learner's log that keep the snapshot an undo restores; undoing
#: further back recomputes the figures from the log.
SNAPSHOT_DEPTH = 200


def live_log(user_id: int, *, responses: bool = True) -> list[tuple[int, AnswerFacts]]:
    """The learner's live answers in order, as (review id, facts); without ``responses`` the
    choices picked are not read (the recall model does not need them)."""
    questions: dict[int, tuple[int, float, str]] = {}
    ids = sa.select(ReviewLog.question_id).where(
        ReviewLog.user_id == user_id, ReviewLog.undone_at.is_(None)
    )
    for qid, topic_id, qtype, spec in db.session.execute(
        sa.select(Question.id, Question.topic_id, Question.qtype, Question.spec).where(
            Question.id.in_(ids)
        )
    ):
        questions[qid] = (topic_id, guess_chance(qtype, spec), qtype)
    rows = db.session.execute(
        sa.select(
            ReviewLog.id,
            ReviewLog.question_id,
            ReviewLog.reviewed_at,
            ReviewLog.rating,
            ReviewLog.score,
            ReviewLog.duration_ms,
            ReviewLog.response if responses else sa.null(),
        )
        .where(ReviewLog.user_id == user_id, ReviewLog.undone_at.is_(None))
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    )
    log = []
    for rid, qid, at, rating, score, duration, response in rows:
        topic_id, chance, qtype = questions[qid]
        log.append(
            (
                rid,
                AnswerFacts(
                    qid,
                    topic_id,
                    at,
                    rating,
                    score,
                    duration,
                    chance,
                    picked_mask(qtype, response) if responses else None,
                ),
            )
        )
    return log


def rebuild_learner(user: User) -> LearnerStats:
    """Recompute every stored figure of ``user`` from their live answers (flushed)."""
    model, version = current_model(user.id)
    log = live_log(user.id)
    result = replay(
        [facts for _, facts in log],
        zone(user),
        model=model,
        keep_before=SNAPSHOT_DEPTH,
    )
    for table in (ItemStats, TopicStats, ReviewDay, StudyDay):
        db.session.execute(sa.delete(table).where(table.user_id == user.id))
    stats = db.session.get(LearnerStats, user.id)
    if stats is None:
        stats = LearnerStats(user_id=user.id)
        db.session.add(stats)
    store_learner(stats, result.learner)
    stats.model_version = version
    items = [
        {"user_id": user.id, "question_id": qid, **item_row_values(figures)}
        for qid, figures in result.items.items()
    ]
    topics = [
        {
            "user_id": user.id,
            "topic_id": tid,
            "answers": int(c[0]),
            "successes": int(c[1]),
            "first_n": int(c[2]),
            "first_sum": float(c[3]),
        }
        for tid, c in result.topics.items()
    ]
    days = [
        {
            "user_id": user.id,
            "day": day,
            "topic_id": tid,
            "answers": int(c[0]),
            "successes": int(c[1]),
            "score_sum": float(c[2]),
        }
        for (day, tid), c in result.days.items()
    ]
    per_day: dict[Any, int] = {}
    for (day, _), c in result.days.items():
        per_day[day] = per_day.get(day, 0) + int(c[0])
    study_days = [{"user_id": user.id, "day": d, "answers": n} for d, n in per_day.items()]
    for table, values in (
        (ItemStats, items),
        (TopicStats, topics),
        (ReviewDay, days),
        (StudyDay, study_days),
    ):
        if values:
            db.session.execute(sa.insert(table), values)
    kept = log[len(log) - len(result.before) :]
    kept_ids = [rid for rid, _ in kept]
    db.session.execute(
        sa.update(ReviewLog)
        .where(
            ReviewLog.user_id == user.id,
            ReviewLog.stats_before.is_not(None),
            ReviewLog.id.not_in(kept_ids) if kept_ids else sa.true(),
        )
        .values(stats_before=None)
        .execution_options(synchronize_session=False)
    )
    snapshots: list[dict[str, Any]] = [
        {"id": rid, "stats_before": snapshot(learner, item, evicted, version)}
        for (rid, _), (learner, item, evicted) in zip(kept, result.before, strict=True)
    ]
    if snapshots:
        db.session.execute(
            sa.update(ReviewLog).execution_options(synchronize_session=False), snapshots
        )
    db.session.flush()
    # Review rows loaded in this session must see the new snapshots.
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, ReviewLog) and obj.user_id == user.id:
            db.session.expire(obj, ["stats_before"])
    return stats


def rebuild_learners(user_ids: Sequence[int] | None = None) -> int:
    """Rebuild the figures of the given learners (every learner with answers or figures if
    None); returns how many. Flushes; the caller commits."""
    ids: Iterable[int] = learners_with_history() if user_ids is None else user_ids
    count = 0
    for user_id in ids:
        user = db.session.get(User, user_id)
        if user is None:
            continue
        rebuild_learner(user)
        count += 1
    return count


def item_fitted_state(
    user: User, question: Question, model: LearnerModel | None, before: ReviewLog
) -> FsrsPair | None:
    """The question's FSRS state under the model's fitted parameters just before ``before``,
    from its live answers."""
    if model is None or model.fitted_parameters is None:
        return None
    rows = db.session.execute(
        sa.select(ReviewLog.reviewed_at, ReviewLog.rating)
        .where(
            ReviewLog.user_id == user.id,
            ReviewLog.question_id == question.id,
            ReviewLog.undone_at.is_(None),
            sa.or_(
                ReviewLog.reviewed_at < before.reviewed_at,
                sa.and_(ReviewLog.reviewed_at == before.reviewed_at, ReviewLog.id < before.id),
            ),
        )
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    )
    return fitted_states(((question.id, at, rating) for at, rating in rows), model).get(question.id)


def learners_with_history() -> list[int]:
    return list(
        db.session.scalars(
            sa.select(User.id)
            .where(
                sa.or_(
                    sa.exists().where(ReviewLog.user_id == User.id),
                    sa.exists().where(LearnerStats.user_id == User.id),
                )
            )
            .order_by(User.id)
        )
    )


def learners_without_figures() -> list[int]:
    return list(
        db.session.scalars(
            sa.select(User.id)
            .where(
                sa.exists().where(ReviewLog.user_id == User.id),
                ~sa.exists().where(LearnerStats.user_id == User.id),
            )
            .order_by(User.id)
        )
    )
