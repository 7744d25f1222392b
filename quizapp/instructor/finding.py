"""Finding a set's questions (by text, topic, type, tag, retired or not) and changing many at
once: move them to another topic, retire or restore them, add or remove a tag.

Every function here adds and flushes but never commits: the caller owns the transaction, so a
bulk action is one transaction. Bulk actions change only the given set's questions: ids of
another set's questions are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import joinedload

from quizapp.extensions import db
from quizapp.jobs import enqueue_after_commit
from quizapp.learners.jobs import REBUILD_JOB
from quizapp.learners.models import ItemStats
from quizapp.models import Question, QuestionMemory, QuestionSet, ReviewLog, Topic

PER_PAGE = 50
MAX_TAG_LENGTH = 50


@dataclass(frozen=True)
class Filters:
    """What to look for; empty fields do not filter."""

    text: str = ""
    topic_id: int | None = None
    qtype: str = ""
    tag: str = ""
    # Retired questions are left out unless asked for.
    retired: bool = False


@dataclass(frozen=True)
class ResultPage:
    questions: list[Question]
    total: int
    page: int
    pages: int


class BulkError(ValueError):
    """A bulk action that cannot be done as asked (a topic of another set, an empty tag)."""


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _like_escaped(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_condition(query: str) -> sa.ColumnElement[bool]:
    """The condition "the question matches ``query``", by the database's means.

    PostgreSQL: full-text search of title, prompt and explanation with the 'simple'
    configuration (no stemming: the sets are in several languages), in web-search syntax
    ("quoted phrases", -excluded words, or). It is computed on the fly, without an index: a
    set holds at most some thousands of questions, and the set's rows are found by its index
    first. Elsewhere (SQLite): every word must appear in one of them, case aside (LIKE).
    Either way a question whose uid contains the query matches too.
    """
    query = " ".join(query.split())
    by_uid = Question.uid.ilike(_like_escaped(query), escape="\\")
    if _dialect() == "postgresql":
        document = sa.func.to_tsvector(
            sa.literal_column("'simple'", sa.Text),
            Question.title + " " + Question.prompt + " " + Question.explanation,
        )
        wanted = sa.func.websearch_to_tsquery(sa.literal_column("'simple'", sa.Text), query)
        return sa.or_(document.bool_op("@@")(wanted), by_uid)
    words = [
        sa.or_(
            *(
                column.ilike(_like_escaped(word), escape="\\")
                for column in (Question.title, Question.prompt, Question.explanation, Question.uid)
            )
        )
        for word in query.split()
    ]
    return sa.or_(sa.and_(*words), by_uid)


def tag_condition(tag: str) -> sa.ColumnElement[bool]:
    """The condition "the question's tags hold ``tag``" (a JSON list)."""
    if _dialect() == "postgresql":
        return sa.type_coerce(Question.tags, JSONB).contains([tag])
    items = sa.func.json_each(Question.tags).table_valued("value")
    return sa.exists(sa.select(1).select_from(items).where(items.c.value == tag))


def matching(question_set: QuestionSet, filters: Filters) -> sa.Select[Question]:
    """The set's questions that match ``filters``, in the set's order."""
    stmt = (
        sa.select(Question)
        .join(Topic, Topic.id == Question.topic_id)
        .where(Question.set_id == question_set.id)
    )
    if filters.text.strip():
        stmt = stmt.where(text_condition(filters.text))
    if filters.topic_id is not None:
        stmt = stmt.where(Question.topic_id == filters.topic_id)
    if filters.qtype:
        stmt = stmt.where(Question.qtype == filters.qtype)
    if filters.tag:
        stmt = stmt.where(tag_condition(filters.tag))
    if not filters.retired:
        stmt = stmt.where(Question.is_active.is_(True))
    return stmt.order_by(Topic.position, Question.position, Question.id)


def search_questions(
    question_set: QuestionSet, filters: Filters, page: int = 1, per_page: int = PER_PAGE
) -> ResultPage:
    """One page of the set's questions matching ``filters`` (a page past the last is the last)."""
    stmt = matching(question_set, filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    questions = list(
        db.session.scalars(
            stmt.options(joinedload(Question.topic)).limit(per_page).offset((page - 1) * per_page)
        )
    )
    return ResultPage(questions, total, page, pages)


def set_tags(question_set: QuestionSet) -> list[str]:
    """Every tag used by the set's questions, sorted (case aside)."""
    tags: set[str] = set()
    for row in db.session.scalars(
        sa.select(Question.tags).where(Question.set_id == question_set.id)
    ):
        tags.update(tag for tag in row or () if isinstance(tag, str))
    return sorted(tags, key=lambda tag: (tag.casefold(), tag))


def set_qtypes(question_set: QuestionSet) -> list[str]:
    """The question types the set uses."""
    return list(
        db.session.scalars(
            sa.select(Question.qtype)
            .where(Question.set_id == question_set.id)
            .distinct()
            .order_by(Question.qtype)
        )
    )


def own_questions(question_set: QuestionSet, ids: Iterable[int]) -> list[Question]:
    """The questions of ``question_set`` among ``ids`` (others' ids are ignored)."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(Question.set_id == question_set.id, Question.id.in_(wanted))
            .order_by(Question.position, Question.id)
        )
    )


def move_questions(question_set: QuestionSet, ids: Iterable[int], topic_id: int) -> int:
    """Move the questions to a topic of the same set; return how many moved.

    What learners keep follows in two ways. The per-question rows that copy the question's
    topic (memory states, per-question figures) are moved in this transaction, as the loader
    does when a file moves a question: the study pages' per-topic queries read them. The
    per-topic sums (``TopicStats``, ``ReviewDay``: answers, successes, guess-corrected first
    attempts, per topic and local day) cannot be split by a question without replaying its
    answers by ``quizapp.scheduler.figures.replay``'s rules, so the learners who answered a
    moved question get the rebuild job (the definition of those figures), run once this
    transaction commits; a class of hundreds costs the request nothing. Until it has run,
    the old topic still counts those answers.
    """
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.set_id != question_set.id:
        raise BulkError("That topic is not one of this set's.")
    moved = [q for q in own_questions(question_set, ids) if q.topic_id != topic.id]
    if not moved:
        return 0
    moved_ids = [q.id for q in moved]
    for question in moved:
        question.topic_id = topic.id
    for table in (QuestionMemory, ItemStats):
        db.session.execute(
            sa.update(table)
            .where(table.question_id.in_(moved_ids))
            .values(topic_id=topic.id)
            .execution_options(synchronize_session=False)
        )
    learners = db.session.scalars(
        sa.select(ReviewLog.user_id)
        .where(ReviewLog.question_id.in_(moved_ids), ReviewLog.undone_at.is_(None))
        .distinct()
    )
    for user_id in sorted(learners):
        enqueue_after_commit(REBUILD_JOB, user_id)
    db.session.flush()
    return len(moved)


def set_retired(question_set: QuestionSet, ids: Iterable[int], *, retired: bool) -> int:
    """Retire (or restore) the questions; return how many changed.

    Retiring is what the loader does to a question dropped from its file: the question is no
    longer asked, but it stays, with every learner's memory state and answers, so that the
    history keeps its meaning and restoring it takes learners up where they were.
    """
    changed = [q for q in own_questions(question_set, ids) if q.is_active == retired]
    for question in changed:
        question.is_active = not retired
    db.session.flush()
    return len(changed)


def clean_tag(tag: str) -> str:
    """The tag as stored (spaces collapsed); BulkError if empty or too long."""
    tag = " ".join(tag.split())
    if not tag:
        raise BulkError("Give the tag.")
    if len(tag) > MAX_TAG_LENGTH:
        raise BulkError(f"A tag has at most {MAX_TAG_LENGTH} characters.")
    return tag


def add_tag(question_set: QuestionSet, ids: Iterable[int], tag: str) -> int:
    """Add ``tag`` to the questions that lack it; return how many got it."""
    tag = clean_tag(tag)
    changed = 0
    for question in own_questions(question_set, ids):
        tags: Sequence[str] = question.tags or []
        if tag not in tags:
            question.tags = [*tags, tag]  # a new list: the JSON column sees the change
            changed += 1
    db.session.flush()
    return changed


def remove_tag(question_set: QuestionSet, ids: Iterable[int], tag: str) -> int:
    """Remove ``tag`` from the questions that have it; return how many lost it."""
    tag = " ".join(tag.split())
    changed = 0
    for question in own_questions(question_set, ids):
        tags: Sequence[str] = question.tags or []
        if tag in tags:
            question.tags = [t for t in tags if t != tag]
            changed += 1
    db.session.flush()
    return changed
