"""Fixtures for the job tests: the app in each job mode, and the record of job runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from quizapp.jobs import wait_idle
from tests.jobs.sample_jobs import RELEASE, RUNS


@pytest.fixture
def runs() -> Iterator[list[tuple[str, int, str]]]:
    RUNS.clear()
    RELEASE.clear()
    yield RUNS
    RELEASE.set()


@pytest.fixture
def eager(app: Flask, runs: list[tuple[str, int, str]]) -> Flask:
    app.config["QUIZAPP_JOB_MODE"] = "eager"
    return app


@pytest.fixture
def threaded(app: Flask, runs: list[tuple[str, int, str]]) -> Iterator[Flask]:
    app.config["QUIZAPP_JOB_MODE"] = "thread"
    yield app
    # The app fixture empties the tables next: no job may still be running then.
    RELEASE.set()
    assert wait_idle(10), "jobs still running after the test"
