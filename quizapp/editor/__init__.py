"""Writing and changing a set's questions in the browser: a form per question type, a live
preview to try, versions that can be undone (issue 14)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("editor", __name__, url_prefix="/instructor/sets/<set_uid>/questions")

from quizapp.editor import routes  # noqa: E402,F401
