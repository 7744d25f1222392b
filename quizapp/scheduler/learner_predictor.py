"""Predictions of a fitted learner model at any moment, from the learner's log as it grows.

``LearnerPredictor`` recomputes each item's FSRS-6 state under the model's parameter sources
and the learner's context features, for the recall (or the chance of a correct answer) of one
question or of many at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import fsrs_rs_python
import numpy as np

from quizapp.scheduler.features import ContextTracker
from quizapp.scheduler.history import ReviewEvent, day_index
from quizapp.scheduler.learner_ensemble import LearnerModel
from quizapp.scheduler.memory import recall_probability, retrievability
from quizapp.scheduler.params import SchedulerParams
from quizapp.scheduler.state import MemoryState


@dataclass
class _ItemHistory:
    last_day: int
    reviews: list[tuple[int, int]]  # (rating, whole days since the previous answer)


class LearnerPredictor:
    """A fitted model together with the learner's log, for predictions at any time.

    The FSRS-6 state of each item under the model's parameter sources is recomputed from the log
    the predictor was given (as ``LearnerModel.predict_table`` does), so a prediction at the
    moment of a logged answer equals the table's prediction for it.

    Args:
        model: the learner's model.
        events: the learner's answers so far (any order); more can be added with ``observe``.
    """

    def __init__(self, model: LearnerModel, events: Iterable[ReviewEvent] = ()) -> None:
        self.model = model
        self._tracker = ContextTracker(model.day_start_hour)
        self._items: dict[int | str, _ItemHistory] = {}
        self._states: dict[str, dict[int | str, tuple[float, float]]] = {}
        for event in sorted(events, key=lambda e: e.reviewed_at):
            self._add(event)

    def _add(self, event: ReviewEvent) -> None:
        self._tracker.observe(event)
        today = day_index(event.reviewed_at, self.model.day_start_hour)
        history = self._items.get(event.item_id)
        if history is None:
            self._items[event.item_id] = _ItemHistory(today, [(event.rating, 0)])
        else:
            history.reviews.append((event.rating, today - history.last_day))
            history.last_day = today
        for states in self._states.values():
            states.pop(event.item_id, None)

    def observe(self, event: ReviewEvent) -> None:
        """Adds a new answer (in time order).

        Args:
            event: the answer.
        """
        self._add(event)

    def _state(self, source: str, item_id: int | str) -> tuple[float, float]:
        states = self._states.setdefault(source, {})
        if item_id not in states:
            # the first request computes every item at once (one batch call)
            keys = list(self._items) if not states else [item_id]
            model = fsrs_rs_python.FSRS(list(self.model.source_parameters(source)))
            items = [
                fsrs_rs_python.FSRSItem(
                    [fsrs_rs_python.FSRSReview(r, d) for r, d in self._items[k].reviews]
                )
                for k in keys
            ]
            for key, memory in zip(keys, model.memory_state_batch(items), strict=True):
                states[key] = (float(memory.stability), float(memory.difficulty))
        return states[item_id]

    def recall(
        self,
        item_id: int | str,
        topic: int | str | None,
        state: MemoryState | None,
        now: datetime,
    ) -> float:
        """Predicted recall of an item at ``now``.

        Args:
            item_id: the question.
            topic: its topic.
            state: its memory state in the app, None if never answered (then 0.0). For an
                item in the predictor's log the FSRS-6 state is recomputed from the log under
                each member's parameters; otherwise the layer is applied to ``state`` with the
                scheduling parameters.
            now: time of the prediction.

        Returns:
            The probability of recall.
        """
        if state is None:
            return 0.0
        context = self._tracker.features(item_id, topic, now)
        history = self._items.get(item_id)
        if history is None:
            if state.stability is None or state.difficulty is None:
                return 0.0
            r = recall_probability(state, now, SchedulerParams(parameters=self.model.parameters))
            values = [
                m.predict_one(r, state.stability, state.difficulty, context)
                for m in self.model.members
            ]
            return sum(values) / len(values)
        elapsed = max(0, day_index(now, self.model.day_start_hour) - history.last_day)
        states = {}
        for source in {m.source for m in self.model.members}:
            stability, difficulty = self._state(source, item_id)
            states[source] = (stability, difficulty, elapsed)
        return self.model.recall(states, context)

    def recall_many(
        self,
        items: Sequence[tuple[int | str, int | str | None, MemoryState | None]],
        now: datetime,
    ) -> list[float]:
        """``recall`` of many items at ``now`` at once (one array pass per member).

        Args:
            items: (item id, topic, memory state) per item.
            now: time of the predictions.

        Returns:
            The probabilities, in the order of ``items``.
        """
        out = [0.0] * len(items)
        logged: list[int] = []
        for k, (item_id, topic, state) in enumerate(items):
            if state is None:
                continue
            if item_id in self._items:
                logged.append(k)
            else:
                out[k] = self.recall(item_id, topic, state, now)
        if not logged:
            return out
        today = day_index(now, self.model.day_start_hour)
        context = np.asarray(
            [self._tracker.features(items[k][0], items[k][1], now) for k in logged],
            dtype=np.float64,
        )
        elapsed = [max(0, today - self._items[items[k][0]].last_day) for k in logged]
        total = np.zeros(len(logged))
        for source in sorted({m.source for m in self.model.members}):
            settings = SchedulerParams(parameters=self.model.source_parameters(source))
            states = [self._state(source, items[k][0]) for k in logged]
            stability = np.array([s for s, _ in states])
            difficulty = np.array([d for _, d in states])
            recall = np.array(
                [retrievability(s, e, settings) for s, e in zip(stability, elapsed, strict=True)]
            )
            for member in self.model.members:
                if member.source == source:
                    total += member.predict(recall, stability, difficulty, context)
        for j, k in enumerate(logged):
            out[k] = float(total[j] / len(self.model.members))
        return out

    def p_correct(
        self,
        item_id: int | str,
        topic: int | str | None,
        state: MemoryState | None,
        now: datetime,
        chance: float = 0.0,
    ) -> float:
        """Predicted probability of a correct answer: ``c + (1 - c) · recall``.

        Args:
            item_id: the question.
            topic: its topic.
            state: its memory state.
            now: time of the prediction.
            chance: guessing probability.

        Returns:
            The probability.
        """
        return chance + (1.0 - chance) * self.recall(item_id, topic, state, now)
