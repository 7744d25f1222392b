"""The web benchmark's pure parts, and its data builder at a tiny scale on the test database."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.datastructures import MultiDict

from quizapp.bank.validate import check_paths, validate_set
from quizapp.bank.yamlformat import set_files
from quizapp.bench.webclient import RequestTimeout, UnexpectedResponse
from quizapp.bench.webconfig import LARGE_EMAIL, BuildConfig
from quizapp.bench.webdata import DataExistsError, answer_variants, build_data, find_bench_data
from quizapp.bench.webfigures import compute_figures
from quizapp.bench.webhistory import LearnerPlan, SimAnswer, SimQuestion, simulate_learner
from quizapp.bench.webload import run_load
from quizapp.bench.webreport import ENDPOINTS, Measurement, WebReport, percentile, web_json
from quizapp.bench.websets import generated_set
from quizapp.classmodel.models import ClassEstimate
from quizapp.extensions import db
from quizapp.grading.registry import get_type
from quizapp.learners.models import LearnerStats
from quizapp.models import QuestionMemory, QuestionSet, ReviewLog, User
from quizapp.paths import questions_dir
from quizapp.scheduler import Evidence, review
from quizapp.scheduler import MemoryState as State


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 99) == pytest.approx(3.97)
    assert percentile([7.0], 99) == 7.0
    assert percentile([1.0, 2.0], 0) == 1.0
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def _measurement(name: str, p50_s: float, count: int = 100, elapsed: float = 10.0) -> Measurement:
    return Measurement(name, (p50_s,) * count, elapsed)


def test_the_json_has_the_agreed_shape() -> None:
    report = WebReport(hello=[_measurement("hello", 0.001, 2000), _measurement("hello", 0.001)])
    report.endpoints = {name: _measurement(name, 0.2) for name in ENDPOINTS}
    report.small = {name: _measurement(name, 0.1) for name in ENDPOINTS[:6]}
    report.endpoints["login"] = Measurement("login", (), 10.0, timeouts=4)

    out = json.loads(web_json(report))

    assert out["baseline"]["hello_rps"] == 105.0  # the mean of 200 and 10 req/s
    assert set(out["endpoints"]) == set(ENDPOINTS)
    for figures in out["endpoints"].values():
        assert set(figures) == {"rps", "p50_ms", "p99_ms", "ratio"}
    assert out["endpoints"]["home"] == {
        "rps": 10.0,
        "p50_ms": 200.0,
        "p99_ms": 200.0,
        "ratio": round(10 / 105, 5),
    }
    assert out["endpoints"]["login"]["p50_ms"] is None
    assert out["requests"]["login"]["timeouts"] == 4
    assert out["growth"] == dict.fromkeys(ENDPOINTS[:6], 2.0)


def test_run_load_counts_successes_errors_and_timeouts() -> None:
    calls = iter(range(10**6))

    def step() -> float:
        n = next(calls)
        if n % 10 == 3:
            raise RequestTimeout("slow")
        if n % 10 == 7:
            raise UnexpectedResponse("GET /: 500, expected 200")
        time.sleep(0.001)
        return 0.001

    result = run_load("fake", [step, step], 0.3, threading.Event(), max_requests=50)
    assert len(result.latencies) + result.errors + result.timeouts == 50
    assert result.errors
    assert result.timeouts
    assert result.first_error == "GET /: 500, expected 200"


def _bundled_questions() -> list[tuple[str, dict[str, object]]]:
    files, _ = set_files([questions_dir()])
    docs = check_paths(files).docs
    return [(q.type, dict(q.spec)) for doc in docs for q in doc.questions]


# The bundled bank has no matching question (the review gives nothing honest to pair), so one
# is written here: the form of every type must read back.
MATCHING: tuple[str, dict[str, object]] = (
    "matching",
    {
        "pairs": [
            {"left": "BCMA", "right": "B cell maturation antigen"},
            {"left": "CAR-T", "right": "chimeric antigen receptor T cells"},
            {"left": "MM", "right": "multiple myeloma"},
        ],
        "distractors": ["B cell membrane antigen"],
    },
)


def test_answers_are_graded_as_their_form_reads_back() -> None:
    questions = [
        *_bundled_questions(),
        MATCHING,
        *[(q.type, dict(q.spec)) for q in generated_set(1, 40, 10).questions],
    ]
    assert {qtype for qtype, _ in questions} == {
        "single_choice",
        "multiple_response",
        "true_false",
        "short_answer",
        "cloze",
        "matching",
        "ordering",
        "numeric",
    }
    for qtype, spec in questions:
        variants = answer_variants(qtype, spec)
        assert variants[0][1].score == 1.0
        assert len(variants) > 1
        for response, grade in variants:
            form = MultiDict(get_type(qtype).form_fields(response)).to_dict(flat=False)
            read = get_type(qtype).read(spec, form)
            assert get_type(qtype).grade(spec, read).score == grade.score
        assert all(grade.score < 1.0 for _, grade in variants[1:])


def test_a_generated_set_is_valid() -> None:
    doc = generated_set(2, 120, 10, seed=3)
    assert validate_set(doc) == []
    assert len(doc.questions) == 120
    assert len({q.topic for q in doc.questions}) == 10
    assert {q.type for q in doc.questions} == {
        "true_false",
        "single_choice",
        "short_answer",
        "numeric",
    }


def _bank() -> dict[int, SimQuestion]:
    right = SimAnswer("true", 1.0, "correct")
    wrong = SimAnswer("false", 0.0, "wrong")
    typed = SimAnswer('"x"', 0.0, "wrong")
    return {
        i: SimQuestion(i, 100 + i % 3, 2 if i % 2 else None, (right, typed if i % 2 else wrong))
        for i in range(1, 41)
    }


def test_a_simulated_history_is_the_schedulers_own() -> None:
    bank = _bank()
    end = datetime(2026, 5, 1, 12, tzinfo=UTC)
    plan = LearnerPlan(9, tuple(bank), 400, seed=5, end=end, new_per_day=5)

    result = simulate_learner(plan, bank)

    assert result == simulate_learner(plan, bank)
    assert len(result.reviews) == 400
    times = [row[2] for row in result.reviews]
    assert times == sorted(times)
    assert times[-1] <= end
    assert times[0] < end - timedelta(days=20)
    assert len({t.date() for t in times}) > 20  # many days, not one long sitting
    correct = sum(row[4] == "correct" for row in result.reviews) / 400
    assert 0.6 < correct < 0.98
    # Replaying the rows through the scheduler gives the stored states and ratings.
    states: dict[int, State] = {}
    for _, qid, at, _, _, score, rating, auto, duration, before in result.reviews:
        previous = states.get(qid)
        assert (json.loads(before) if before else None) == (
            previous.to_json_dict() if previous else None
        )
        state, entry = review(previous, Evidence(score, duration, bank[qid].options), at)
        assert (entry.rating, entry.auto_rating) == (rating, auto)
        states[qid] = state
    stored = {row[1]: row[3:] for row in result.states}
    assert stored == {
        qid: (s.stability, s.difficulty, s.state, s.step, s.due, s.last_review, s.reps, s.lapses)
        for qid, s in states.items()
    }


def test_the_data_builder_at_a_tiny_scale(app: Flask, database_url: str) -> None:
    config = BuildConfig(
        learners=12,
        reviews=900,
        heavy_reviews=(300, 60),
        class_sizes=(4, 2, 4),
        generated_sets=1,
        questions_per_set=40,
        processes=1,
    )
    lines: list[str] = []

    report = build_data(database_url, config, lines.append)
    data = find_bench_data(database_url)
    figures = compute_figures(
        database_url,
        [data.large_user, data.small_user],
        fit_others=2,
        fit_budget_seconds=5.0,
        processes=1,
        log=lines.append,
    )

    assert report.counts["reviews"] == 900
    assert data.class_sizes == (4, 2, 4)
    assert data.heavy_reviews == (300, 60)
    assert figures.rebuilt == 12
    assert figures.fitted[data.large_user]
    assert any("simulated reviews" in line for line in lines)
    db.session.remove()
    # every set is estimated from the class, as on a running site
    sets = db.session.scalar(sa.select(sa.func.count()).select_from(QuestionSet))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ClassEstimate)) == sets
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewLog)) == 900
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LearnerStats)) == 12
    large = db.session.scalar(sa.select(User).where(User.email == LARGE_EMAIL))
    assert large is not None
    last = db.session.scalar(
        sa.select(ReviewLog)
        .where(ReviewLog.user_id == large.id, ReviewLog.question_id == 1)
        .order_by(ReviewLog.reviewed_at.desc())
    )
    state = db.session.scalar(
        sa.select(QuestionMemory).where(
            QuestionMemory.user_id == large.id, QuestionMemory.question_id == 1
        )
    )
    assert last is not None
    assert state is not None
    assert state.last_review == last.reviewed_at
    with pytest.raises(DataExistsError):
        build_data(database_url, config, lines.append)
