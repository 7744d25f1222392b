"""Read-only queries about question sets shared by several blueprints."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.models import Question, QuestionSet, Topic
from quizapp.visibility import public_sets


@dataclass(frozen=True)
class TopicCount:
    title: str
    questions: int


@dataclass(frozen=True)
class SetOverview:
    question_set: QuestionSet
    topics: list[TopicCount]

    @property
    def total(self) -> int:
        return sum(t.questions for t in self.topics)


def set_overviews(owner_id: int | None = None, published_only: bool = True) -> list[SetOverview]:
    """Return every set (or those of one owner) with its active questions counted per topic."""
    query = sa.select(QuestionSet).order_by(QuestionSet.title)
    if owner_id is not None:
        query = query.where(QuestionSet.owner_id == owner_id)
    if published_only:
        query = query.where(public_sets())
    sets = list(db.session.scalars(query))
    rows = db.session.execute(
        sa.select(Question.topic_id, sa.func.count(Question.id))
        .where(Question.is_active.is_(True))
        .group_by(Question.topic_id)
    )
    counts: dict[int, int] = dict(rows.all())
    overviews = []
    for qs in sets:
        topics: list[Topic] = qs.topics
        overviews.append(
            SetOverview(qs, [TopicCount(t.title, counts.get(t.id, 0)) for t in topics])
        )
    return overviews
