"""Courses on the database: creating, joining, assigning sets, and the class's figures.

Services add and flush; the view commits once. The statistics themselves are computed by the
pure ``quizapp.courses.stats`` from the rows loaded here.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from quizapp.courses.models import JOIN_CODE_LENGTH, Course, CourseMember, CourseSet
from quizapp.courses.stats import (
    Attempt,
    LearnerBehind,
    LearnerTopic,
    QuestionInfo,
    QuestionStats,
    TopicClassStats,
    class_topic_stats,
    falling_behind,
    question_statistics,
)
from quizapp.extensions import db
from quizapp.main.services import enroll
from quizapp.models import Question, QuestionSet, ReviewLog, Role, Topic, User
from quizapp.study.progress import topic_summaries

# No 0/O, 1/I/L: a code read aloud or copied from a projector is typed right the first time.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHOICE_TYPES = frozenset({"single_choice", "multiple_response", "true_false"})


class CourseError(ValueError):
    """A course action that cannot be carried out, with a message for the user."""


# Creating, joining, assigning -----------------------------------------------------------------


def new_join_code() -> str:
    """A random join code of unambiguous capitals and digits that no course uses yet."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if db.session.scalar(sa.select(Course.id).where(Course.join_code == code)) is None:
            return code


def normalize_code(text: str) -> str:
    """The code as stored: spaces and dashes dropped, upper case (learners type it loosely)."""
    return re.sub(r"[\s-]+", "", text).upper()


def create_course(owner: User, title: str) -> Course:
    """Create a course owned by ``owner`` with a fresh join code."""
    course = Course(owner_id=owner.id, title=title.strip(), join_code=new_join_code())
    db.session.add(course)
    db.session.flush()
    return course


def owned_courses(user: User) -> list[Course]:
    return list(
        db.session.scalars(
            sa.select(Course).where(Course.owner_id == user.id).order_by(Course.created_at)
        )
    )


def joined_courses(user: User) -> list[Course]:
    return list(
        db.session.scalars(
            sa.select(Course)
            .join(CourseMember, CourseMember.course_id == Course.id)
            .where(CourseMember.user_id == user.id)
            .order_by(CourseMember.joined_at)
        )
    )


def can_manage(user: User, course: Course) -> bool:
    """Whether ``user`` may see the course's results and change it (its owner, or an admin)."""
    return course.owner_id == user.id or user.has_role(Role.ADMIN)


def course_sets(course: Course) -> list[QuestionSet]:
    return list(
        db.session.scalars(
            sa.select(QuestionSet)
            .join(CourseSet, CourseSet.set_id == QuestionSet.id)
            .where(CourseSet.course_id == course.id)
            .order_by(QuestionSet.title)
        )
    )


def assignable_sets(course: Course) -> list[QuestionSet]:
    """Sets the course's owner may assign: their own and every published one, not yet assigned."""
    assigned = sa.select(CourseSet.set_id).where(CourseSet.course_id == course.id)
    return list(
        db.session.scalars(
            sa.select(QuestionSet)
            .where(
                sa.or_(QuestionSet.owner_id == course.owner_id, QuestionSet.is_published.is_(True)),
                QuestionSet.id.not_in(assigned),
            )
            .order_by(QuestionSet.title)
        )
    )


def assign_set(course: Course, question_set: QuestionSet) -> bool:
    """Assign a set to the course and enroll its members in it; False if already assigned."""
    if question_set not in assignable_sets(course):
        if db.session.get(CourseSet, (course.id, question_set.id)) is not None:
            return False
        raise CourseError("You may assign only your own sets or published ones.")
    db.session.add(CourseSet(course_id=course.id, set_id=question_set.id))
    for member in course.members:
        enroll(member.user_id, question_set.id)
    db.session.flush()
    return True


def unassign_set(course: Course, question_set: QuestionSet) -> bool:
    """Take a set off the course. Members stay enrolled in it (their study goes on)."""
    link = db.session.get(CourseSet, (course.id, question_set.id))
    if link is None:
        return False
    db.session.delete(link)
    db.session.flush()
    return True


@dataclass(frozen=True)
class JoinResult:
    course: Course
    joined: bool  # False when the user was already a member
    new_sets: int  # sets the user was newly enrolled in


def join_course(user: User, code: str) -> JoinResult:
    """Add ``user`` to the course whose join code is ``code`` and enroll them in its sets.

    Raises:
        CourseError: no course has this code (nothing is written).
    """
    course = db.session.scalar(sa.select(Course).where(Course.join_code == normalize_code(code)))
    if course is None:
        raise CourseError("No class has this code. Check it with your instructor.")
    joined = db.session.get(CourseMember, (course.id, user.id)) is None
    if joined:
        db.session.add(CourseMember(course_id=course.id, user_id=user.id))
    new_sets = sum(enroll(user.id, link.set_id) for link in course.course_sets)
    db.session.flush()
    return JoinResult(course, joined, new_sets)


# The class's figures --------------------------------------------------------------------------


def members(course: Course) -> list[tuple[User, CourseMember]]:
    rows = db.session.execute(
        sa.select(User, CourseMember)
        .join(CourseMember, CourseMember.user_id == User.id)
        .where(CourseMember.course_id == course.id)
        .order_by(User.display_name, User.email)
    )
    return [(user, member) for user, member in rows]


def course_questions(course: Course) -> list[Question]:
    """The active questions of the course's sets, in set, position order."""
    return list(
        db.session.scalars(
            sa.select(Question)
            .join(CourseSet, CourseSet.set_id == Question.set_id)
            .where(CourseSet.course_id == course.id, Question.is_active.is_(True))
            .order_by(Question.set_id, Question.position, Question.id)
        )
    )


def _choices(question: Question) -> tuple[tuple[str, bool], ...] | None:
    if question.qtype == "true_false":
        answer = bool(question.spec.get("answer"))
        return (("True", answer), ("False", not answer))
    if question.qtype in CHOICE_TYPES:
        return tuple(
            (str(c.get("text", "")), bool(c.get("correct", False)))
            for c in question.spec.get("choices", [])
        )
    return None


def _picked(question: Question, response: Any) -> tuple[int, ...]:
    """The choice indices in a stored response (canonical indices; booleans for true/false)."""
    if question.qtype == "true_false":
        return (0,) if response is True else (1,) if response is False else ()
    if question.qtype == "single_choice":
        items = [response]
    elif question.qtype == "multiple_response" and isinstance(response, list):
        items = response
    else:
        return ()
    return tuple(i for i in items if isinstance(i, int) and not isinstance(i, bool))


def _reviews(course: Course, questions: Sequence[Question]) -> list[ReviewLog]:
    """Every live answer of the course's members to ``questions``, oldest first."""
    member_ids = sa.select(CourseMember.user_id).where(CourseMember.course_id == course.id)
    return list(
        db.session.scalars(
            sa.select(ReviewLog)
            .where(
                ReviewLog.user_id.in_(member_ids),
                ReviewLog.question_id.in_([q.id for q in questions]),
                ReviewLog.undone_at.is_(None),
            )
            .order_by(ReviewLog.reviewed_at, ReviewLog.id)
        )
    )


def _attempts(questions: Sequence[Question], reviews: Sequence[ReviewLog]) -> list[Attempt]:
    by_id = {q.id: q for q in questions}
    return [
        Attempt(
            learner_id=log.user_id,
            question_id=log.question_id,
            answered_at=log.reviewed_at,
            score=log.score,
            picked=_picked(by_id[log.question_id], log.response),
        )
        for log in reviews
    ]


@dataclass(frozen=True)
class QuestionRow:
    """One line of the question statistics page."""

    question: Question
    stats: QuestionStats


def question_stats(course: Course) -> list[QuestionRow]:
    """Item analysis of every question of the course over its members' first attempts."""
    questions = course_questions(course)
    infos = [QuestionInfo(q.id, q.topic_id, _choices(q)) for q in questions]
    stats = question_statistics(infos, _attempts(questions, _reviews(course, questions)))
    return [QuestionRow(q, s) for q, s in zip(questions, stats, strict=True)]


@dataclass(frozen=True)
class TopicRow:
    topic: Topic
    set_title: str
    stats: TopicClassStats


@dataclass(frozen=True)
class BehindRow:
    user: User
    below_target: list[tuple[Topic, float, float]]
    falling: list[tuple[Topic, float, float]]


@dataclass(frozen=True)
class CourseOverview:
    members: list[tuple[User, CourseMember]]
    topics: list[TopicRow]
    behind: list[BehindRow]


def course_overview(course: Course, *, now: datetime) -> CourseOverview:
    """Members, the class's recall and coverage per topic, and who is falling behind."""
    people = members(course)
    set_ids = [qs.id for qs in course_sets(course)]
    questions = course_questions(course)
    rows = []
    for user, _ in people:
        for view in topic_summaries(user, now=now, set_ids=set_ids):
            rows.append(
                LearnerTopic(user.id, view.topic_id, view.recall_now, view.coverage, view.target)
            )
    topics: dict[int, Topic] = {}
    for q in questions:
        topics.setdefault(q.topic_id, q.topic)
    titles = dict(_set_titles(set_ids))
    topic_rows = [
        TopicRow(topics[s.topic_id], titles[topics[s.topic_id].set_id], s)
        for s in class_topic_stats(rows, list(topics), len(people))
    ]
    attempts = _attempts(questions, _reviews(course, questions))
    behind = falling_behind(rows, attempts, {q.id: q.topic_id for q in questions}, now=now)
    return CourseOverview(people, topic_rows, _behind_rows(behind, people, topics))


def _set_titles(set_ids: Sequence[int]) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(QuestionSet.id, QuestionSet.title).where(QuestionSet.id.in_(set_ids))
    )
    return [(i, t) for i, t in rows]


def _behind_rows(
    behind: Sequence[LearnerBehind],
    people: Sequence[tuple[User, CourseMember]],
    topics: dict[int, Topic],
) -> list[BehindRow]:
    users = {user.id: user for user, _ in people}
    return [
        BehindRow(
            users[b.learner_id],
            [(topics[t], recall, target) for t, recall, target in b.below_target if t in topics],
            [(topics[t], before, after) for t, before, after in b.falling if t in topics],
        )
        for b in behind
        if b.learner_id in users
    ]


# Results for export ---------------------------------------------------------------------------

RESULT_COLUMNS = (
    "email",
    "name",
    "set",
    "question_id",
    "question",
    "attempts",
    "first_score",
    "last_score",
    "last_answered_at",
)
SUMMARY_COLUMNS = (
    "email",
    "name",
    "joined_at",
    "questions",
    "questions_answered",
    "attempts",
    "mean_first_score",
    "mean_last_score",
    "last_answered_at",
)


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _when(value: datetime | None) -> str:
    return "" if value is None else value.isoformat(timespec="seconds")


def result_rows(course: Course) -> list[dict[str, str]]:
    """One row per member and question: attempts, first and last score, last answer time.

    Every member gets a row for every active question of the course, answered or not.
    """
    questions = course_questions(course)
    set_uids = dict(
        db.session.execute(
            sa.select(QuestionSet.id, QuestionSet.uid).where(
                QuestionSet.id.in_({q.set_id for q in questions})
            )
        ).all()
    )
    by_pair: dict[tuple[int, int], list[ReviewLog]] = defaultdict(list)
    for log in _reviews(course, questions):
        by_pair[(log.user_id, log.question_id)].append(log)
    rows = []
    for user, _ in members(course):
        for q in questions:
            logs = by_pair.get((user.id, q.id), [])
            rows.append(
                {
                    "email": user.email,
                    "name": user.display_name,
                    "set": set_uids[q.set_id],
                    "question_id": q.uid,
                    "question": q.title or q.prompt[:80],
                    "attempts": str(len(logs)),
                    "first_score": _score(logs[0].score if logs else None),
                    "last_score": _score(logs[-1].score if logs else None),
                    "last_answered_at": _when(logs[-1].reviewed_at if logs else None),
                }
            )
    return rows


def summary_rows(course: Course) -> list[dict[str, str]]:
    """One row per member: questions answered, attempts, mean first and last scores."""
    questions = course_questions(course)
    by_user: dict[int, dict[int, list[ReviewLog]]] = defaultdict(lambda: defaultdict(list))
    for log in _reviews(course, questions):
        by_user[log.user_id][log.question_id].append(log)
    rows = []
    for user, member in members(course):
        answered = by_user.get(user.id, {})
        firsts = [logs[0].score for logs in answered.values()]
        lasts = [logs[-1].score for logs in answered.values()]
        latest = max((logs[-1].reviewed_at for logs in answered.values()), default=None)
        rows.append(
            {
                "email": user.email,
                "name": user.display_name,
                "joined_at": _when(member.joined_at),
                "questions": str(len(questions)),
                "questions_answered": str(len(answered)),
                "attempts": str(sum(len(logs) for logs in answered.values())),
                "mean_first_score": _score(sum(firsts) / len(firsts) if firsts else None),
                "mean_last_score": _score(sum(lasts) / len(lasts) if lasts else None),
                "last_answered_at": _when(latest),
            }
        )
    return rows


def _cell(value: str) -> str:
    # A cell starting with = + - @ (or a tab/CR) is run as a formula by spreadsheets: names
    # and titles come from users, so such cells are quoted with a leading apostrophe.
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def csv_text(columns: Sequence[str], rows: Sequence[dict[str, str]]) -> str:
    """The rows as CSV with a header line, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in columns])
    return out.getvalue()
