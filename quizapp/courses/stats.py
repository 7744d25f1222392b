"""Class statistics from plain data: item analysis per question, and who is falling behind.

No Flask, no database: the course services load the answers and pass them in.

Per question (``question_statistics``), over the learners of the class:

* ``answers``: the number of learners who answered the question. Only each learner's *first
  attempt* counts (later attempts are practice after seeing the feedback), so every figure
  below describes what the class knew when it first met the question;
* ``facility``: the mean first-attempt score, in [0, 1];
* ``discrimination``: the discrimination index as Moodle's quiz statistics define it, the
  Pearson correlation, over the learners who answered the question, between their score on
  this question and their score on the rest of the questions (their total over all the
  questions of the class minus this question; a question a learner never answered counts 0,
  as an unanswered question does in a Moodle quiz). None with fewer than ``MIN_LEARNERS``
  learners, or when either score does not vary (the correlation is undefined);
* ``wrong_choices``: for choice questions, how many first attempts picked each wrong choice
  (a multiple-response attempt may pick several);
* ``flags``: ``too easy`` (facility above 0.9), ``too hard`` (facility below 0.2) and
  ``negative discrimination`` (an index below 0: the stronger learners did worse on it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "FALL_MARGIN",
    "MIN_LEARNERS",
    "MIN_WINDOW_ANSWERS",
    "TOO_EASY",
    "TOO_HARD",
    "Attempt",
    "ChoiceCount",
    "LearnerBehind",
    "LearnerTopic",
    "QuestionInfo",
    "QuestionStats",
    "TopicClassStats",
    "class_topic_stats",
    "falling_behind",
    "first_attempts",
    "pearson",
    "question_statistics",
]

MIN_LEARNERS = 3
TOO_EASY = 0.9
TOO_HARD = 0.2
FALL_WINDOW = timedelta(days=7)
FALL_MARGIN = 0.2
MIN_WINDOW_ANSWERS = 2


@dataclass(frozen=True)
class QuestionInfo:
    """One question of the class.

    Attributes:
        question_id: the question.
        topic_id: its topic.
        choices: for choice questions, ``(text, correct)`` of each choice in order; else None.
    """

    question_id: int
    topic_id: int
    choices: tuple[tuple[str, bool], ...] | None = None


@dataclass(frozen=True)
class Attempt:
    """One answer of one learner (undone answers are never passed in).

    Attributes:
        learner_id: who answered.
        question_id: the question.
        answered_at: when (UTC).
        score: the grade's score in [0, 1].
        picked: for choice questions, the indices of the choices picked.
    """

    learner_id: int
    question_id: int
    answered_at: datetime
    score: float
    picked: tuple[int, ...] = ()


@dataclass(frozen=True)
class ChoiceCount:
    """How many first attempts picked one wrong choice."""

    index: int
    text: str
    count: int


@dataclass(frozen=True)
class QuestionStats:
    """Item analysis of one question (definitions in the module docstring)."""

    question_id: int
    answers: int
    facility: float | None
    discrimination: float | None
    wrong_choices: tuple[ChoiceCount, ...] | None
    flags: tuple[str, ...]


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The Pearson correlation of two equally long samples; None if either does not vary."""
    if len(xs) != len(ys):
        raise ValueError("samples of different lengths")
    n = len(xs)
    if n < 2:
        return None
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    # Guard against rounding noise around a constant sample.
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def first_attempts(attempts: Iterable[Attempt]) -> dict[tuple[int, int], Attempt]:
    """Each learner's first attempt at each question, by ``(learner_id, question_id)``.

    The earliest ``answered_at`` wins; among equal times, the one passed first.
    """
    first: dict[tuple[int, int], Attempt] = {}
    for attempt in attempts:
        key = (attempt.learner_id, attempt.question_id)
        held = first.get(key)
        if held is None or attempt.answered_at < held.answered_at:
            first[key] = attempt
    return first


def _flags(facility: float | None, discrimination: float | None) -> tuple[str, ...]:
    flags = []
    if facility is not None and facility > TOO_EASY:
        flags.append("too easy")
    if facility is not None and facility < TOO_HARD:
        flags.append("too hard")
    if discrimination is not None and discrimination < 0:
        flags.append("negative discrimination")
    return tuple(flags)


def _wrong_choices(
    question: QuestionInfo, firsts: Sequence[Attempt]
) -> tuple[ChoiceCount, ...] | None:
    if question.choices is None:
        return None
    counts = [0] * len(question.choices)
    for attempt in firsts:
        for index in set(attempt.picked):
            if 0 <= index < len(counts):
                counts[index] += 1
    return tuple(
        ChoiceCount(i, text, counts[i])
        for i, (text, correct) in enumerate(question.choices)
        if not correct
    )


def question_statistics(
    questions: Sequence[QuestionInfo], attempts: Iterable[Attempt]
) -> list[QuestionStats]:
    """Item analysis of every question in ``questions``, in their order.

    Args:
        questions: the questions of the class (the "test" whose total the discrimination
            index compares against).
        attempts: every live answer of the class's learners to these questions, in any order;
            answers to other questions are ignored.

    Returns:
        One ``QuestionStats`` per question.
    """
    known = {q.question_id for q in questions}
    firsts = [a for a in first_attempts(attempts).values() if a.question_id in known]
    by_question: dict[int, list[Attempt]] = defaultdict(list)
    totals: dict[int, float] = defaultdict(float)
    for attempt in firsts:
        by_question[attempt.question_id].append(attempt)
        totals[attempt.learner_id] += attempt.score

    results = []
    for question in questions:
        answered = sorted(by_question.get(question.question_id, []), key=lambda a: a.learner_id)
        facility = sum(a.score for a in answered) / len(answered) if answered else None
        discrimination = None
        if len(answered) >= MIN_LEARNERS:
            scores = [a.score for a in answered]
            rests = [totals[a.learner_id] - a.score for a in answered]
            discrimination = pearson(scores, rests)
        results.append(
            QuestionStats(
                question_id=question.question_id,
                answers=len(answered),
                facility=facility,
                discrimination=discrimination,
                wrong_choices=_wrong_choices(question, answered),
                flags=_flags(facility, discrimination),
            )
        )
    return results


# Per topic ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LearnerTopic:
    """One learner's figures on one topic (from their topic summary).

    Attributes:
        learner_id: the learner.
        topic_id: the topic.
        recall_now: mean predicted recall over the questions they studied, None if none.
        coverage: share of the topic's questions they studied.
        target: their target retention.
    """

    learner_id: int
    topic_id: int
    recall_now: float | None
    coverage: float
    target: float


@dataclass(frozen=True)
class TopicClassStats:
    """The class on one topic.

    Attributes:
        topic_id: the topic.
        learners: learners counted (every member, studied or not).
        studied_by: learners who studied at least one of its questions.
        mean_recall: mean of ``recall_now`` over those who studied it, None if nobody did.
        mean_coverage: mean coverage over every learner (0 for those who did not study it).
    """

    topic_id: int
    learners: int
    studied_by: int
    mean_recall: float | None
    mean_coverage: float


def class_topic_stats(
    rows: Iterable[LearnerTopic], topic_ids: Sequence[int], learner_count: int
) -> list[TopicClassStats]:
    """The class's mean predicted recall and mean coverage on each of ``topic_ids``.

    A learner with no row for a topic counts as coverage 0 (``learner_count`` is the class
    size, so the mean coverage is over the whole class).
    """
    recalls: dict[int, list[float]] = defaultdict(list)
    coverage: dict[int, float] = defaultdict(float)
    for row in rows:
        coverage[row.topic_id] += row.coverage
        if row.recall_now is not None:
            recalls[row.topic_id].append(row.recall_now)
    results = []
    for topic_id in topic_ids:
        found = recalls.get(topic_id, [])
        results.append(
            TopicClassStats(
                topic_id=topic_id,
                learners=learner_count,
                studied_by=len(found),
                mean_recall=sum(found) / len(found) if found else None,
                mean_coverage=coverage[topic_id] / learner_count if learner_count else 0.0,
            )
        )
    return results


@dataclass(frozen=True)
class LearnerBehind:
    """Why one learner is falling behind.

    Attributes:
        learner_id: the learner.
        below_target: ``(topic, predicted recall, target)`` of each topic whose predicted recall
            is below the learner's target.
        falling: ``(topic, mean score in the week before, mean score in the last week)`` of each
            topic whose score fell over the last two weeks.
    """

    learner_id: int
    below_target: tuple[tuple[int, float, float], ...]
    falling: tuple[tuple[int, float, float], ...]


def _window_means(
    attempts: Iterable[Attempt], topic_of: Mapping[int, int], now: datetime
) -> dict[tuple[int, int], tuple[list[float], list[float]]]:
    """Scores by (learner, topic): (week before last, last week)."""
    windows: dict[tuple[int, int], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for attempt in attempts:
        topic = topic_of.get(attempt.question_id)
        age = now - attempt.answered_at
        if topic is None or age < timedelta(0) or age >= 2 * FALL_WINDOW:
            continue
        earlier, recent = windows[(attempt.learner_id, topic)]
        (recent if age < FALL_WINDOW else earlier).append(attempt.score)
    return windows


def falling_behind(
    rows: Iterable[LearnerTopic],
    attempts: Iterable[Attempt],
    topic_of: Mapping[int, int],
    *,
    now: datetime,
) -> list[LearnerBehind]:
    """The learners falling behind on the class's topics, by learner id.

    A learner falls behind on a topic when either

    * **below target**: they studied some of its questions and their predicted recall over
      those (``recall_now``) is below their own target retention; or
    * **falling**: their answers to its questions in the last 7 days (``now - 7 days`` to
      ``now``) scored on average at least ``FALL_MARGIN`` (0.2) less than their answers in the
      7 days before, each week holding at least ``MIN_WINDOW_ANSWERS`` (2) answers.

    A learner who has not studied a topic at all is not counted behind on it (the class view
    shows their coverage instead).

    Args:
        rows: the learners' topic figures.
        attempts: every live answer of the learners to the class's questions.
        topic_of: the topic of each of the class's questions.
        now: the present (UTC).

    Returns:
        One ``LearnerBehind`` per learner behind on at least one topic, by learner id.
    """
    below: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for row in rows:
        if row.recall_now is not None and row.recall_now < row.target:
            below[row.learner_id].append((row.topic_id, row.recall_now, row.target))
    falling: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for (learner, topic), (earlier, recent) in _window_means(attempts, topic_of, now).items():
        if len(earlier) < MIN_WINDOW_ANSWERS or len(recent) < MIN_WINDOW_ANSWERS:
            continue
        before = sum(earlier) / len(earlier)
        after = sum(recent) / len(recent)
        if before - after >= FALL_MARGIN - 1e-9:
            falling[learner].append((topic, before, after))
    return [
        LearnerBehind(
            learner_id=learner,
            below_target=tuple(sorted(below.get(learner, []))),
            falling=tuple(sorted(falling.get(learner, []))),
        )
        for learner in sorted(set(below) | set(falling))
    ]
