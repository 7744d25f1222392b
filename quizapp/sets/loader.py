"""Load question sets into the database, keyed on their stable ids.

Loading is idempotent. A question whose wording changes is updated in place, so every
learner's memory state and review log stay attached to it. A question whose answer changes
(its answer digest differs) is updated too, but its memory states are deleted: what learners
remembered no longer holds. Its review log is kept. A question dropped from the file is
retired (``is_active`` false), never deleted; topics are never deleted either.

These functions add and flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from quizapp.bank.model import QuestionDoc, SetDoc
from quizapp.bank.validate import InvalidSetError, check_paths, validate_set
from quizapp.bank.yamlformat import set_files
from quizapp.extensions import db
from quizapp.grading import REGISTRY
from quizapp.learners.models import ItemStats
from quizapp.models import Question, QuestionMemory, QuestionSet, Topic, User
from quizapp.paths import questions_dir


class Change(enum.StrEnum):
    """What loading did to a set or a question."""

    CREATED = "created"
    UPDATED = "updated"
    ANSWER_CHANGED = "answer_changed"
    RETIRED = "retired"
    UNCHANGED = "unchanged"


@dataclass
class Counts:
    """How many questions loading created, updated, ... (each question counts once)."""

    created: int = 0
    updated: int = 0
    answer_changed: int = 0
    retired: int = 0
    unchanged: int = 0

    def add(self, change: Change) -> None:
        setattr(self, change.value, getattr(self, change.value) + 1)

    @property
    def active(self) -> int:
        """The questions in the file, i.e. those left active after loading."""
        return self.created + self.updated + self.answer_changed + self.unchanged

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.answer_changed + self.retired


@dataclass
class LoadReport:
    """What loading one set did, in total, per topic (by topic id) and per question type."""

    set_id: str
    title: str
    set_change: Change
    totals: Counts = field(default_factory=Counts)
    topics: dict[str, Counts] = field(default_factory=dict)
    topic_titles: dict[str, str] = field(default_factory=dict)
    types: dict[str, Counts] = field(default_factory=dict)
    memory_states_reset: int = 0

    def record(self, change: Change, topic: str, qtype: str) -> None:
        self.totals.add(change)
        self.topics.setdefault(topic, Counts()).add(change)
        self.types.setdefault(qtype, Counts()).add(change)

    @property
    def changed(self) -> bool:
        return self.set_change is not Change.UNCHANGED or self.totals.changed > 0


class SetOwnershipError(PermissionError):
    """Raised when a user loads a set whose id belongs to a set someone else owns."""


def _assign(row: object, values: Mapping[str, Any]) -> bool:
    """Set the attributes of ``row`` that differ from ``values``; return whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _upsert_set(doc: SetDoc, owner: User | None) -> tuple[QuestionSet, Change]:
    values = {
        "title": doc.title,
        "description": doc.description,
        "version": doc.version,
        "language": doc.language,
        "source_title": doc.source.title,
        "source_ref": doc.source.file,
        "source_text": doc.source.text,
    }
    row = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == doc.id))
    if row is None:
        row = QuestionSet(uid=doc.id, owner=owner, **values)
        db.session.add(row)
        return row, Change.CREATED
    if owner is not None and row.owner_id != owner.id:
        raise SetOwnershipError(f"the set id '{doc.id}' is taken by a set you do not own")
    return row, Change.UPDATED if _assign(row, values) else Change.UNCHANGED


def _upsert_topics(question_set: QuestionSet, doc: SetDoc) -> tuple[dict[str, Topic], bool]:
    """Create or update the set's topics; return them by id and whether any changed."""
    rows = {topic.uid: topic for topic in question_set.topics}
    changed = False
    for position, topic in enumerate(doc.topics):
        values = {"title": topic.title, "section": topic.section, "position": position}
        if topic.id in rows:
            changed = _assign(rows[topic.id], values) or changed
        else:
            rows[topic.id] = Topic(uid=topic.id, question_set=question_set, **values)
            db.session.add(rows[topic.id])
            changed = True
    db.session.flush()
    return rows, changed


def _question_content(question: QuestionDoc) -> dict[str, Any]:
    """Return the columns a question's content sets, as the database gives them back (the
    topic and the position aside)."""
    qtype = REGISTRY[question.type]
    # Through JSON and back, so that what is compared is what the database gives back.
    spec = json.loads(json.dumps(dict(question.spec)))
    return {
        "qtype": question.type,
        "title": question.title,
        "tags": list(question.tags),
        "prompt": question.prompt or qtype.default_prompt(spec),
        "spec": spec,
        "explanation": question.explanation,
        "source_section": question.source.section,
        "source_quote": question.source.quote,
        "answer_digest": qtype.answer_digest(spec),
    }


def _question_values(question: QuestionDoc, topic: Topic) -> dict[str, Any]:
    """Return the columns a question's content sets (its position aside)."""
    return {"topic_id": topic.id, **_question_content(question), "is_active": True}


def _reset_memory(question_id: int) -> int:
    """Delete every learner's memory state for a question; return how many there were."""
    where = QuestionMemory.question_id == question_id
    count = db.session.scalar(sa.select(sa.func.count()).select_from(QuestionMemory).where(where))
    db.session.execute(sa.delete(QuestionMemory).where(where))
    return count or 0


def _update_question(row: Question, values: Mapping[str, Any], report: LoadReport) -> Change:
    answer_changed = row.answer_digest != values["answer_digest"]
    old_topic = row.topic_id
    if not _assign(row, values):
        return Change.UNCHANGED
    if row.topic_id != old_topic:
        # Memory states and learners' per-question figures carry the topic too (for
        # per-topic queries): move them along. Past answers stay counted in the old topic's
        # running counts until `flask --app quizapp learners rebuild`.
        for table in (QuestionMemory, ItemStats):
            db.session.execute(
                sa.update(table).where(table.question_id == row.id).values(topic_id=row.topic_id)
            )
    if answer_changed:
        report.memory_states_reset += _reset_memory(row.id)
        return Change.ANSWER_CHANGED
    return Change.UPDATED


def _sync_questions(
    question_set: QuestionSet, doc: SetDoc, topics: Mapping[str, Topic], report: LoadReport
) -> None:
    rows = {
        row.uid: row
        for row in db.session.scalars(sa.select(Question).where(Question.set_id == question_set.id))
    }
    for position, question in enumerate(doc.questions):
        values = _question_values(question, topics[question.topic])
        row = rows.get(question.id)
        if row is None:
            row = Question(uid=question.id, question_set=question_set, position=position, **values)
            db.session.add(row)
            change = Change.CREATED
        else:
            change = _update_question(row, values, report)
            row.position = position  # reordering alone is not a change worth reporting
        report.record(change, question.topic, question.type)
    kept = {question.id for question in doc.questions}
    for uid, row in rows.items():
        if uid not in kept and row.is_active:
            row.is_active = False
            report.record(Change.RETIRED, row.topic.uid, row.qtype)
            report.topic_titles.setdefault(row.topic.uid, row.topic.title)


def load_set(doc: SetDoc, owner: User | None = None, *, require_source: bool = True) -> LoadReport:
    """Check ``doc`` and create or update its set (see ``load_checked_set``).

    Args:
        doc: the set; it is refused if ``validate_set`` finds any problem.
        owner: see ``load_checked_set``.
        require_source: see ``validate_set`` (False for sets imported from other formats).

    Raises:
        InvalidSetError: ``doc`` has problems; nothing was written.
        SetOwnershipError: see ``load_checked_set``.
    """
    problems = validate_set(doc, require_source=require_source)
    if problems:
        raise InvalidSetError(problems)
    return load_checked_set(doc, owner)


def load_checked_set(doc: SetDoc, owner: User | None = None) -> LoadReport:
    """Create or update a question set from ``doc``, keyed on the set, topic and question ids.

    The one comparison of a document with the stored set: the import preview runs it too
    (``preview_load``), so what a preview says is what loading does.

    Args:
        doc: a set ``validate_set`` has found no problem in (not checked again here).
        owner: who owns a set created now. When given, updating a set that belongs to
            someone else (or to no one, like the bundled sets) raises ``SetOwnershipError``.
    """
    question_set, set_change = _upsert_set(doc, owner)
    topics, topics_changed = _upsert_topics(question_set, doc)
    if topics_changed and set_change is Change.UNCHANGED:
        set_change = Change.UPDATED
    report = LoadReport(doc.id, doc.title, set_change)
    report.topic_titles = {topic.id: topic.title for topic in doc.topics}
    report.topics = {topic.id: Counts() for topic in doc.topics}
    _sync_questions(question_set, doc, topics, report)
    db.session.flush()
    return report


def preview_load(doc: SetDoc, owner: User | None = None) -> LoadReport:
    """Return what ``load_checked_set(doc, owner)`` would report, leaving nothing written.

    It is the loader itself, run inside a savepoint that is then rolled back.

    Raises:
        SetOwnershipError: see ``load_checked_set``.
    """
    savepoint = db.session.begin_nested()
    try:
        return load_checked_set(doc, owner)
    finally:
        savepoint.rollback()


def load_sets(docs: Iterable[SetDoc], owner: User | None = None) -> list[LoadReport]:
    """Load several checked sets (see ``load_checked_set``); the caller commits them together."""
    return [load_checked_set(doc, owner) for doc in docs]


def load_bundled_bank() -> list[LoadReport]:
    """Load or update every set at the root of the bundled ``questions/`` folder.

    Raises:
        InvalidSetError: some bundled file has problems; nothing was written.
    """
    files, _ = set_files([questions_dir()])
    if not files:
        return []
    checked = check_paths(files)
    if checked.problems:
        raise InvalidSetError(checked.problems)
    return load_sets(checked.docs)
