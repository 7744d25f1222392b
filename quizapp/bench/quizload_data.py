"""The data of ``python -m quizapp.bench quizload``: a class of learners, its instructor, a set of
3 topics of 10 short-answer questions, and a timed quiz drawing 2 questions of each topic.

Built in an empty database only (the schema by the app's own migrations), accounts by bulk
insert with one password hash computed once; a few learners outside the class study the set
(the study loop the quiz's saves are compared with)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc
from quizapp.bench.webdata import DataExistsError
from quizapp.bench.webdb import (
    analyze,
    bench_context,
    bulk_writer,
    insert_accounts,
    pairs,
    table_of,
    user_count,
)
from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.models import Enrollment, QuestionSet, Role, Topic, User
from quizapp.quizzes.models import Quiz
from quizapp.sets.loader import load_set

__all__ = [
    "DOMAIN",
    "PER_TOPIC",
    "QUESTIONS_PER_TOPIC",
    "ROOMS",
    "TOPICS",
    "QuizData",
    "build_quiz_data",
    "learner_email",
    "quiz_set",
    "room_of",
    "study_email",
]

DOMAIN = "quizload.example"
TOPICS = 3
QUESTIONS_PER_TOPIC = 10
PER_TOPIC = 2  # questions the quiz draws from each topic
TIME_LIMIT_MINUTES = 30
ROOMS = ("amber", "cobalt", "crimson", "indigo", "ivory", "olive", "saffron", "teal")
INSTRUCTOR = f"instructor@{DOMAIN}"


def learner_email(i: int) -> str:
    return f"learner{i:05d}@{DOMAIN}"


def study_email(i: int) -> str:
    return f"study{i:02d}@{DOMAIN}"


def room_of(number: int) -> str:
    """The right answer to question ``number`` (1-based): in which room its specimen is kept."""
    return ROOMS[(number * 5) % len(ROOMS)]


def quiz_set() -> SetDoc:
    """3 topics of 10 short-answer questions; question ``n`` asks about "specimen n" (pure)."""
    topics = tuple(
        TopicDoc(id=f"t{k + 1}", title=f"Wing {k + 1}", section=f"Wing {k + 1}")
        for k in range(TOPICS)
    )
    lines: list[str] = []
    questions: list[QuestionDoc] = []
    for k, topic in enumerate(topics):
        lines += ["", topic.section]
        for j in range(QUESTIONS_PER_TOPIC):
            number = k * QUESTIONS_PER_TOPIC + j + 1
            fact = f"Specimen {number} is kept in the {room_of(number)} room."
            lines.append(fact)
            questions.append(
                QuestionDoc(
                    id=f"q{number:03d}",
                    topic=topic.id,
                    type="short_answer",
                    prompt=f"In which room is specimen {number} kept?",
                    spec={"answers": [room_of(number)]},
                    explanation=fact,
                    source=SourceRef(topic.section, fact),
                )
            )
    return SetDoc(
        id="bench-quizload",
        title="Quiz load set",
        description="Questions for the quiz load test.",
        version="1",
        source=SourceDoc(title="Specimen rooms", text="\n".join(lines) + "\n"),
        topics=topics,
        questions=tuple(questions),
    )


@dataclass(frozen=True)
class QuizData:
    """Who takes which quiz (ids in the database)."""

    quiz_id: int
    course_id: int
    set_id: int
    learner_emails: tuple[str, ...]
    study_emails: tuple[str, ...]
    seconds: float


def build_quiz_data(url: str, learners: int, studiers: int, log: Callable[[str], None]) -> QuizData:
    """Build the quiz's data in the (empty) database at ``url``.

    Raises:
        DataExistsError: the database already has accounts; nothing was written.
    """
    started = utcnow()
    now = started.replace(microsecond=0)
    with bench_context(url):
        if user_count():
            raise DataExistsError(
                "the database already has accounts: quizload builds its data only in an "
                "empty database"
            )
        from flask_migrate import upgrade

        upgrade()
        log("  schema migrated")
        doc = quiz_set()
        load_set(doc)
        db.session.commit()
        set_id = db.session.execute(
            sa.select(QuestionSet.id).where(QuestionSet.uid == doc.id)
        ).scalar_one()
        topic_ids = sorted(
            db.session.scalars(sa.select(Topic.id).where(Topic.set_id == set_id)).all()
        )
        learner_emails = tuple(learner_email(i) for i in range(1, learners + 1))
        study_emails = tuple(study_email(i) for i in range(1, studiers + 1))
        _accounts(learner_emails, study_emails, now)
        ids = pairs(sa.select(User.email, User.id))
        course_id = _course(ids[INSTRUCTOR], [ids[e] for e in learner_emails], set_id, now)
        bulk_writer()(
            table_of(Enrollment),
            ("user_id", "set_id", "joined_at"),
            [(ids[e], set_id, now) for e in study_emails],
        )
        quiz = Quiz(
            course_id=course_id,
            owner_id=ids[INSTRUCTOR],
            title="Specimen rooms (load test)",
            instructions="Six questions, 30 minutes.",
            draw=[{"topic_id": t, "count": PER_TOPIC} for t in topic_ids],
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=1),
            time_limit_minutes=TIME_LIMIT_MINUTES,
            max_attempts=1,
            review={"score": "after_attempt"},
        )
        db.session.add(quiz)
        db.session.commit()
        quiz_id = quiz.id
        analyze()
        log(f"  {learners} learners in the class, {studiers} studying, quiz {quiz_id}")
    seconds = (utcnow() - started).total_seconds()
    return QuizData(quiz_id, course_id, set_id, learner_emails, study_emails, seconds)


def _accounts(learners: tuple[str, ...], studiers: tuple[str, ...], now: datetime) -> None:
    """Every account by one bulk insert, all with one password hashed once."""
    created = now - timedelta(days=30)
    rows = [(INSTRUCTOR, "Quiz Instructor", Role.INSTRUCTOR.value)]
    rows += [(e, f"Learner {i + 1}", Role.LEARNER.value) for i, e in enumerate(learners)]
    rows += [(e, f"Studier {i + 1}", Role.LEARNER.value) for i, e in enumerate(studiers)]
    insert_accounts(rows, created)


def _course(instructor: int, members: list[int], set_id: int, now: datetime) -> int:
    from quizapp.courses.membership import new_join_code

    course = Course(owner_id=instructor, title="Quiz load class", join_code=new_join_code())
    db.session.add(course)
    db.session.flush()
    db.session.add(CourseSet(course_id=course.id, set_id=set_id))
    bulk_writer()(
        table_of(CourseMember),
        ("course_id", "user_id", "joined_at"),
        [(course.id, user, now) for user in members],
    )
    return course.id
