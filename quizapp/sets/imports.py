"""Importing a question set from a file: check it, preview what it would change, publish it.

An upload is read by its format's importer and checked once (``check_upload``). The preview
is the loader itself run on the checked set inside a savepoint that is rolled back
(``preview_load``), so a preview says exactly what publishing does; publishing loads the set
already checked, with its media files, in the caller's one transaction. Nothing reads or
compares a set a second way.

Between the preview and the publication the upload waits in a ``PendingImport`` row with the
checked set as plain data, so that any worker can publish it without reading the file again.
These functions add and flush but never commit.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from quizapp.bank.model import Problem, SetDoc, doc_from_data, doc_to_data
from quizapp.bank.validate import validate_questions
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.formats import IMPORTERS, MediaFile, importer_for
from quizapp.models import PendingImport, QuestionSet, User
from quizapp.sets.loader import (
    Counts,
    LoadReport,
    SetOwnershipError,
    load_checked_set,
    preview_load,
)
from quizapp.sets.media import store_media

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
        doc: the set read from the file (None when it could not be read at all), without the
            questions left out.
        problems: what is wrong with the file as a whole: nothing can be published until
            it is fixed, as ``file:line: message``.
        warnings: what would be imported, but not exactly as written.
        report: the changes per topic and type, as loading would report them (None when the
            file cannot be published).
        media: the files (images) the questions show.
        foreign_set: the set id belongs to a set someone else owns (one of the problems).
        left_out: the questions that cannot be imported, one problem each at its line; the
            rest can be published only if the instructor agrees to leave them out.
    """

    filename: str
    format_label: str
    doc: SetDoc | None
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()
    report: LoadReport | None = None
    media: tuple[MediaFile, ...] = field(default=())
    foreign_set: bool = False
    left_out: tuple[Problem, ...] = ()

    @property
    def readable(self) -> bool:
        """True when the set was read, has no problem of its own and keeps a question
        (its changes may not be known yet); some questions may be left out."""
        return self.doc is not None and not self.problems and bool(self.doc.questions)

    @property
    def checked(self) -> bool:
        """True when the whole file can be imported: readable, nothing left out."""
        return self.readable and not self.left_out

    @property
    def ok(self) -> bool:
        """True when the file can be published as it is."""
        return self.checked and self.report is not None

    @property
    def ok_leaving_out(self) -> bool:
        """True when the file can be published once the instructor agrees to leave out the
        questions in ``left_out``."""
        return self.readable and bool(self.left_out) and self.report is not None

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
            "left_out": [{"line": p.line, "reason": p.message} for p in self.left_out],
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


def _ownership_problem(doc: SetDoc) -> Problem:
    return Problem(
        doc.file or doc.id,
        doc.line_of(("id",)),
        f"the set id '{doc.id}' is taken by a set you do not own; choose another set id",
    )


def _foreign(doc: SetDoc, owner: User | None) -> bool:
    """True when ``doc``'s id is the id of a stored set that ``owner`` may not update."""
    if owner is None:
        return False
    existing = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == doc.id))
    return existing is not None and existing.owner_id != owner.id


def check_upload(
    filename: str, data: bytes, owner: User | None, set_id: str | None = None
) -> ImportPreview:
    """Read an uploaded file and check the set in it; say nothing yet of what it changes.

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
    left_out = list(result.left_out)
    doc = result.doc
    foreign = False
    if doc is not None:
        reported = {*result.problems, *result.left_out}
        validation = validate_questions(doc, require_source=False)
        problems += [p for p in validation.of_set if p not in reported]
        left_out += [
            _one_reason([p for p in found if p not in reported])
            for _, found in sorted(validation.of_question.items())
            if any(p not in reported for p in found)
        ]
        doc = validation.without_bad_questions(doc)
        foreign = _foreign(doc, owner)
        if foreign:
            problems.append(_ownership_problem(doc))
    if (doc is None or not doc.questions) and left_out and not problems:
        problems.append(Problem(filename, 0, "no question can be imported: all are left out"))
    return ImportPreview(
        filename,
        importer.label,
        doc,
        tuple(problems),
        result.warnings,
        None,
        result.media,
        foreign,
        tuple(sorted(left_out, key=lambda p: p.line)),
    )


def _one_reason(problems: list[Problem]) -> Problem:
    """A question's problems as one reason, at the first one's line."""
    first = min(problems, key=lambda p: p.line)
    return Problem(first.file, first.line, "; ".join(p.message for p in problems))


def preview_checked(checked: ImportPreview, owner: User | None) -> ImportPreview:
    """Add to a checked upload what publishing it would change now (without the questions
    left out, if any); write nothing."""
    if not checked.readable or checked.doc is None:
        return checked
    try:
        report = preview_load(checked.doc, owner)
    except SetOwnershipError:
        problem = _ownership_problem(checked.doc)
        return replace(checked, problems=(*checked.problems, problem), foreign_set=True)
    return replace(checked, report=report)


def preview_import(
    filename: str, data: bytes, owner: User | None, set_id: str | None = None
) -> ImportPreview:
    """Read an uploaded file and say what publishing it would change; write nothing.

    See ``check_upload`` for the arguments.
    """
    return preview_checked(check_upload(filename, data, owner, set_id), owner)


@dataclass(frozen=True)
class Published:
    """What publishing did: the loader's report and how many media files were written."""

    report: LoadReport
    media_written: int
    warnings: tuple[Problem, ...]
    left_out: tuple[Problem, ...] = ()


def publish_checked(
    checked: ImportPreview, owner: User | None, *, leave_out: bool = False
) -> Published:
    """Load a checked upload's set and its media, all or nothing (the caller commits).

    With ``leave_out`` (the instructor agreed), the questions that cannot be imported are
    left out and the rest is loaded; without it, a file with such questions is refused.

    Raises:
        ImportRefusedError: the file has problems (or questions left out, without
            ``leave_out``); nothing was written.
        SetOwnershipError: the set id belongs to a set someone else owns.
    """
    if not checked.readable or checked.doc is None:
        if checked.foreign_set and checked.doc is not None:
            raise SetOwnershipError(str(_ownership_problem(checked.doc)))
        raise ImportRefusedError(checked.problems)
    if checked.left_out and not leave_out:
        raise ImportRefusedError(checked.left_out)
    report = load_checked_set(checked.doc, owner)
    question_set = db.session.scalar(
        sa.select(QuestionSet).where(QuestionSet.uid == checked.doc.id)
    )
    assert question_set is not None  # the loader has just written it
    written = store_media(question_set, checked.media)
    db.session.flush()
    return Published(report, written, checked.warnings, checked.left_out)


def publish_upload(
    filename: str,
    data: bytes,
    owner: User | None,
    set_id: str | None = None,
    *,
    leave_out: bool = False,
) -> Published:
    """Check the file, then publish it (see ``check_upload`` and ``publish_checked``)."""
    return publish_checked(check_upload(filename, data, owner, set_id), owner, leave_out=leave_out)


def _problems_data(problems: Iterable[Problem]) -> list[list[Any]]:
    return [[p.file, p.line, p.message] for p in problems]


def _checked_data(checked: ImportPreview) -> dict[str, Any]:
    """Return a checked upload as JSON-ready data (see ``_checked_from``)."""
    assert checked.doc is not None
    return {
        "format": checked.format_label,
        "doc": doc_to_data(checked.doc),
        "warnings": _problems_data(checked.warnings),
        "left_out": _problems_data(checked.left_out),
        "media": [
            [m.name, m.content_type, base64.b64encode(m.data).decode("ascii")]
            for m in checked.media
        ],
    }


def _checked_from(filename: str, data: Mapping[str, Any]) -> ImportPreview:
    return ImportPreview(
        filename,
        data["format"],
        doc_from_data(data["doc"]),
        (),
        tuple(Problem(file, line, message) for file, line, message in data["warnings"]),
        None,
        tuple(
            MediaFile(name, content_type, base64.b64decode(encoded))
            for name, content_type, encoded in data["media"]
        ),
        left_out=tuple(
            Problem(file, line, message) for file, line, message in data.get("left_out", [])
        ),
    )


def keep_upload(
    checked: ImportPreview, data: bytes, owner: User, set_id: str = ""
) -> PendingImport:
    """Store a checked upload until it is published (and forget uploads left for a day)."""
    db.session.execute(
        sa.delete(PendingImport).where(PendingImport.created_at < utcnow() - PENDING_LIFETIME)
    )
    pending = PendingImport(
        owner=owner,
        filename=checked.filename[:255],
        set_uid=set_id,
        data=data,
        checked=_checked_data(checked),
    )
    db.session.add(pending)
    db.session.flush()
    return pending


def _pending_checked(pending: PendingImport) -> ImportPreview:
    """The checked upload kept with ``pending`` (read from its file if kept before that was)."""
    if pending.checked is None:
        return check_upload(pending.filename, pending.data, pending.owner, pending.set_uid or None)
    return _checked_from(pending.filename, pending.checked)


def preview_pending(pending: PendingImport) -> ImportPreview:
    """Preview a stored upload again, against the database as it is now."""
    return preview_checked(_pending_checked(pending), pending.owner)


def publish_import(pending: PendingImport, *, leave_out: bool = False) -> Published:
    """Publish a stored upload and drop it (see ``publish_checked``)."""
    published = publish_checked(_pending_checked(pending), pending.owner, leave_out=leave_out)
    db.session.delete(pending)
    db.session.flush()
    return published
