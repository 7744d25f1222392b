"""``python -m quizapp.bench topics [--json]``: what per-topic and guess-aware modelling add.

Simulated learners (assumptions in ``quizapp.bench.simulate``; here: 8 learners, 120 days,
8 topics of 60 questions drawn in random order, 6 new questions a day, learner skill varying by
topic with standard deviation 1 logit, daily form 0.3 logit, and a question mix of 40 % free
text, 30 % true/false and 30 % four-option single choice) answer a quiz bank through the app's
own scheduler. Each learner's log is cut at day 60: everything is fitted on the first part and
the answers of the second part are predicted, each from everything before it.

Two kinds of answers are scored:

* **reviews** (questions answered before, on an earlier day), predicted by
  ``FSRS-6`` (its recall taken as the probability of a correct answer, as a plain FSRS-6 app
  would), ``FSRS-6+guess`` (``c + (1 - c) R``), ``quizapp-no-topic`` (the app's learner model,
  guess-aware, without topic information) and ``quizapp`` (the same with topics);
* **first answers** to questions never seen, predicted by ``FSRS-6`` (nothing known: the chance
  level, 0.5 for free text), ``learner-mean`` (the learner's first-answer accuracy before the
  cut) and ``quizapp`` (``c + (1 - c) ·`` the topic's ``estimate_unstudied``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from quizapp.bench.simulate import SimAnswer, SimConfig, simulate_learner
from quizapp.scheduler.history import ReviewEvent, fsrs_trace, prepare
from quizapp.scheduler.learner_model import fit_learner_model
from quizapp.scheduler.metrics import auc, log_loss
from quizapp.scheduler.params import DEFAULT_PARAMETERS
from quizapp.scheduler.topics import AnswerRecord, QuestionRecord, summarize_topics

__all__ = ["TOPICS_CONFIG", "TopicsReport", "format_topics", "run_topics"]

#: The simulated learners of the benchmark.
TOPICS_CONFIG = SimConfig(
    days=120,
    topics=8,
    items_per_topic=60,
    new_per_day=6,
    topic_sd=1.0,
    form_sd=0.3,
    option_mix=((None, 0.4), (2, 0.3), (4, 0.3)),
    interleave_topics=True,
)
_CUT_DAY = 60


@dataclass(frozen=True)
class TopicsReport:
    """Scores of the topics benchmark.

    Attributes:
        reviews: per predictor (log loss, AUC, n) on reviews.
        first_answers: per predictor (log loss, AUC, n) on first answers.
        learners: number of simulated learners.
    """

    reviews: dict[str, tuple[float, float, int]]
    first_answers: dict[str, tuple[float, float, int]]
    learners: int

    def to_json(self) -> str:
        """JSON form: ``{"reviews": {NAME: {...}}, "first_answers": {NAME: {...}}}``."""

        def block(rows: dict[str, tuple[float, float, int]]) -> dict[str, dict[str, float]]:
            return {k: {"log_loss": a, "auc": b, "n": n} for k, (a, b, n) in rows.items()}

        return json.dumps(
            {
                "learners": self.learners,
                "reviews": block(self.reviews),
                "first_answers": block(self.first_answers),
            },
            indent=2,
        )


def _strip_topic(event: ReviewEvent) -> ReviewEvent:
    return ReviewEvent(
        event.item_id,
        event.reviewed_at,
        event.rating,
        event.duration_ms,
        None,
        event.chance,
        event.correct,
    )


def run_topics(learners: int = 8, seed: int = 1, config: SimConfig = TOPICS_CONFIG) -> TopicsReport:
    """Runs the benchmark.

    Args:
        learners: number of simulated learners.
        seed: seed of the first learner (the others use the following seeds).
        config: the simulated learners.

    Returns:
        The scores.
    """
    review_p: dict[str, list[float]] = {
        "FSRS-6": [],
        "FSRS-6+guess": [],
        "quizapp-no-topic": [],
        "quizapp": [],
    }
    review_y: list[float] = []
    first_p: dict[str, list[float]] = {"FSRS-6": [], "learner-mean": [], "quizapp": []}
    first_y: list[float] = []
    for k in range(learners):
        answers = simulate_learner(config, seed + k)
        start = answers[0].event.reviewed_at
        cut_time = start.replace(hour=4, minute=0, second=0, microsecond=0) + timedelta(
            days=_CUT_DAY
        )
        events = [a.event for a in answers]
        cut = sum(1 for e in events if e.reviewed_at < cut_time)
        table = prepare(events)
        test = [i for i in range(cut, len(events)) if table.long_term[i]]
        y = table.success[test]
        review_y.extend(y.tolist())
        chance = table.chance[test]
        fsrs_r = fsrs_trace(table, DEFAULT_PARAMETERS).recall[test]
        review_p["FSRS-6"].extend(fsrs_r.tolist())
        review_p["FSRS-6+guess"].extend((chance + (1 - chance) * fsrs_r).tolist())
        with_topic = fit_learner_model(events[:cut])
        review_p["quizapp"].extend(
            (chance + (1 - chance) * with_topic.predict_table(table)[test]).tolist()
        )
        plain = [_strip_topic(e) for e in events]
        no_topic = fit_learner_model(plain[:cut])
        review_p["quizapp-no-topic"].extend(
            (chance + (1 - chance) * no_topic.predict_table(prepare(plain))[test]).tolist()
        )
        _first_answers(answers, cut, table.prev, first_p, first_y)
    reviews = {
        name: (log_loss(p, review_y), auc(p, review_y), len(p)) for name, p in review_p.items()
    }
    firsts = {name: (log_loss(p, first_y), auc(p, first_y), len(p)) for name, p in first_p.items()}
    return TopicsReport(reviews, firsts, learners)


def _first_answers(
    answers: list[SimAnswer],
    cut: int,
    prev: np.ndarray,
    first_p: dict[str, list[float]],
    first_y: list[float],
) -> None:
    before = answers[:cut]
    records = [
        AnswerRecord(
            a.event.item_id,
            a.event.topic if a.event.topic is not None else -1,
            a.event.reviewed_at,
            a.event.success,
            first_attempt=bool(prev[i] < 0),
            options=a.options,
        )
        for i, a in enumerate(before)
    ]
    topics = sorted({a.event.topic for a in answers if a.event.topic is not None}, key=str)
    questions = [QuestionRecord(f"stand-in-{t}", t) for t in topics]
    now = answers[cut - 1].event.reviewed_at if cut else answers[0].event.reviewed_at
    estimate = {s.topic_id: s.estimate_unstudied for s in summarize_topics(questions, records, now)}
    firsts_before = [r for r in records if r.first_attempt]
    mean = sum(r.correct for r in firsts_before) / max(1, len(firsts_before))
    for i in range(cut, len(answers)):
        if prev[i] >= 0:
            continue
        a = answers[i]
        c = a.event.chance
        first_y.append(1.0 if a.event.success else 0.0)
        first_p["FSRS-6"].append(c if c > 0 else 0.5)
        first_p["learner-mean"].append(mean)
        topic = a.event.topic if a.event.topic is not None else -1
        first_p["quizapp"].append(c + (1 - c) * estimate.get(topic, 0.0))


def format_topics(report: TopicsReport) -> str:
    """The plain-text tables of a run.

    Args:
        report: the run.

    Returns:
        The tables.
    """
    lines = [f"simulated learners: {report.learners} (assumptions: quizapp.bench.topics)"]
    for title, rows in (("reviews", report.reviews), ("first answers", report.first_answers)):
        lines.append(f"{title}:")
        lines.append(f"  {'model':<18}{'log_loss':>10}{'auc':>8}{'n':>7}")
        for name, (loss, area, n) in rows.items():
            lines.append(f"  {name:<18}{loss:>10.4f}{area:>8.4f}{n:>7d}")
    base = report.reviews["FSRS-6"][0]
    app = report.reviews["quizapp"][0]
    lines.append(f"quizapp vs FSRS-6 on reviews: log loss {app / base - 1:+.2%}")
    return "\n".join(lines)
