"""Study sessions: one question at a time, graded on the spot, with the source passage."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("study", __name__, url_prefix="/study")

import quizapp.study.hold_routes  # noqa: E402
import quizapp.study.routes  # noqa: E402,F401
