"""Files stored with question sets (images and sounds from imported packages), served by the app."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("media", __name__, url_prefix="/media")

from quizapp.media import routes  # noqa: E402,F401
