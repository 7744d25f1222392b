"""Instructor pages: their question sets, and drafting a set from a document."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("instructor", __name__, url_prefix="/instructor")

from quizapp.instructor import routes  # noqa: E402,F401
