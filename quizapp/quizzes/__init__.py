"""Quizzes (issue 15): timed, graded attempts drawn from question pools, set by an instructor
for a class or taken by a learner for themselves."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("quizzes", __name__, url_prefix="/quizzes")

from quizapp.quizzes import routes, teach_routes  # noqa: E402,F401
