"""Admin pages: accounts and roles."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from quizapp.admin import routes  # noqa: E402,F401
