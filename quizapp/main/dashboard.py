"""The learner's home page: what is due, the streak, recall per topic, and the charts."""

from __future__ import annotations

from typing import Any

from quizapp.db import utcnow
from quizapp.main.charts import forecast_chart, heatmap_chart
from quizapp.models import User
from quizapp.study import progress
from quizapp.study.common import enrolled_set_ids
from quizapp.study.progress import topic_views


def dashboard(user: User) -> dict[str, Any]:
    """Everything the home page shows, computed for now."""
    now = utcnow()
    enrolled = enrolled_set_ids(user)
    if not enrolled:
        return {"enrolled": False}
    topics = topic_views(user, now, enrolled)
    due_now, new_today = progress.due_counts(
        user, now=now, set_ids=enrolled, unstudied=sum(t.questions - t.studied for t in topics)
    )
    return {
        "enrolled": True,
        "due_now": due_now,
        "new_today": new_today,
        "streak": progress.day_streak(user, now=now),
        "topics": topics,
        "topic_groups": progress.grouped_by_path(topics),
        "several_sets": len(enrolled) > 1,
        "forecast_chart": forecast_chart(progress.due_forecast(user, now=now, set_ids=enrolled)),
        "heatmap_chart": heatmap_chart(progress.review_heatmap(user, now=now)),
    }
