"""``bench class``: the class effect on simulated classes and on map-places-b.csv."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from quizapp.bench.__main__ import main
from quizapp.bench.class_effect import Response, run_class, simulate_class

MAP_PLACES = (
    Path(__file__).resolve().parents[2]
    / ".."
    / "shared"
    / "data"
    / "class-responses"
    / "map-places-b.csv"
)


def _write(path: Path, responses: list[Response]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "user_id",
                "item_id",
                "review_time",
                "correct",
                "item_group",
                "phase",
                "trial_type",
                "rt_ms",
            ]
        )
        for r in responses:
            writer.writerow(
                [
                    r.learner,
                    r.item,
                    r.at.isoformat().replace("+00:00", "Z"),
                    int(r.correct),
                    "set",
                    r.phase,
                    "study" if r.study else "test",
                    1000,
                ]
            )


def test_a_simulated_class_with_known_difficulties() -> None:
    responses, truth = simulate_class(3, items=30, earlier=50, later=20, minutes=8.0)
    report = run_class(responses, "sim", truth)
    assert report.earlier_learners == 50
    assert report.later_learners == 20
    assert report.recovery is not None
    correlation, rmse = report.recovery
    assert correlation > 0.85
    assert rmse < 0.6
    without, with_class = report.scores["without class"], report.scores["with class"]
    assert with_class["all"][0] < without["all"][0]
    assert with_class["all"][1] > without["all"][1]
    assert with_class["first attempt"][0] < without["first attempt"][0]
    value, low, high = report.difference
    assert low <= value <= high
    assert low > 0.0


def test_study_trials_are_never_scored() -> None:
    responses, _ = simulate_class(4, items=10, earlier=10, later=5, minutes=3.0)
    tests = sum(1 for r in responses if not r.study and r.phase != "s1_practice")
    assert run_class(responses, "sim").n == tests


def test_the_command_reads_the_file_and_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    responses, _ = simulate_class(5, items=20, earlier=30, later=10, minutes=5.0)
    path = tmp_path / "class.csv"
    _write(path, responses)
    assert main(["class", str(path), "--seeds", "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)["reports"]
    assert [r["name"] for r in reports] == ["class.csv"]
    report = reports[0]
    assert set(report["models"]) == {"without class", "with class"}
    assert set(report["models"]["with class"]) == {"all", "first attempt"}
    assert set(report["models"]["with class"]["all"]) == {"log_loss", "auc", "n"}
    assert set(report["log_loss_difference"]) == {"value", "low", "high"}
    assert report["recovery"] is None
    assert main(["class", str(path), "--seeds"]) == 0
    text = capsys.readouterr().out
    assert "30 earlier learners fitted, 10 later learners predicted" in text
    assert "log loss without - with class" in text


@pytest.mark.slow
@pytest.mark.skipif(not MAP_PLACES.exists(), reason="shared/data/class-responses is not here")
def test_map_places_later_learners_are_predicted_better_with_the_class() -> None:
    from quizapp.bench.class_effect import load_class_responses

    report = run_class(load_class_responses(MAP_PLACES), MAP_PLACES.name)
    without, with_class = report.scores["without class"], report.scores["with class"]
    assert report.later_learners == 69
    assert with_class["all"][0] < without["all"][0]
    assert with_class["all"][1] > without["all"][1]
    assert report.difference[1] > 0.0  # the whole 95 % interval favours the class
