"""Importing a question set from a file: check it, preview what it would change, publish it.

An upload is read by its format's importer and checked once (``check_upload``). The preview
is the loader itself run on the checked set inside a savepoint that is rolled back
(``preview_load``), so a preview says exactly what publishing does; publishing loads the set
already checked, with its media files, in the caller's one transaction. Nothing reads or
compares a set a second way.

Between the preview and the publication the upload waits in a ``PendingImport`` row with the
checked set as plain data, so that any worker can publish it without reading the file again.
These functions add and flush but never commit, except ``run_check``, the background job.

Large files are checked off the request: the upload is only stored (status 'checking') and the
job ``imports.check`` (``run_check``) reads and checks it, works out its preview and stores
both on the row (status 'ready', or 'failed' with the error when the job itself broke). A file
up to ``INLINE_LIMIT`` is checked in the request, by the same ``check_pending``. A large
upload's preview is the one the job worked out, as long as the set it updates has not changed
since; otherwise the job works it out again.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from quizapp.bank.model import Problem, QuestionDoc, SetDoc, doc_from_data, doc_to_data
from quizapp.bank.validate import validate_questions
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.formats import IMPORTERS, MediaFile, importer_for
from quizapp.grading import get_type
from quizapp.jobs import enqueue_after_commit
from quizapp.models import PendingImport, QuestionSet, User
from quizapp.sets.loader import (
    Change,
    Counts,
    LoadReport,
    SetOwnershipError,
    load_checked_set,
    preview_load,
)
from quizapp.sets.media import store_media

PENDING_LIFETIME = timedelta(days=1)

# Files up to this size are checked in the request: a 256 KB file (about a thousand questions)
# reads, checks and previews in a few tenths of a second, less than a round trip through the
# job queue and a page refresh. Larger ones go to the background job ``CHECK_JOB``.
INLINE_LIMIT = 256 * 1024
CHECK_JOB = "imports.check"
# A check whose progress has not moved for this long is queued again when its page is looked
# at (its worker may have died with it); a check still running is not run twice.
CHECK_STALLED = timedelta(minutes=2)

# A pending upload's status, and its check's steps (``PendingImport.progress``): importers do
# not report how far they are, so the bar says which step runs, not how long is left.
CHECKING = "checking"
READY = "ready"
FAILED = "failed"
QUEUED, READING, VALIDATING, PREVIEWING, DONE = 0, 10, 40, 70, 100
STEPS = (
    (QUEUED, "waiting for its turn"),
    (READING, "reading the file"),
    (VALIDATING, "checking the questions"),
    (PREVIEWING, "working out what publishing would change"),
    (DONE, "done"),
)


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

    def answer_of(self, question: QuestionDoc) -> str:
        """The question's correct answer in words, as learners will be shown it."""
        return get_type(question.type).correct_answer_text(question.spec)

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
    filename: str,
    data: bytes,
    owner: User | None,
    set_id: str | None = None,
    *,
    title: str | None = None,
    on_step: Callable[[int], None] | None = None,
) -> ImportPreview:
    """Read an uploaded file and check the set in it; say nothing yet of what it changes.

    Args:
        filename: the file's name; its extension (and content, where several formats share
            it) chooses the importer.
        data: the file's bytes, whatever they are.
        owner: who imports it; a set of the same id must be theirs. None (the command
            line) updates any set, like ``bank load``.
        set_id: the id to give the set instead of the file's own.
        title: the title to give the set instead of the file's own (formats without one
            make it from the file's name).
        on_step: called with ``VALIDATING`` once the file is read (the background check
            shows it).
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
    if doc is not None and title:
        doc = replace(doc, title=title)
    foreign = False
    if on_step is not None:
        on_step(VALIDATING)
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


def _problems_from(data: Iterable[list[Any]]) -> tuple[Problem, ...]:
    return tuple(Problem(file, line, message) for file, line, message in data)


def _checked_data(checked: ImportPreview) -> dict[str, Any]:
    """Return a checked upload as JSON-ready data (see ``_checked_from``): the set read, or
    the problems that stop it."""
    return {
        "format": checked.format_label,
        "doc": doc_to_data(checked.doc) if checked.doc is not None else None,
        "problems": _problems_data(checked.problems),
        "foreign": checked.foreign_set,
        "warnings": _problems_data(checked.warnings),
        "left_out": _problems_data(checked.left_out),
        "media": [
            [m.name, m.content_type, base64.b64encode(m.data).decode("ascii")]
            for m in checked.media
        ],
    }


def _checked_from(filename: str, data: Mapping[str, Any]) -> ImportPreview:
    doc = data["doc"]
    return ImportPreview(
        filename,
        data["format"],
        doc_from_data(doc) if doc is not None else None,
        _problems_from(data.get("problems", [])),
        _problems_from(data["warnings"]),
        None,
        tuple(
            MediaFile(name, content_type, base64.b64decode(encoded))
            for name, content_type, encoded in data["media"]
        ),
        foreign_set=bool(data.get("foreign", False)),
        left_out=_problems_from(data.get("left_out", [])),
    )


def _counts_from(data: Mapping[str, int]) -> Counts:
    return Counts(
        created=data["created"],
        updated=data["updated"],
        answer_changed=data["answer_changed"],
        retired=data["retired"],
        unchanged=data["unchanged"],
    )


def _report_data(report: LoadReport) -> dict[str, Any]:
    return {
        "set_id": report.set_id,
        "title": report.title,
        "set_change": report.set_change.value,
        "totals": _counts_dict(report.totals),
        "topics": {uid: _counts_dict(c) for uid, c in report.topics.items()},
        "topic_titles": dict(report.topic_titles),
        "types": {t: _counts_dict(c) for t, c in report.types.items()},
        "memory_states_reset": report.memory_states_reset,
    }


def _report_from(data: Mapping[str, Any]) -> LoadReport:
    return LoadReport(
        data["set_id"],
        data["title"],
        Change(data["set_change"]),
        _counts_from(data["totals"]),
        {uid: _counts_from(c) for uid, c in data["topics"].items()},
        dict(data["topic_titles"]),
        {t: _counts_from(c) for t, c in data["types"].items()},
        data["memory_states_reset"],
    )


def _basis(doc: SetDoc) -> list[Any] | None:
    """The state of the stored set a preview of ``doc`` depends on (None: there is none).

    Loading a set changes its ``questions_revision`` (questions) or ``updated_at`` (the set's
    own fields); learners' memory states are not part of it, so the number of those reset may
    have grown since (publishing says the true number)."""
    row = db.session.execute(
        sa.select(
            QuestionSet.id,
            QuestionSet.owner_id,
            QuestionSet.updated_at,
            QuestionSet.questions_revision,
        ).where(QuestionSet.uid == doc.id)
    ).first()
    if row is None:
        return None
    return [row.id, row.owner_id, row.updated_at.isoformat(), row.questions_revision]


def _set_status(pending: PendingImport, status: str, progress: int, error: str | None) -> None:
    pending.status = status
    pending.progress = progress
    pending.error = error
    pending.status_at = utcnow()


def keep_upload(
    filename: str, data: bytes, owner: User, set_id: str = "", title: str = ""
) -> PendingImport:
    """Store an upload, not checked yet (and forget uploads left for a day); then check it
    with ``check_pending`` or ``check_later``."""
    db.session.execute(
        sa.delete(PendingImport).where(PendingImport.created_at < utcnow() - PENDING_LIFETIME)
    )
    pending = PendingImport(
        owner=owner,
        filename=filename[:255],
        set_uid=set_id,
        set_title=title,
        data=data,
        checked=None,
        report=None,
    )
    _set_status(pending, CHECKING, QUEUED, None)
    db.session.add(pending)
    db.session.flush()
    return pending


def check_later(pending: PendingImport) -> None:
    """Have the background job check a stored upload once the transaction commits."""
    enqueue_after_commit(CHECK_JOB, pending.id)


def check_pending(
    pending: PendingImport,
    *,
    preview: bool = True,
    on_step: Callable[[int], None] | None = None,
) -> ImportPreview:
    """Check a stored upload and work out its preview; store both on it (status 'ready').

    The one place a check's result is stored: the request runs it for a small file, the job
    for a large one. The file is read again only if no checked set is stored yet, so running
    it twice gives the same result.

    Args:
        preview: work out the preview too (a small file's preview page works it out anew
            each time: it is quick, and always true of the database as it is).
        on_step: called with each step (``VALIDATING``, ``PREVIEWING``) as it begins.
    """
    if pending.checked is None:
        checked = check_upload(
            pending.filename,
            pending.data,
            pending.owner,
            pending.set_uid or None,
            title=pending.set_title or None,
            on_step=on_step,
        )
        pending.checked = _checked_data(checked)
    else:
        checked = _checked_from(pending.filename, pending.checked)
    result = checked
    pending.report = None
    if preview and checked.readable and checked.doc is not None:
        if on_step is not None:
            on_step(PREVIEWING)
        basis = _basis(checked.doc)
        result = preview_checked(checked, pending.owner)
        pending.report = {
            "basis": basis,
            "report": _report_data(result.report) if result.report else None,
            "foreign": result.foreign_set,
        }
    _set_status(pending, READY, DONE, None)
    db.session.flush()
    return result


def run_check(pending_id: int) -> None:
    """The background check of a stored upload (the job ``CHECK_JOB``); commits each step.

    Idempotent: an upload already checked is left as it is, one discarded meanwhile is
    forgotten, and a run stopped half-way (a worker killed) is redone from what it stored.
    If the check itself breaks, the upload is marked 'failed' with the error and it raises.
    """
    pending = db.session.get(PendingImport, pending_id)
    if pending is None:
        return
    if pending.status == READY and pending.checked is not None:
        return
    _set_status(pending, CHECKING, max(READING, pending.progress or 0), None)
    db.session.commit()

    def on_step(progress: int) -> None:
        db.session.execute(
            sa.update(PendingImport)
            .where(PendingImport.id == pending_id)
            .values(progress=progress, status_at=utcnow())
        )
        db.session.commit()

    try:
        check_pending(pending, on_step=on_step)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        kept = sa.select(PendingImport.id).where(PendingImport.id == pending_id)
        if db.session.scalar(kept) is None:
            return  # discarded while it was being checked: nothing to say, nowhere to say it
        message = (
            f"The check stopped with an error ({type(exc).__name__}). Upload the file again; "
            "if it happens again, the file has something the importer does not expect."
        )
        db.session.execute(
            sa.update(PendingImport)
            .where(PendingImport.id == pending_id)
            .values(status=FAILED, error=message, status_at=utcnow())
        )
        db.session.commit()
        raise


def nudge_check(pending: PendingImport) -> bool:
    """Queue the check of an upload again if it has not moved for ``CHECK_STALLED`` (its
    worker may have died); True if it was queued (the caller commits)."""
    if pending.status != CHECKING:
        return False
    if pending.status_at is not None and pending.status_at > utcnow() - CHECK_STALLED:
        return False
    pending.status_at = utcnow()
    check_later(pending)
    return True


def step_label(progress: int) -> str:
    """What a check at ``progress`` is doing."""
    return [label for at, label in STEPS if at <= progress][-1]


def status_data(pending: PendingImport) -> dict[str, Any]:
    """A pending upload's check as JSON-ready data (the status endpoint)."""
    return {
        "id": pending.id,
        "status": pending.status,
        "progress": pending.progress,
        "step": step_label(pending.progress) if pending.status == CHECKING else pending.status,
        "error": pending.error,
    }


def _is_inline(pending: PendingImport) -> bool:
    size = db.session.scalar(
        sa.select(sa.func.length(PendingImport.data)).where(PendingImport.id == pending.id)
    )
    return size is not None and size <= INLINE_LIMIT


def _pending_checked(pending: PendingImport) -> ImportPreview:
    """The checked upload kept with ``pending`` (read from its file if kept before that was)."""
    if pending.checked is None:
        return check_upload(
            pending.filename,
            pending.data,
            pending.owner,
            pending.set_uid or None,
            title=pending.set_title or None,
        )
    return _checked_from(pending.filename, pending.checked)


def _stored_preview(pending: PendingImport, checked: ImportPreview) -> ImportPreview | None:
    """The preview the check stored, if the set it updates has not changed since."""
    stored = pending.report
    if stored is None or checked.doc is None or stored.get("basis") != _basis(checked.doc):
        return None
    if stored.get("foreign"):
        problem = _ownership_problem(checked.doc)
        return replace(checked, problems=(*checked.problems, problem), foreign_set=True)
    report = stored.get("report")
    return replace(checked, report=_report_from(report)) if report is not None else None


def preview_pending(pending: PendingImport) -> ImportPreview | None:
    """Preview a ready upload against the database as it is now.

    A small file's preview is worked out now. A large file's is the one its check stored,
    while the set it updates is as it was then; otherwise the check is queued again to work it
    out (the upload is 'checking' again, the caller commits) and this returns None.
    """
    checked = _pending_checked(pending)
    if not checked.readable or pending.checked is None or _is_inline(pending):
        return preview_checked(checked, pending.owner)
    stored = _stored_preview(pending, checked)
    if stored is not None:
        return stored
    pending.report = None
    _set_status(pending, CHECKING, PREVIEWING, None)
    check_later(pending)
    return None


def publish_import(pending: PendingImport, *, leave_out: bool = False) -> Published:
    """Publish a stored upload and drop it (see ``publish_checked``).

    Raises:
        ImportRefusedError: also while the upload is being checked, or if its check failed.
    """
    if pending.status != READY:
        raise ImportRefusedError(
            (Problem(pending.filename, 0, "the file has not been checked yet"),)
        )
    published = publish_checked(_pending_checked(pending), pending.owner, leave_out=leave_out)
    db.session.delete(pending)
    db.session.flush()
    return published
