"""Class statistics from plain data: item analysis per question, the class's recall per topic,
and who is falling behind.

No Flask, no database, no single review: the course services run aggregate queries over the
figures every answer keeps up to date (``quizapp.learners.models``: per learner and question,
per learner, local day and topic; the FSRS-6 memory states) and pass the results in.

Per question (``item_analysis``), over the learners of the class:

* ``answers``: the number of learners who answered the question. Only each learner's *first
  attempt* counts (later attempts are practice after seeing the feedback), so every figure
  below describes what the class knew when it first met the question;
* ``facility``: the mean first-attempt score, in [0, 1];
* ``discrimination``: the discrimination index as Moodle's quiz statistics define it, the
  Pearson correlation, over the learners who answered the question, between their score on
  this question and their score on the rest of the questions (their total over all the
  questions of the class minus this question; a question a learner never answered counts 0,
  as an unanswered question does in a Moodle quiz). None with fewer than ``MIN_LEARNERS``
  learners, or when either score does not vary (the correlation is undefined). It is
  computed from sums over the learners who answered (``QuestionSums``: the scores ``x``, the
  learners' totals ``T`` and their squares and products; the rest is ``T - x``), which a
  database adds up without sending a row per learner;
* ``wrong_choices``: for choice questions, how many first attempts picked each wrong choice
  (a multiple-response attempt may pick several). The picks are stored as a bit mask: bit
  ``i`` set means canonical choice ``i`` was picked; a true/false question's choices are
  "True" (bit 0) and "False" (bit 1);
* ``flags``: ``too easy`` (facility above 0.9), ``too hard`` (facility below 0.2) and
  ``negative discrimination`` (an index below 0: the stronger learners did worse on it).

Per topic (added up by the database in ``quizapp.courses.overview``, then ``class_topic_stats``):

* a learner has *studied* a question when they have a memory state for it with a last review;
  their *predicted recall* of it now is FSRS-6's forgetting curve after the whole days elapsed
  since that review, under the learner's own scheduling parameters (their fitted ones when
  their model uses them, else the defaults: ``quizapp.scheduler.vector``). (Before, each
  learner's recall came from their calibrated recall model, as on their home page, replayed
  over their whole log; plain FSRS-6 over the stored states is what a class of thousands can
  afford, so a class figure may differ a little from what the learner's home page shows.)
* a learner's recall on a topic is the mean predicted recall over the questions of the topic
  they studied, and their coverage the share of its questions they studied;
* the class's recall on a topic is the mean of that over the learners who studied it, and its
  coverage the mean coverage over every member (0 for those who studied none of it).

Learners falling behind (``falling_behind``) on a topic, by either rule:

* **below target**: they studied some of its questions and their recall on it is below their
  own target retention;
* **falling**: their answers to its questions in the last week scored on average at least
  ``FALL_MARGIN`` (0.2) less than their answers in the week before, each week holding at least
  ``MIN_WINDOW_ANSWERS`` (2) answers. The weeks are the learner's local calendar days (as the
  answers are counted per day): the last week is today and the 6 days before, the week before
  the 7 days before those. (Before the figures were kept per day, the weeks were the exact
  7 x 24 hours before now and the 7 x 24 hours before those.) Every live answer counts, the
  first or not, to any question of the topic, a retired one included.

A learner who has not studied a topic at all is not counted behind on it (the class view shows
their coverage instead).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

__all__ = [
    "FALL_MARGIN",
    "MAX_CHOICES",
    "MIN_LEARNERS",
    "MIN_WINDOW_ANSWERS",
    "TOO_EASY",
    "TOO_HARD",
    "Attempt",
    "ChoiceCount",
    "LearnerBehind",
    "QuestionInfo",
    "QuestionStats",
    "QuestionSums",
    "TopicClassStats",
    "TopicGrid",
    "WeekScores",
    "class_topic_stats",
    "falling_behind",
    "first_attempts",
    "item_analysis",
    "pearson",
    "pearson_from_sums",
    "question_statistics",
    "question_sums",
]

MIN_LEARNERS = 3
TOO_EASY = 0.9
TOO_HARD = 0.2
FALL_MARGIN = 0.2
MIN_WINDOW_ANSWERS = 2
#: Choices a bit mask of picks can hold (a signed 64-bit integer).
MAX_CHOICES = 63

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# Per question ---------------------------------------------------------------------------------


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
class QuestionSums:
    """Sums over the learners whose first attempts answered one question.

    With ``x`` a learner's first-attempt score on the question and ``T`` their total of
    first-attempt scores over all the questions of the class.

    Attributes:
        question_id: the question.
        answers: learners who answered it.
        score_sum: the sum of ``x``.
        score_squares: the sum of ``x * x``.
        total_sum: the sum of ``T``.
        total_squares: the sum of ``T * T``.
        total_products: the sum of ``T * x``.
        picks: ``picks[i]`` first attempts picked choice ``i`` (missing indices: none did).
    """

    question_id: int
    answers: int = 0
    score_sum: float = 0.0
    score_squares: float = 0.0
    total_sum: float = 0.0
    total_squares: float = 0.0
    total_products: float = 0.0
    picks: tuple[int, ...] = ()


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


def pearson_from_sums(
    n: int, sx: float, sy: float, sxx: float, syy: float, sxy: float
) -> float | None:
    """The Pearson correlation of ``n`` pairs given their sums, squares and products.

    None if either sample does not vary (allowing for the rounding of the sums).
    """
    if n < 2:
        return None
    vx = sxx - sx * sx / n
    vy = syy - sy * sy / n
    # Sums of many products lose low digits: a spread below their rounding is no spread.
    if vx <= 1e-12 * max(1.0, sxx) or vy <= 1e-12 * max(1.0, syy):
        return None
    r = (sxy - sx * sy / n) / math.sqrt(vx * vy)
    return min(1.0, max(-1.0, r))


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


def question_sums(
    questions: Sequence[QuestionInfo], attempts: Iterable[Attempt]
) -> dict[int, QuestionSums]:
    """The sums ``item_analysis`` needs, from the answers themselves (the services have a
    database add them up instead); answers to questions not in ``questions`` are ignored."""
    known = {q.question_id for q in questions}
    firsts = [a for a in first_attempts(attempts).values() if a.question_id in known]
    totals: dict[int, float] = defaultdict(float)
    for attempt in firsts:
        totals[attempt.learner_id] += attempt.score
    by_question: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in firsts:
        by_question[attempt.question_id].append(attempt)
    sums = {}
    for question_id, answered in by_question.items():
        picks = [0] * MAX_CHOICES
        for attempt in answered:
            for index in set(attempt.picked):
                if 0 <= index < MAX_CHOICES:
                    picks[index] += 1
        sums[question_id] = QuestionSums(
            question_id=question_id,
            answers=len(answered),
            score_sum=sum(a.score for a in answered),
            score_squares=sum(a.score * a.score for a in answered),
            total_sum=sum(totals[a.learner_id] for a in answered),
            total_squares=sum(totals[a.learner_id] ** 2 for a in answered),
            total_products=sum(totals[a.learner_id] * a.score for a in answered),
            picks=tuple(picks),
        )
    return sums


def _flags(facility: float | None, discrimination: float | None) -> tuple[str, ...]:
    flags = []
    if facility is not None and facility > TOO_EASY:
        flags.append("too easy")
    if facility is not None and facility < TOO_HARD:
        flags.append("too hard")
    if discrimination is not None and discrimination < 0:
        flags.append("negative discrimination")
    return tuple(flags)


def _wrong_choices(question: QuestionInfo, picks: Sequence[int]) -> tuple[ChoiceCount, ...] | None:
    if question.choices is None:
        return None
    return tuple(
        ChoiceCount(i, text, picks[i] if i < len(picks) else 0)
        for i, (text, correct) in enumerate(question.choices)
        if not correct
    )


def _discrimination(sums: QuestionSums) -> float | None:
    """Pearson of the score ``x`` and the rest ``T - x`` from the sums of ``x`` and ``T``."""
    n = sums.answers
    if n < MIN_LEARNERS:
        return None
    rest_sum = sums.total_sum - sums.score_sum
    rest_squares = sums.total_squares - 2 * sums.total_products + sums.score_squares
    products = sums.total_products - sums.score_squares
    return pearson_from_sums(
        n, sums.score_sum, rest_sum, sums.score_squares, rest_squares, products
    )


def item_analysis(
    questions: Sequence[QuestionInfo], sums: Mapping[int, QuestionSums]
) -> list[QuestionStats]:
    """Item analysis of every question in ``questions``, in their order.

    Args:
        questions: the questions of the class (the "test" whose total the discrimination
            index compares against).
        sums: the sums over each question's first attempts, by question id (a question
            nobody answered may be missing).

    Returns:
        One ``QuestionStats`` per question.
    """
    results = []
    for question in questions:
        found = sums.get(question.question_id) or QuestionSums(question.question_id)
        facility = found.score_sum / found.answers if found.answers else None
        discrimination = _discrimination(found)
        results.append(
            QuestionStats(
                question_id=question.question_id,
                answers=found.answers,
                facility=facility,
                discrimination=discrimination,
                wrong_choices=_wrong_choices(question, found.picks),
                flags=_flags(facility, discrimination),
            )
        )
    return results


def question_statistics(
    questions: Sequence[QuestionInfo], attempts: Iterable[Attempt]
) -> list[QuestionStats]:
    """``item_analysis`` of the answers themselves (every live answer, in any order)."""
    return item_analysis(questions, question_sums(questions, attempts))


# Per topic ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicGrid:
    """Per learner (rows, in ``learner_ids`` order) and topic (columns, in ``topic_ids``
    order): the questions studied and the sum of their predicted recall now."""

    learner_ids: tuple[int, ...]
    topic_ids: tuple[int, ...]
    studied: IntArray
    recall_sum: FloatArray

    def recall(self) -> FloatArray:
        """Each learner's recall on each topic (mean over the questions studied; NaN if none)."""
        out = np.full(self.recall_sum.shape, np.nan)
        np.divide(self.recall_sum, self.studied, out=out, where=self.studied > 0)
        return out


@dataclass(frozen=True)
class TopicClassStats:
    """The class on one topic.

    Attributes:
        topic_id: the topic.
        learners: learners counted (every member, studied or not).
        studied_by: learners who studied at least one of its questions.
        mean_recall: mean recall over those who studied it, None if nobody did.
        mean_coverage: mean coverage over every learner (0 for those who did not study it).
    """

    topic_id: int
    learners: int
    studied_by: int
    mean_recall: float | None
    mean_coverage: float


def class_topic_stats(grid: TopicGrid, questions: Mapping[int, int]) -> list[TopicClassStats]:
    """The class's recall and coverage on each topic of ``grid``, in its order.

    Args:
        grid: the learners' figures per topic.
        questions: the number of questions of each topic.
    """
    learners = len(grid.learner_ids)
    recall = grid.recall()
    results = []
    for j, topic_id in enumerate(grid.topic_ids):
        studied = grid.studied[:, j]
        who = studied > 0
        size = questions.get(topic_id, 0) * learners
        results.append(
            TopicClassStats(
                topic_id=topic_id,
                learners=learners,
                studied_by=int(who.sum()),
                mean_recall=float(recall[who, j].mean()) if who.any() else None,
                mean_coverage=float(studied.sum()) / size if size else 0.0,
            )
        )
    return results


@dataclass(frozen=True)
class WeekScores:
    """One learner's answers on one topic in the last two weeks.

    Attributes:
        learner_id: the learner.
        topic_id: the topic.
        earlier_answers: answers in the week before last.
        earlier_score: the sum of their scores.
        recent_answers: answers in the last week.
        recent_score: the sum of their scores.
    """

    learner_id: int
    topic_id: int
    earlier_answers: int
    earlier_score: float
    recent_answers: int
    recent_score: float


@dataclass(frozen=True)
class LearnerBehind:
    """Why one learner is falling behind.

    Attributes:
        learner_id: the learner.
        below_target: ``(topic, recall, target)`` of each topic whose recall is below the
            learner's target.
        falling: ``(topic, mean score in the week before, mean score in the last week)`` of each
            topic whose score fell over the last two weeks.
    """

    learner_id: int
    below_target: tuple[tuple[int, float, float], ...]
    falling: tuple[tuple[int, float, float], ...]


def _below_target(
    grid: TopicGrid, targets: Mapping[int, float]
) -> dict[int, list[tuple[int, float, float]]]:
    goal = np.array([targets.get(i, 0.0) for i in grid.learner_ids], dtype=np.float64)
    recall = grid.recall()
    below: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    rows, cols = np.nonzero((grid.studied > 0) & (recall < goal[:, None]))
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        learner = grid.learner_ids[i]
        below[learner].append((grid.topic_ids[j], float(recall[i, j]), float(goal[i])))
    return below


def falling_behind(
    grid: TopicGrid,
    targets: Mapping[int, float],
    weeks: Iterable[WeekScores],
    below: Mapping[int, Sequence[tuple[int, float, float]]] | None = None,
) -> list[LearnerBehind]:
    """The learners falling behind on the class's topics, by learner id (rules in the module
    docstring).

    Args:
        grid: the learners' figures per topic.
        targets: each learner's target retention.
        weeks: the learners' answers per topic in the last two weeks (any order; learners and
            topics not in ``grid`` are ignored).
        below: per learner, ``(topic, recall, target)`` of the topics below target, when the
            caller judged them (the weak topics of ``quizapp.scheduler.weakness``); otherwise
            the studied questions' recall in ``grid`` below the learner's target.

    Returns:
        One ``LearnerBehind`` per learner behind on at least one topic, by learner id.
    """
    if below is None:
        below = _below_target(grid, targets)
    learners, topics = set(grid.learner_ids), set(grid.topic_ids)
    falling: dict[int, list[tuple[int, float, float]]] = defaultdict(list)
    for week in weeks:
        if week.learner_id not in learners or week.topic_id not in topics:
            continue
        if min(week.earlier_answers, week.recent_answers) < MIN_WINDOW_ANSWERS:
            continue
        before = week.earlier_score / week.earlier_answers
        after = week.recent_score / week.recent_answers
        if before - after >= FALL_MARGIN - 1e-9:
            falling[week.learner_id].append((week.topic_id, before, after))
    return [
        LearnerBehind(
            learner_id=learner,
            below_target=tuple(sorted(below.get(learner, ()))),
            falling=tuple(sorted(falling.get(learner, []))),
        )
        for learner in sorted(set(below) | set(falling))
    ]
