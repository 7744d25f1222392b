"""The learner's home page: what is due, the streak, recall per topic, and the charts."""

from __future__ import annotations

from typing import Any

from quizapp.db import utcnow
from quizapp.main.charts import forecast_chart, heatmap_chart
from quizapp.models import User
from quizapp.study import services


def dashboard(user: User) -> dict[str, Any]:
    """Everything the home page shows, computed for now."""
    now = utcnow()
    enrolled = services.enrolled_set_ids(user)
    if not enrolled:
        return {"enrolled": False}
    due_now, new_today = services.due_counts(user, now=now)
    return {
        "enrolled": True,
        "due_now": due_now,
        "new_today": new_today,
        "streak": services.day_streak(user, now=now),
        "topics": services.topic_summaries(user, now=now),
        "several_sets": len(enrolled) > 1,
        "forecast_chart": forecast_chart(services.due_forecast(user, now=now)),
        "heatmap_chart": heatmap_chart(services.review_heatmap(user, now=now)),
    }
