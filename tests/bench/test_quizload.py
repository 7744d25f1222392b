"""The quiz load test's logic on the test database, without gunicorn: its data, a handful of
learners taking the quiz through Flask's test client (double posts included), the check of
what the database stored, and the report."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from quizapp.bench.quizload import (
    QUESTIONS,
    QuizRun,
    check_stored,
    format_quizload,
    mismatches,
    quiz_figures,
    run_quiz_load,
)
from quizapp.bench.quizload_data import build_quiz_data, quiz_set
from quizapp.bench.webclient import Response, UnexpectedResponse
from quizapp.bench.webdata import DataExistsError
from quizapp.grading import get_type


class _TestClient:
    """``webclient.Client``'s ``expect`` over Flask's test client."""

    def __init__(self, app: Flask) -> None:
        self.client: FlaskClient = app.test_client()

    def expect(
        self,
        method: str,
        path: str,
        status: int,
        fields: Sequence[tuple[str, str]] | None = None,
    ) -> tuple[Response, float]:
        start = time.perf_counter()
        data = MultiDict(list(fields)) if fields is not None else None
        got = self.client.open(path, method=method, data=data)
        latency = time.perf_counter() - start
        if got.status_code != status:
            raise UnexpectedResponse(f"{method} {path}: {got.status_code}, expected {status}")
        location = got.headers.get("Location", "")
        return Response(got.status_code, location, got.get_data(as_text=True)), latency

    def close(self) -> None:
        pass


def test_the_quiz_set_is_three_topics_of_ten_short_answers() -> None:
    doc = quiz_set()
    assert len(doc.topics) == 3
    assert len(doc.questions) == 30
    grader = get_type("short_answer")
    for question in doc.questions:
        assert question.type == "short_answer"
        right = question.spec["answers"][0]
        assert grader.grade(question.spec, right).score == 1.0
        assert f"specimen {int(question.id[1:])} kept" in question.prompt


@pytest.mark.parametrize("login_first", [False, True])
def test_a_handful_of_learners_take_the_quiz(
    app: Flask, database_url: str, login_first: bool
) -> None:
    learners = 5
    data = build_quiz_data(database_url, learners, 1, lambda _: None)

    run = run_quiz_load(
        lambda: _TestClient(app),
        data.learner_emails,
        data.quiz_id,
        window=0.2,
        clients=1,
        think=0.01,
        login_first=login_first,
    )
    stored = check_stored(database_url, data.quiz_id)
    figures = quiz_figures(run, stored, learners, 0.2)

    assert run.errors == []
    assert mismatches(run, stored, learners) == []
    assert len(run.answered) == learners * QUESTIONS
    assert stored.answers_stored == learners * QUESTIONS  # each doubled post stored once
    assert stored.submitted == stored.attempts == learners
    assert stored.reviews == stored.answers_stored
    assert figures["answers_posted"] == learners * QUESTIONS * 3 // 2
    assert figures["doubled_posts"] == learners * QUESTIONS // 2
    assert figures["starts"] == learners
    assert figures["requests"]["save"]["count"] == figures["answers_posted"]
    assert "login" in figures["requests"]
    with pytest.raises(DataExistsError):
        build_quiz_data(database_url, learners, 1, lambda _: None)


def test_a_mismatch_and_an_error_fail_the_report(app: Flask, database_url: str) -> None:
    data = build_quiz_data(database_url, 2, 1, lambda _: None)
    run = run_quiz_load(
        lambda: _TestClient(app), data.learner_emails, data.quiz_id, window=0.0, clients=1
    )
    run.learners[0].answered.add((999_999, 1))  # an answer the database never saw
    run.learners[1].error = "POST /x: 500, expected 302"
    stored = check_stored(database_url, data.quiz_id)
    quiz = quiz_figures(run, stored, 2, 0.0)
    report = {
        "setup": {"workers": 2, "clients": 1, "studiers": 1, "duration": 1.0},
        "hello_rps": [1000.0, 1100.0],
        "study_answer": {"p50_ms": 10.0, "p99_ms": 20.0, "rps": 50.0},
        "quiz": quiz,
        "p99_ratio": 0.5,
        "within_budget": True,
        "app_tracebacks": {"count": 0, "last": ""},
        "ok": False,
        "seconds": 3.0,
    }

    assert quiz["errors"] == 1
    assert any("answers stored" in m for m in quiz["mismatches"])
    text = format_quizload(report)
    assert "MISMATCH" in text
    assert "FAILED" in text
    assert "1000 / 1100 req/s" in text
    assert json.loads(format_quizload(report, as_json=True))["quiz"]["errors"] == 1


def test_an_empty_run_has_no_figures() -> None:
    run = QuizRun([], 0.0)
    assert run.errors == []
    assert run.answered == set()
    assert run.ms("save") == []
