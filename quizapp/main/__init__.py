"""The learner's pages: home."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("main", __name__)

from quizapp.main import routes  # noqa: E402,F401
