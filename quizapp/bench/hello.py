"""The baseline of ``python -m quizapp.bench web``: a bare Flask app that answers "hello".

Served by the same gunicorn, with the same workers, as the app (``quizapp.bench.hello:app``).
"""

from __future__ import annotations

from flask import Flask

__all__ = ["app"]

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    """Say hello."""
    return "hello"
