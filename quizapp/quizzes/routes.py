"""The learner's quiz pages (filled in below)."""

from __future__ import annotations

from quizapp.quizzes import bp  # noqa: F401
