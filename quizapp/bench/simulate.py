"""Synthetic learners for the benchmarks (a different memory model from FSRS-6 on purpose).

Assumptions of the simulated learner (all randomness from one seeded ``random.Random``):

* **Items and topics.** Topics are introduced one after another (``items_per_topic`` new items
  each, ``new_per_day`` new items a day), or in random order with ``interleave_topics``.
  Item difficulty ``b ~ N(topic_mean, 0.7)``; the learner's skill on a topic is
  ``N(0, topic_sd)`` (learners differ by topic).
* **Memory.** Exponential forgetting ``R = 0.9 ** (t / s)`` with t in days (FSRS-6 uses a power
  law). At the first exposure the item is known with probability ``sigmoid(skill - b)``
  (then ``s = 3 e^(-0.4 b)`` days, else ``s = 0.3``). A recalled item grows
  ``s <- s (1 + 10 e^(-0.4 b) (1 - R)^0.8) + 0.1`` (spacing effect); a forgotten one drops to
  ``max(0.3, 0.4 s)``.
* **Daily form.** The probability of recall is ``sigmoid(logit(R) + f_day)`` with ``f_day`` an
  AR(1) process over days (correlation 0.7, standard deviation ``form_sd``): some days go
  better than others for every item.
* **Answers.** Free-text items are correct iff recalled; a true/false or k-option item is also
  correct by a lucky guess with chance 1/k. Answer time is log-normal, slower when recall is
  weaker. The grade goes through the app's own ``review`` (ratings, guess rule, learning steps).
* **Study pattern.** The learner studies on 80 % of days at a random hour, answers everything
  due that day plus the new items, and repeats failed items after the app's (re)learning steps
  within the session.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from quizapp.scheduler.class_prior import ItemPrior
from quizapp.scheduler.evidence import Evidence
from quizapp.scheduler.history import ReviewEvent
from quizapp.scheduler.memory import review
from quizapp.scheduler.state import MemoryState

__all__ = ["SimAnswer", "SimConfig", "SimItem", "simulate_learner"]

_START = datetime(2024, 1, 1, 4, tzinfo=UTC)


@dataclass(frozen=True)
class SimConfig:
    """Settings of a simulated learner.

    Attributes:
        days: length of the simulation.
        topics: number of topics.
        items_per_topic: items in each topic.
        new_per_day: new items a day.
        topic_sd: spread of the learner's skill across topics (logits).
        form_sd: standard deviation of the daily form (logits).
        option_mix: (options, share) of question types; options None = not guessable.
        study_probability: chance of studying on a given day.
        interleave_topics: draw new items from all topics in random order instead of one
            topic after another.
    """

    days: int = 150
    topics: int = 12
    items_per_topic: int = 80
    new_per_day: int = 12
    topic_sd: float = 1.0
    form_sd: float = 0.5
    option_mix: tuple[tuple[int | None, float], ...] = ((None, 1.0),)
    study_probability: float = 0.8
    interleave_topics: bool = False


@dataclass(frozen=True)
class SimAnswer:
    """One simulated answer.

    Attributes:
        event: the answer as the app logs it.
        options: the question's number of options (None if not guessable).
        true_recall: the simulator's probability of recall at that moment.
    """

    event: ReviewEvent
    options: int | None
    true_recall: float


@dataclass(frozen=True)
class SimItem:
    """An item of a pool shared by several simulated learners (a class).

    Attributes:
        item_id: its id in every learner's log.
        topic: its topic (an index below ``SimConfig.topics``).
        difficulty: its true difficulty ``b`` (logits; see the module docstring).
        options: its number of options (None if not guessable).
    """

    item_id: int
    topic: int
    difficulty: float
    options: int | None = None


@dataclass
class _Item:
    item_id: int
    topic: int
    difficulty: float
    options: int | None
    stability: float | None = None
    last: datetime | None = None
    state: MemoryState | None = None


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _pick_options(rng: random.Random, mix: tuple[tuple[int | None, float], ...]) -> int | None:
    roll = rng.random() * sum(share for _, share in mix)
    for options, share in mix:
        roll -= share
        if roll <= 0.0:
            return options
    return mix[-1][0]


def simulate_learner(
    config: SimConfig,
    seed: int,
    *,
    pool: Sequence[SimItem] | None = None,
    priors: Mapping[int, ItemPrior] | None = None,
) -> list[SimAnswer]:
    """Simulates one learner (assumptions in the module docstring).

    Args:
        config: the settings.
        seed: the random seed.
        pool: the items, in the order they are introduced, when several learners share them
            (a class); drawn from ``config`` and the seed if None.
        priors: per item id, the class's estimate the scheduler starts a first answer with
            (``review``'s ``prior``); none if None.

    Returns:
        The answers in time order.
    """
    rng = random.Random(seed)
    topic_mean = [rng.gauss(0.0, 0.7) for _ in range(config.topics)]
    skill = [rng.gauss(0.0, config.topic_sd) for _ in range(config.topics)]
    items: list[_Item] = []
    if pool is None:
        for t in range(config.topics):
            for _ in range(config.items_per_topic):
                items.append(
                    _Item(
                        0, t, rng.gauss(topic_mean[t], 0.7), _pick_options(rng, config.option_mix)
                    )
                )
        if config.interleave_topics:
            rng.shuffle(items)
    else:
        items = [_Item(k.item_id, k.topic, k.difficulty, k.options) for k in pool]
    active: list[_Item] = []
    answers: list[SimAnswer] = []
    form = 0.0
    next_new = 0
    for day in range(config.days):
        form = 0.7 * form + math.sqrt(1.0 - 0.49) * rng.gauss(0.0, config.form_sd)
        if rng.random() > config.study_probability:
            continue
        day_start = _START + timedelta(days=day)
        now = day_start + timedelta(hours=rng.uniform(4.0, 18.0))
        day_end = day_start + timedelta(days=1)
        queue = [it for it in active if it.state is not None and it.state.due < day_end]
        rng.shuffle(queue)
        for _ in range(config.new_per_day):
            if next_new >= len(items):
                break
            item = items[next_new]
            if pool is None:
                item.item_id = int(day_start.timestamp() * 1000) + next_new
            next_new += 1
            active.append(item)
            queue.append(item)
        while queue:
            waiting = [it for it in queue if it.state is None or it.state.due <= now]
            item = (
                waiting[0]
                if waiting
                else min(queue, key=lambda it: it.state.due if it.state else now)
            )
            queue.remove(item)
            if item.state is not None and item.state.due > now:
                now = item.state.due
            if now >= day_end - timedelta(minutes=1):
                break
            recall = _recall(item, now, skill[item.topic], form, rng)
            remembered = rng.random() < recall
            correct = remembered or (item.options is not None and rng.random() < 1.0 / item.options)
            seconds = math.exp(rng.gauss(1.9 - 1.2 * (recall - 0.5), 0.5))
            duration = int(seconds * 1000)
            outcome = review(
                item.state,
                Evidence(1.0 if correct else 0.0, duration, item.options),
                now,
                prior=None if priors is None else priors.get(item.item_id),
            )
            _learn(item, now, remembered, recall)
            item.state = outcome.state
            answers.append(
                SimAnswer(
                    ReviewEvent(
                        item_id=item.item_id,
                        reviewed_at=now,
                        rating=outcome.log.rating,
                        duration_ms=duration,
                        topic=item.topic,
                        chance=0.0 if item.options is None else 1.0 / item.options,
                        correct=correct,
                    ),
                    item.options,
                    recall,
                )
            )
            if item.state.due < day_end:
                queue.append(item)
            now += timedelta(seconds=seconds + 3.0)
    return answers


def _recall(item: _Item, now: datetime, skill: float, form: float, rng: random.Random) -> float:
    if item.stability is None:
        known = _sigmoid(skill - item.difficulty)
        item.stability = 3.0 * math.exp(-0.4 * item.difficulty) if rng.random() < known else None
        if item.stability is None:
            item.stability = 0.3
            item.last = now - timedelta(days=30)
        else:
            item.last = now
    assert item.last is not None
    elapsed = max(0.0, (now - item.last).total_seconds() / 86400.0)
    base = min(max(0.9 ** (elapsed / item.stability), 1e-4), 1.0 - 1e-4)
    return _sigmoid(math.log(base / (1.0 - base)) + form)


def _learn(item: _Item, now: datetime, remembered: bool, recall: float) -> None:
    assert item.stability is not None
    if remembered:
        growth = 10.0 * math.exp(-0.4 * item.difficulty) * (1.0 - recall) ** 0.8
        item.stability = item.stability * (1.0 + growth) + 0.1
    else:
        item.stability = max(0.3, 0.4 * item.stability)
    item.last = now
