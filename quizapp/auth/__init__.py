"""Accounts: register, log in, log out, change password."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from quizapp.auth import routes  # noqa: E402,F401
