"""Instructor pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from quizapp.auth.permissions import role_required
from quizapp.catalog import set_overviews
from quizapp.models import Role

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


@bp.route("/")
@role_required(Role.INSTRUCTOR)
def index() -> str:
    """List the question sets this instructor owns, counted per topic."""
    return render_template(
        "instructor/index.html",
        overviews=set_overviews(owner_id=current_user.id, published_only=False),
    )
