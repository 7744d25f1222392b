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
    learner_index = np.array([learner_ids[u] for u in learners])
    item_index = np.array([item_ids[i] for i in items])
    counts = np.bincount(item_index, minlength=ni)
    if nf == 0:
        # without features the design is two one-hot blocks: solved block by block in
        # O(answers) per sweep (a dense design of a class of 500 x 60 questions is 100+ MB)
        mean, _, item_w = _fit_blocks(
            learner_index, item_index, y, c, (nl, ni), (learner_l2, item_l2)
        )
        return ItemEffects(
            mean=mean,
            easiness={key: float(item_w[k]) for key, k in item_ids.items()},
            answers={key: int(counts[k]) for key, k in item_ids.items()},
        )
    design = np.zeros((n, nf + nl + ni))
    design[:, :nf] = x
    rows = np.arange(n)
    design[rows, nf + learner_index] = 1.0
    design[rows, nf + nl + item_index] = 1.0
    penalty = np.concatenate(
        [np.full(nf, feature_l2), np.full(nl, learner_l2), np.full(ni, item_l2)]
    )
    weights = fit_logistic(design, y, c, penalty, iterations=50)
    item_weights = weights[1 + nf + nl :]
    return ItemEffects(
        mean=float(weights[0]),
        easiness={key: float(item_weights[k]) for key, k in item_ids.items()},
        answers={key: int(counts[k]) for key, k in item_ids.items()},
        beta=tuple(float(w) for w in weights[1 : 1 + nf]),
    )


def _loss(z: FloatArray, y: FloatArray, c: FloatArray) -> float:
    p = np.clip(c + (1.0 - c) / (1.0 + np.exp(-z)), 1e-9, 1.0 - 1e-9)
    return float(-np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))


def _fit_blocks(
    learner_index: npt.NDArray[np.int64],
    item_index: npt.NDArray[np.int64],
    y: FloatArray,
    c: FloatArray,
    sizes: tuple[int, int],
    l2: tuple[float, float],
    sweeps: int = 500,
) -> tuple[float, FloatArray, FloatArray]:
    """The penalised fit of ``fit_item_effects`` without features: Fisher scoring on the
    intercept, then all learners, then all items (each block's information is diagonal),
    each step halved while it does not lower the penalised loss, until a sweep gains < 1e-10
    relative."""
    mean = 0.0
    blocks = [np.zeros(sizes[0]), np.zeros(sizes[1])]
    indices = (learner_index, item_index)

    def objective(mu: float, ws: list[FloatArray]) -> float:
        z = mu + ws[0][learner_index] + ws[1][item_index]
        penalty = 0.5 * (l2[0] * float(ws[0] @ ws[0]) + l2[1] * float(ws[1] @ ws[1]))
        return _loss(z, y, c) + penalty

    def scores(mu: float, ws: list[FloatArray]) -> tuple[FloatArray, FloatArray]:
        s = 1.0 / (1.0 + np.exp(-(mu + ws[0][learner_index] + ws[1][item_index])))
        p = np.clip(c + (1.0 - c) * s, 1e-9, 1.0 - 1e-9)
        dp = (1.0 - c) * s * (1.0 - s)
        grad: FloatArray = (p - y) / (p * (1.0 - p)) * dp
        info: FloatArray = dp**2 / (p * (1.0 - p))
        return grad, info

    current = objective(mean, blocks)
    for _ in range(sweeps):
        start = current
        for block in (-1, 0, 1):
            grad, info = scores(mean, blocks)
            if block < 0:
                step_mu = float(grad.sum()) / max(float(info.sum()), 1e-12)
                steps: FloatArray | float = step_mu
            else:
                g = np.bincount(indices[block], grad, sizes[block]) + l2[block] * blocks[block]
                h = np.bincount(indices[block], info, sizes[block]) + l2[block]
                steps = g / h
            scale = 1.0
            while scale > 1e-4:
                if block < 0:
                    trial_mu, trial = mean - scale * float(steps), blocks
                else:
                    trial_mu = mean
                    trial = list(blocks)
                    trial[block] = blocks[block] - scale * steps
                value = objective(trial_mu, trial)
                if value <= current:
                    mean, blocks, current = trial_mu, trial, value
                    break
                scale /= 2.0
        if start - current < 1e-10 * max(1.0, abs(current)):
            break
    return mean, blocks[0], blocks[1]
