"""Home page."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from quizapp.catalog import set_overviews
from quizapp.main import bp


@bp.route("/")
def index() -> str:
    """Show the home page: the sign-in invitation, or the learner's question sets."""
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return render_template("main/home.html", overviews=set_overviews())
