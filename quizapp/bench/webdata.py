"""The data of ``python -m quizapp.bench web``: learners, classes and a review history to serve.

Built in its own database, in this order (``build_data``):

1. the schema, by the Alembic migrations;
2. the bundled bank (as ``flask --app quizapp init`` loads it) and ``generated_sets`` generated
   sets of ``questions_per_set`` questions (true/false, single choice, short answer, numeric, on
   a generated document, ``topics_per_set`` topics each), loaded by the bank's own loader;
3. the accounts, all with one password (``PASSWORD``, hashed once): ``learners`` learners, among
   them ``LARGE_EMAIL`` and ``SMALL_EMAIL`` (``heavy_reviews`` answers over every set), and an
   instructor (``INSTRUCTOR_EMAIL``) owning three classes of ``class_sizes`` learners, each
   assigned the bundled set; every learner is enrolled in the sets they study;
4. ``reviews`` answers in total: each learner's history is simulated day by day (sittings at a
   habitual hour, due questions first, a few new ones a day, learning steps within the sitting,
   mostly correct answers as likely as the predicted recall) with the app's own scheduler
   (``quizapp.scheduler.review``), so every review row carries the rating, state before and
   response the app would have written and every memory state is the one the last answer left;
   the simulation runs in ``processes`` processes, rows go in by COPY on PostgreSQL and by
   executemany on SQLite.

``compute_figures`` then has the app rebuild every learner's stored figures from the log and fit
the recall model of the heavy learners.
"""

from __future__ import annotations

import heapq
import json
import multiprocessing
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Flask

from quizapp import create_app
from quizapp.auth.passwords import hash_password
from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc
from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.db import Base, utcnow
from quizapp.extensions import db
from quizapp.grading.base import Grade
from quizapp.grading.registry import get_type, guess_options
from quizapp.learners.fitting import fit_and_store
from quizapp.learners.models import LearnerStats
from quizapp.learners.rebuild import learners_with_history, rebuild_learners
from quizapp.models import Enrollment, Question, QuestionMemory, QuestionSet, ReviewLog, Role, User
from quizapp.scheduler import Evidence, recall_probability, review
from quizapp.scheduler import MemoryState as State
from quizapp.scheduler.state import REVIEW
from quizapp.sets.loader import load_bundled_bank, load_set

__all__ = [
    "INSTRUCTOR_EMAIL",
    "LARGE_EMAIL",
    "PASSWORD",
    "SMALL_EMAIL",
    "BenchData",
    "BuildConfig",
    "BuildReport",
    "DataExistsError",
    "FiguresReport",
    "LearnerPlan",
    "SimAnswer",
    "SimQuestion",
    "answer_variants",
    "bench_app",
    "build_data",
    "compute_figures",
    "figures_stored",
    "find_bench_data",
    "generated_set",
    "question_specs",
    "simulate_learner",
]

PASSWORD = "bench-password-1"
DOMAIN = "bench.example"
LARGE_EMAIL = f"large@{DOMAIN}"
SMALL_EMAIL = f"small@{DOMAIN}"
INSTRUCTOR_EMAIL = f"instructor@{DOMAIN}"
CLASS_TITLES = ("Bench class", "Bench class (small)", "Bench class (huge)")

_ORIGIN = datetime(2020, 1, 1, tzinfo=UTC)
_SITTING_GAP = timedelta(minutes=20)  # a learning step due this soon is waited for
_MAX_DAYS = 5_000
_CHUNK_REVIEWS = 40_000


@dataclass(frozen=True)
class BuildConfig:
    """What to build; the defaults are the full benchmark (``scaled`` shrinks it).

    Attributes:
        learners: learner accounts, the two heavy learners included.
        reviews: answers in total.
        heavy_reviews: answers of ``LARGE_EMAIL`` and of ``SMALL_EMAIL``.
        class_sizes: members of the measured class, the small class and the huge class.
        generated_sets: generated question sets besides the bundled bank.
        questions_per_set: questions of each generated set.
        topics_per_set: topics of each generated set.
        processes: processes simulating histories (1: in this process).
        seed: seed of everything random.
    """

    learners: int = 10_000
    reviews: int = 2_000_000
    heavy_reviews: tuple[int, int] = (50_000, 5_000)
    class_sizes: tuple[int, int, int] = (500, 50, 5_000)
    generated_sets: int = 5
    questions_per_set: int = 1_000
    topics_per_set: int = 10
    processes: int = 2
    seed: int = 1

    def scaled(self, factor: float) -> BuildConfig:
        """The same build with every count multiplied by ``factor`` (and kept usable)."""

        def times(n: int, least: int) -> int:
            return max(least, round(n * factor))

        learners = times(self.learners, 10)
        sizes = tuple(times(n, 2) for n in self.class_sizes)
        return replace(
            self,
            learners=learners,
            reviews=times(self.reviews, 200),
            heavy_reviews=(times(self.heavy_reviews[0], 50), times(self.heavy_reviews[1], 10)),
            class_sizes=(sizes[0], sizes[1], sizes[2]),
            questions_per_set=times(self.questions_per_set, 4 * self.topics_per_set),
        )

    def __post_init__(self) -> None:
        ordinary = self.learners - 2
        if ordinary < 1 or sum(self.class_sizes) > ordinary:
            raise ValueError("the classes need more learners than there are")
        if self.reviews < sum(self.heavy_reviews) + ordinary:
            raise ValueError("too few reviews for this many learners")
        if self.questions_per_set < 4 * self.topics_per_set:
            raise ValueError("a generated set needs at least 4 questions per topic")


# Generated question sets --------------------------------------------------------------------

_TOPIC_NAMES = (
    "Alloys",
    "Bridges",
    "Canals",
    "Dams",
    "Engines",
    "Furnaces",
    "Gears",
    "Harbours",
    "Irrigation",
    "Joinery",
    "Kilns",
    "Lighthouses",
)
_ROOMS = ("amber", "cobalt", "crimson", "indigo", "ivory", "olive", "saffron", "teal")
_GENERATED_TYPES = ("true_false", "single_choice", "short_answer", "numeric")


def _question(
    set_no: int, number: int, topic: TopicDoc, grams: int, room: str, rng: random.Random
) -> tuple[str, QuestionDoc]:
    """One generated question about one specimen, and the sentence of the document it rests on."""
    name = f"specimen {set_no}.{number}"
    fact = f"The {name} weighs {grams} grams and is kept in the {room} room."
    qtype = _GENERATED_TYPES[number % len(_GENERATED_TYPES)]
    spec: dict[str, Any]
    if qtype == "true_false":
        truth = rng.random() < 0.5
        said = grams if truth else grams + rng.choice((-7, -3, 4, 9))
        prompt = f"True or false: the {name} weighs {said} grams."
        spec = {"answer": truth}
    elif qtype == "single_choice":
        prompt = f"How much does the {name} weigh?"
        values = [grams, grams + 5, grams + 11, grams - 6]
        rng.shuffle(values)
        spec = {"choices": [{"text": f"{v} grams", "correct": v == grams} for v in values]}
    elif qtype == "short_answer":
        prompt = f"In which room is the {name} kept?"
        spec = {"answers": [room]}
    else:
        prompt = f"How many grams does the {name} weigh?"
        spec = {"answer": grams, "unit": "g"}
    question = QuestionDoc(
        id=f"q{number:05d}",
        topic=topic.id,
        type=qtype,
        prompt=prompt,
        spec=spec,
        explanation=f"The document says that the {name} weighs {grams} grams, in the {room} room.",
        source=SourceRef(topic.section, fact),
    )
    return fact, question


def generated_set(set_no: int, questions: int, topics: int, seed: int = 0) -> SetDoc:
    """A valid question set of ``questions`` questions over ``topics`` topics (pure).

    The document has one section per topic, one sentence per question; each question quotes
    its sentence. Types cycle through true/false, single choice, short answer and numeric.
    """
    rng = random.Random(f"{seed}:{set_no}")
    topic_docs = tuple(
        TopicDoc(
            id=f"t{k + 1:02d}",
            title=f"{_TOPIC_NAMES[k % len(_TOPIC_NAMES)]} {k // len(_TOPIC_NAMES) + 1}",
            section=f"Part {k + 1}: {_TOPIC_NAMES[k % len(_TOPIC_NAMES)]}",
        )
        for k in range(topics)
    )
    lines: list[str] = []
    docs: list[QuestionDoc] = []
    per_topic = -(-questions // topics)
    for k, topic in enumerate(topic_docs):
        lines += ["", topic.section]
        for number in range(k * per_topic + 1, min(questions, (k + 1) * per_topic) + 1):
            fact, question = _question(
                set_no, number, topic, rng.randrange(20, 990), rng.choice(_ROOMS), rng
            )
            lines.append(fact)
            docs.append(question)
    return SetDoc(
        id=f"bench-generated-{set_no}",
        title=f"Generated set {set_no}",
        description="Questions generated for the web benchmark.",
        version="1",
        source=SourceDoc(title=f"Specimen register {set_no}", text="\n".join(lines) + "\n"),
        topics=topic_docs,
        questions=tuple(docs),
    )


# Responses ----------------------------------------------------------------------------------


def answer_variants(qtype: str, spec: Mapping[str, Any]) -> list[tuple[object, Grade]]:
    """The correct response and a few wrong or partly right ones, each with its grade.

    Graded by the app's own grader, so score and outcome always agree with the response.
    """
    grader = get_type(qtype)
    graded = [
        (r, grader.grade(spec, r)) for r in grader.sample_responses(spec) if r not in ([], "")
    ]
    if not graded or graded[0][1].score < 1.0:
        raise ValueError(f"no correct response found for a {qtype} question")
    seen: set[str] = set()
    out = [graded[0]]
    for response, grade in graded[1:]:
        key = json.dumps(response)
        if grade.score < 1.0 and key not in seen:
            seen.add(key)
            out.append((response, grade))
    if len(out) == 1:
        raise ValueError(f"no wrong response found for a {qtype} question")
    return out


# Simulated histories ------------------------------------------------------------------------


@dataclass(frozen=True)
class SimAnswer:
    """One response a learner may give: JSON text, score and outcome."""

    response: str
    score: float
    outcome: str


@dataclass(frozen=True)
class SimQuestion:
    """A question as the simulation needs it; ``answers[0]`` is the correct response."""

    id: int
    topic_id: int
    options: int | None
    answers: tuple[SimAnswer, ...]

    @property
    def chance(self) -> float:
        return 0.0 if self.options is None else 1.0 / self.options


@dataclass(frozen=True)
class LearnerPlan:
    """How one learner studies: which questions (in bank order), how much and how well.

    ``end`` is the latest the history may end; it is shifted by whole days to end there.
    """

    user_id: int
    question_ids: tuple[int, ...]
    reviews: int
    seed: int
    end: datetime
    new_per_day: int = 10
    daily_cap: int = 80
    study_probability: float = 0.7
    hour: float = 19.0
    ability: float = 1.0


ReviewRow = tuple[int, int, datetime, str, str, float, int, int, int, str | None]
"""user_id, question_id, reviewed_at, response, outcome, score, rating, auto_rating,
duration_ms, state_before (JSON)."""
StateRow = tuple[
    int, int, int, float | None, float | None, int, int | None, datetime, datetime | None, int, int
]
"""user_id, question_id, topic_id, stability, difficulty, state, step, due, last_review, reps,
lapses."""


@dataclass
class SimResult:
    reviews: list[ReviewRow] = field(default_factory=list)
    states: list[StateRow] = field(default_factory=list)


def _shifted(state: State, shift: timedelta) -> State:
    last = state.last_review
    return replace(state, due=state.due + shift, last_review=None if last is None else last + shift)


def _shifted_json(state: State, shift: timedelta) -> str:
    """``_shifted(state, shift).to_json_dict()`` as JSON text, without validating it again."""
    out = state.to_json_dict()
    out["due"] = (state.due + shift).isoformat()
    if state.last_review is not None:
        out["last_review"] = (state.last_review + shift).isoformat()
    return json.dumps(out)


def _known(state: State | None, now: datetime, plan: LearnerPlan) -> float:
    """Probability that the learner knows the answer (before any guessing)."""
    if state is None:
        return min(0.9, 0.55 * plan.ability)
    if state.state != REVIEW:
        return 0.9  # within the learning steps of the same sitting
    return float(recall_probability(state, now) ** (1.0 / plan.ability))


class _Learner:
    """The running simulation of one learner."""

    def __init__(self, plan: LearnerPlan, bank: Mapping[int, SimQuestion]) -> None:
        self.plan = plan
        self.bank = bank
        self.rng = random.Random(plan.seed)
        self.states: dict[int, State] = {}
        self.due: list[tuple[datetime, int]] = []
        self.new = iter(plan.question_ids)
        self.answers: list[tuple[int, datetime, SimAnswer, int, int, int, State | None]] = []

    @property
    def done(self) -> bool:
        return len(self.answers) >= self.plan.reviews

    def answer(self, qid: int, now: datetime) -> datetime:
        question = self.bank[qid]
        before = self.states.get(qid)
        known = _known(before, now, self.plan)
        right = self.rng.random() < question.chance + (1.0 - question.chance) * known
        given = question.answers[0] if right else self.rng.choice(question.answers[1:])
        duration = int(min(120_000, max(1_500, self.rng.lognormvariate(9.1, 0.6))))
        evidence = Evidence(given.score, duration, question.options)
        state, entry = review(before, evidence, now)
        self.states[qid] = state
        heapq.heappush(self.due, (state.due, qid))
        self.answers.append((qid, now, given, entry.rating, entry.auto_rating, duration, before))
        return now + timedelta(milliseconds=duration + self.rng.randrange(1_000, 6_000))

    def sitting(self, start: datetime) -> None:
        now, new_left, count = start, self.plan.new_per_day, 0
        while count < self.plan.daily_cap and not self.done:
            if self.due and self.due[0][0] <= now:
                qid = heapq.heappop(self.due)[1]
            elif new_left > 0 and (fresh := next(self.new, None)) is not None:
                qid, new_left = fresh, new_left - 1
            elif self.due and self.due[0][0] <= now + _SITTING_GAP:
                now = self.due[0][0]
                continue
            else:
                break
            now = self.answer(qid, now)
            count += 1

    def run(self) -> None:
        for day in range(_MAX_DAYS):
            if self.done or (not self.due and not self.plan.question_ids):
                break
            if self.rng.random() < self.plan.study_probability:
                hour = min(23.5, max(0.0, self.plan.hour + self.rng.uniform(-1.5, 1.5)))
                self.sitting(_ORIGIN + timedelta(days=day, hours=hour))

    def rows(self) -> SimResult:
        """The review and memory-state rows, moved by whole days to end by ``plan.end``."""
        if not self.answers:
            return SimResult()
        shift = timedelta(days=(self.plan.end - self.answers[-1][1]).days)
        uid = self.plan.user_id
        result = SimResult()
        for qid, at, given, rating, auto, duration, before in self.answers:
            state_json = None if before is None else _shifted_json(before, shift)
            result.reviews.append(
                (
                    uid,
                    qid,
                    at + shift,
                    given.response,
                    given.outcome,
                    given.score,
                    rating,
                    auto,
                    duration,
                    state_json,
                )
            )
        for qid, state in self.states.items():
            s = _shifted(state, shift)
            result.states.append(
                (
                    uid,
                    qid,
                    self.bank[qid].topic_id,
                    s.stability,
                    s.difficulty,
                    s.state,
                    s.step,
                    s.due,
                    s.last_review,
                    s.reps,
                    s.lapses,
                )
            )
        return result


def simulate_learner(plan: LearnerPlan, bank: Mapping[int, SimQuestion]) -> SimResult:
    """Simulate one learner's answers with the app's scheduler (deterministic for a seed)."""
    learner = _Learner(plan, bank)
    learner.run()
    return learner.rows()


_WORKER_BANK: dict[int, SimQuestion] = {}


def _init_worker(bank: dict[int, SimQuestion]) -> None:
    _WORKER_BANK.clear()
    _WORKER_BANK.update(bank)


def _simulate_chunk(plans: Sequence[LearnerPlan]) -> SimResult:
    out = SimResult()
    for plan in plans:
        result = simulate_learner(plan, _WORKER_BANK)
        out.reviews += result.reviews
        out.states += result.states
    return out


def _simulate_all(
    plans: Sequence[LearnerPlan], bank: dict[int, SimQuestion], processes: int
) -> Iterator[SimResult]:
    """Simulate every plan, in chunks of about ``_CHUNK_REVIEWS`` answers, as they finish."""
    chunks: list[list[LearnerPlan]] = [[]]
    size = 0
    for plan in sorted(plans, key=lambda p: -p.reviews):
        if size >= _CHUNK_REVIEWS:
            chunks.append([])
            size = 0
        chunks[-1].append(plan)
        size += plan.reviews
    if processes <= 1:
        _init_worker(bank)
        yield from map(_simulate_chunk, chunks)
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes, initializer=_init_worker, initargs=(bank,)) as pool:
        yield from pool.imap_unordered(_simulate_chunk, chunks)


# Writing rows -------------------------------------------------------------------------------


class _Writer(Protocol):
    def __call__(self, table: sa.Table, columns: Sequence[str], rows: Sequence[Any]) -> None: ...


def _copy_writer(table: sa.Table, columns: Sequence[str], rows: Sequence[Any]) -> None:
    """PostgreSQL: COPY the rows in (JSON columns as JSON text), in the session's transaction."""
    driver = db.session.connection().connection.driver_connection
    assert driver is not None
    names = ", ".join(f'"{c}"' for c in columns)
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:
        for row in rows:
            cp.write_row(row)


def _insert_writer(table: sa.Table, columns: Sequence[str], rows: Sequence[Any]) -> None:
    """Other databases: executemany through the models' column types."""
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    decode = [name in json_columns for name in columns]
    for start in range(0, len(rows), 20_000):
        batch = [
            {
                name: json.loads(value) if is_json and isinstance(value, str) else value
                for name, value, is_json in zip(columns, row, decode, strict=True)
            }
            for row in rows[start : start + 20_000]
        ]
        db.session.execute(sa.insert(table), batch)


def _table(model: type[Base]) -> sa.Table:
    return Base.metadata.tables[model.__tablename__]


def _writer() -> _Writer:
    return _copy_writer if db.engine.dialect.name == "postgresql" else _insert_writer


REVIEW_COLUMNS = (
    "user_id",
    "question_id",
    "reviewed_at",
    "response",
    "outcome",
    "score",
    "rating",
    "auto_rating",
    "duration_ms",
    "state_before",
)
STATE_COLUMNS = (
    "user_id",
    "question_id",
    "topic_id",
    "stability",
    "difficulty",
    "state",
    "step",
    "due",
    "last_review",
    "reps",
    "lapses",
)


# Building -----------------------------------------------------------------------------------


class DataExistsError(RuntimeError):
    """The database already has accounts: the benchmark will not write into it."""


@dataclass(frozen=True)
class BenchData:
    """Who and what the measurements use (ids in the benchmark database)."""

    large_user: int
    small_user: int
    instructor: int
    classes: tuple[int, int, int]
    typical_emails: tuple[str, ...]
    class_sizes: tuple[int, int, int]
    heavy_reviews: tuple[int, int]


@dataclass(frozen=True)
class BuildReport:
    seconds: dict[str, float]
    counts: dict[str, int]

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def bench_app(url: str) -> Flask:
    """The app on the benchmark database (for building, not serving)."""
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-build"})


@contextmanager
def bench_context(url: str) -> Iterator[Flask]:
    """An app context on the benchmark database; its connections are closed at the end."""
    app = bench_app(url)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def _user_count() -> int | None:
    """Accounts in the database, None if it has no users table yet."""
    if not sa.inspect(db.engine).has_table(User.__tablename__):
        return None
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(User)) or 0)


def _load_sets(config: BuildConfig) -> list[int]:
    """Load the bundled bank and the generated sets; return their set ids, bundled first."""
    reports = load_bundled_bank()
    uids = [r.set_id for r in reports]
    for n in range(1, config.generated_sets + 1):
        doc = generated_set(n, config.questions_per_set, config.topics_per_set, config.seed)
        load_set(doc)
        uids.append(doc.id)
    db.session.commit()
    ids = _pairs(sa.select(QuestionSet.uid, QuestionSet.id))
    return [ids[uid] for uid in uids]


def _bank(set_ids: Sequence[int]) -> tuple[dict[int, SimQuestion], dict[int, list[int]]]:
    """The questions as the simulation sees them, and each set's question ids in bank order."""
    rows = db.session.execute(
        sa.select(Question.id, Question.set_id, Question.topic_id, Question.qtype, Question.spec)
        .where(Question.set_id.in_(set_ids), Question.is_active.is_(True))
        .order_by(Question.set_id, Question.position, Question.id)
    )
    bank: dict[int, SimQuestion] = {}
    order: dict[int, list[int]] = {i: [] for i in set_ids}
    for qid, set_id, topic_id, qtype, spec in rows:
        answers = tuple(
            SimAnswer(json.dumps(response), grade.score, grade.outcome)
            for response, grade in answer_variants(qtype, spec)
        )
        bank[qid] = SimQuestion(qid, topic_id, guess_options(qtype, spec), answers)
        order[set_id].append(qid)
    return bank, order


def _ordinary_reviews(config: BuildConfig, rng: random.Random) -> list[int]:
    """Answers per ordinary learner: skewed (a few keen ones), at least 1, summing exactly."""
    count = config.learners - 2
    total = config.reviews - sum(config.heavy_reviews)
    weights = [rng.lognormvariate(0.0, 0.9) for _ in range(count)]
    raw = [w * total / sum(weights) for w in weights]
    out = [max(1, int(r)) for r in raw]
    gap = total - sum(out)
    # Round to the exact total: add to the largest remainders, take from the largest counts.
    order = sorted(range(count), key=lambda i: raw[i] - int(raw[i]) if gap > 0 else out[i])
    step = 0
    while gap != 0:
        i = order[-1 - step % count]
        step += 1
        if gap > 0:
            out[i], gap = out[i] + 1, gap - 1
        elif out[i] > 1:
            out[i], gap = out[i] - 1, gap + 1
    return out


def _plans(
    config: BuildConfig,
    users: Sequence[int],
    set_order: Mapping[int, list[int]],
    set_ids: Sequence[int],
    now: datetime,
) -> tuple[list[LearnerPlan], list[tuple[int, int]]]:
    """Every learner's plan and enrolments. ``users``: the large, the small, then the others."""
    rng = random.Random(config.seed)
    bundled, generated = set_ids[0], list(set_ids[1:])
    everything = tuple(q for s in set_ids for q in set_order[s])
    plans: list[LearnerPlan] = []
    enrollments: list[tuple[int, int]] = []
    for user, reviews in zip(users[:2], config.heavy_reviews, strict=True):
        plans.append(
            LearnerPlan(
                user,
                everything,
                reviews,
                rng.randrange(2**31),
                now - timedelta(days=5),
                new_per_day=15,
                daily_cap=400,
                study_probability=0.9,
                hour=18.5,
            )
        )
        enrollments += [(user, s) for s in set_ids]
    for i, (user, reviews) in enumerate(
        zip(users[2:], _ordinary_reviews(config, rng), strict=True)
    ):
        sets = [bundled]
        # Keen learners study more sets: about six answers per question studied at most.
        if generated and (i % 3 or reviews > 6 * len(set_order[bundled])):
            sets.append(generated[i % len(generated)])
        if reviews > 6 * sum(len(set_order[s]) for s in sets):
            sets = list(set_ids)
        enrollments += [(user, s) for s in sets]
        plans.append(
            LearnerPlan(
                user,
                tuple(q for s in sets for q in set_order[s]),
                reviews,
                rng.randrange(2**31),
                now - timedelta(days=min(120.0, rng.expovariate(1 / 12))),
                new_per_day=rng.choice((3, 5, 8, 10, 15)),
                daily_cap=rng.randrange(40, 160),
                study_probability=rng.uniform(0.3, 0.85),
                hour=rng.uniform(7.0, 22.0),
                ability=rng.lognormvariate(0.0, 0.25),
            )
        )
    return plans, enrollments


def _accounts(config: BuildConfig, now: datetime) -> dict[str, int]:
    """Create every account; return their ids by e-mail."""
    password_hash = hash_password(PASSWORD)
    created = now - timedelta(days=5 * 365)
    rows = [
        (LARGE_EMAIL, "Large Learner", Role.LEARNER.value),
        (SMALL_EMAIL, "Small Learner", Role.LEARNER.value),
        (INSTRUCTOR_EMAIL, "Bench Instructor", Role.INSTRUCTOR.value),
    ] + [
        (f"learner{i:05d}@{DOMAIN}", f"Learner {i:05d}", Role.LEARNER.value)
        for i in range(1, config.learners - 1)
    ]
    _writer()(
        _table(User),
        (
            "email",
            "display_name",
            "password_hash",
            "role",
            "created_at",
            "target_retention",
            "new_per_day",
            "timezone",
        ),
        [(email, name, password_hash, role, created, 0.9, 20, "UTC") for email, name, role in rows],
    )
    return _pairs(sa.select(User.email, User.id))


def _courses(
    config: BuildConfig, instructor: int, members: Sequence[int], bundled: int, now: datetime
) -> tuple[int, int, int]:
    """The three classes (members taken in order from ``members``), assigned the bundled set."""
    from quizapp.courses.services import new_join_code

    ids: list[int] = []
    rows: list[tuple[int, int, datetime]] = []
    start = 0
    for title, size in zip(CLASS_TITLES, config.class_sizes, strict=True):
        course = Course(owner_id=instructor, title=title, join_code=new_join_code())
        db.session.add(course)
        db.session.flush()
        db.session.add(CourseSet(course_id=course.id, set_id=bundled))
        rows += [(course.id, user, now) for user in members[start : start + size]]
        start += size
        ids.append(course.id)
    _writer()(_table(CourseMember), ("course_id", "user_id", "joined_at"), rows)
    return ids[0], ids[1], ids[2]


def _timed(seconds: dict[str, float], name: str, log: Callable[[str], None]) -> Callable[[], None]:
    start = time.perf_counter()

    def done() -> None:
        seconds[name] = time.perf_counter() - start
        log(f"  {name}: {seconds[name]:.1f} s")

    return done


def build_data(url: str, config: BuildConfig, log: Callable[[str], None]) -> BuildReport:
    """Build the benchmark's data in the (empty) database at ``url``.

    Raises:
        DataExistsError: the database already has accounts; nothing was written.
    """
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    now = utcnow().replace(microsecond=0)
    with bench_context(url):
        if _user_count():
            raise DataExistsError(
                "the database already has accounts: the web benchmark builds its data only in "
                "an empty database (pass --reuse to measure data it built before)"
            )
        from flask_migrate import upgrade

        done = _timed(seconds, "schema", log)
        upgrade()
        done()
        done = _timed(seconds, "question sets", log)
        set_ids = _load_sets(config)
        bank, set_order = _bank(set_ids)
        counts["questions"] = len(bank)
        done()

        done = _timed(seconds, "accounts, enrolments, classes", log)
        ids = _accounts(config, now)
        others = sorted(v for k, v in ids.items() if k.startswith("learner"))
        users = [ids[LARGE_EMAIL], ids[SMALL_EMAIL], *others]
        plans, enrollments = _plans(config, users, set_order, set_ids, now)
        _writer()(
            _table(Enrollment),
            ("user_id", "set_id", "joined_at"),
            [(u, s, now - timedelta(days=5 * 365)) for u, s in enrollments],
        )
        _courses(config, ids[INSTRUCTOR_EMAIL], others, set_ids[0], now)
        db.session.commit()
        counts["learners"] = len(users)
        counts["enrollments"] = len(enrollments)
        done()

        done = _timed(seconds, "simulated reviews", log)
        db.engine.dispose()  # no connection crosses into the simulating processes
        write = _writer()
        reviews = states = 0
        started = time.perf_counter()
        next_report = 0.0
        for result in _simulate_all(plans, bank, config.processes):
            write(_table(ReviewLog), REVIEW_COLUMNS, result.reviews)
            write(_table(QuestionMemory), STATE_COLUMNS, result.states)
            db.session.commit()
            reviews += len(result.reviews)
            states += len(result.states)
            if reviews / config.reviews >= next_report or reviews == config.reviews:
                elapsed = time.perf_counter() - started
                log(f"    reviews {reviews:,}/{config.reviews:,}  ({elapsed:.0f} s)")
                next_report += 0.1
        counts["reviews"] = reviews
        counts["memory_states"] = states
        done()

        done = _timed(seconds, "analyze", log)
        _analyze()
        done()
    return BuildReport(seconds, counts)


def _analyze() -> None:
    """Refresh the planner's statistics (and PostgreSQL's visibility map) after bulk loading."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM (ANALYZE)"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def _pairs(query: sa.Select[Any, Any]) -> dict[Any, Any]:
    """The rows of a two-column query as a dict."""
    return dict(db.session.execute(query).all())


def find_bench_data(url: str) -> BenchData:
    """The accounts and classes a previous build left in the database at ``url``.

    Raises:
        LookupError: the database holds no (complete) benchmark data.
    """
    with bench_context(url):
        from flask_migrate import upgrade

        if _user_count() is None:
            raise LookupError("the database has no benchmark data (no users table)")
        upgrade()  # the app serves the latest schema
        ids = _pairs(
            sa.select(User.email, User.id).where(
                User.email.in_([LARGE_EMAIL, SMALL_EMAIL, INSTRUCTOR_EMAIL])
            )
        )
        by_title = _pairs(
            sa.select(Course.title, Course.id).where(
                Course.owner_id == ids.get(INSTRUCTOR_EMAIL, -1)
            )
        )
        if len(ids) < 3 or any(t not in by_title for t in CLASS_TITLES):
            raise LookupError("the database has no complete benchmark data (accounts missing)")
        typical = list(
            db.session.scalars(
                sa.select(User.email)
                .join(CourseMember, CourseMember.user_id == User.id)
                .where(CourseMember.course_id == by_title[CLASS_TITLES[0]])
                .order_by(User.id)
                .limit(16)
            )
        )
        classes = (by_title[CLASS_TITLES[0]], by_title[CLASS_TITLES[1]], by_title[CLASS_TITLES[2]])
        members = _pairs(
            sa.select(CourseMember.course_id, sa.func.count())
            .where(CourseMember.course_id.in_(classes))
            .group_by(CourseMember.course_id)
        )
        answers = _pairs(
            sa.select(ReviewLog.user_id, sa.func.count())
            .where(ReviewLog.user_id.in_([ids[LARGE_EMAIL], ids[SMALL_EMAIL]]))
            .group_by(ReviewLog.user_id)
        )
    return BenchData(
        ids[LARGE_EMAIL],
        ids[SMALL_EMAIL],
        ids[INSTRUCTOR_EMAIL],
        classes,
        tuple(typical),
        (members.get(classes[0], 0), members.get(classes[1], 0), members.get(classes[2], 0)),
        (answers.get(ids[LARGE_EMAIL], 0), answers.get(ids[SMALL_EMAIL], 0)),
    )


def question_specs(url: str) -> dict[int, tuple[str, dict[str, Any]]]:
    """Type and spec of every active question, by id (to answer them as a learner would)."""
    with bench_context(url):
        rows = db.session.execute(
            sa.select(Question.id, Question.qtype, Question.spec).where(
                Question.is_active.is_(True)
            )
        )
        specs = {qid: (qtype, dict(spec)) for qid, qtype, spec in rows}
    return specs


# The stored figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class FiguresReport:
    """What ``compute_figures`` did: seconds per step, learners rebuilt, models stored."""

    seconds: dict[str, float]
    rebuilt: int
    fitted: dict[int, bool]


_WORKER_APP: list[Flask] = []


def _init_figures_worker(url: str) -> None:
    app = bench_app(url)
    app.app_context().push()
    _WORKER_APP.append(app)


def _rebuild_batch(user_ids: Sequence[int]) -> int:
    count = rebuild_learners(user_ids)
    db.session.commit()
    return count


def _rebuild_all(url: str, processes: int, log: Callable[[str], None]) -> int:
    """Rebuild every learner's figures, in batches, in ``processes`` processes."""
    ids = learners_with_history()
    db.session.remove()
    db.engine.dispose()
    batches = [ids[i :: max(1, len(ids) // 100)] for i in range(max(1, len(ids) // 100))]
    done = 0
    started = time.perf_counter()
    next_report = 0.0
    if processes <= 1:
        results: Iterable[int] = map(_rebuild_batch, batches)
        pool = None
    else:
        context = multiprocessing.get_context("spawn")
        pool = context.Pool(processes, initializer=_init_figures_worker, initargs=(url,))
        results = pool.imap_unordered(_rebuild_batch, batches)
    try:
        for count in results:
            done += count
            if done / max(1, len(ids)) >= next_report:
                elapsed = time.perf_counter() - started
                log(f"    learners {done:,}/{len(ids):,}  ({elapsed:.0f} s)")
                next_report += 0.1
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    return done


def _most_reviews(limit: int, skip: Sequence[int]) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(ReviewLog.user_id)
            .where(ReviewLog.user_id.not_in(skip))
            .group_by(ReviewLog.user_id)
            .order_by(sa.func.count().desc(), ReviewLog.user_id)
            .limit(limit)
        )
    )


def figures_stored(url: str) -> bool:
    """Whether the learners' stored figures have been computed in the database at ``url``."""
    with bench_context(url):
        stored = db.session.scalar(sa.select(LearnerStats.user_id).limit(1)) is not None
    return stored


def compute_figures(
    url: str,
    fit_first: Sequence[int],
    *,
    fit_others: int,
    fit_budget_seconds: float,
    processes: int,
    log: Callable[[str], None],
) -> FiguresReport:
    """Have the app rebuild every learner's stored figures from the log, then fit models.

    The models of ``fit_first`` are always fitted; then those of up to ``fit_others`` of the
    learners with the most answers, while fitting them takes under ``fit_budget_seconds``.
    """
    seconds: dict[str, float] = {}
    fitted: dict[int, bool] = {}
    with bench_context(url):
        done = _timed(seconds, "rebuild learners' figures", log)
        rebuilt = _rebuild_all(url, processes, log)
        done()
        now = utcnow()
        for user_id in fit_first:
            done = _timed(seconds, f"fit the model of user {user_id}", log)
            fitted[user_id] = fit_and_store(user_id, now)
            db.session.commit()
            done()
        done = _timed(seconds, "fit other models", log)
        start = time.perf_counter()
        for user_id in _most_reviews(fit_others, fit_first):
            if time.perf_counter() - start > fit_budget_seconds:
                break
            fitted[user_id] = fit_and_store(user_id, now)
            db.session.commit()
        done()
        log(f"    {sum(fitted.values())} models stored")
        done = _timed(seconds, "analyze", log)
        _analyze()
        done()
    return FiguresReport(seconds, rebuilt, fitted)
