"""The learner's progress: recall per question and per topic now, what is due, the streak and
the charts of the home page.

Everything here reads the figures each answer keeps (``quizapp.learners``) and the memory
states, in a fixed number of queries whatever the length of the learner's history: the review
log itself is only read for today's answers (an index range). Predictions are made for the
whole bank at once over arrays (``quizapp.scheduler.figures.recall_arrays``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Row

from quizapp.db import epoch_seconds, upsert_into
from quizapp.extensions import db
from quizapp.grading.registry import GUESSABLE_TYPES, guess_options
from quizapp.learners.calendar import local_date, start_of_local_day, zone
from quizapp.learners.fitting import params_for
from quizapp.learners.models import (
    ItemStats,
    LearnerStats,
    ReviewDay,
    StudyDay,
    TopicFiguresCache,
    TopicStats,
)
from quizapp.learners.store import learner_context_of
from quizapp.models import (
    Enrollment,
    LearnerModelRecord,
    Question,
    QuestionMemory,
    QuestionSet,
    Topic,
    User,
)
from quizapp.scheduler import (
    LearnerModel,
    QuestionRecord,
    SchedulerParams,
    TopicAnswers,
    TopicSummary,
    TopicTotals,
    summarize_topic_totals,
    topic_totals,
)
from quizapp.scheduler import MemoryState as State
from quizapp.scheduler.figures import ITEM_COLUMNS, BankArrays, FloatArray, recall_arrays
from quizapp.scheduler.weakness import HORIZON_DAYS, Outlook, weak_topics
from quizapp.study.common import enrolled_set_ids
from quizapp.study.holds import not_held

TREND_WEEKS = 4
STREAK_LIMIT = 3660  # days of a streak counted at most (ten years)


class LearnerNow:
    """A learner's bank and predicted recall at one moment (loaded once per request).

    The bank is read as columns into arrays and every question's recall predicted at once;
    the per-question objects the queues need (``records``) are only built when asked for.

    Args:
        user: the learner.
        now: the moment.
        set_ids: the sets to cover (the learner's enrolled sets if None).
        topic_ids: only these topics' questions, if given.
        due_only: only what the study queue draws from: the ``due_limit`` questions due at
            ``now`` with the lowest recall by FSRS (see ``_bank_rows``) and the first
            ``new_limit`` never studied.
    """

    def __init__(
        self,
        user: User,
        now: datetime,
        set_ids: Sequence[int] | None = None,
        topic_ids: Sequence[int] | None = None,
        *,
        due_only: bool = False,
        new_limit: int = 0,
        due_limit: int | None = None,
    ) -> None:
        self.user = user
        self.now = now
        self.record = db.session.get(LearnerModelRecord, user.id)
        self.params: SchedulerParams = params_for(user, self.record)
        ids = enrolled_set_ids(user) if set_ids is None else list(set_ids)
        if due_only:
            # what the study queue draws from: the due questions, then new ones in bank order
            # (not looked for when none may or can come: it reads the whole bank)
            self._rows = [
                *_bank_rows(user, ids, topic_ids, due_by=now, due_limit=due_limit),
                *(_bank_rows(user, ids, topic_ids, new_limit=new_limit) if new_limit > 0 else ()),
            ]
        else:
            self._rows = list(_bank_rows(user, ids, topic_ids, held_at=now))
        self.bank = _bank_arrays(self._rows)
        self.topics = _topic_rows(user)
        stats = db.session.get(LearnerStats, user.id)
        self._stats = stats
        self.values = self._predict(stats)

    def then_totals(self, horizons: Mapping[int, datetime]) -> dict[int, ThenTotals]:
        """Each topic's studied questions at its horizon (``horizons``: per topic; a topic
        without one is left out): one prediction of the bank per distinct horizon."""
        topics = self.bank.topic_id
        studied = self.bank.studied
        stability = np.where(studied, np.nan_to_num(self.bank.stability), 0.0)
        target = self.params.desired_retention
        out: dict[int, ThenTotals] = {}
        for moment in sorted(set(horizons.values())):
            values = self._predict(self._stats, moment)
            for topic_id in [t for t, m in horizons.items() if m == moment]:
                mine = studied & (topics == topic_id)
                out[topic_id] = ThenTotals(
                    float(values[mine].sum()),
                    int((values[mine] < target).sum()),
                    float(stability[mine].sum()),
                )
        return out

    def _predict(self, stats: LearnerStats | None, moment: datetime | None = None) -> FloatArray:
        model = None
        if (
            self.record is not None
            and stats is not None
            and stats.model_version == self.record.version
        ):
            model = LearnerModel.from_dict(self.record.payload)
        return recall_arrays(
            self.bank,
            self.now if moment is None else moment,
            model=model,
            learner=learner_context_of(stats),
            duration_median=None if stats is None else stats.duration_median,
            topic_counts={r.topic_id: (r.successes, r.answers) for r in self.topics},
            params=self.params,
        )

    @cached_property
    def records(self) -> list[QuestionRecord]:
        """Every question with the learner's memory state, in bank order (for the queues)."""
        options = _guess_options([(r.id, r.qtype, r.updated_at) for r in self._rows])
        return [QuestionRecord(r.id, r.topic_id, _state(r), options.get(r.id)) for r in self._rows]

    @cached_property
    def recalls(self) -> dict[int | str, float]:
        """Predicted recall now of every studied question."""
        return {
            r.id: value
            for r, value, known in zip(
                self._rows, self.values.tolist(), self.bank.studied.tolist(), strict=True
            )
            if known
        }

    def recall(self, question: QuestionRecord) -> float:
        """Predicted recall of a studied question now (for the scheduler's queues)."""
        return self.recalls[question.question_id]

    def totals(self) -> tuple[TopicTotals, ...]:
        """Each topic's questions, studied questions, recall sum and count below target."""
        return topic_totals(
            self.bank.topic_id.tolist(),
            self.bank.studied.tolist(),
            self.values.tolist(),
            self.params.desired_retention,
        )

    def summaries(self) -> tuple[TopicSummary, ...]:
        """Recall, coverage, estimate and trend of every topic of the bank loaded."""
        return _summaries(
            self.user, self.now, self.totals(), self.params.desired_retention, self.topics
        )


@dataclass(frozen=True)
class ThenTotals:
    """A topic's studied questions at its horizon: their recall sum, how many are predicted
    below the target then, and their memory stability's sum (days)."""

    recall_sum: float
    below_target: int
    stability_sum: float


TopicRow = Row[int, int, int, int, float]


def _topic_rows(user: User) -> Sequence[TopicRow]:
    """The learner's counts per topic, as plain rows."""
    return db.session.execute(
        sa.select(
            TopicStats.topic_id,
            TopicStats.successes,
            TopicStats.answers,
            TopicStats.first_n,
            TopicStats.first_sum,
        ).where(TopicStats.user_id == user.id)
    ).all()


def _summaries(
    user: User,
    now: datetime,
    totals: Sequence[TopicTotals],
    target: float,
    topic_rows: Sequence[TopicRow] | None = None,
) -> tuple[TopicSummary, ...]:
    """The topics' summaries from their totals and the learner's answers per topic
    (``topic_rows``: ``_topic_rows``, when already read)."""
    starts, weeks = _weekly_counts(user, now)
    empty = tuple((0, 0) for _ in starts)
    rows = _topic_rows(user) if topic_rows is None else topic_rows
    topics: dict[int | str, TopicAnswers] = {
        r.topic_id: TopicAnswers(r.first_n, r.first_sum, weeks.get(r.topic_id, empty)) for r in rows
    }
    for total in totals:
        topics.setdefault(total.topic_id, TopicAnswers(weeks=empty))
    return summarize_topic_totals(totals, topics, starts, target)


#: How long computed topic totals are shown before recall's decay is computed afresh.
TOTALS_TTL = timedelta(minutes=15)
#: The time of day an exam is taken to start, in the learner's time zone.
EXAM_MORNING = time(9, 0)


def topic_figures(
    user: User, now: datetime, set_ids: Sequence[int] | None = None
) -> tuple[TopicSummary, ...]:
    """Every topic's summary now. The per-question part (recall of each question) is computed
    at most once per ``TOTALS_TTL`` and after every change of the learner's figures, model,
    target, sets or their questions; otherwise it is read back (``TopicFiguresCache``)."""
    kept = _kept_totals(user, now, set_ids)
    return _summaries(user, now, kept.totals, user.target_retention, kept.topic_rows)


def topic_outlooks(
    user: User, now: datetime, set_ids: Sequence[int] | None = None
) -> list[Outlook]:
    """Every topic's figures now and at its horizon (the learner's exam on its set, else a
    week from now): what the one definition of a weak topic reads (``scheduler.weakness``)."""
    kept = _kept_totals(user, now, set_ids)
    summaries = _summaries(user, now, kept.totals, user.target_retention, kept.topic_rows)
    outlooks = []
    for summary in summaries:
        then = kept.then.get(int(summary.topic_id))
        horizon, exam = kept.horizons.get(int(summary.topic_id), (local_date(user, now), False))
        outlooks.append(
            Outlook(
                summary,
                horizon,
                exam,
                then.recall_sum / summary.studied if then and summary.studied else None,
                then.below_target if then else 0,
                then.stability_sum / summary.studied if then and summary.studied else None,
            )
        )
    return outlooks


def topic_recall_now(
    user: User, now: datetime, set_ids: Sequence[int] | None = None
) -> dict[int, float]:
    """Each studied topic's recall now (the mean over its studied questions): the summaries'
    ``recall_now`` without the rest of them (trends, estimates)."""
    return topics_now(user, now, set_ids).recall


@dataclass(frozen=True)
class TopicsNow:
    """Each studied topic's recall now, and how many active questions are not studied yet."""

    recall: dict[int, float]
    unstudied: int


def topics_now(
    user: User,
    now: datetime,
    set_ids: Sequence[int] | None = None,
    held: LearnerRows | None = None,
) -> TopicsNow:
    """``topic_recall_now``, and the questions never studied (from the same kept totals;
    ``held``: ``learner_rows``, when the caller read them already)."""
    kept = _kept_totals(user, now, set_ids, held)
    return TopicsNow(
        {int(t.topic_id): recall for t in kept.totals if (recall := t.recall_now) is not None},
        sum(t.questions - t.studied for t in kept.totals),
    )


@dataclass(frozen=True)
class Kept:
    """The topics' totals now and at their horizons, as kept (``TopicFiguresCache``)."""

    totals: tuple[TopicTotals, ...]
    then: dict[int, ThenTotals]
    horizons: dict[int, tuple[date, bool]]  # per topic: the horizon's day, and whether an exam
    topic_rows: Sequence[TopicRow] | None  # read to compute them (None: read back)


def _sets_and_exams(
    user: User, set_ids: Sequence[int]
) -> tuple[list[tuple[int, int]], dict[int, date]]:
    """The sets' (id, questions revision), and the learner's exam dates by set (only the sets
    they gave one for), read together."""
    rows = db.session.execute(
        sa.select(QuestionSet.id, QuestionSet.questions_revision, Enrollment.exam_date)
        .outerjoin(
            Enrollment,
            sa.and_(Enrollment.set_id == QuestionSet.id, Enrollment.user_id == user.id),
        )
        .where(QuestionSet.id.in_(list(set_ids)))
    ).all()
    revisions = [(set_id, revision) for set_id, revision, _ in rows]
    return revisions, {set_id: day for set_id, _, day in rows if day is not None}


@dataclass(frozen=True)
class LearnerRows:
    """The learner's rows the topic totals are keyed on and kept in (None: none yet)."""

    stats: LearnerStats | None
    record: LearnerModelRecord | None
    cache: TopicFiguresCache | None


def learner_rows(user: User) -> LearnerRows:
    """The learner's figures, fitted model and kept totals, in one statement (three lookups
    by the same key). Whoever holds them keeps them loaded: the identity map keeps a row only
    while it is referenced, and the queues and predictions get them from there."""
    row = db.session.execute(
        sa.select(LearnerStats, LearnerModelRecord, TopicFiguresCache)
        .select_from(User)
        .outerjoin(LearnerStats, LearnerStats.user_id == User.id)
        .outerjoin(LearnerModelRecord, LearnerModelRecord.user_id == User.id)
        .outerjoin(TopicFiguresCache, TopicFiguresCache.user_id == User.id)
        .where(User.id == user.id)
    ).one()
    return LearnerRows(row[0], row[1], row[2])


def _horizon(user: User, now: datetime, exam: date | None) -> tuple[datetime, date, bool]:
    """A set's horizon: the morning of the exam (when it is still to come), else a week on."""
    today = local_date(user, now)
    if exam is not None and exam > today:
        return datetime.combine(exam, EXAM_MORNING, tzinfo=zone(user)), exam, True
    later = now + timedelta(days=HORIZON_DAYS)
    return later, local_date(user, later), False


def _kept_totals(
    user: User, now: datetime, set_ids: Sequence[int] | None, held: LearnerRows | None = None
) -> Kept:
    """The topics' totals now and at their horizons, as kept or computed and kept
    (``held``: ``learner_rows``, when the caller read them already)."""
    ids = sorted(enrolled_set_ids(user) if set_ids is None else set_ids)
    # Held while the totals are computed: LearnerNow finds the first two loaded.
    held = learner_rows(user) if held is None else held
    stats, record, cache = held.stats, held.record, held.cache
    sets, exams = _sets_and_exams(user, ids)
    key = "|".join(
        str(part)
        for part in (
            "v2",
            stats.revision if stats else 0,
            record.version if record else 0,
            user.target_retention,
            ",".join(f"{set_id}:{revision}" for set_id, revision in sorted(sets)),
            ",".join(f"{set_id}:{day}" for set_id, day in sorted(exams.items())),
        )
    )
    if (
        cache is not None
        and cache.key == key
        and cache.valid_until - TOTALS_TTL <= now < cache.valid_until
    ):
        return _read_back(user, now, cache.totals, exams)
    learner = LearnerNow(user, now, ids)
    totals = learner.totals()
    set_of = dict(
        db.session.execute(
            sa.select(Topic.id, Topic.set_id).where(Topic.id.in_([int(t.topic_id) for t in totals]))
        ).all()
    )
    moments = {set_id: _horizon(user, now, exams.get(set_id)) for set_id in set(set_of.values())}
    then = learner.then_totals({topic: moments[set_id][0] for topic, set_id in set_of.items()})
    # An upsert: two pages of one learner (two tabs, a reload) may compute it at once.
    table = TopicFiguresCache.__table__
    assert isinstance(table, sa.Table)
    rows = []
    for t in totals:
        topic = int(t.topic_id)
        late = then.get(topic, ThenTotals(0.0, 0, 0.0))
        rows.append(
            [
                topic,
                t.questions,
                t.studied,
                t.recall_sum,
                t.below_target,
                late.recall_sum,
                late.below_target,
                late.stability_sum,
                set_of.get(topic, 0),
            ]
        )
    fresh = {"key": key, "valid_until": now + TOTALS_TTL, "totals": rows}
    db.session.execute(
        upsert_into(db.session, table)
        .values(user_id=user.id, **fresh)
        .on_conflict_do_update(index_elements=["user_id"], set_=fresh)
    )
    horizons = {topic: (moments[set_id][1], moments[set_id][2]) for topic, set_id in set_of.items()}
    return Kept(totals, then, horizons, learner.topics)


def _read_back(
    user: User, now: datetime, rows: Sequence[Sequence[float]], exams: Mapping[int, date]
) -> Kept:
    totals, then, horizons = [], {}, {}
    of_set: dict[int, tuple[date, bool]] = {}  # a horizon per set, not per topic
    for t, q, n, r, b, r_then, b_then, s_sum, set_id in rows:
        totals.append(TopicTotals(int(t), int(q), int(n), float(r), int(b)))
        then[int(t)] = ThenTotals(float(r_then), int(b_then), float(s_sum))
        if int(set_id) not in of_set:
            _, day, exam = _horizon(user, now, exams.get(int(set_id)))
            of_set[int(set_id)] = (day, exam)
        horizons[int(t)] = of_set[int(set_id)]
    return Kept(tuple(totals), then, horizons, None)


_BANK_COLUMNS = (
    Question.id,
    Question.topic_id,
    Question.qtype,
    Question.updated_at,
    QuestionMemory.id.label("memory_id"),
    # the memory state, in QuestionMemory's field order
    QuestionMemory.stability,
    QuestionMemory.difficulty,
    QuestionMemory.state,
    QuestionMemory.step,
    epoch_seconds(QuestionMemory.due).label("due_epoch"),
    epoch_seconds(QuestionMemory.last_review).label("last_review_epoch"),
    QuestionMemory.reps,
    QuestionMemory.lapses,
    ItemStats.question_id.label("item_id"),
    *(getattr(ItemStats, name).label(f"item_{name}") for name in ITEM_COLUMNS),
    ItemStats.default_stability,
    ItemStats.default_difficulty,
    ItemStats.fitted_stability,
    ItemStats.fitted_difficulty,
)
_POSITION = {column.key: k for k, column in enumerate(sa.select(*_BANK_COLUMNS).selected_columns)}


# (question id, last change) -> options a guesser picks from: a question's spec is read once
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
            _OPTIONS[(qid, at)] = guess_options(qtype, spec)
    return {qid: _OPTIONS.get((qid, at)) for qid, at in guessable}


def _bank_rows(
    user: User,
    set_ids: Sequence[int],
    topic_ids: Sequence[int] | None = None,
    due_by: datetime | None = None,
    new_limit: int | None = None,
    due_limit: int | None = None,
    held_at: datetime | None = None,
) -> Sequence[Row[Any]]:
    """The learner's active questions with their states and stored figures, as plain rows of
    one query (no ORM objects, no JSON): all of them, a few topics', the studied ones due by
    ``due_by`` (at most ``due_limit`` of them, lowest recall first), or the first
    ``new_limit`` never studied. ``held_at``: questions suspended or buried then come without
    their state (out of play: neither studied nor asked)."""
    memory = sa.and_(QuestionMemory.question_id == Question.id, QuestionMemory.user_id == user.id)
    if held_at is not None:
        memory = sa.and_(memory, not_held(held_at))
    query = (
        sa.select(*_BANK_COLUMNS)
        .outerjoin(QuestionMemory, memory)
        .outerjoin(
            ItemStats, sa.and_(ItemStats.question_id == Question.id, ItemStats.user_id == user.id)
        )
        .where(Question.set_id.in_(list(set_ids)), Question.is_active.is_(True))
        .order_by(Question.set_id, Question.position, Question.id)
    )
    if topic_ids is not None:
        query = query.where(Question.topic_id.in_(list(topic_ids)))
    if due_by is not None:
        query = query.where(QuestionMemory.due <= due_by, not_held(due_by))
        if due_limit is not None:
            # FSRS recall falls with elapsed time over stability, and a question falls due
            # after a time proportional to its stability: the further past due in units of
            # stability, the lower the recall. The learner's model re-ranks these candidates;
            # a learner with thousands due gets a session's worth ranked, not all of them.
            overdue = (epoch_seconds(QuestionMemory.due) - due_by.timestamp()) / sa.func.coalesce(
                sa.func.nullif(QuestionMemory.stability, 0.0), 1.0
            )
            query = query.order_by(None).order_by(overdue, Question.id).limit(due_limit)
    if new_limit is not None:
        # The first few never studied, chosen before the figures are joined: joining them
        # first would join every new question's (missing) figures before the limit.
        first_new = (
            sa.select(Question.id)
            .where(
                Question.set_id.in_(list(set_ids)),
                Question.is_active.is_(True),
                # NOT IN, not NOT EXISTS: PostgreSQL hashes the learner's studied ids once
                # instead of probing the index per question (twice as slow when most of
                # the bank is studied).
                Question.id.not_in(
                    sa.select(QuestionMemory.question_id).where(QuestionMemory.user_id == user.id)
                ),
            )
            .order_by(Question.set_id, Question.position, Question.id)
            .limit(new_limit)
        )
        if topic_ids is not None:
            first_new = first_new.where(Question.topic_id.in_(list(topic_ids)))
        query = query.where(Question.id.in_(first_new.scalar_subquery()))
    return db.session.execute(query).all()


def _moment(epoch: float | None) -> datetime | None:
    # to the millisecond: SQLite's julianday arithmetic is exact to about 20 us only
    return None if epoch is None else datetime.fromtimestamp(round(epoch, 3), UTC)


def _state(row: Row[Any]) -> State | None:
    if row.memory_id is None:
        return None
    due = _moment(row.due_epoch)
    assert due is not None
    return State(
        row.stability,
        row.difficulty,
        row.state,
        row.step,
        due,
        _moment(row.last_review_epoch),
        row.reps,
        row.lapses,
    )


def _bank_arrays(rows: Sequence[Row[Any]]) -> BankArrays:
    n = len(rows)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in _BANK_COLUMNS]

    def floats(name: str) -> FloatArray:
        # None (an outer join's missing row, an unknown time) becomes NaN
        return np.array(columns[_POSITION[name]], dtype=np.float64).reshape(n)

    return BankArrays(
        topic_id=np.array(columns[_POSITION["topic_id"]], dtype=np.int64).reshape(n),
        stability=floats("stability"),
        difficulty=floats("difficulty"),
        # to the millisecond: SQLite's julianday arithmetic is exact to about 20 us only
        last_review=np.round(floats("last_review_epoch"), 3),
        logged=np.array([v is not None for v in columns[_POSITION["item_id"]]], dtype=np.bool_),
        item={name: floats(f"item_{name}") for name in ITEM_COLUMNS},
        default_state=np.column_stack(
            [floats("default_stability"), floats("default_difficulty")]
        ).reshape(n, 2),
        fitted_state=np.column_stack(
            [floats("fitted_stability"), floats("fitted_difficulty")]
        ).reshape(n, 2),
    )


def _weekly_counts(
    user: User, now: datetime
) -> tuple[list[datetime], dict[int, tuple[tuple[int, int], ...]]]:
    """Start of each trend week (local days, the last one ending today) and, per topic,
    (successes, answers) in each."""
    today = local_date(user, now)
    first = today - timedelta(days=7 * TREND_WEEKS - 1)
    midnight = start_of_local_day(user, now)
    starts = [midnight - timedelta(days=7 * TREND_WEEKS - 1 - 7 * i) for i in range(TREND_WEEKS)]
    # Summed per topic and week by the database: a few rows per topic, whatever the activity.
    week = sa.case(
        *(
            (ReviewDay.day >= first + timedelta(days=7 * i), i)
            for i in range(TREND_WEEKS - 1, 0, -1)
        ),
        else_=0,
    )
    rows = db.session.execute(
        sa.select(
            ReviewDay.topic_id,
            week,
            sa.func.sum(ReviewDay.successes),
            sa.func.sum(ReviewDay.answers),
        )
        .where(ReviewDay.user_id == user.id, ReviewDay.day >= first, ReviewDay.day <= today)
        .group_by(ReviewDay.topic_id, week)
    )
    counts: dict[int, list[tuple[int, int]]] = {}
    for topic_id, index, successes, answers in rows:
        weeks = counts.setdefault(topic_id, [(0, 0)] * TREND_WEEKS)
        weeks[int(index)] = (int(successes), int(answers))
    return starts, {t: tuple(w) for t, w in counts.items()}


# Home page figures ------------------------------------------------------------------------


#: How a topic's title names the levels of a hierarchy ("Course / Bio / Cells").
TOPIC_PATH_SEPARATOR = " / "


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
    recall_then: float | None = None  # the studied questions' recall at the horizon
    expected_then: float = 0.0  # the whole topic's at the horizon (studied and estimated)
    horizon: date | None = None  # a week from now, or the learner's exam day
    exam: bool = False
    strength_days: float | None = None  # the studied questions' mean memory stability
    weak_reason: str | None = None
    set_id: int = 0

    @property
    def path(self) -> tuple[str, ...]:
        """The topic's place in its set's hierarchy: a title "Course / Bio / Cells" (as the
        importers write Moodle categories and Anki decks) is three levels."""
        return tuple(part.strip() for part in self.title.split(TOPIC_PATH_SEPARATOR))

    @property
    def name(self) -> str:
        """The topic's own name, the last level of its path."""
        return self.path[-1]

    @property
    def group(self) -> str:
        """The levels above the topic ('' for a topic at the top)."""
        return TOPIC_PATH_SEPARATOR.join(self.path[:-1])

    @property
    def trend_points_a_week(self) -> int | None:
        """The trend in whole percentage points a week (None: under two weeks of answers)."""
        return None if self.trend_slope is None else round(self.trend_slope * 100)


def grouped_by_path(topics: Sequence[TopicView]) -> list[tuple[str, list[TopicView]]]:
    """The topics under the levels above them (each group where its first topic was), so
    that a set imported with nested categories reads as its outline."""
    groups: dict[tuple[str, str], list[TopicView]] = {}
    for topic in topics:
        groups.setdefault((topic.set_title, topic.group), []).append(topic)
    return [(group, members) for (_, group), members in groups.items()]


def topic_views(user: User, now: datetime, set_ids: Sequence[int] | None = None) -> list[TopicView]:
    """Recall now and at the horizon, coverage, estimate, trend, strength and weakness (the
    one definition: ``scheduler.weakness``) of every topic the learner studies."""
    outlooks = topic_outlooks(user, now, set_ids)
    if not outlooks:
        return []
    weak = {w.topic_id: w for w in weak_topics(outlooks)}
    titles = {
        tid: (title, set_title, set_id)
        for tid, title, set_title, set_id in db.session.execute(
            sa.select(Topic.id, Topic.title, QuestionSet.title, QuestionSet.id)
            .join(QuestionSet, QuestionSet.id == Topic.set_id)
            .where(Topic.id.in_([int(o.topic_id) for o in outlooks]))
        )
    }
    views = []
    for o in outlooks:
        s = o.summary
        found = weak.get(o.topic_id)
        views.append(
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
                is_weak=found is not None,
                recall_then=o.recall_then,
                expected_then=o.expected_then,
                horizon=o.horizon,
                exam=o.exam,
                strength_days=o.strength_days,
                weak_reason=found.reason if found else None,
                set_id=titles[int(s.topic_id)][2],
            )
        )
    return views


def topic_summaries(
    user: User, *, now: datetime, set_ids: Sequence[int] | None = None
) -> list[TopicView]:
    """Recall, coverage, estimate, trend and weakness of every topic the learner studies."""
    return topic_views(user, now, set_ids)


def new_started_today(user: User, *, now: datetime) -> int:
    """How many questions the learner answered for the first time today (local day): a range
    of the first answers kept per question."""
    count = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ItemStats)
        .where(ItemStats.user_id == user.id, ItemStats.first_at >= start_of_local_day(user, now))
    )
    return int(count or 0)


def due_counts(
    user: User,
    *,
    now: datetime,
    set_ids: Sequence[int] | None = None,
    unstudied: int | None = None,
    due: int | None = None,
) -> tuple[int, int]:
    """(questions due now, new questions still available today) in ``set_ids`` (the
    learner's sets if None); ``unstudied``: the questions never studied, and ``due``: the
    questions due now, when known (``due_outlook`` counts them)."""
    set_ids = enrolled_set_ids(user) if set_ids is None else set_ids
    if due is None:
        due = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(QuestionMemory)
            .join(Question, Question.id == QuestionMemory.question_id)
            .where(
                QuestionMemory.user_id == user.id,
                QuestionMemory.due <= now,
                not_held(now),
                Question.is_active.is_(True),
                Question.set_id.in_(set_ids),
            )
        )
    if unstudied is None:
        unstudied = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Question)
            .where(
                Question.set_id.in_(set_ids),
                Question.is_active.is_(True),
                # NOT IN, not NOT EXISTS: PostgreSQL hashes the learner's studied ids once
                # instead of probing the index per question (twice as slow when most of
                # the bank is studied).
                Question.id.not_in(
                    sa.select(QuestionMemory.question_id).where(QuestionMemory.user_id == user.id)
                ),
            )
        )
    allowance = max(0, user.new_per_day - new_started_today(user, now=now))
    return int(due or 0), min(int(unstudied or 0), allowance)


def next_due(user: User) -> datetime | None:
    """When the learner's next review falls due (None if nothing is scheduled)."""
    return db.session.scalar(
        sa.select(sa.func.min(QuestionMemory.due))
        .join(Question, Question.id == QuestionMemory.question_id)
        .where(
            QuestionMemory.user_id == user.id,
            QuestionMemory.suspended_at.is_(None),
            Question.is_active.is_(True),
            Question.set_id.in_(enrolled_set_ids(user)),
        )
    )


def due_forecast(
    user: User, *, now: datetime, days: int = 30, set_ids: Sequence[int] | None = None
) -> list[tuple[date, int]]:
    """Reviews falling due on each of the next ``days`` local days (``due_outlook``)."""
    return due_outlook(user, now=now, days=days, set_ids=set_ids)[1]


def due_outlook(
    user: User, *, now: datetime, days: int = 30, set_ids: Sequence[int] | None = None
) -> tuple[int, list[tuple[date, int]]]:
    """The questions due now, and the reviews falling due on each of the next ``days`` local
    days (overdue ones count today), counted together: the home page shows both.

    Counted by the database in 24-hour bins from today's local midnight: after a change of
    daylight saving time within the window, a review due in the hour around midnight may be
    shown on the neighbouring day."""
    set_ids = enrolled_set_ids(user) if set_ids is None else set_ids
    today = local_date(user, now)
    midnight = start_of_local_day(user, now).timestamp()
    bucket = sa.func.floor((epoch_seconds(QuestionMemory.due) - midnight) / 86400.0)
    rows = db.session.execute(
        sa.select(
            bucket,
            sa.func.count(),
            sa.func.count().filter(QuestionMemory.due <= now),
        )
        .join(Question, Question.id == QuestionMemory.question_id)
        .where(
            QuestionMemory.user_id == user.id,
            QuestionMemory.due < start_of_local_day(user, now) + timedelta(days=days),
            not_held(now),
            Question.is_active.is_(True),
            Question.set_id.in_(set_ids),
        )
        .group_by(bucket)
    ).all()
    counts = [0] * days
    due_now = 0
    for index, count, due in rows:
        counts[min(max(int(index), 0), days - 1)] += int(count)
        due_now += int(due)
    return due_now, [(today + timedelta(days=i), counts[i]) for i in range(days)]


@dataclass(frozen=True)
class ReviewCalendar:
    """The learner's days of study: the current streak, and answers per day lately."""

    streak: int  # consecutive local days with an answer, up to today (or yesterday)
    days: list[tuple[date, int]]  # answers on each of the last days, oldest first


def review_calendar(user: User, *, now: datetime, days: int = 182) -> ReviewCalendar:
    """The streak and the last ``days`` local days' answers.

    One read of the window's study days, which gives the streak too unless it reaches back to
    the window's first day; only then are older days read (the latest ``STREAK_LIMIT``). A
    learner of years reads the same few rows as one of weeks."""
    today = local_date(user, now)
    first = today - timedelta(days=max(days, 2) - 1)  # the streak may end yesterday
    rows = db.session.execute(
        sa.select(StudyDay.day, StudyDay.answers).where(
            StudyDay.user_id == user.id, StudyDay.day >= first
        )
    ).all()
    counts = {day: int(answers) for day, answers in rows}
    day = today if today in counts else today - timedelta(days=1)
    streak = 0
    while day in counts:
        streak += 1
        day -= timedelta(days=1)
    if day < first:  # every day of the window was a study day: count on into the past
        older = set(
            db.session.scalars(
                sa.select(StudyDay.day)
                .where(StudyDay.user_id == user.id, StudyDay.day < first)
                .order_by(StudyDay.day.desc())
                .limit(STREAK_LIMIT)
            )
        )
        while day in older:
            streak += 1
            day -= timedelta(days=1)
    start = today - timedelta(days=days - 1)
    return ReviewCalendar(
        streak,
        [
            (start + timedelta(days=i), counts.get(start + timedelta(days=i), 0))
            for i in range(days)
        ],
    )


def review_heatmap(user: User, *, now: datetime, days: int = 182) -> list[tuple[date, int]]:
    """Answers given on each of the last ``days`` local days, oldest first."""
    return review_calendar(user, now=now, days=days).days


def day_streak(user: User, *, now: datetime) -> int:
    """Consecutive local days with at least one answer, up to today (or yesterday)."""
    return review_calendar(user, now=now, days=1).streak
