"""What the class knows about a question: item effects estimated from everyone who answered it.

Many learners answer the same questions, so a question's difficulty can be read from all of
their answers at once. ``fit_item_effects`` fits a penalised logistic model of every answer,

    logit P(correct) = mu + ability[learner] + easiness[item] + x . beta,
    P = c + (1 - c) sigmoid(...) for a question with guessing probability c,

where ``x`` are optional per-answer features (how often the learner saw the item, how long ago,
...) so that an item practised more is not mistaken for an easy one. Abilities and easiness have
Gaussian priors centred on zero, i.e. on the set's mean ``mu``: an item answered by few learners
stays near the set's prior, one answered by many moves to what its answers say (the posterior
mode of a random-effects model). A new learner's first answer to an item is then predicted from
``mu + easiness[item]`` (cold start), and the easiness is a feature of the learner's own model.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from quizapp.scheduler.learner_model import fit_logistic

__all__ = ["ItemEffects", "fit_item_effects"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ItemEffects:
    """Item easiness (logits, relative to the set) estimated from a class.

    Attributes:
        mean: the set's mean log-odds of a correct answer (for an average learner, x = 0).
        easiness: per item, its shrunk deviation from ``mean`` (difficulty is minus it).
        answers: per item, how many answers the estimate rests on.
        beta: the weights of the per-answer features.
    """

    mean: float
    easiness: dict[Hashable, float]
    answers: dict[Hashable, int]
    beta: tuple[float, ...] = ()

    def of(self, item: Hashable) -> float:
        """An item's easiness; 0.0 (the set's prior) for an item nobody answered."""
        return self.easiness.get(item, 0.0)

    def column(self, items: Sequence[Hashable]) -> FloatArray:
        """The easiness of each item in a sequence, as an array."""
        return np.array([self.of(item) for item in items], dtype=np.float64)


def fit_item_effects(
    learners: Sequence[Hashable],
    items: Sequence[Hashable],
    correct: npt.ArrayLike,
    features: FloatArray | None = None,
    chance: npt.ArrayLike | None = None,
    *,
    item_l2: float = 2.0,
    learner_l2: float = 1.0,
    feature_l2: float = 0.1,
) -> ItemEffects:
    """Fits item easiness and learner ability to a class's answers (see the module docstring).

    Args:
        learners: the learner of each answer.
        items: the item of each answer.
        correct: 1 right, 0 wrong, per answer.
        features: per-answer features (n, k), standardised or on a unit scale; none if None.
        chance: guessing probability per answer (0 if None).
        item_l2: prior precision of the item effects (larger keeps them nearer the set's mean).
        learner_l2: prior precision of the learner effects.
        feature_l2: penalty on the feature weights.

    Returns:
        The estimates.

    Raises:
        ValueError: on inputs of different lengths or no answers.
    """
    y = np.asarray(correct, dtype=np.float64)
    n = len(y)
    if n == 0 or len(learners) != n or len(items) != n:
        raise ValueError("one learner and one item per answer are needed")
    c = np.zeros(n) if chance is None else np.asarray(chance, dtype=np.float64)
    x = np.zeros((n, 0)) if features is None else np.asarray(features, dtype=np.float64)
    learner_ids = {key: k for k, key in enumerate(dict.fromkeys(learners))}
    item_ids = {key: k for k, key in enumerate(dict.fromkeys(items))}
    nl, ni, nf = len(learner_ids), len(item_ids), x.shape[1]
    design = np.zeros((n, nf + nl + ni))
    design[:, :nf] = x
    rows = np.arange(n)
    design[rows, nf + np.array([learner_ids[u] for u in learners])] = 1.0
    item_index = np.array([item_ids[i] for i in items])
    design[rows, nf + nl + item_index] = 1.0
    penalty = np.concatenate(
        [np.full(nf, feature_l2), np.full(nl, learner_l2), np.full(ni, item_l2)]
    )
    weights = fit_logistic(design, y, c, penalty, iterations=50)
    counts = np.bincount(item_index, minlength=ni)
    item_weights = weights[1 + nf + nl :]
    return ItemEffects(
        mean=float(weights[0]),
        easiness={key: float(item_weights[k]) for key, k in item_ids.items()},
        answers={key: int(counts[k]) for key, k in item_ids.items()},
        beta=tuple(float(w) for w in weights[1 : 1 + nf]),
    )
