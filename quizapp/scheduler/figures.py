"""A learner's figures kept between requests, updated one answer at a time (Flask-free).

Pages must not replay a learner's whole log, so the app keeps what they need and updates it
with every answer (``apply_answer``), in the answer's own transaction:

* ``LearnerFigures``: the learner part of the recall model's context (``LearnerContext``), the
  count of answers and the learner's first attempts (count and guess-corrected sum);
* ``ItemFigures`` per question answered: the item part of the context (``ItemContext``), its
  FSRS-6 state after the last answer replayed by study day under the default parameters and,
  when the learner's model has them, under the learner's fitted ones (what
  ``LearnerPredictor`` recomputes from the log), and its first and last answers;
* per topic and per local day, counts the database keeps as running sums (``AnswerFacts``
  gives the increments).

``replay`` computes all of it from a whole log, and is the definition: the incremental figures
must equal it (tests check long random sequences of answers, undos and overrides). ``recall_now``
predicts the recall of many questions at once from these figures, as ``LearnerPredictor`` would
from the whole log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import fsrs_rs_python
import numpy as np
import numpy.typing as npt

from quizapp.scheduler.features import (
    ItemContext,
    LearnerContext,
    context_features,
    observe_answer,
)
from quizapp.scheduler.history import DAY_START_HOUR, ReviewEvent, day_index
from quizapp.scheduler.learner_model import LearnerModel
from quizapp.scheduler.params import DEFAULT_PARAMETERS, SchedulerParams, clip_parameters
from quizapp.scheduler.state import MemoryState, as_utc
from quizapp.scheduler.vector import elapsed_days, retrievability_array

__all__ = [
    "AnswerFacts",
    "ItemFigures",
    "LearnerFigures",
    "Replay",
    "StoredItem",
    "apply_answer",
    "deguessed",
    "fsrs_step",
    "recall_now",
    "replay",
]

FloatArray = npt.NDArray[np.float64]
FsrsPair = tuple[float, float]


@dataclass(frozen=True)
class AnswerFacts:
    """What the figures need of one answer.

    Attributes:
        question_id: the question.
        topic_id: its topic.
        reviewed_at: when (UTC).
        rating: the FSRS rating that counted (1-4); a success is a rating above 1.
        score: the grade's score in [0, 1].
        duration_ms: answer time, None if unknown.
        chance: probability of guessing right (0 when not guessable).
        picked: choices picked as a bit mask (bit i = choice i), None for other types.
    """

    question_id: int
    topic_id: int
    reviewed_at: datetime
    rating: int
    score: float
    duration_ms: int | None = None
    chance: float = 0.0
    picked: int | None = None

    @property
    def success(self) -> bool:
        return self.rating > 1

    def event(self) -> ReviewEvent:
        """The answer as the recall model's log sees it."""
        return ReviewEvent(
            self.question_id,
            as_utc(self.reviewed_at),
            self.rating,
            duration_ms=self.duration_ms,
            topic=self.topic_id,
            chance=self.chance,
            correct=self.success,
        )


def deguessed(success: bool, chance: float) -> float:
    """A first attempt's evidence of knowing: ``(correct - c) / (1 - c)``."""
    return ((1.0 if success else 0.0) - chance) / (1.0 - chance)


@dataclass(frozen=True)
class LearnerFigures:
    """The learner-level figures (see the module docstring)."""

    context: LearnerContext = field(default_factory=LearnerContext)
    reviews: int = 0
    first_n: int = 0
    first_sum: float = 0.0
    last_review_at: datetime | None = None


@dataclass(frozen=True)
class ItemFigures:
    """The figures of one answered question (see the module docstring)."""

    topic_id: int
    context: ItemContext
    default_state: FsrsPair
    fitted_state: FsrsPair | None
    first_score: float
    first_at: datetime
    first_picked: int | None
    last_score: float
    last_at: datetime


@lru_cache(maxsize=64)
def _model(parameters: tuple[float, ...]) -> fsrs_rs_python.FSRS:
    return fsrs_rs_python.FSRS(list(parameters))


def fsrs_step(
    parameters: Sequence[float], before: FsrsPair | None, rating: int, elapsed: int
) -> FsrsPair:
    """FSRS-6 state after one answer, as ``memory_state_batch`` replays a whole history.

    Args:
        parameters: FSRS-6 parameters (clipped to py-fsrs bounds).
        before: (stability, difficulty) before the answer, None for the first one.
        rating: 1-4.
        elapsed: whole study days since the previous answer (0 on the same day).

    Returns:
        (stability, difficulty) after it.
    """
    model = _model(clip_parameters(parameters))
    current = None if before is None else fsrs_rs_python.MemoryState(before[0], before[1])
    states = model.next_states(current, 0.9, max(0, elapsed) if before is not None else 0)
    chosen = (states.again, states.hard, states.good, states.easy)[rating - 1].memory
    return float(chosen.stability), float(chosen.difficulty)


@dataclass(frozen=True)
class AnswerUpdate:
    """What one answer changed.

    Attributes:
        learner: the learner's figures after it.
        item: the question's figures after it.
        evicted: the answer time that left the duration window (an undo puts it back).
        first: whether it was the learner's first answer to the question.
        first_value: its guess-corrected value when first (0.0 otherwise).
    """

    learner: LearnerFigures
    item: ItemFigures
    evicted: float | None
    first: bool
    first_value: float


def apply_answer(
    learner: LearnerFigures,
    item: ItemFigures | None,
    facts: AnswerFacts,
    *,
    fitted_parameters: Sequence[float] | None = None,
    day_start_hour: int = DAY_START_HOUR,
) -> AnswerUpdate:
    """The figures after one more answer (answers come in time order).

    Args:
        learner: the learner's figures before it.
        item: the question's figures before it, None if never answered.
        facts: the answer.
        fitted_parameters: the learner model's fitted FSRS-6 parameters, if it has them.
        day_start_hour: hour (UTC) at which study days start.

    Returns:
        The update.
    """
    context, item_context, evicted = observe_answer(
        learner.context, None if item is None else item.context, facts.event(), day_start_hour
    )
    elapsed = 0 if item is None else item_context.last_day - item.context.last_day
    default_state = fsrs_step(
        DEFAULT_PARAMETERS, None if item is None else item.default_state, facts.rating, elapsed
    )
    fitted_state = None
    if fitted_parameters is not None:
        fitted_state = fsrs_step(
            fitted_parameters, None if item is None else item.fitted_state, facts.rating, elapsed
        )
    first = item is None
    value = deguessed(facts.success, facts.chance) if first else 0.0
    at = as_utc(facts.reviewed_at)
    new_item = ItemFigures(
        topic_id=facts.topic_id,
        context=item_context,
        default_state=default_state,
        fitted_state=fitted_state,
        first_score=facts.score if item is None else item.first_score,
        first_at=at if item is None else item.first_at,
        first_picked=facts.picked if item is None else item.first_picked,
        last_score=facts.score,
        last_at=at,
    )
    new_learner = LearnerFigures(
        context=context,
        reviews=learner.reviews + 1,
        first_n=learner.first_n + int(first),
        first_sum=learner.first_sum + value,
        last_review_at=at,
    )
    return AnswerUpdate(new_learner, new_item, evicted, first, value)


@dataclass
class Replay:
    """Every figure of a learner computed from their whole log (``replay``).

    Attributes:
        learner: the learner's figures.
        items: per question.
        topics: per topic: [answers, successes, first attempts, their guess-corrected sum].
        days: per (local day, topic): [answers, successes, score sum].
        before: per answer (in log order), the figures just before it: (learner, item).
    """

    learner: LearnerFigures = field(default_factory=LearnerFigures)
    items: dict[int, ItemFigures] = field(default_factory=dict)
    topics: dict[int, list[float]] = field(default_factory=dict)
    days: dict[tuple[date, int], list[float]] = field(default_factory=dict)
    before: list[tuple[LearnerFigures, ItemFigures | None, float | None]] = field(
        default_factory=list
    )


def replay(
    log: Sequence[AnswerFacts],
    zone: ZoneInfo,
    *,
    fitted_parameters: Sequence[float] | None = None,
    day_start_hour: int = DAY_START_HOUR,
    keep_before: int = 0,
) -> Replay:
    """All figures from a learner's live answers.

    Args:
        log: the answers in time order (undone ones left out).
        zone: the learner's time zone (for the local days).
        fitted_parameters: the learner model's fitted FSRS-6 parameters, if any.
        day_start_hour: hour (UTC) at which study days start.
        keep_before: keep the figures before each of the last ``keep_before`` answers.

    Returns:
        The figures.
    """
    out = Replay()
    keep_from = len(log) - keep_before
    for k, facts in enumerate(log):
        item = out.items.get(facts.question_id)
        update = apply_answer(
            out.learner,
            item,
            facts,
            fitted_parameters=fitted_parameters,
            day_start_hour=day_start_hour,
        )
        if k >= keep_from:
            out.before.append((out.learner, item, update.evicted))
        out.learner = update.learner
        out.items[facts.question_id] = update.item
        topic = out.topics.setdefault(facts.topic_id, [0, 0, 0, 0.0])
        topic[0] += 1
        topic[1] += int(facts.success)
        topic[2] += int(update.first)
        topic[3] += update.first_value
        day = (as_utc(facts.reviewed_at).astimezone(zone).date(), facts.topic_id)
        counts = out.days.setdefault(day, [0, 0, 0.0])
        counts[0] += 1
        counts[1] += int(facts.success)
        counts[2] += facts.score
    return out


@dataclass(frozen=True)
class StoredItem:
    """One question of the learner's bank with what is stored about it.

    Attributes:
        question_id: the question.
        topic_id: its topic.
        state: the app's memory state (None if never answered).
        item: the stored figures (None if there are none).
    """

    question_id: int
    topic_id: int
    state: MemoryState | None
    item: ItemFigures | None


def recall_now(
    questions: Sequence[StoredItem],
    now: datetime,
    *,
    model: LearnerModel | None,
    learner: LearnerFigures,
    duration_median: float | None,
    topic_counts: Mapping[int, tuple[int, int]],
    params: SchedulerParams,
) -> FloatArray:
    """Predicted recall of every question now (0.0 for a question never answered).

    Without a model, FSRS-6 on the app's memory state with the learner's scheduling
    parameters. With one, what ``LearnerPredictor`` predicts from the whole log: each member's
    layer over FSRS-6 replayed by day under its parameters, with the context features.

    Args:
        questions: the questions.
        now: time of the prediction.
        model: the learner's fitted model, None for plain FSRS-6.
        learner: the learner's figures.
        duration_median: the median of the learner's recent answer times (stored).
        topic_counts: per topic (successes, answers).
        params: the learner's scheduling settings.

    Returns:
        One probability per question, in order.
    """
    n = len(questions)
    out = np.zeros(n)
    studied = [k for k, q in enumerate(questions) if q.state is not None and not q.state.is_new]
    if not studied:
        return out
    if model is None:
        states = [questions[k].state for k in studied]
        stability = np.array([np.nan if s is None else s.stability for s in states], dtype=float)
        elapsed = elapsed_days([None if s is None else s.last_review for s in states], now)
        out[studied] = retrievability_array(stability, elapsed, params.parameters)
        return out
    today = day_index(as_utc(now), model.day_start_hour)
    plain = model.is_plain
    logged = [k for k in studied if questions[k].item is not None]
    unlogged = [k for k in studied if questions[k].item is None]
    if logged:
        items = [questions[k].item for k in logged]
        elapsed_arr = np.array([today - i.context.last_day for i in items if i is not None])
        context = np.zeros((len(logged), 0))
        if not plain:
            context = np.asarray(
                [
                    context_features(
                        learner.context,
                        i.context,
                        topic_counts.get(i.topic_id),
                        today,
                        duration_median=duration_median,
                    )
                    for i in items
                    if i is not None
                ],
                dtype=np.float64,
            )
        total = np.zeros(len(logged))
        for member in model.members:
            pairs = [_source_state(i, member.source) for i in items if i is not None]
            stability = np.array([p[0] for p in pairs], dtype=np.float64)
            difficulty = np.array([p[1] for p in pairs], dtype=np.float64)
            recall = retrievability_array(
                stability, elapsed_arr, model.source_parameters(member.source)
            )
            total += member.predict(recall, stability, difficulty, context)
        out[logged] = total / len(model.members)
    if unlogged:
        states = [questions[k].state for k in unlogged]
        stability = np.array([s.stability if s else np.nan for s in states], dtype=float)
        difficulty = np.array([s.difficulty if s else np.nan for s in states], dtype=float)
        elapsed = elapsed_days([s.last_review if s else None for s in states], now)
        recall = retrievability_array(stability, elapsed, model.parameters)
        context = np.asarray(
            [
                context_features(
                    learner.context,
                    None,
                    topic_counts.get(questions[k].topic_id),
                    today,
                    duration_median=duration_median,
                )
                for k in unlogged
            ],
            dtype=np.float64,
        )
        values = [m.predict(recall, stability, difficulty, context) for m in model.members]
        out[unlogged] = np.mean(values, axis=0)
    return out


def _source_state(item: ItemFigures, source: str) -> FsrsPair:
    if source == "fitted":
        if item.fitted_state is None:
            raise ValueError("the item has no state under the fitted parameters")
        return item.fitted_state
    return item.default_state


def with_fitted_state(item: ItemFigures, state: FsrsPair | None) -> ItemFigures:
    """The item with its state under (new) fitted parameters."""
    return replace(item, fitted_state=state)
