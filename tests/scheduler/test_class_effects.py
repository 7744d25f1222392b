"""Item effects from a class: known difficulties recovered, few answers shrunk to the set."""

from __future__ import annotations

import numpy as np
import pytest

from quizapp.scheduler.class_effects import fit_item_effects


def _class(
    seed: int, learners: int, per_item: dict[int, int], easiness: np.ndarray
) -> tuple[list[int], list[int], np.ndarray]:
    rng = np.random.default_rng(seed)
    ability = rng.normal(0.0, 0.7, learners)
    rows = []
    for item, answers in per_item.items():
        for u in rng.integers(0, learners, answers):
            p = 1.0 / (1.0 + np.exp(-(0.5 + ability[u] + easiness[item])))
            rows.append((int(u), item, float(rng.random() < p)))
    users, items, y = zip(*rows, strict=True)
    return list(users), list(items), np.array(y)


def test_known_difficulties_are_recovered_from_a_simulated_class() -> None:
    easiness = np.random.default_rng(5).normal(0.0, 1.0, 40)
    users, items, y = _class(6, 150, dict.fromkeys(range(40), 120), easiness)
    effects = fit_item_effects(users, items, y)
    estimate = effects.column(list(range(40)))
    assert np.corrcoef(estimate, easiness)[0, 1] > 0.95
    centred = (estimate - estimate.mean()) - (easiness - easiness.mean())
    assert np.sqrt(np.mean(centred**2)) < 0.3
    assert effects.mean == pytest.approx(0.5 + easiness.mean(), abs=0.3)
    assert effects.answers[0] == 120


def test_an_item_few_answered_stays_near_the_set_prior() -> None:
    # two equally hard items (easiness -1.5): one answered 400 times, one 4 times
    easiness = np.zeros(12)
    easiness[:2] = -1.5
    counts = dict.fromkeys(range(2, 12), 200) | {0: 400, 1: 4}
    users, items, y = _class(7, 100, counts, easiness)
    # the rare item's four answers all wrong: the raw rate says "impossible"
    y[np.array(items) == 1] = 0.0
    effects = fit_item_effects(users, items, y)
    assert effects.of(0) == pytest.approx(-1.5 - np.mean(easiness), abs=0.4)
    assert -1.5 < effects.of(1) < 0.0  # shrunk toward the set's mean, not -inf
    assert effects.of("never answered") == 0.0


def test_guessing_is_not_mistaken_for_easiness() -> None:
    # a 4-option question answered at chance by everyone looks easy without the floor
    rng = np.random.default_rng(8)
    users = [int(u) for u in rng.integers(0, 50, 2000)]
    items = [k % 2 for k in range(2000)]
    p = np.where(np.array(items) == 0, 0.25 + 0.75 * 0.1, 0.25)
    y = (rng.random(2000) < p).astype(float)
    chance = np.full(2000, 0.25)
    aware = fit_item_effects(users, items, y, chance=chance)
    naive = fit_item_effects(users, items, y)
    assert aware.mean + aware.of(1) < naive.mean + naive.of(1) - 1.0


def test_inputs_must_line_up() -> None:
    with pytest.raises(ValueError, match="one learner"):
        fit_item_effects([1, 2], [1], [1.0, 0.0])


def test_without_features_the_block_fit_is_the_dense_fit() -> None:
    rng = np.random.default_rng(5)
    learners, items, correct, chance = [], [], [], []
    ability, easiness = rng.normal(size=40), rng.normal(size=25)
    for u in range(40):
        for i in range(25):
            if rng.random() < 0.7:
                c = 0.25 if i % 3 == 0 else 0.0
                p = c + (1 - c) / (1 + np.exp(-(0.5 + ability[u] + easiness[i])))
                learners.append(u)
                items.append(i)
                correct.append(float(rng.random() < p))
                chance.append(c)
    blocks = fit_item_effects(learners, items, correct, chance=chance)
    # a feature column of zeros with a huge penalty: the dense path, the same objective
    dense = fit_item_effects(
        learners,
        items,
        correct,
        features=np.zeros((len(correct), 1)),
        chance=chance,
        feature_l2=1e6,
    )
    assert blocks.mean == pytest.approx(dense.mean, abs=1e-3)
    for item in range(25):
        assert blocks.of(item) == pytest.approx(dense.of(item), abs=1e-3)
