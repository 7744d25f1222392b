"""The learner's settings."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from quizapp.account import routes  # noqa: E402,F401
