"""``python -m quizapp.bench class-schedule``: does the live scheduler's class prior help?

Simulated classes with known item difficulties (``quizapp.bench.simulate``: every learner of a
class studies the same pool of items, each with a true difficulty ``b``; learners differ in
skill and daily form). Per seed:

1. the **earlier learners** study without any class information; their first answer to each
   item is what the app keeps (``ItemStats.first_score``), and ``fit_item_effects`` estimates
   each item's easiness from them, shrunk toward the pool's mean, exactly as the app's
   ``quizapp.classmodel`` job does;
2. the **later learners'** logs (simulated without the prior) are scheduled again answer by
   answer by the app's ``review``, once without and once with the prior on each first answer
   (``quizapp.scheduler.class_prior``): same answers, same moments, so the two are paired.
   Scored: FSRS-6's predicted recall before each of an item's first ``early`` answers given on a
   later day than the one before (guessing added), log loss with and without; and the
   interval given at an item's first day-scale review, per third of the items by true
   difficulty;
3. the later learners are also simulated *with* the prior steering their schedule, and the true
   recall at their day-scale reviews is compared per third: a hard item reviewed sooner is
   reviewed nearer the target retention.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from quizapp.bench.simulate import SimAnswer, SimConfig, SimItem, simulate_learner
from quizapp.scheduler.class_effects import fit_item_effects
from quizapp.scheduler.class_prior import ItemPrior, item_prior
from quizapp.scheduler.evidence import Evidence
from quizapp.scheduler.memory import review
from quizapp.scheduler.metrics import log_loss
from quizapp.scheduler.state import MemoryState

__all__ = [
    "ClassScheduleConfig",
    "ClassScheduleReport",
    "format_class_schedule",
    "run_class_schedule",
]

_DAY = 86400.0


@dataclass(frozen=True)
class ClassScheduleConfig:
    """Settings of the simulated classes.

    Attributes:
        items: items in the shared pool.
        difficulty_sd: spread of the items' true difficulty (logits).
        earlier: learners whose first answers give the estimates.
        later: learners scheduled with and without them.
        early: an item's first answers scored (the ones the prior can reach).
        sim: the learners' settings (days, new items a day, form...).
    """

    items: int = 120
    difficulty_sd: float = 1.0
    earlier: int = 40
    later: int = 40
    early: int = 5
    sim: SimConfig = field(
        default_factory=lambda: SimConfig(days=60, topics=4, items_per_topic=30, new_per_day=8)
    )


@dataclass(frozen=True)
class ClassScheduleReport:
    """One simulated class.

    Attributes:
        seed: its seed.
        correlation: of the estimated easiness with minus the true difficulty.
        used: items whose estimate the scheduler uses (enough learners).
        n: later learners' early day-scale answers scored.
        log_loss_without: FSRS-6's log loss on them without the class...
        log_loss_with: ... and with it.
        interval_without: mean interval (days) at an item's first day-scale review, per third
            of the items by true difficulty (easy, middle, hard), without the class...
        interval_with: ... and with it.
        recall_without: mean true recall at the day-scale reviews of the later learners'
            simulated schedules, per third, without the class...
        recall_with: ... and with it (the schedule follows the class).
        reviews_without: answers the later learners gave without the class...
        reviews_with: ... and with it.
    """

    seed: int
    correlation: float
    used: int
    n: int
    log_loss_without: float
    log_loss_with: float
    interval_without: tuple[float, float, float]
    interval_with: tuple[float, float, float]
    recall_without: tuple[float, float, float]
    recall_with: tuple[float, float, float]
    reviews_without: int
    reviews_with: int


def _pool(config: ClassScheduleConfig, rng: random.Random) -> list[SimItem]:
    per_topic = max(1, config.items // config.sim.topics)
    return [
        SimItem(k, k // per_topic % config.sim.topics, rng.gauss(0.0, config.difficulty_sd))
        for k in range(config.items)
    ]


def _class(
    config: ClassScheduleConfig,
    seed: int,
    count: int,
    offset: int,
    pool: list[SimItem],
    priors: dict[int, ItemPrior] | None = None,
) -> list[list[SimAnswer]]:
    return [
        simulate_learner(config.sim, seed * 10_000 + offset + k, pool=pool, priors=priors)
        for k in range(count)
    ]


def estimate_priors(logs: Sequence[Sequence[SimAnswer]]) -> dict[int, ItemPrior]:
    """The class's prior per item from each learner's first answer to it."""
    learners, items, correct, chance = [], [], [], []
    for k, log in enumerate(logs):
        seen: set[int] = set()
        for answer in log:
            item = int(answer.event.item_id)
            if item in seen:
                continue
            seen.add(item)
            learners.append(k)
            items.append(item)
            correct.append(1.0 if answer.event.correct else 0.0)
            chance.append(answer.event.chance)
    effects = fit_item_effects(learners, items, correct, chance=chance)
    out: dict[int, ItemPrior] = {}
    for key, easiness in effects.easiness.items():
        prior = item_prior(easiness, effects.mean, effects.answers[key])
        if prior is not None:
            out[int(str(key))] = prior
    return out


def _thirds(pool: Sequence[SimItem]) -> dict[int, int]:
    order = sorted(pool, key=lambda it: it.difficulty)
    return {it.item_id: min(2, 3 * rank // len(order)) for rank, it in enumerate(order)}


def _replay(
    log: Sequence[SimAnswer], priors: dict[int, ItemPrior] | None, early: int
) -> tuple[list[float], list[float], dict[int, float]]:
    """Predictions and outcomes of the items' early day-scale answers, and per item the
    interval given at its first day-scale review."""
    states: dict[int, MemoryState | None] = {}
    counts: dict[int, int] = {}
    firsts: dict[int, float] = {}
    p: list[float] = []
    y: list[float] = []
    for answer in log:
        event = answer.event
        item = int(event.item_id)
        state = states.get(item)
        outcome = review(
            state,
            Evidence(1.0 if event.correct else 0.0, event.duration_ms, answer.options),
            event.reviewed_at,
            prior=None if priors is None else priors.get(item),
        )
        counts[item] = counts.get(item, 0) + 1
        log_entry = outcome.log
        day_scale = log_entry.elapsed_days is not None and log_entry.elapsed_days >= 1.0
        if day_scale and counts[item] <= early and log_entry.recall_before is not None:
            p.append(event.chance + (1.0 - event.chance) * log_entry.recall_before)
            y.append(1.0 if event.correct else 0.0)
        if day_scale and item not in firsts:
            firsts[item] = log_entry.interval_days
        states[item] = outcome.state
    return p, y, firsts


def _mean_by_third(values: dict[int, list[float]]) -> tuple[float, float, float]:
    means = [float(np.mean(values[t])) if values[t] else math.nan for t in range(3)]
    return means[0], means[1], means[2]


def _day_scale_recall(
    logs: Sequence[Sequence[SimAnswer]], thirds: dict[int, int]
) -> tuple[float, float, float]:
    values: dict[int, list[float]] = {0: [], 1: [], 2: []}
    for log in logs:
        last: dict[int, float] = {}
        for answer in log:
            item = int(answer.event.item_id)
            at = answer.event.reviewed_at.timestamp()
            if item in last and at - last[item] >= _DAY:
                values[thirds[item]].append(answer.true_recall)
            last[item] = at
    return _mean_by_third(values)


def run_class_schedule(seed: int, config: ClassScheduleConfig | None = None) -> ClassScheduleReport:
    """Runs one simulated class (see the module docstring)."""
    config = ClassScheduleConfig() if config is None else config
    rng = random.Random(seed)
    pool = _pool(config, rng)
    thirds = _thirds(pool)
    priors = estimate_priors(_class(config, seed, config.earlier, 0, pool))
    truth = {it.item_id: -it.difficulty for it in pool}
    keys = sorted(priors)
    correlation = float(
        np.corrcoef([priors[k].easiness for k in keys], [truth[k] for k in keys])[0, 1]
    )
    later = _class(config, seed, config.later, 5_000, pool)
    scored: dict[bool, tuple[list[float], list[float]]] = {False: ([], []), True: ([], [])}
    intervals: dict[bool, dict[int, list[float]]] = {
        False: {0: [], 1: [], 2: []},
        True: {0: [], 1: [], 2: []},
    }
    for log in later:
        for with_class in (False, True):
            p, y, firsts = _replay(log, priors if with_class else None, config.early)
            scored[with_class][0].extend(p)
            scored[with_class][1].extend(y)
            for item, days in firsts.items():
                intervals[with_class][thirds[item]].append(days)
    steered = _class(config, seed, config.later, 5_000, pool, priors=priors)
    return ClassScheduleReport(
        seed=seed,
        correlation=correlation,
        used=len(priors),
        n=len(scored[False][0]),
        log_loss_without=log_loss(np.array(scored[False][0]), np.array(scored[False][1])),
        log_loss_with=log_loss(np.array(scored[True][0]), np.array(scored[True][1])),
        interval_without=_mean_by_third(intervals[False]),
        interval_with=_mean_by_third(intervals[True]),
        recall_without=_day_scale_recall(later, thirds),
        recall_with=_day_scale_recall(steered, thirds),
        reviews_without=sum(len(log) for log in later),
        reviews_with=sum(len(log) for log in steered),
    )


def format_class_schedule(reports: Sequence[ClassScheduleReport], *, as_json: bool) -> str:
    """The plain-text table (or ``--json``: ``{"classes": [report fields]}``)."""
    if as_json:
        return json.dumps({"classes": [r.__dict__ for r in reports]}, indent=2)
    lines = [
        "simulated classes: the scheduler's class prior on a learner's first answer",
        f"{'seed':>5}{'corr':>7}{'items':>6}{'n':>7}{'loss w/o':>10}{'loss with':>10}{'change':>9}",
    ]
    for r in reports:
        change = r.log_loss_with / r.log_loss_without - 1.0
        lines.append(
            f"{r.seed:>5}{r.correlation:>7.3f}{r.used:>6}{r.n:>7}{r.log_loss_without:>10.4f}"
            f"{r.log_loss_with:>10.4f}{change:>+9.2%}"
        )
    lines.append("interval at an item's first day-scale review (days; easy / middle / hard third):")
    for r in reports:
        lines.append(
            f"  seed {r.seed}: without "
            + " / ".join(f"{v:.1f}" for v in r.interval_without)
            + "   with "
            + " / ".join(f"{v:.1f}" for v in r.interval_with)
        )
    lines.append("true recall at day-scale reviews when the schedule follows the class:")
    for r in reports:
        lines.append(
            f"  seed {r.seed}: without "
            + " / ".join(f"{v:.3f}" for v in r.recall_without)
            + f" ({r.reviews_without} answers)   with "
            + " / ".join(f"{v:.3f}" for v in r.recall_with)
            + f" ({r.reviews_with} answers)"
        )
    return "\n".join(lines)
