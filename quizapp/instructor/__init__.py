"""Instructor pages: their question sets, drafting a set from a document, import and export."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("instructor", __name__, url_prefix="/instructor")

from quizapp.instructor import marking, questions, routes, transfer  # noqa: E402,F401
