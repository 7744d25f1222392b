"""Keeping a learner's figures current: every answer, undo and override updates them in the
same transaction as the review row. Services add and flush; the caller commits.

The learner's ``LearnerStats`` row is locked first (``SELECT ... FOR UPDATE`` on PostgreSQL;
SQLite's write lock serialises already), so two requests of one learner, or a request and the
model-fitting job, never interleave their updates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from quizapp.db import CountRow, add_to_counts_of, upsert_into
from quizapp.extensions import db
from quizapp.grading.registry import get_type, guess_options
from quizapp.learners.calendar import local_date
from quizapp.learners.models import ItemStats, LearnerStats, ReviewDay, StudyDay, TopicStats
from quizapp.learners.store import (
    item_figures,
    learner_figures,
    restore_item,
    restore_learner,
    snapshot,
    store_item,
    store_learner,
)
from quizapp.models import (
    LearnerModelRecord,
    Question,
    QuestionMemory,
    ReviewLog,
    StudySession,
    User,
)
from quizapp.scheduler import LearnerModel
from quizapp.scheduler.features import answer_seconds
from quizapp.scheduler.figures import (
    AnswerFacts,
    ItemFigures,
    LearnerFigures,
    apply_answer,
    deguessed,
)


def guess_chance(qtype: str, spec: dict[str, Any]) -> float:
    """The chance of a blind guess as the topic figures count it (1 / options; 0 if none)."""
    options = guess_options(qtype, spec)
    return 1.0 / options if options else 0.0


def picked_mask(qtype: str, response: Any) -> int | None:
    """The choices a response picked as a bit mask (bit i = the type's choice i, see
    ``QuestionType.picked``); None for a type without choices."""
    picked = get_type(qtype).picked(response)
    if picked is None:
        return None
    mask = 0
    for i in picked:
        if i < 63:  # the mask is a signed 64-bit column
            mask |= 1 << i
    return mask


def answer_facts(log: ReviewLog, question: Question) -> AnswerFacts:
    return AnswerFacts(
        question_id=question.id,
        topic_id=question.topic_id,
        reviewed_at=log.reviewed_at,
        rating=log.rating,
        score=log.score,
        duration_ms=log.duration_ms,
        chance=guess_chance(question.qtype, question.spec),
        picked=picked_mask(question.qtype, log.response),
    )


def _locked_stats(user_id: int) -> LearnerStats | None:
    return db.session.scalar(
        sa.select(LearnerStats)
        .where(LearnerStats.user_id == user_id)
        .with_for_update()
        .options(undefer(LearnerStats.durations))
        .execution_options(populate_existing=True)
    )


def lock_learner(user: User) -> LearnerStats:
    """The learner's figures row, locked for this transaction (created, from the log, if the
    learner has none yet)."""
    row = _locked_stats(user.id)
    if row is not None:
        return row
    # A first answer: there is no row to lock yet, and two first answers may come at once
    # (a double click). One INSERT wins; the other waits for it, inserts nothing, and then
    # waits for the row's lock like any later answer.
    table = LearnerStats.__table__
    assert isinstance(table, sa.Table)
    created = db.session.execute(
        upsert_into(db.session, table)
        .values(user_id=user.id)
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    row = _locked_stats(user.id)
    assert row is not None
    if getattr(created, "rowcount", 0) == 1 and _has_live_answers(user.id):
        from quizapp.learners.rebuild import rebuild_learner

        # Answers given before figures were kept (an upgraded database): compute them once.
        return rebuild_learner(user)
    return row


@dataclass(frozen=True)
class AnswerRows:
    """The rows an answer to one question changes, read once the learner is locked."""

    stats: LearnerStats
    memory: QuestionMemory | None  # the learner's memory of the question (None: never studied)
    item: ItemStats | None  # the question's kept figures (None: never answered)
    model: LearnerModelRecord | None  # the learner's fitted model (None: none yet)


def lock_for_answer(user: User, question_id: int, session_id: int | None = None) -> AnswerRows:
    """``lock_learner``, then the rows an answer to ``question_id`` reads and changes, in one
    statement (an answer is the app's most frequent write; four reads cost more than the work
    they fetch). The study session ``session_id``, when given, is read again with them: another
    answer may have moved it on while this one waited.

    Read after the lock, not with it: on PostgreSQL a ``SELECT ... FOR UPDATE`` that waited
    re-reads only the rows it locks, so rows joined to it would be those from before the other
    answer committed (a memory state or figures row it created would be created twice)."""
    stats = lock_learner(user)
    found = db.session.execute(
        sa.select(QuestionMemory, ItemStats, LearnerModelRecord, StudySession)
        .select_from(LearnerStats)
        .outerjoin(
            QuestionMemory,
            sa.and_(
                QuestionMemory.user_id == LearnerStats.user_id,
                QuestionMemory.question_id == question_id,
            ),
        )
        .outerjoin(
            ItemStats,
            sa.and_(
                ItemStats.user_id == LearnerStats.user_id, ItemStats.question_id == question_id
            ),
        )
        .outerjoin(LearnerModelRecord, LearnerModelRecord.user_id == LearnerStats.user_id)
        .outerjoin(
            StudySession,
            sa.and_(StudySession.id == session_id, StudySession.user_id == LearnerStats.user_id),
        )
        .where(LearnerStats.user_id == user.id)
        .execution_options(populate_existing=True)
    ).one()
    return AnswerRows(stats, found[0], found[1], found[2])


def _has_live_answers(user_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(ReviewLog.id)
            .where(ReviewLog.user_id == user_id, ReviewLog.undone_at.is_(None))
            .limit(1)
        )
        is not None
    )


def current_model(user_id: int) -> tuple[LearnerModel | None, int]:
    """The learner's fitted model and its version (None, 0 without one)."""
    return model_of(db.session.get(LearnerModelRecord, user_id))


def model_of(record: LearnerModelRecord | None) -> tuple[LearnerModel | None, int]:
    """The model a stored record holds and its version (None, 0 for no record)."""
    if record is None:
        return None, 0
    return LearnerModel.from_dict(record.payload), record.version


def _add_counts(user: User, facts: AnswerFacts, sign: int, first: bool, first_value: float) -> None:
    """Add (sign=1) or take back (sign=-1) one answer in the topic and day counts.

    Plain SQL on the count rows (an upsert per table to add), so an answer costs no reads
    here; a row whose answers drop to zero is deleted, as a rebuild has no row for it.
    """
    day = local_date(user, facts.reviewed_at)
    counts: list[CountRow] = [
        (
            TopicStats,
            {"user_id": user.id, "topic_id": facts.topic_id},
            {
                "answers": 1,
                "successes": int(facts.success),
                "first_n": int(first),
                "first_sum": first_value,
            },
        ),
        (
            ReviewDay,
            {"user_id": user.id, "day": day, "topic_id": facts.topic_id},
            {"answers": 1, "successes": int(facts.success), "score_sum": facts.score},
        ),
        (StudyDay, {"user_id": user.id, "day": day}, {"answers": 1}),
    ]
    if sign > 0:
        add_to_counts_of(db.session, counts)
        return
    for model, keys, amounts in counts:
        table = model.__table__
        assert isinstance(table, sa.Table)
        here = [table.c[key] == value for key, value in keys.items()]
        db.session.execute(
            sa.update(table)
            .where(*here)
            .values({column: table.c[column] - amount for column, amount in amounts.items()})
        )
        db.session.execute(sa.delete(table).where(*here, table.c.answers <= 0))


def _write_item(user: User, question_id: int, figures: ItemFigures | None) -> None:
    _store_item(user, question_id, figures, db.session.get(ItemStats, (user.id, question_id)))


def _store_item(
    user: User, question_id: int, figures: ItemFigures | None, row: ItemStats | None
) -> None:
    """Store (or delete, for None) the question's figures in ``row``, its row as read."""
    if figures is None:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = ItemStats(user_id=user.id, question_id=question_id)
        db.session.add(row)
    store_item(row, figures)


def record_answer(
    user: User,
    question: Question,
    log: ReviewLog,
    rows: AnswerRows,
) -> LearnerFigures:
    """Update the learner's figures with a new answer (``log``, not flushed yet is fine;
    ``rows`` read by ``lock_for_answer`` before anything of the answer was added)."""
    stats, item_row = rows.stats, rows.item
    model, version = model_of(rows.model)
    before = learner_figures(stats)
    item = item_figures(item_row)
    facts = answer_facts(log, question)
    update = apply_answer(before, item, facts, model)
    log.stats_before = snapshot(before, item, update.evicted, version)
    store_learner(stats, update.learner)
    _store_item(user, question.id, update.item, item_row)
    _add_counts(user, facts, 1, update.first, update.first_value)
    return update.learner


def undo_answer(user: User, log: ReviewLog, question: Question) -> None:
    """Take the learner's latest live answer (``log``, already marked undone) out of the
    figures, restoring them exactly as they were before it."""
    stats = lock_learner(user)
    data = log.stats_before
    if data is None:
        # An answer from before figures were kept: recompute them from the log.
        _rebuild(user)
        return
    current = learner_figures(stats)
    store_learner(stats, restore_learner(data, current, answer_seconds(log.duration_ms)))
    item = restore_item(data)
    model, version = current_model(user.id)
    if item is not None and data.get("model_version") != version:
        item = _refit_item(user, question, item, model, log)
    _write_item(user, question.id, item)
    facts = answer_facts(log, question)
    first = data["item"] is None
    _add_counts(user, facts, -1, first, deguessed(facts.success, facts.chance) if first else 0.0)


def _refit_item(
    user: User, question: Question, item: ItemFigures, model: LearnerModel | None, log: ReviewLog
) -> ItemFigures:
    """The item's figures with its FSRS state under the current fitted parameters, replayed
    from its own live answers (a model was fitted since the snapshot was taken)."""
    from quizapp.learners.rebuild import item_fitted_state

    return replace(item, fitted_state=item_fitted_state(user, question, model, log))


def override_answer_figures(
    user: User, log: ReviewLog, question: Question, old_rating: int
) -> None:
    """Redo the figures after the rating of ``log`` changed from ``old_rating``.

    ``log`` is the latest answer to its question, but other questions may have been answered
    since: the learner-level figures are replayed from its snapshot over those later answers
    (whose snapshots are corrected on the way), the question's own figures from its snapshot.
    """
    stats = lock_learner(user)
    data = log.stats_before
    later = _later_answers(user, log)
    if data is None or any(entry.stats_before is None for entry, _ in later):
        _rebuild(user)
        return
    model, version = current_model(user.id)
    current = learner_figures(stats)
    # The window of answer times does not depend on ratings: it is kept as it is, and the
    # replay below runs without it.
    saved = restore_learner(data, current, None)
    learner = replace(saved, context=replace(saved.context, durations=()))
    item = restore_item(data)
    if item is not None and data.get("model_version") != version:
        item = _refit_item(user, question, item, model, log)
    facts = answer_facts(log, question)
    update = apply_answer(learner, item, facts, model)
    _write_item(user, question.id, update.item)
    learner = update.learner
    for entry, entry_question in later:
        assert entry.stats_before is not None
        entry.stats_before = _with_learner(entry.stats_before, learner)
        learner = apply_answer(
            learner, restore_item(entry.stats_before), answer_facts(entry, entry_question), model
        ).learner
    store_learner(
        stats,
        replace(
            learner,
            context=replace(learner.context, durations=current.context.durations),
            last_review_at=current.last_review_at,
        ),
    )
    old_success = old_rating > 1
    if old_success != facts.success:
        sign = 1 if facts.success else -1
        first_change = (
            update.first_value - deguessed(old_success, facts.chance) if update.first else 0.0
        )
        db.session.execute(
            sa.update(TopicStats)
            .where(TopicStats.user_id == user.id, TopicStats.topic_id == facts.topic_id)
            .values(
                successes=TopicStats.successes + sign,
                first_sum=TopicStats.first_sum + first_change,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            sa.update(ReviewDay)
            .where(
                ReviewDay.user_id == user.id,
                ReviewDay.day == local_date(user, facts.reviewed_at),
                ReviewDay.topic_id == facts.topic_id,
            )
            .values(successes=ReviewDay.successes + sign)
            .execution_options(synchronize_session=False)
        )


def _later_answers(user: User, log: ReviewLog) -> list[tuple[ReviewLog, Question]]:
    """The learner's live answers after ``log``, oldest first."""
    rows = db.session.execute(
        sa.select(ReviewLog, Question)
        .join(Question, Question.id == ReviewLog.question_id)
        .where(
            ReviewLog.user_id == user.id,
            ReviewLog.undone_at.is_(None),
            sa.or_(
                ReviewLog.reviewed_at > log.reviewed_at,
                sa.and_(ReviewLog.reviewed_at == log.reviewed_at, ReviewLog.id > log.id),
            ),
        )
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    )
    return [(entry, q) for entry, q in rows]


def _with_learner(data: dict[str, Any], learner: LearnerFigures) -> dict[str, Any]:
    """A snapshot with its learner-level figures replaced (the window's eviction kept)."""
    fresh = snapshot(learner, None, data["learner"]["evicted"], int(data["model_version"]))
    return {**data, "learner": fresh["learner"]}


def _rebuild(user: User) -> None:
    from quizapp.learners.rebuild import rebuild_learner

    db.session.flush()
    rebuild_learner(user)
