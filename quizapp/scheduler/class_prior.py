"""What the class tells the scheduler about a question a learner answers for the first time.

``quizapp.scheduler.class_effects.fit_item_effects`` estimates, from everyone's answers, a
question's easiness ``e`` (logits, relative to its set's mean ``mu``, shrunk toward it when few
learners answered). A learner's first answer to the question then starts its FSRS-6 memory
with a difficulty that follows the class: FSRS-6 gives a new card the difficulty
``D0(G) = w4 - exp(w5 (G - 1)) + 1`` from the learner's own first rating G alone; an item that
fewer learners of the class knew at first sight is harder for this learner too. The shift is
the change of the *expected* initial difficulty over the class's first answers,

    D_class(p) = p D0(Good) + (1 - p) D0(Again),
    shift = D_class(sigmoid(mu + e)) - D_class(sigmoid(mu)),

so an item of average easiness (``e = 0``) is scheduled exactly as without the class, and the
shift is in FSRS's own units (the gap between a first "Again" and a first "Good"). Difficulty
drives how fast stability grows after each successful review (and how far it falls after a
lapse), so a hard item's intervals after its first day-scale review are shorter and an easy
item's longer; FSRS-6's first interval itself comes from the initial stability, which the
class does not change.

Estimates resting on fewer than ``MIN_CLASS_LEARNERS`` learners are not used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["MIN_CLASS_LEARNERS", "ItemPrior", "initial_difficulty", "item_prior"]

#: Learners whose first answers an item's estimate must rest on before the scheduler uses it.
MIN_CLASS_LEARNERS = 5

_MIN_DIFFICULTY = 1.0
_MAX_DIFFICULTY = 10.0
_AGAIN = 1
_GOOD = 3


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def initial_difficulty(rating: int, parameters: Sequence[float]) -> float:
    """FSRS-6's difficulty after a first answer rated ``rating`` (1-4), unclamped."""
    return parameters[4] - math.exp(parameters[5] * (rating - 1)) + 1.0


@dataclass(frozen=True)
class ItemPrior:
    """The class's estimate for one question.

    Attributes:
        easiness: shrunk deviation of the question's log-odds of a first-answer success from
            its set's mean (negative: harder than the set's average question).
        mean: the set's mean log-odds of a first-answer success (guessing taken out).
        learners: how many learners' first answers the estimate rests on.
    """

    easiness: float
    mean: float
    learners: int

    def difficulty_shift(self, parameters: Sequence[float]) -> float:
        """How much harder (positive) or easier than FSRS-6's own start the item starts."""
        again = initial_difficulty(_AGAIN, parameters)
        good = initial_difficulty(_GOOD, parameters)
        known_item = _sigmoid(self.mean + self.easiness)
        known_set = _sigmoid(self.mean)
        # D_class(p) = p good + (1 - p) again, so the difference is linear in p
        return (known_set - known_item) * (again - good)

    def start_difficulty(self, difficulty: float, parameters: Sequence[float]) -> float:
        """The difficulty FSRS-6 gave a first answer, moved by the class (within [1, 10])."""
        shifted = difficulty + self.difficulty_shift(parameters)
        return min(max(shifted, _MIN_DIFFICULTY), _MAX_DIFFICULTY)


def item_prior(easiness: float | None, mean: float | None, learners: int) -> ItemPrior | None:
    """The prior kept for a question, or None when there is none or too few learners."""
    if easiness is None or mean is None or learners < MIN_CLASS_LEARNERS:
        return None
    if not (math.isfinite(easiness) and math.isfinite(mean)):
        return None
    return ItemPrior(float(easiness), float(mean), int(learners))
