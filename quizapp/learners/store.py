"""Between the pure figures (``quizapp.scheduler.figures``) and their rows, both ways.

Also the snapshot written on each review row (``ReviewLog.stats_before``): the learner's and
the question's figures just before that answer, so that undoing it restores them exactly.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from quizapp.learners.models import ItemStats, LearnerStats
from quizapp.scheduler.features import ItemContext, LearnerContext
from quizapp.scheduler.figures import ITEM_COLUMNS, ItemFigures, LearnerFigures
from quizapp.scheduler.state import as_utc

SNAPSHOT_VERSION = 1


def learner_figures(row: LearnerStats | None) -> LearnerFigures:
    """The learner's figures, with the window of answer times (read when answering)."""
    if row is None:
        return LearnerFigures()
    return LearnerFigures(
        context=replace(
            learner_context_of(row), durations=tuple(float(x) for x in row.durations or ())
        ),
        reviews=row.reviews,
        first_n=row.first_n,
        first_sum=row.first_sum,
        last_review_at=row.last_review_at,
    )


def store_learner(row: LearnerStats, figures: LearnerFigures) -> None:
    context = figures.context
    row.revision = (row.revision or 0) + 1
    row.reviews = figures.reviews
    row.fast_value = context.fast_value
    row.fast_weight = context.fast_weight
    row.slow_value = context.slow_value
    row.slow_weight = context.slow_weight
    row.session_day = context.session_day
    row.session_n = context.session_n
    row.session_success = context.session_success
    row.durations = list(context.durations)
    row.duration_median = context.duration_median
    row.first_n = figures.first_n
    row.first_sum = figures.first_sum
    row.last_review_at = figures.last_review_at


def learner_context_of(row: LearnerStats | None) -> LearnerContext:
    """The learner's context without the duration window (pages use the stored median)."""
    if row is None:
        return LearnerContext()
    return LearnerContext(
        fast_value=row.fast_value,
        fast_weight=row.fast_weight,
        slow_value=row.slow_value,
        slow_weight=row.slow_weight,
        session_day=row.session_day,
        session_n=row.session_n,
        session_success=row.session_success,
    )


def item_figures(row: ItemStats | None) -> ItemFigures | None:
    if row is None:
        return None
    fitted = None
    if row.fitted_stability is not None and row.fitted_difficulty is not None:
        fitted = (row.fitted_stability, row.fitted_difficulty)
    return ItemFigures(
        topic_id=row.topic_id,
        context=ItemContext(**{name: getattr(row, name) for name in ITEM_COLUMNS}),
        default_state=(row.default_stability, row.default_difficulty),
        fitted_state=fitted,
        first_score=row.first_score,
        first_at=row.first_at,
        first_picked=row.first_picked,
        last_score=row.last_score,
        last_at=row.last_at,
    )


def store_item(row: ItemStats, figures: ItemFigures) -> None:
    row.topic_id = figures.topic_id
    for name in ITEM_COLUMNS:
        setattr(row, name, getattr(figures.context, name))
    row.default_stability, row.default_difficulty = figures.default_state
    row.fitted_stability, row.fitted_difficulty = figures.fitted_state or (None, None)
    row.first_score = figures.first_score
    row.first_at = figures.first_at
    row.first_picked = figures.first_picked
    row.last_score = figures.last_score
    row.last_at = figures.last_at


def item_row_values(figures: ItemFigures) -> dict[str, Any]:
    """The item's columns (for bulk inserts)."""
    row = ItemStats()
    store_item(row, figures)
    return {name: getattr(row, name) for name in _ITEM_COLUMNS}


_ITEM_COLUMNS = (
    "topic_id",
    *ITEM_COLUMNS,
    "default_stability",
    "default_difficulty",
    "fitted_stability",
    "fitted_difficulty",
    "first_score",
    "first_at",
    "first_picked",
    "last_score",
    "last_at",
)


def _when(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat()


def snapshot(
    learner: LearnerFigures, item: ItemFigures | None, evicted: float | None, model_version: int
) -> dict[str, Any]:
    """The figures before an answer, as JSON (the duration window is not copied: an undo
    drops the answer's own time and puts ``evicted`` back)."""
    context = learner.context
    out: dict[str, Any] = {
        "v": SNAPSHOT_VERSION,
        "model_version": model_version,
        "learner": {
            "fast": [context.fast_value, context.fast_weight],
            "slow": [context.slow_value, context.slow_weight],
            "session": [context.session_day, context.session_n, context.session_success],
            "reviews": learner.reviews,
            "first": [learner.first_n, learner.first_sum],
            "last_review_at": _when(learner.last_review_at),
            "evicted": evicted,
        },
        "item": None,
    }
    if item is not None:
        out["item"] = {
            "topic_id": item.topic_id,
            "context": [getattr(item.context, name) for name in ITEM_COLUMNS],
            "default": list(item.default_state),
            "fitted": None if item.fitted_state is None else list(item.fitted_state),
            "first": [item.first_score, _when(item.first_at), item.first_picked],
            "last": [item.last_score, _when(item.last_at)],
        }
    return out


def _parse_when(value: str | None) -> datetime | None:
    return None if value is None else as_utc(value)


def restore_learner(
    data: dict[str, Any], current: LearnerFigures, own_seconds: float | None
) -> LearnerFigures:
    """The learner's figures from a snapshot, with the duration window rolled back: the
    answer's own time (``own_seconds``, the newest entry) removed and the evicted one back."""
    saved = data["learner"]
    durations = list(current.context.durations)
    if own_seconds is not None and durations:
        durations.pop()
        if saved["evicted"] is not None:
            durations.insert(0, float(saved["evicted"]))
    session = saved["session"]
    return LearnerFigures(
        context=LearnerContext(
            fast_value=float(saved["fast"][0]),
            fast_weight=float(saved["fast"][1]),
            slow_value=float(saved["slow"][0]),
            slow_weight=float(saved["slow"][1]),
            session_day=int(session[0]),
            session_n=int(session[1]),
            session_success=int(session[2]),
            durations=tuple(durations),
        ),
        reviews=int(saved["reviews"]),
        first_n=int(saved["first"][0]),
        first_sum=float(saved["first"][1]),
        last_review_at=_parse_when(saved["last_review_at"]),
    )


def restore_item(data: dict[str, Any]) -> ItemFigures | None:
    saved = data["item"]
    if saved is None:
        return None
    first_at = _parse_when(saved["first"][1])
    last_at = _parse_when(saved["last"][1])
    assert first_at is not None
    assert last_at is not None
    fitted = saved["fitted"]
    return ItemFigures(
        topic_id=int(saved["topic_id"]),
        context=ItemContext(**dict(zip(ITEM_COLUMNS, saved["context"], strict=True))),
        default_state=(float(saved["default"][0]), float(saved["default"][1])),
        fitted_state=None if fitted is None else (float(fitted[0]), float(fitted[1])),
        first_score=float(saved["first"][0]),
        first_at=first_at,
        first_picked=saved["first"][2],
        last_score=float(saved["last"][0]),
        last_at=last_at,
    )
