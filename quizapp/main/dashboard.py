"""The learner's home page: what is due, the streak, recall per topic, and the charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.main.charts import forecast_chart, heatmap_chart
from quizapp.models import Enrollment, QuestionSet, User
from quizapp.study import progress
from quizapp.study.common import enrolled_set_ids
from quizapp.study.progress import TopicView, topic_views


def dashboard(user: User) -> dict[str, Any]:
    """Everything the home page shows, computed for now."""
    now = utcnow()
    enrolled = enrolled_set_ids(user)
    if not enrolled:
        return {"enrolled": False}
    topics = topic_views(user, now, enrolled)
    due, forecast = progress.due_outlook(user, now=now, set_ids=enrolled)
    due_now, new_today = progress.due_counts(
        user,
        now=now,
        set_ids=enrolled,
        unstudied=sum(t.questions - t.studied for t in topics),
        due=due,
    )
    calendar = progress.review_calendar(user, now=now)
    return {
        "enrolled": True,
        "plans": _plans(user, enrolled, topics),
        "due_now": due_now,
        "new_today": new_today,
        "streak": calendar.streak,
        "topics": topics,
        "topic_groups": progress.grouped_by_path(topics),
        "several_sets": len(enrolled) > 1,
        "forecast_chart": forecast_chart(forecast),
        "heatmap_chart": heatmap_chart(calendar.days),
    }


@dataclass(frozen=True)
class Plan:
    """A set the learner studies, and whether their topics are on track for its exam."""

    set_id: int
    uid: str
    title: str
    exam_date: date | None
    below: tuple[str, ...]  # topics predicted below target on the exam day (or in a week)

    @property
    def on_track(self) -> bool:
        return not self.below


def _plans(user: User, set_ids: Sequence[int], topics: Sequence[TopicView]) -> list[Plan]:
    # The set and the learner's exam date on it, read together.
    sets = db.session.execute(
        sa.select(QuestionSet.id, QuestionSet.uid, QuestionSet.title, Enrollment.exam_date)
        .join(
            Enrollment,
            sa.and_(Enrollment.set_id == QuestionSet.id, Enrollment.user_id == user.id),
        )
        .where(QuestionSet.id.in_(list(set_ids)))
        .order_by(QuestionSet.title)
    ).all()
    return [
        Plan(
            set_id,
            uid,
            title,
            exam_date,
            tuple(t.title for t in topics if t.set_id == set_id and t.expected_then < t.target),
        )
        for set_id, uid, title, exam_date in sets
    ]
