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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import fsrs_rs_python
import numpy as np
import numpy.typing as npt

from quizapp.scheduler.features import (
    ITEM_PSEUDO,
    SESSION_PSEUDO,
    TOPIC_PSEUDO,
    ItemContext,
    LearnerContext,
    observe_answer,
)
from quizapp.scheduler.history import DAY_START_HOUR, ReviewEvent, day_index
from quizapp.scheduler.learner_ensemble import LearnerModel
from quizapp.scheduler.params import DEFAULT_PARAMETERS, SchedulerParams, clip_parameters
from quizapp.scheduler.state import as_utc
from quizapp.scheduler.vector import retrievability_array

__all__ = [
    "ITEM_COLUMNS",
    "AnswerFacts",
    "BankArrays",
    "FloatArray",
    "ItemFigures",
    "LearnerFigures",
    "Replay",
    "apply_answer",
    "context_rows",
    "deguessed",
    "fitted_states",
    "fsrs_step",
    "recall_arrays",
    "replay",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
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


def fitted_states(
    answers: Iterable[tuple[int | str, datetime, int]], model: LearnerModel
) -> dict[int | str, FsrsPair | None]:
    """Each question's FSRS-6 state under the model's fitted parameters after its answers
    ((question, time, rating) in time order), replayed by study day; None without them."""
    states: dict[int | str, FsrsPair | None] = {}
    days: dict[int | str, int] = {}
    for key, at, rating in answers:
        if model.fitted_parameters is None:
            states[key] = None
            continue
        today = day_index(as_utc(at), model.day_start_hour)
        states[key] = fsrs_step(
            model.fitted_parameters, states.get(key), rating, today - days.get(key, today)
        )
        days[key] = today
    return states


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
    model: LearnerModel | None = None,
) -> AnswerUpdate:
    """The figures after one more answer (answers come in time order).

    Args:
        learner: the learner's figures before it.
        item: the question's figures before it, None if never answered.
        facts: the answer.
        model: the learner's fitted model (its study days, and its fitted FSRS-6 parameters
            if it has them); None before any fit.

    Returns:
        The update.
    """
    day_start_hour = DAY_START_HOUR if model is None else model.day_start_hour
    fitted_parameters = None if model is None else model.fitted_parameters
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
    model: LearnerModel | None = None,
    keep_before: int = 0,
) -> Replay:
    """All figures from a learner's live answers.

    Args:
        log: the answers in time order (undone ones left out).
        zone: the learner's time zone (for the local days).
        model: the learner's fitted model, None before any fit (see ``apply_answer``).
        keep_before: keep the figures before each of the last ``keep_before`` answers.

    Returns:
        The figures.
    """
    out = Replay()
    keep_from = len(log) - keep_before
    for k, facts in enumerate(log):
        item = out.items.get(facts.question_id)
        update = apply_answer(out.learner, item, facts, model)
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
class BankArrays:
    """A learner's questions with what is stored about each, one array entry per question.

    Attributes:
        topic_id: the question's topic.
        stability: FSRS stability of the app's memory state (NaN if never answered).
        difficulty: its difficulty (NaN if never answered).
        last_review: epoch seconds of the app state's last review (NaN if never answered).
        logged: whether the question has stored figures (``ItemFigures``).
        item: the stored item figures as columns (``ITEM_COLUMNS``), NaN where not logged
            (``last_seconds`` is NaN when unknown; ``last_success`` is 1.0 or 0.0).
        default_state: stability and difficulty under the default parameters, shape (n, 2).
        fitted_state: the same under the learner's fitted parameters (NaN when none).
    """

    topic_id: IntArray
    stability: FloatArray
    difficulty: FloatArray
    last_review: FloatArray
    logged: BoolArray
    item: dict[str, FloatArray]
    default_state: FloatArray
    fitted_state: FloatArray

    def __len__(self) -> int:
        return len(self.topic_id)

    @property
    def studied(self) -> BoolArray:
        """Questions with an app memory state that has been reviewed."""
        out: BoolArray = ~np.isnan(self.last_review)
        return out


#: The item context's columns, in ``ItemContext`` order.
ITEM_COLUMNS: tuple[str, ...] = (
    "last_day",
    "day_reviews",
    "day_fails",
    "long_term_n",
    "long_term_success",
    "last_seconds",
    "last_success",
    "lapses",
    "reviews",
)


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, 0.001, 0.999)
    out: FloatArray = np.log(q / (1.0 - q))
    return out


def context_rows(
    learner: LearnerContext,
    bank: BankArrays,
    rows: IntArray,
    topic_counts: Mapping[int, tuple[int, int]],
    today: int,
    duration_median: float | None,
) -> FloatArray:
    """``context_features`` of many questions at once (rows of ``bank``), as an array.

    The same definitions as ``quizapp.scheduler.features.context_features``, over arrays
    (tests/study/test_figures.py checks predictions through every feature against
    ``LearnerPredictor``, which uses the scalar one).
    """
    n = len(rows)
    fast, slow = learner.fast, learner.slow
    if today == learner.session_day:
        session = (learner.session_success + SESSION_PSEUDO * fast) / (
            learner.session_n + SESSION_PSEUDO
        )
    else:
        session = fast
    topics = bank.topic_id[rows]
    succ = np.array([topic_counts.get(int(t), (0, 0))[0] for t in topics], dtype=np.float64)
    count = np.array([topic_counts.get(int(t), (0, 0))[1] for t in topics], dtype=np.float64)
    known = np.array([int(t) in topic_counts for t in topics], dtype=np.bool_)
    topic_rate = np.where(known, (succ + TOPIC_PSEUDO * slow) / (count + TOPIC_PSEUDO), slow)
    item = {name: values[rows] for name, values in bank.item.items()}
    logged = bank.logged[rows]
    item_rate = np.where(
        logged,
        (item["long_term_success"] + ITEM_PSEUDO * slow) / (item["long_term_n"] + ITEM_PSEUDO),
        slow,
    )
    duration = np.zeros(n)
    if duration_median is not None:
        seconds = item["last_seconds"]
        duration = np.where(logged & ~np.isnan(seconds), seconds - duration_median, 0.0)
    elapsed = np.maximum(1.0, today - item["last_day"])

    def on_logged(values: FloatArray) -> FloatArray:
        out: FloatArray = np.where(logged, values, 0.0)
        return out

    columns = [
        np.full(n, _logit(np.array(fast))),
        np.full(n, _logit(np.array(slow))),
        np.full(n, _logit(np.array(session))),
        _logit(item_rate),
        _logit(topic_rate),
        on_logged(np.log1p(item["day_reviews"])),
        on_logged(np.log1p(item["day_fails"])),
        duration,
        on_logged(1.0 - item["last_success"]),
        on_logged(np.log1p(item["lapses"])),
        on_logged(np.log(elapsed)),
        on_logged(np.log(item["reviews"] + 1.0)),
    ]
    return np.column_stack(columns) if n else np.zeros((0, len(columns)))


def recall_arrays(
    bank: BankArrays,
    now: datetime,
    *,
    model: LearnerModel | None,
    learner: LearnerContext,
    duration_median: float | None,
    topic_counts: Mapping[int, tuple[int, int]],
    params: SchedulerParams,
) -> FloatArray:
    """Predicted recall of every question of ``bank`` now (0.0 for a question never answered).

    Without a model, FSRS-6 on the app's memory state with the learner's scheduling
    parameters. With one, what ``LearnerPredictor`` predicts from the whole log: each member's
    layer over FSRS-6 replayed by day under its parameters, with the context features.

    Args:
        bank: the questions.
        now: time of the prediction.
        model: the learner's fitted model, None for plain FSRS-6.
        learner: the learner's context.
        duration_median: the median of the learner's recent answer times (stored).
        topic_counts: per topic (successes, answers).
        params: the learner's scheduling settings.

    Returns:
        One probability per question, in order.
    """
    out = np.zeros(len(bank))
    moment = as_utc(now).timestamp()
    app_elapsed = np.floor((moment - bank.last_review) / 86400.0)
    studied = bank.studied
    if model is None:
        out[studied] = retrievability_array(
            bank.stability[studied], app_elapsed[studied], params.parameters
        )
        return out
    today = day_index(as_utc(now), model.day_start_hour)
    logged = np.nonzero(studied & bank.logged)[0]
    unlogged = np.nonzero(studied & ~bank.logged)[0]
    for rows, from_log in ((logged, True), (unlogged, False)):
        if not len(rows):
            continue
        context = np.zeros((len(rows), 0))
        if not model.is_plain:
            context = context_rows(learner, bank, rows, topic_counts, today, duration_median)
        total = np.zeros(len(rows))
        for member in model.members:
            if from_log:
                # FSRS-6 replayed by day under the member's parameters, as the model was fitted
                states = bank.fitted_state if member.source == "fitted" else bank.default_state
                stability, difficulty = states[rows, 0], states[rows, 1]
                elapsed = today - bank.item["last_day"][rows]
                parameters = model.source_parameters(member.source)
            else:
                # a memory state without answers in the log: the app's state as it is
                stability, difficulty = bank.stability[rows], bank.difficulty[rows]
                elapsed = app_elapsed[rows]
                parameters = model.parameters
            recall = retrievability_array(stability, elapsed, parameters)
            total += member.predict(recall, stability, difficulty, context)
        out[rows] = total / len(model.members)
    return out
