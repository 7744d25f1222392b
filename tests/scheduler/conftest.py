"""Shared fixtures of the scheduler tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
LEARNER_A = REPO_ROOT / ".." / "shared" / "data" / "revlogs" / "learner-a-dev.csv"


@pytest.fixture
def t0() -> datetime:
    """A fixed start time."""
    return datetime(2024, 1, 1, 9, tzinfo=UTC)
