"""From a graded answer to the rating the FSRS model learns from.

The quiz grades answers itself; the learner does not rate themselves. ``rate_answer`` turns a
graded answer (``Evidence``) into an FSRS rating with these documented rules
(``GradingPolicy`` holds the thresholds):

* the grade: ``score >= correct_score`` (default 1.0) is *correct*, ``score >= partial_score``
  (default 0.5) is *partly correct*, anything lower is *wrong*;
* wrong → ``Again``; partly correct → ``Hard``;
* correct and not guessable → ``Easy`` if answered within ``fast_ms`` (8 s), ``Hard`` if it took
  ``slow_ms`` (60 s) or more, ``Good`` otherwise (and ``Good`` when the time is unknown);
* correct and guessable (true/false, single choice with k options, chance ``c = 1/k``) → never
  ``Easy``. The probability that the learner knew the answer rather than guessed it is
  ``w = R / (R + c (1 - R))`` (Bayes, with ``R`` the predicted recall before the answer, or
  ``new_prior_recall`` for a question never answered). ``Good`` if ``w >= min_knew_for_good``
  (0.8) and the answer was not slow, else ``Hard``. Such an answer is also *guess limited*: the
  next interval is capped (see ``guess_interval_cap``) so that a lucky guess cannot push the
  question months away;
* the learner's override wins and is kept in the log: ``KNEW`` ("I knew it") gives at least
  ``Good`` and lifts the guess limit, ``DIDNT_KNOW`` ("I didn't really know") gives ``Again``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from fsrs import Rating

__all__ = [
    "DEFAULT_POLICY",
    "Evidence",
    "GradingPolicy",
    "Outcome",
    "Override",
    "RatingDecision",
    "grade_outcome",
    "guess_interval_cap",
    "knew_probability",
    "rate_answer",
]


class Override(StrEnum):
    """The learner's correction of the automatic grade."""

    KNEW = "knew"
    DIDNT_KNOW = "didnt_know"


class Outcome(StrEnum):
    """The grade of an answer."""

    CORRECT = "correct"
    PARTIAL = "partial"
    WRONG = "wrong"


@dataclass(frozen=True)
class Evidence:
    """One graded answer.

    Attributes:
        score: 1.0 correct, 0.0 wrong, in between partly correct.
        duration_ms: time taken to answer in milliseconds, None if unknown.
        options: number of options a guesser picks from (2 for true/false, k for single
            choice); None when the answer cannot be guessed (free text, multi-select...).
        override: the learner's override, if any.
    """

    score: float
    duration_ms: int | None = None
    options: int | None = None
    override: Override | None = None

    def __post_init__(self) -> None:
        if not (0.0 <= self.score <= 1.0) or math.isnan(self.score):
            raise ValueError(f"score must be in [0, 1], got {self.score}")
        if self.duration_ms is not None and self.duration_ms < 0:
            raise ValueError("duration_ms cannot be negative")
        if self.options is not None and self.options < 2:
            raise ValueError("a guessable question has at least 2 options")
        if self.override is not None and not isinstance(self.override, Override):
            object.__setattr__(self, "override", Override(self.override))

    @property
    def chance(self) -> float:
        """Probability of answering correctly by guessing (0 when not guessable)."""
        return 0.0 if self.options is None else 1.0 / self.options


@dataclass(frozen=True)
class GradingPolicy:
    """Thresholds of ``rate_answer`` and of the guess rule.

    Attributes:
        correct_score: lowest score counted as correct.
        partial_score: lowest score counted as partly correct.
        fast_ms: a correct, non-guessable answer at most this fast is ``Easy``.
        slow_ms: a correct answer at least this slow is ``Hard``.
        new_prior_recall: recall assumed for a never-answered question in the guess rule.
        min_knew_for_good: lowest probability of "knew it" for a guessable correct answer to be
            ``Good`` rather than ``Hard``.
        guess_max_growth: growth of the interval over the stability before the answer that the
            cap would allow at chance 0; a question with chance c gets
            ``1 + (1 - c) (guess_max_growth - 1)``.
        guess_min_days: the cap is never below this many days.
    """

    correct_score: float = 1.0
    partial_score: float = 0.5
    fast_ms: int = 8_000
    slow_ms: int = 60_000
    new_prior_recall: float = 0.5
    min_knew_for_good: float = 0.8
    guess_max_growth: float = 3.0
    guess_min_days: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 < self.partial_score <= self.correct_score <= 1.0:
            raise ValueError("need 0 < partial_score <= correct_score <= 1")
        if not 0 <= self.fast_ms < self.slow_ms:
            raise ValueError("need 0 <= fast_ms < slow_ms")
        if not 0.0 < self.new_prior_recall < 1.0:
            raise ValueError("new_prior_recall must be in (0, 1)")
        if self.guess_max_growth < 1.0 or self.guess_min_days <= 0.0:
            raise ValueError("guess_max_growth >= 1 and guess_min_days > 0 are required")


DEFAULT_POLICY = GradingPolicy()


@dataclass(frozen=True)
class RatingDecision:
    """The rating given to the memory model for one answer, and why.

    Attributes:
        outcome: the grade of the answer.
        auto_rating: the rating from the grade and the time alone.
        rating: the rating actually used (after the override).
        override: the learner's override, if any.
        knew_probability: probability that a correct answer was known rather than guessed
            (1.0 for unguessable questions and for wrong answers).
        guess_limited: whether the next interval is capped by the guess rule.
    """

    outcome: Outcome
    auto_rating: Rating
    rating: Rating
    override: Override | None
    knew_probability: float
    guess_limited: bool


def grade_outcome(score: float, policy: GradingPolicy = DEFAULT_POLICY) -> Outcome:
    """Classifies a score.

    Args:
        score: in [0, 1].
        policy: the thresholds.

    Returns:
        ``CORRECT``, ``PARTIAL`` or ``WRONG``.
    """
    if score >= policy.correct_score:
        return Outcome.CORRECT
    if score >= policy.partial_score:
        return Outcome.PARTIAL
    return Outcome.WRONG


def knew_probability(recall: float, chance: float) -> float:
    """Probability that a correct answer was known rather than guessed (Bayes' rule).

    Args:
        recall: predicted probability of recall before the answer.
        chance: probability of guessing right (0 if not guessable).

    Returns:
        ``recall / (recall + chance (1 - recall))``; 1.0 when ``chance`` is 0.
    """
    if chance <= 0.0:
        return 1.0
    recall = min(max(recall, 0.0), 1.0)
    denominator = recall + chance * (1.0 - recall)
    return 0.0 if denominator <= 0.0 else recall / denominator


def rate_answer(
    evidence: Evidence,
    recall_before: float | None,
    policy: GradingPolicy = DEFAULT_POLICY,
) -> RatingDecision:
    """Maps a graded answer to an FSRS rating (rules in the module docstring).

    Args:
        evidence: the graded answer.
        recall_before: predicted recall just before the answer; None for a new question.
        policy: thresholds.

    Returns:
        The decision, with the automatic and the final rating.
    """
    outcome = grade_outcome(evidence.score, policy)
    chance = evidence.chance
    duration = evidence.duration_ms
    slow = duration is not None and duration >= policy.slow_ms
    knew = 1.0
    limited = False
    if outcome is Outcome.WRONG:
        auto = Rating.Again
    elif outcome is Outcome.PARTIAL:
        auto = Rating.Hard
    elif chance <= 0.0:
        if slow:
            auto = Rating.Hard
        elif duration is not None and duration <= policy.fast_ms:
            auto = Rating.Easy
        else:
            auto = Rating.Good
    else:
        prior = policy.new_prior_recall if recall_before is None else recall_before
        knew = knew_probability(prior, chance)
        auto = Rating.Good if knew >= policy.min_knew_for_good and not slow else Rating.Hard
        limited = True

    rating = auto
    if evidence.override is Override.KNEW:
        rating = max(auto, Rating.Good)
        limited = False
    elif evidence.override is Override.DIDNT_KNOW:
        rating = Rating.Again
        limited = False
    return RatingDecision(outcome, auto, rating, evidence.override, knew, limited)


def guess_interval_cap(
    chance: float, stability_before: float | None, policy: GradingPolicy = DEFAULT_POLICY
) -> float:
    """Longest next interval (days) after a guess-limited correct answer.

    The cap is ``max(guess_min_days, S · growth)`` with ``S`` the stability before the answer
    (about the last interval at 90 % retention) and
    ``growth = 1 + (1 - chance) (guess_max_growth - 1)``: with the defaults a true/false answer
    may at most double the interval, a 4-option one grow it 2.5-fold, and a question never
    answered before gets at most ``guess_min_days`` (1 day), however long FSRS would wait
    (a correct answer after a long gap, when recall was low, is exactly when a guess is likely).

    Args:
        chance: guessing probability.
        stability_before: FSRS stability before the answer, None for a new question.
        policy: thresholds.

    Returns:
        The cap in days.
    """
    growth = 1.0 + (1.0 - chance) * (policy.guess_max_growth - 1.0)
    base = 0.0 if stability_before is None else stability_before * growth
    return max(policy.guess_min_days, base)
