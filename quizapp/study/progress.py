"""The learner's progress: recall per question and per topic now, what is due, the streak and
the charts of the home page.

Everything here reads the figures each answer keeps (``quizapp.learners``) and the memory
states, in a fixed number of queries whatever the length of the learner's history: the review
log itself is only read for today's answers (an index range).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.learners.calendar import local_date, start_of_local_day
from quizapp.learners.fitting import params_for
from quizapp.learners.models import ItemStats, LearnerStats, ReviewDay, TopicStats
from quizapp.learners.store import item_figures, learner_context_of
from quizapp.models import (
    LearnerModelRecord,
    MemoryState,
    Question,
    QuestionSet,
    ReviewLog,
    Topic,
    User,
)
from quizapp.scheduler import (
    LearnerModel,
    QuestionRecord,
    SchedulerParams,
    TopicAnswers,
    TopicSummary,
    summarize_topic_figures,
    weakest_topics,
)
from quizapp.scheduler.figures import LearnerFigures, StoredItem, recall_now
from quizapp.study.common import WEAK_TOPICS, enrolled_set_ids, live_reviews, options_of, state_of

TREND_WEEKS = 4
STREAK_LIMIT = 3660  # days of a streak counted at most (ten years)


@dataclass(frozen=True)
class BankQuestion:
    """One active question of the learner's sets, with the learner's state of it."""

    record: QuestionRecord
    set_id: int
    stored: StoredItem


class LearnerNow:
    """A learner's bank and predicted recall at one moment (loaded once per request).

    Args:
        user: the learner.
        now: the moment.
        set_ids: the sets to cover (the learner's enrolled sets if None).
        topic_id: only this topic's questions, if given.
    """

    def __init__(
        self,
        user: User,
        now: datetime,
        set_ids: Sequence[int] | None = None,
        topic_id: int | None = None,
    ) -> None:
        self.user = user
        self.now = now
        self.record = db.session.get(LearnerModelRecord, user.id)
        self.params: SchedulerParams = params_for(user, self.record)
        self.questions = _bank(
            user, enrolled_set_ids(user) if set_ids is None else set_ids, topic_id
        )
        self.topics = {
            row.topic_id: row
            for row in db.session.scalars(
                sa.select(TopicStats).where(TopicStats.user_id == user.id)
            )
        }
        stats = db.session.get(LearnerStats, user.id)
        self.recalls = self._predict(stats)

    def _predict(self, stats: LearnerStats | None) -> dict[int | str, float]:
        model = None
        if (
            self.record is not None
            and stats is not None
            and stats.model_version == self.record.version
        ):
            model = LearnerModel.from_dict(self.record.payload)
        values = recall_now(
            [q.stored for q in self.questions],
            self.now,
            model=model,
            learner=LearnerFigures(context=learner_context_of(stats)),
            duration_median=None if stats is None else stats.duration_median,
            topic_counts={t: (r.successes, r.answers) for t, r in self.topics.items()},
            params=self.params,
        )
        return {
            q.stored.question_id: float(v)
            for q, v in zip(self.questions, values, strict=True)
            if q.record.state is not None and not q.record.state.is_new
        }

    @property
    def records(self) -> list[QuestionRecord]:
        return [q.record for q in self.questions]

    def recall(self, question: QuestionRecord) -> float:
        """Predicted recall of a studied question now (for the scheduler's queues)."""
        return self.recalls[int(question.question_id)]

    def summaries(self) -> tuple[TopicSummary, ...]:
        """Recall, coverage, estimate and trend of every topic of the bank."""
        starts, weeks = _weekly_counts(self.user, self.now)
        empty = tuple((0, 0) for _ in starts)
        topic_ids = set(self.topics) | {int(q.record.topic_id) for q in self.questions}
        topics: dict[int | str, TopicAnswers] = {}
        for t in topic_ids:
            row = self.topics.get(t)
            topics[t] = TopicAnswers(
                row.first_n if row else 0, row.first_sum if row else 0.0, weeks.get(t, empty)
            )
        return summarize_topic_figures(
            self.records, self.recalls, topics, starts, self.params.desired_retention
        )


def _bank(user: User, set_ids: Sequence[int], topic_id: int | None) -> list[BankQuestion]:
    query = (
        sa.select(
            Question.id,
            Question.topic_id,
            Question.set_id,
            Question.qtype,
            Question.spec,
            MemoryState,
            ItemStats,
        )
        .outerjoin(
            MemoryState,
            sa.and_(MemoryState.question_id == Question.id, MemoryState.user_id == user.id),
        )
        .outerjoin(
            ItemStats, sa.and_(ItemStats.question_id == Question.id, ItemStats.user_id == user.id)
        )
        .where(Question.set_id.in_(list(set_ids)), Question.is_active.is_(True))
        .order_by(Question.set_id, Question.position, Question.id)
    )
    if topic_id is not None:
        query = query.where(Question.topic_id == topic_id)
    out = []
    for qid, tid, set_id, qtype, spec, memory, item in db.session.execute(query):
        state = state_of(memory)
        out.append(
            BankQuestion(
                QuestionRecord(qid, tid, state, options_of(qtype, spec)),
                set_id,
                StoredItem(qid, tid, state, item_figures(item)),
            )
        )
    return out


def _weekly_counts(
    user: User, now: datetime
) -> tuple[list[datetime], dict[int, tuple[tuple[int, int], ...]]]:
    """Start of each trend week (local days, the last one ending today) and, per topic,
    (successes, answers) in each."""
    today = local_date(user, now)
    first = today - timedelta(days=7 * TREND_WEEKS - 1)
    midnight = start_of_local_day(user, now)
    starts = [midnight - timedelta(days=7 * TREND_WEEKS - 1 - 7 * i) for i in range(TREND_WEEKS)]
    counts: dict[int, list[list[int]]] = {}
    rows = db.session.execute(
        sa.select(ReviewDay.topic_id, ReviewDay.day, ReviewDay.successes, ReviewDay.answers).where(
            ReviewDay.user_id == user.id, ReviewDay.day >= first, ReviewDay.day <= today
        )
    )
    for topic_id, day, successes, answers in rows:
        week = counts.setdefault(topic_id, [[0, 0] for _ in range(TREND_WEEKS)])
        index = (day - first).days // 7
        week[index][0] += successes
        week[index][1] += answers
    return starts, {t: tuple((c, n) for c, n in w) for t, w in counts.items()}


# Home page figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicView:
    """One topic's figures on the home page."""

    topic_id: int
    title: str
    set_title: str
    questions: int
    studied: int
    coverage: float
    recall_now: float | None
    estimate_unstudied: float | None
    expected_recall: float
    below_target: int
    target: float
    trend_slope: float | None
    is_weak: bool

    @property
    def trend_text(self) -> str:
        if self.trend_slope is None:
            return "—"
        points = round(self.trend_slope * 100)
        if points > 0:
            return f"↑ +{points} points a week"
        if points < 0:
            return f"↓ {points} points a week"
        return "→ steady"


def is_weak(summary: TopicSummary) -> bool:
    """A topic counts as weak when the learner is predicted to fall short of the target."""
    return summary.expected_recall < summary.target or summary.below_target > 0


def topic_views(learner: LearnerNow) -> list[TopicView]:
    """Recall, coverage, estimate, trend and weakness of every topic of ``learner``'s bank."""
    if not learner.questions:
        return []
    summaries = learner.summaries()
    weak = {s.topic_id for s in weakest_topics(summaries, k=WEAK_TOPICS) if is_weak(s)}
    titles = {
        tid: (title, set_title)
        for tid, title, set_title in db.session.execute(
            sa.select(Topic.id, Topic.title, QuestionSet.title)
            .join(QuestionSet, QuestionSet.id == Topic.set_id)
            .where(Topic.id.in_([int(s.topic_id) for s in summaries]))
        )
    }
    return [
        TopicView(
            topic_id=int(s.topic_id),
            title=titles[int(s.topic_id)][0],
            set_title=titles[int(s.topic_id)][1],
            questions=s.questions,
            studied=s.studied,
            coverage=s.coverage,
            recall_now=s.recall_now,
            estimate_unstudied=s.estimate_unstudied if s.studied < s.questions else None,
            expected_recall=s.expected_recall,
            below_target=s.below_target,
            target=s.target,
            trend_slope=s.trend_slope,
            is_weak=s.topic_id in weak,
        )
        for s in summaries
    ]


def topic_summaries(
    user: User, *, now: datetime, set_ids: Sequence[int] | None = None
) -> list[TopicView]:
    """Recall, coverage, estimate, trend and weakness of every topic the learner studies."""
    return topic_views(LearnerNow(user, now, set_ids))


def new_started_today(user: User, *, now: datetime) -> int:
    """How many questions the learner answered for the first time today (local day).

    Reads only today's answers (an index range), each checked for an earlier live answer
    through the (learner, question, time) index."""
    earlier = sa.orm.aliased(ReviewLog)
    count = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(ReviewLog.question_id))).where(
            ReviewLog.user_id == user.id,
            ReviewLog.reviewed_at >= start_of_local_day(user, now),
            live_reviews(),
            ~sa.exists().where(
                earlier.user_id == user.id,
                earlier.question_id == ReviewLog.question_id,
                earlier.undone_at.is_(None),
                earlier.reviewed_at < start_of_local_day(user, now),
            ),
        )
    )
    return int(count or 0)


def due_counts(user: User, *, now: datetime) -> tuple[int, int]:
    """(questions due now, new questions still available today)."""
    set_ids = enrolled_set_ids(user)
    due = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(MemoryState)
        .join(Question, Question.id == MemoryState.question_id)
        .where(
            MemoryState.user_id == user.id,
            MemoryState.due <= now,
            Question.is_active.is_(True),
            Question.set_id.in_(set_ids),
        )
    )
    unstudied = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Question)
        .where(
            Question.set_id.in_(set_ids),
            Question.is_active.is_(True),
            ~sa.exists().where(
                MemoryState.question_id == Question.id, MemoryState.user_id == user.id
            ),
        )
    )
    allowance = max(0, user.new_per_day - new_started_today(user, now=now))
    return int(due or 0), min(int(unstudied or 0), allowance)


def next_due(user: User) -> datetime | None:
    """When the learner's next review falls due (None if nothing is scheduled)."""
    return db.session.scalar(
        sa.select(sa.func.min(MemoryState.due))
        .join(Question, Question.id == MemoryState.question_id)
        .where(
            MemoryState.user_id == user.id,
            Question.is_active.is_(True),
            Question.set_id.in_(enrolled_set_ids(user)),
        )
    )


def due_forecast(user: User, *, now: datetime, days: int = 30) -> list[tuple[date, int]]:
    """Reviews falling due on each of the next ``days`` local days (overdue ones count today)."""
    today = local_date(user, now)
    horizon = start_of_local_day(user, now) + timedelta(days=days)
    dues = db.session.scalars(
        sa.select(MemoryState.due)
        .join(Question, Question.id == MemoryState.question_id)
        .where(
            MemoryState.user_id == user.id,
            MemoryState.due < horizon,
            Question.is_active.is_(True),
            Question.set_id.in_(enrolled_set_ids(user)),
        )
    )
    counts = Counter(max(today, local_date(user, due)) for due in dues)
    return [
        (today + timedelta(days=i), counts.get(today + timedelta(days=i), 0)) for i in range(days)
    ]


def review_heatmap(user: User, *, now: datetime, days: int = 182) -> list[tuple[date, int]]:
    """Answers given on each of the last ``days`` local days, oldest first."""
    today = local_date(user, now)
    first = today - timedelta(days=days - 1)
    counts = dict(
        db.session.execute(
            sa.select(ReviewDay.day, sa.func.sum(ReviewDay.answers))
            .where(ReviewDay.user_id == user.id, ReviewDay.day >= first)
            .group_by(ReviewDay.day)
        ).all()
    )
    return [
        (first + timedelta(days=i), int(counts.get(first + timedelta(days=i), 0)))
        for i in range(days)
    ]


def day_streak(user: User, *, now: datetime) -> int:
    """Consecutive local days with at least one answer, up to today (or yesterday)."""
    days = db.session.scalars(
        sa.select(ReviewDay.day)
        .where(ReviewDay.user_id == user.id, ReviewDay.answers > 0)
        .group_by(ReviewDay.day)
        .order_by(ReviewDay.day.desc())
        .limit(STREAK_LIMIT)
    ).all()
    day = local_date(user, now)
    seen = set(days)
    if day not in seen:
        day -= timedelta(days=1)
    streak = 0
    while day in seen:
        streak += 1
        day -= timedelta(days=1)
    return streak
