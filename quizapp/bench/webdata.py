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

The parts: ``webconfig`` (the sizes and accounts), ``websets`` (the generated sets),
``webhistory`` (the simulated histories), ``webdb`` (the database, bulk writing) and
``webfigures`` (the stored figures).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from quizapp.bench.webconfig import (
    CLASS_TITLES,
    DOMAIN,
    INSTRUCTOR_EMAIL,
    LARGE_EMAIL,
    SMALL_EMAIL,
    BuildConfig,
)
from quizapp.bench.webdb import (
    REVIEW_COLUMNS,
    STATE_COLUMNS,
    analyze,
    bench_context,
    bulk_writer,
    insert_accounts,
    pairs,
    table_of,
    timed,
    user_count,
)
from quizapp.bench.webhistory import SimAnswer, SimQuestion, learner_plans, simulate_all
from quizapp.bench.websets import generated_set
from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.grading.base import Grade
from quizapp.grading.registry import get_type, guess_options
from quizapp.models import Enrollment, Question, QuestionMemory, QuestionSet, ReviewLog, Role, User
from quizapp.sets.loader import load_bundled_bank, load_set

__all__ = [
    "BenchData",
    "BuildReport",
    "DataExistsError",
    "answer_variants",
    "build_data",
    "find_bench_data",
    "question_specs",
]

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


def _load_sets(config: BuildConfig) -> list[int]:
    """Load the bundled bank and the generated sets; return their set ids, bundled first."""
    reports = load_bundled_bank()
    uids = [r.set_id for r in reports]
    for n in range(1, config.generated_sets + 1):
        doc = generated_set(n, config.questions_per_set, config.topics_per_set, config.seed)
        load_set(doc)
        uids.append(doc.id)
    db.session.commit()
    ids = pairs(sa.select(QuestionSet.uid, QuestionSet.id))
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


def _accounts(config: BuildConfig, now: datetime) -> dict[str, int]:
    """Create every account; return their ids by e-mail."""
    created = now - timedelta(days=5 * 365)
    rows = [
        (LARGE_EMAIL, "Large Learner", Role.LEARNER.value),
        (SMALL_EMAIL, "Small Learner", Role.LEARNER.value),
        (INSTRUCTOR_EMAIL, "Bench Instructor", Role.INSTRUCTOR.value),
    ] + [
        (f"learner{i:05d}@{DOMAIN}", f"Learner {i:05d}", Role.LEARNER.value)
        for i in range(1, config.learners - 1)
    ]
    insert_accounts(rows, created)
    return pairs(sa.select(User.email, User.id))


def _courses(
    config: BuildConfig, instructor: int, members: Sequence[int], bundled: int, now: datetime
) -> tuple[int, int, int]:
    """The three classes (members taken in order from ``members``), assigned the bundled set."""
    from quizapp.courses.membership import new_join_code

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
    bulk_writer()(table_of(CourseMember), ("course_id", "user_id", "joined_at"), rows)
    return ids[0], ids[1], ids[2]


def build_data(url: str, config: BuildConfig, log: Callable[[str], None]) -> BuildReport:
    """Build the benchmark's data in the (empty) database at ``url``.

    Raises:
        DataExistsError: the database already has accounts; nothing was written.
    """
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    now = utcnow().replace(microsecond=0)
    with bench_context(url):
        if user_count():
            raise DataExistsError(
                "the database already has accounts: the web benchmark builds its data only in "
                "an empty database (pass --reuse to measure data it built before)"
            )
        from flask_migrate import upgrade

        done = timed(seconds, "schema", log)
        upgrade()
        done()
        done = timed(seconds, "question sets", log)
        set_ids = _load_sets(config)
        bank, set_order = _bank(set_ids)
        counts["questions"] = len(bank)
        done()

        done = timed(seconds, "accounts, enrolments, classes", log)
        ids = _accounts(config, now)
        others = sorted(v for k, v in ids.items() if k.startswith("learner"))
        users = [ids[LARGE_EMAIL], ids[SMALL_EMAIL], *others]
        plans, enrollments = learner_plans(config, users, set_order, set_ids, now)
        bulk_writer()(
            table_of(Enrollment),
            ("user_id", "set_id", "joined_at"),
            [(u, s, now - timedelta(days=5 * 365)) for u, s in enrollments],
        )
        _courses(config, ids[INSTRUCTOR_EMAIL], others, set_ids[0], now)
        db.session.commit()
        counts["learners"] = len(users)
        counts["enrollments"] = len(enrollments)
        done()

        done = timed(seconds, "simulated reviews", log)
        db.engine.dispose()  # no connection crosses into the simulating processes
        write = bulk_writer()
        reviews = states = 0
        started = time.perf_counter()
        next_report = 0.0
        for result in simulate_all(plans, bank, config.processes):
            write(table_of(ReviewLog), REVIEW_COLUMNS, result.reviews)
            write(table_of(QuestionMemory), STATE_COLUMNS, result.states)
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

        done = timed(seconds, "analyze", log)
        analyze()
        done()
    return BuildReport(seconds, counts)


def find_bench_data(url: str) -> BenchData:
    """The accounts and classes a previous build left in the database at ``url``.

    Raises:
        LookupError: the database holds no (complete) benchmark data.
    """
    with bench_context(url):
        from flask_migrate import upgrade

        if user_count() is None:
            raise LookupError("the database has no benchmark data (no users table)")
        upgrade()  # the app serves the latest schema
        ids = pairs(
            sa.select(User.email, User.id).where(
                User.email.in_([LARGE_EMAIL, SMALL_EMAIL, INSTRUCTOR_EMAIL])
            )
        )
        by_title = pairs(
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
        members = pairs(
            sa.select(CourseMember.course_id, sa.func.count())
            .where(CourseMember.course_id.in_(classes))
            .group_by(CourseMember.course_id)
        )
        answers = pairs(
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
