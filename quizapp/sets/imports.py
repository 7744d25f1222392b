"""Importing a question set from a file: preview what it would change, then publish it.

The preview reads the file with its format's importer, checks the set as the loader will, and
compares it with the stored set of the same id without writing anything. Publishing reads
the file again and loads it with ``load_set`` plus its media files, in the caller's one
transaction; a file with any problem is refused whole.

Between the two steps the upload waits in a ``PendingImport`` row, so that any worker can
publish it. These functions add and flush but never commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from quizapp.bank.model import Problem, QuestionDoc, SetDoc
from quizapp.bank.sync import (
    Change,
    Counts,
    LoadReport,
    SetOwnershipError,
    load_set,
    question_content,
)
from quizapp.bank.validate import validate_set
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.formats import IMPORTERS, MediaFile, importer_for
from quizapp.models import MediaAsset, MemoryState, PendingImport, Question, QuestionSet, User

PENDING_LIFETIME = timedelta(days=1)


class ImportRefusedError(ValueError):
    """Raised when publishing a file that has problems; nothing was written."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class ImportPreview:
    """What publishing a file would do.

    Attributes:
        filename: the uploaded file's name.
        format_label: the format it was read as ('' when no importer knows the file).
        doc: the set read from the file (None when it could not be read at all).
        problems: everything that must be fixed before publishing, as ``file:line: message``.
        warnings: what would be imported, but not exactly as written.
        report: the changes per topic and type, as loading would report them (None when the
            file cannot be published).
        media: the files (images) the questions show.
        foreign_set: the set id belongs to a set someone else owns (one of the problems).
    """

    filename: str
    format_label: str
    doc: SetDoc | None
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()
    report: LoadReport | None = None
    media: tuple[MediaFile, ...] = field(default=())
    foreign_set: bool = False

    @property
    def ok(self) -> bool:
        """True when the file can be published as it is."""
        return self.doc is not None and self.report is not None and not self.problems

    def to_dict(self) -> dict[str, object]:
        """Return the preview as plain data (for ``bank import --json``)."""
        report = self.report
        return {
            "file": self.filename,
            "format": self.format_label,
            "set_id": self.doc.id if self.doc else None,
            "title": self.doc.title if self.doc else None,
            "ok": self.ok,
            "problems": [str(p) for p in self.problems],
            "warnings": [str(p) for p in self.warnings],
            "media": [m.name for m in self.media],
            "set_change": report.set_change.value if report else None,
            "totals": _counts_dict(report.totals) if report else None,
            "topics": {
                uid: {"title": report.topic_titles.get(uid, uid), **_counts_dict(counts)}
                for uid, counts in report.topics.items()
            }
            if report
            else {},
            "types": {t: _counts_dict(c) for t, c in sorted(report.types.items())}
            if report
            else {},
            "memory_states_reset": report.memory_states_reset if report else 0,
        }


def _counts_dict(counts: Counts) -> dict[str, int]:
    return {
        "questions": counts.active,
        "created": counts.created,
        "updated": counts.updated,
        "answer_changed": counts.answer_changed,
        "retired": counts.retired,
        "unchanged": counts.unchanged,
    }


def _max_upload() -> int | None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return int(limit) if limit else None


def _content(question: QuestionDoc) -> dict[str, object]:
    """Return what the loader stores of a question, to compare with a stored row."""
    return {"topic": question.topic, **question_content(question)}


def _stored_content(row: Question) -> dict[str, object]:
    return {
        "topic": row.topic.uid,
        "qtype": row.qtype,
        "title": row.title,
        "tags": list(row.tags),
        "prompt": row.prompt,
        "spec": row.spec,
        "explanation": row.explanation,
        "source_section": row.source_section,
        "source_quote": row.source_quote,
        "answer_digest": row.answer_digest,
    }


def _set_change(doc: SetDoc, existing: QuestionSet | None) -> Change:
    if existing is None:
        return Change.CREATED
    header = (
        existing.title,
        existing.description,
        existing.version,
        existing.source_title,
        existing.source_ref,
        existing.source_text,
    )
    wanted = (
        doc.title,
        doc.description,
        doc.version,
        doc.source.title,
        doc.source.file,
        doc.source.text,
    )
    # Topics are never deleted: only the file's own are compared (title, section, place).
    stored = {t.uid: (t.title, t.section, t.position) for t in existing.topics}
    topics_same = all(stored.get(t.id) == (t.title, t.section, i) for i, t in enumerate(doc.topics))
    return Change.UNCHANGED if header == wanted and topics_same else Change.UPDATED


def _question_change(question: QuestionDoc, row: Question | None) -> Change:
    if row is None:
        return Change.CREATED
    new, old = _content(question), _stored_content(row)
    if new["answer_digest"] != old["answer_digest"]:
        return Change.ANSWER_CHANGED
    return Change.UNCHANGED if new == old and row.is_active else Change.UPDATED


def compare_with_stored(doc: SetDoc, existing: QuestionSet | None) -> LoadReport:
    """Return what ``load_set(doc)`` would report, reading the database only."""
    report = LoadReport(doc.id, doc.title, _set_change(doc, existing))
    report.topic_titles = {topic.id: topic.title for topic in doc.topics}
    report.topics = {topic.id: Counts() for topic in doc.topics}
    rows: dict[str, Question] = {}
    if existing is not None:
        found = db.session.scalars(sa.select(Question).where(Question.set_id == existing.id))
        rows = {row.uid: row for row in found}
    reset: list[int] = []
    for question in doc.questions:
        row = rows.get(question.id)
        change = _question_change(question, row)
        if change is Change.ANSWER_CHANGED and row is not None:
            reset.append(row.id)
        report.record(change, question.topic, question.type)
    kept = {question.id for question in doc.questions}
    for uid, row in rows.items():
        if uid not in kept and row.is_active:
            report.record(Change.RETIRED, row.topic.uid, row.qtype)
            report.topic_titles.setdefault(row.topic.uid, row.topic.title)
    if reset:
        report.memory_states_reset = (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(MemoryState)
                .where(MemoryState.question_id.in_(reset))
            )
            or 0
        )
    return report


def _ownership_problem(doc: SetDoc) -> Problem:
    return Problem(
        doc.file or doc.id,
        doc.line_of(("id",)),
        f"the set id '{doc.id}' is taken by a set you do not own; choose another set id",
    )


def preview_import(
    filename: str, data: bytes, owner: User | None, set_id: str | None = None
) -> ImportPreview:
    """Read an uploaded file and say what publishing it would change; write nothing.

    Args:
        filename: the file's name; its extension (and content, where several formats share
            it) chooses the importer.
        data: the file's bytes, whatever they are.
        owner: who imports it; a set of the same id must be theirs. None (the command
            line) updates any set, like ``bank load``.
        set_id: the id to give the set instead of the file's own.
    """
    limit = _max_upload()
    if limit is not None and len(data) > limit:
        message = f"the file is larger than the {limit // (1024 * 1024)} MB allowed"
        return ImportPreview(filename, "", None, (Problem(filename, 0, message),))
    importer = importer_for(filename, data)
    if importer is None:
        known = sorted({e for i in IMPORTERS.values() for e in i.extensions})
        message = f"not a file the app can import (known endings: {', '.join(known)})"
        return ImportPreview(filename, "", None, (Problem(filename, 0, message),))
    result = importer.read(data, filename, set_id=set_id or None)
    problems = list(result.problems)
    doc = result.doc
    report = None
    foreign = False
    if doc is not None:
        problems += [p for p in validate_set(doc, require_source=False) if p not in result.problems]
        existing = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == doc.id))
        foreign = owner is not None and existing is not None and existing.owner_id != owner.id
        if foreign:
            problems.append(_ownership_problem(doc))
        if not problems:
            report = compare_with_stored(doc, existing)
    return ImportPreview(
        filename,
        importer.label,
        doc,
        tuple(problems),
        result.warnings,
        report,
        result.media,
        foreign,
    )


def _store_media(question_set: QuestionSet, media: Iterable[MediaFile]) -> int:
    """Add or replace the set's stored files by name; return how many were written."""
    stored = {
        row.name: row
        for row in db.session.scalars(
            sa.select(MediaAsset).where(MediaAsset.set_id == question_set.id)
        )
    }
    written = 0
    for item in media:
        digest = hashlib.sha256(item.data).hexdigest()
        row = stored.get(item.name)
        if row is not None and row.sha256 == digest and row.content_type == item.content_type:
            continue
        if row is None:
            row = MediaAsset(set_id=question_set.id, name=item.name)
            db.session.add(row)
        row.content_type = item.content_type
        row.sha256 = digest
        row.data = item.data
        row.size = len(item.data)
        written += 1
    return written


@dataclass(frozen=True)
class Published:
    """What publishing did: the loader's report and how many media files were written."""

    report: LoadReport
    media_written: int
    warnings: tuple[Problem, ...]


def publish_upload(
    filename: str, data: bytes, owner: User | None, set_id: str | None = None
) -> Published:
    """Load the set in the file and its media, all or nothing (the caller commits).

    Raises:
        ImportRefusedError: the file has problems; nothing was written.
        SetOwnershipError: the set id belongs to a set someone else owns.
    """
    preview = preview_import(filename, data, owner, set_id)
    if not preview.ok or preview.doc is None:
        if preview.foreign_set:
            raise SetOwnershipError(str(_ownership_problem(preview.doc) if preview.doc else ""))
        raise ImportRefusedError(preview.problems)
    report = load_set(preview.doc, owner, require_source=False)
    question_set = db.session.scalar(
        sa.select(QuestionSet).where(QuestionSet.uid == preview.doc.id)
    )
    assert question_set is not None  # load_set has just written it
    written = _store_media(question_set, preview.media)
    db.session.flush()
    return Published(report, written, preview.warnings)


def keep_upload(filename: str, data: bytes, owner: User, set_id: str = "") -> PendingImport:
    """Store an upload until it is published (and forget uploads left for a day)."""
    db.session.execute(
        sa.delete(PendingImport).where(PendingImport.created_at < utcnow() - PENDING_LIFETIME)
    )
    pending = PendingImport(owner=owner, filename=filename[:255], set_uid=set_id, data=data)
    db.session.add(pending)
    db.session.flush()
    return pending


def preview_pending(pending: PendingImport) -> ImportPreview:
    """Preview a stored upload again, against the database as it is now."""
    return preview_import(pending.filename, pending.data, pending.owner, pending.set_uid or None)


def publish_import(pending: PendingImport) -> Published:
    """Publish a stored upload and drop it (see ``publish_upload``)."""
    published = publish_upload(
        pending.filename, pending.data, pending.owner, pending.set_uid or None
    )
    db.session.delete(pending)
    db.session.flush()
    return published
