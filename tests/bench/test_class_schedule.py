"""``bench class-schedule``: the scheduler's class prior on simulated classes."""

from __future__ import annotations

import json
import math

import pytest

from quizapp.bench.__main__ import main
from quizapp.bench.class_schedule import ClassScheduleConfig, run_class_schedule
from quizapp.bench.simulate import SimConfig

SMALL = ClassScheduleConfig(
    items=24,
    earlier=8,
    later=3,
    sim=SimConfig(days=20, topics=2, items_per_topic=12, new_per_day=6),
)


def test_a_small_class_is_scheduled_with_and_without_the_prior() -> None:
    report = run_class_schedule(3, SMALL)
    assert report.used == 24  # every item answered by all 8 earlier learners
    assert report.correlation > 0.5
    assert report.n > 0
    assert math.isfinite(report.log_loss_with)
    assert math.isfinite(report.log_loss_without)
    assert report.reviews_without > 0
    assert report.reviews_with > 0


def test_the_same_seed_gives_the_same_report() -> None:
    assert run_class_schedule(4, SMALL) == run_class_schedule(4, SMALL)


@pytest.mark.slow
def test_hard_items_come_back_sooner_and_first_answers_are_predicted_better(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["class-schedule", "--seeds", "1", "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)["classes"]
    assert report["log_loss_with"] < report["log_loss_without"]
    assert report["interval_with"][2] < report["interval_without"][2]  # the hardest third
    assert report["recall_with"][2] > report["recall_without"][2]
