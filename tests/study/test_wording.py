"""The sentences the study pages build from the services' numbers, one case per branch.

The services return data (days until a review, counts, a trend); the templates say it. Each
test renders the real template with data set to the case at hand.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask, render_template
from flask_login import login_user

from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.main.dashboard import dashboard
from quizapp.models import Question, User
from quizapp.study import answering, sessions
from quizapp.study.feedback import feedback_view, progress_view
from quizapp.study.history import HistoryRow
from quizapp.study.sessions import SessionSummary

HOUR = 1 / 24
MINUTE = HOUR / 60


def first(pattern: str, html: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match, html
    return match.group(1)


@pytest.mark.parametrize(
    ("due_in_days", "in_session", "said"),
    [
        (None, False, ""),
        (0.0, True, "This question is due again now."),
        (-HOUR, False, "This question is due again now."),
        (10 * MINUTE, True, "It comes back later in this session, and is due again in 10 minutes."),
        (3.0, False, "Next review in 3 days."),
    ],
)
def test_the_feedback_says_when_the_question_comes_back(
    app: Flask, learner: User, due_in_days: float | None, in_session: bool, said: str
) -> None:
    now = utcnow()
    session = sessions.start_session(learner, "due", now=now)
    question = sessions.current_question(session, now=now)
    assert question is not None
    result = answering.answer_question(
        learner, question, 1, duration_ms=1000, now=now, session=session
    )
    fb = feedback_view(learner, result.review, now, in_session)
    with app.test_request_context():
        html = render_template(
            "study/feedback.html",
            session=session,
            review=result.review,
            question=question,
            fb=replace(fb, due_in_days=due_in_days, comes_back_in_session=in_session),
            prog=progress_view(session, now + timedelta(seconds=75), answered=True),
        )
    assert first(r'<p class="next-review"[^>]*>(.*?)</p>', html) == said
    assert first(r"<time data-elapsed-since=[^>]*>(.*?)</time>", html) == "1:15"


NOTHING_NEXT = SessionSummary(
    answered=3,
    correct=2,
    partial=0,
    score=0.5,
    seconds_spent=185.4,
    topics=(),
    due_now=0,
    next_due_in_days=None,
    new_today=0,
)


@pytest.mark.parametrize(
    ("summary", "said"),
    [
        (replace(NOTHING_NEXT, due_now=1), "1 question is due now."),
        (replace(NOTHING_NEXT, due_now=4, new_today=2), "4 questions are due now."),
        (replace(NOTHING_NEXT, next_due_in_days=2.0), "Your next review is due in 2 days."),
        (replace(NOTHING_NEXT, new_today=1), "1 new question is still available today."),
        (
            replace(NOTHING_NEXT, next_due_in_days=5 * HOUR, new_today=7),
            "Your next review is due in 5 hours. 7 new questions are still available today.",
        ),
        (NOTHING_NEXT, "Nothing is scheduled yet."),
    ],
)
def test_the_summary_says_what_is_next(app: Flask, summary: SessionSummary, said: str) -> None:
    with app.test_request_context():
        html = render_template("study/summary.html", summary=summary)
    assert first(r"What is next</h2>\s*<p>(.*?)</p>", html) == said
    assert "in 3 min 05 s." in html


def test_the_history_says_the_interval_to_the_next_review(app: Flask, learner: User) -> None:
    question = db.session.scalars(sa.select(Question)).first()
    assert question is not None
    row = HistoryRow(utcnow(), "correct", 1.0, 3, None, None, next_in_days=59 * MINUTE)
    with app.test_request_context():
        html = render_template(
            "study/history.html",
            question=question,
            history=[row, replace(row, next_in_days=None), replace(row, next_in_days=60.0)],
        )
    cells = re.findall(r"<td>([^<]*)</td>\s*</tr>", html)
    assert cells == ["59 minutes", "", "2 months"]


@pytest.mark.parametrize(
    ("slope", "said"),
    [
        (None, "—"),
        (0.034, "↑ +3 points a week"),
        (-0.12, "↓ -12 points a week"),
        (0.004, "→ steady"),
    ],
)
def test_the_home_page_says_the_trend_of_a_topic(
    app: Flask, learner: User, slope: float | None, said: str
) -> None:
    with app.test_request_context():
        login_user(learner)
        figures = dashboard(learner)
        figures["topics"] = [replace(figures["topics"][0], trend_slope=slope)]
        figures["topic_groups"] = [("", figures["topics"])]
        html = render_template("main/home.html", **figures)
    assert f"<td>{said}</td>" in first(r"<tr [^>]*data-topic=[^>]*>(.*?)</tr>", html)
