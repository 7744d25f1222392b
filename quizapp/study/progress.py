"""The learner's progress: recall per question and per topic now, what is due, the streak and
the charts of the home page.

Everything here reads the figures each answer keeps (``quizapp.learners``) and the memory
states, in a fixed number of queries whatever the length of the learner's history: the review
log itself is only read for today's answers (an index range). Predictions are made for the
whole bank at once over arrays (``quizapp.scheduler.figures.recall_arrays``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from datetime import date, datetime, timedelta

import numpy as np
import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.grading.registry import GUESSABLE_TYPES
from quizapp.learners.calendar import local_date, start_of_local_day
from quizapp.learners.fitting import params_for
from quizapp.learners.models import ItemStats, LearnerStats, ReviewDay, TopicStats
from quizapp.learners.store import learner_context_of
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
from quizapp.scheduler import MemoryState as State
from quizapp.scheduler.figures import ITEM_COLUMNS, BankArrays, recall_arrays
from quizapp.study.common import WEAK_TOPICS, enrolled_set_ids, live_reviews, options_of

TREND_WEEKS = 4
STREAK_LIMIT = 3660  # days of a streak counted at most (ten years)


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
        ids = enrolled_set_ids(user) if set_ids is None else list(set_ids)
        self.records, self.bank = _bank(user, ids, topic_id)
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
        values = recall_arrays(
            self.bank,
            self.now,
            model=model,
            learner=learner_context_of(stats),
            duration_median=None if stats is None else stats.duration_median,
            topic_counts={t: (r.successes, r.answers) for t, r in self.topics.items()},
            params=self.params,
        )
        return {
            q.question_id: value
            for q, value, known in zip(
                self.records, values.tolist(), self.bank.studied.tolist(), strict=True
            )
            if known
        }

    def recall(self, question: QuestionRecord) -> float:
        """Predicted recall of a studied question now (for the scheduler's queues)."""
        return self.recalls[question.question_id]

    def summaries(self) -> tuple[TopicSummary, ...]:
        """Recall, coverage, estimate and trend of every topic of the bank."""
        starts, weeks = _weekly_counts(self.user, self.now)
        empty = tuple((0, 0) for _ in starts)
        topic_ids = set(self.topics) | {int(q.topic_id) for q in self.records}
        topics: dict[int | str, TopicAnswers] = {}
        for t in topic_ids:
            row = self.topics.get(t)
            topics[t] = TopicAnswers(
                row.first_n if row else 0, row.first_sum if row else 0.0, weeks.get(t, empty)
            )
        return summarize_topic_figures(
            self.records, self.recalls, topics, starts, self.params.desired_retention
        )


_MEMORY_COLUMNS = (
    MemoryState.stability,
    MemoryState.difficulty,
    MemoryState.state,
    MemoryState.step,
    MemoryState.due,
    MemoryState.last_review,
    MemoryState.reps,
    MemoryState.lapses,
)
_ITEM_COLUMNS = (
    *(getattr(ItemStats, name) for name in ITEM_COLUMNS),
    ItemStats.default_stability,
    ItemStats.default_difficulty,
    ItemStats.fitted_stability,
    ItemStats.fitted_difficulty,
)


# (question id, last change) -> options a guesser picks from; a question's spec is read once
# per process and change, not on every page.
_OPTIONS: dict[tuple[int, datetime], int | None] = {}


def _guess_options(questions: Sequence[tuple[int, str, datetime]]) -> dict[int, int | None]:
    """Options of each guessable question among (id, type, updated_at)."""
    guessable = [(qid, at) for qid, qtype, at in questions if qtype in GUESSABLE_TYPES]
    missing = [qid for qid, at in guessable if (qid, at) not in _OPTIONS]
    if missing:
        if len(_OPTIONS) > 200_000:
            _OPTIONS.clear()
        for qid, qtype, spec, at in db.session.execute(
            sa.select(Question.id, Question.qtype, Question.spec, Question.updated_at).where(
                Question.id.in_(missing)
            )
        ):
            _OPTIONS[(qid, at)] = options_of(qtype, spec)
    return {qid: _OPTIONS.get((qid, at)) for qid, at in guessable}


def _bank(
    user: User, set_ids: Sequence[int], topic_id: int | None
) -> tuple[list[QuestionRecord], BankArrays]:
    """The learner's active questions with their states and stored figures: plain columns in
    one query (no ORM objects; a question's spec only where guessing needs it)."""
    query = (
        sa.select(
            Question.id,
            Question.topic_id,
            Question.qtype,
            Question.updated_at,
            MemoryState.id,
            *_MEMORY_COLUMNS,
            ItemStats.question_id,
            *_ITEM_COLUMNS,
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
    memory_end = 5 + len(_MEMORY_COLUMNS)
    nan = float("nan")
    records = []
    logged = []
    items = []
    blank = [nan] * len(_ITEM_COLUMNS)
    rows = db.session.execute(query).all()
    options = _guess_options([(r[0], r[2], r[3]) for r in rows])
    for row in rows:
        qid, tid, _qtype, _updated, memory_id = row[:5]
        memory: tuple[Any, ...] = tuple(row[5:memory_end])
        state = None if memory_id is None else State(*memory)
        records.append(QuestionRecord(qid, tid, state, options.get(qid)))
        known = row[memory_end] is not None
        logged.append(known)
        figures: tuple[Any, ...] = tuple(row[memory_end + 1 :])
        items.append([nan if v is None else float(v) for v in figures] if known else blank)
    table = np.array(items, dtype=np.float64).reshape(len(records), len(_ITEM_COLUMNS))
    states = [r.state for r in records]
    width = len(ITEM_COLUMNS)
    bank = BankArrays(
        topic_id=np.array([r.topic_id for r in records], dtype=np.int64),
        stability=np.array(
            [nan if s is None or s.stability is None else s.stability for s in states]
        ),
        difficulty=np.array(
            [nan if s is None or s.difficulty is None else s.difficulty for s in states]
        ),
        last_review=np.array(
            [
                nan if s is None or s.last_review is None else s.last_review.timestamp()
                for s in states
            ]
        ),
        logged=np.array(logged, dtype=np.bool_),
        item={name: table[:, k] for k, name in enumerate(ITEM_COLUMNS)},
        default_state=table[:, width : width + 2],
        fitted_state=table[:, width + 2 : width + 4],
    )
    return records, bank


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
    if not learner.records:
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
    midnight = start_of_local_day(user, now)
    # Local midnights (DST-aware) as the bins' edges; overdue reviews fall in today's bin.
    edges = [
        datetime.combine(today + timedelta(days=i), datetime.min.time(), midnight.tzinfo)
        for i in range(1, days + 1)
    ]
    dues = db.session.scalars(
        sa.select(MemoryState.due)
        .join(Question, Question.id == MemoryState.question_id)
        .where(
            MemoryState.user_id == user.id,
            MemoryState.due < edges[-1],
            Question.is_active.is_(True),
            Question.set_id.in_(enrolled_set_ids(user)),
        )
    ).all()
    stamps = np.array([d.timestamp() for d in dues], dtype=np.float64)
    bins = np.searchsorted(np.array([e.timestamp() for e in edges]), stamps, side="right")
    counts = np.bincount(bins, minlength=days)[:days]
    return [(today + timedelta(days=i), int(counts[i])) for i in range(days)]


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
