"""Writing and changing a set's questions in the browser: the editor's form read into a
question, checked by the one validator, saved through the set loader, every change recorded
as a version that can be undone. Services add and flush; the view commits.

Saving goes through ``quizapp.sets.loader.load_checked_set`` with the whole set, so an edit
keeps learners' memory of the question exactly when loading a file would: a new wording keeps
it, a new answer key (``answer_digest``) starts it afresh.

Prompts and explanations are written in Markdown (with ``$...$`` math and images of the set)
and stored as imported Markdown is (``markdown_as_rich``); the Markdown itself is kept with
the version, so the next edit starts from what the instructor wrote. A text that arrived as
HTML (an imported Moodle question) is edited as that HTML.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from quizapp.bank.derive import slugify
from quizapp.bank.model import KeyPath, QuestionDoc, SetDoc, SourceRef
from quizapp.bank.validate import validate_questions
from quizapp.bank.yamlformat import question_entry
from quizapp.editor.fields import read_spec, spec_values
from quizapp.extensions import db
from quizapp.formats import MediaFile
from quizapp.formats.htmltext import markdown_as_rich
from quizapp.jobs import enqueue_after_commit
from quizapp.models import Question, QuestionChange, QuestionSet, User
from quizapp.quizzes.jobs import REGRADE_QUIZ_ANSWERS_JOB
from quizapp.richtext import has_html
from quizapp.sets.export import set_header, set_to_doc
from quizapp.sets.loader import load_checked_set
from quizapp.sets.media import store_media

MARKDOWN_FIELDS = ("prompt", "explanation")
COMMON_FIELDS = ("title", "topic", "prompt", "explanation", "section", "quote", "tags")
GENERAL = "general"
"""Where a problem that belongs to no field is shown (at the top of the form)."""
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_IMAGE_BYTES = 2 * 1024 * 1024
_COMMON_PATHS: dict[KeyPath, str] = {
    ("id",): GENERAL,
    ("type",): GENERAL,
    ("title",): "title",
    ("topic",): "topic",
    ("prompt",): "prompt",
    ("explanation",): "explanation",
    ("source",): "quote",
    ("source", "section"): "section",
    ("source", "quote"): "quote",
    ("tags",): "tags",
}


class EditorError(ValueError):
    """What the editor cannot do, in words for the instructor."""


@dataclass(frozen=True)
class Edited:
    """A question as the editor's form holds it: the question, the field each part of it was
    read from, and the Markdown its texts were written in."""

    doc: QuestionDoc
    fields: Mapping[KeyPath, str]
    sources: Mapping[str, str]


def _content(question: Question) -> dict[str, Any]:
    """What a version records of a question besides its spec."""
    return {
        "type": question.qtype,
        "title": question.title,
        "topic": question.topic.uid,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "section": question.source_section,
        "quote": question.source_quote,
        "tags": list(question.tags),
        "active": question.is_active,
    }


def latest_change(question: Question) -> QuestionChange | None:
    return db.session.scalar(
        sa.select(QuestionChange)
        .where(QuestionChange.question_id == question.id)
        .order_by(QuestionChange.id.desc())
        .limit(1)
    )


def history(question: Question) -> list[QuestionChange]:
    """The question's recorded changes, newest first."""
    return list(
        db.session.scalars(
            sa.select(QuestionChange)
            .where(QuestionChange.question_id == question.id)
            .order_by(QuestionChange.id.desc())
        )
    )


def form_values(question: Question) -> dict[str, str]:
    """The editor's fields for a stored question (its texts as last written in Markdown)."""
    sources: Mapping[str, str] = {}
    change = latest_change(question)
    if change is not None:
        sources = change.change.get("sources") or {}
    values = {
        "title": question.title,
        "topic": question.topic.uid,
        "section": question.source_section,
        "quote": question.source_quote,
        "tags": ", ".join(question.tags),
    }
    for name in MARKDOWN_FIELDS:
        stored = getattr(question, name)
        written = sources.get(name)
        if written is not None and markdown_as_rich(written) == stored:
            values[name] = written
        else:
            values[name] = stored
            if has_html(stored):
                values[f"{name}-html"] = "on"
    return {**values, **spec_values(question.qtype, question.spec)}


def blank_values(question_set: QuestionSet) -> dict[str, str]:
    """The fields of a new question: its topic is the set's first."""
    topics = question_set.topics
    return {"topic": topics[0].uid if topics else ""}


def _stored_text(form: Mapping[str, str], name: str) -> str:
    text = (form.get(name) or "").strip()
    if form.get(f"{name}-html") or not text:
        return text  # edited as the HTML it came as; cleaned when shown, like any
    return markdown_as_rich(text)


def read_form(qtype: str, uid: str, form: Mapping[str, str]) -> Edited:
    """The question the posted form describes (not checked yet: see ``problems``)."""
    spec = read_spec(qtype, form)
    tags = tuple(t.strip() for t in (form.get("tags") or "").split(",") if t.strip())
    doc = QuestionDoc(
        id=uid,
        topic=(form.get("topic") or "").strip(),
        type=qtype,
        prompt=_stored_text(form, "prompt"),
        spec=spec.spec,
        explanation=_stored_text(form, "explanation"),
        source=SourceRef((form.get("section") or "").strip(), (form.get("quote") or "").strip()),
        title=(form.get("title") or "").strip(),
        tags=tags,
    )
    sources = {
        name: (form.get(name) or "").strip()
        for name in MARKDOWN_FIELDS
        if not form.get(f"{name}-html")
    }
    return Edited(doc, {**_COMMON_PATHS, **spec.fields}, sources)


def problems(question_set: QuestionSet, edited: Edited) -> dict[str, list[str]]:
    """What the validator finds wrong with a question of ``question_set``, by field."""
    header = set_header(question_set)
    return problems_in(header, edited, require_source=bool(question_set.source_text))


def problems_in(header: SetDoc, edited: Edited, *, require_source: bool) -> dict[str, list[str]]:
    """What the validator finds wrong with the edited question as part of the set ``header``
    (its document and topics), by the field it is in.

    The same checks as a file's: each field gets a "line" of its own, and the validator's
    line numbers are read back as fields.
    """
    names = sorted(set(edited.fields.values()) | {GENERAL})
    line_of = {name: n for n, name in enumerate(names, start=1)}
    locations = {path: line_of[name] for path, name in edited.fields.items()}
    locations[()] = line_of[GENERAL]
    doc = replace(header, questions=(replace(edited.doc, locations=locations),))
    validation = validate_questions(doc, require_source=require_source)
    found: dict[str, list[str]] = {}
    # The set's own problems (a missing title of its document, say) are not the question's:
    # a set loaded from a file or an import was checked when it came.
    for problem in validation.of_question.get(0, ()):
        name = names[problem.line - 1] if 0 < problem.line <= len(names) else GENERAL
        found.setdefault(name, []).append(problem.message)
    return found


def new_uid(question_set: QuestionSet, edited: Edited) -> str:
    """A question id unused in the set (retired questions included), from its title or text."""
    base = slugify(edited.doc.title or re.sub(r"<[^>]*>", " ", edited.doc.prompt)) or "question"
    taken = set(
        db.session.scalars(sa.select(Question.uid).where(Question.set_id == question_set.id))
    )
    uid, n = base, 2
    while uid in taken:
        uid, n = f"{base}-{n}", n + 1
    return uid


@dataclass(frozen=True)
class Saved:
    question: Question
    change: QuestionChange
    memory_reset: int


def _load(question_set: QuestionSet, doc: QuestionDoc | None, replacing: str | None) -> int:
    """Load the set with ``doc`` in place of question ``replacing`` (added when new; the
    question retired when ``doc`` is None); return how many memory states were reset."""
    current = set_to_doc(question_set).questions
    kept = [q for q in current if q.id != replacing]
    if doc is not None:
        position = next((i for i, q in enumerate(current) if q.id == replacing), len(kept))
        kept.insert(position, doc)
    source_text = question_set.source_text
    # Every topic, not only those with questions: a question may move to an empty one.
    report = load_checked_set(replace(set_header(question_set), questions=tuple(kept)))
    question_set.source_text = source_text  # None stays None (the doc holds "")
    return report.memory_states_reset


def _question(question_set: QuestionSet, uid: str) -> Question:
    question = db.session.scalar(
        sa.select(Question).where(Question.set_id == question_set.id, Question.uid == uid)
    )
    assert question is not None
    return question


def _changed(
    before: Mapping[str, Any] | None, after: Mapping[str, Any], spec_same: bool
) -> list[str]:
    fields = [k for k in after if before is None or before.get(k) != after[k]]
    return fields if spec_same else [*fields, "answer"]


def save(
    user: User,
    question_set: QuestionSet,
    edited: Edited,
    question: Question | None,
    now: datetime,
    *,
    kind: str = "edit",
    undoes: int | None = None,
) -> Saved:
    """Save an edited (or new) question that ``problems`` found nothing wrong with, and
    record the change as a new version."""
    before = None if question is None else _content(question)
    spec_before = {} if question is None else dict(question.spec)
    memory_reset = _load(question_set, edited.doc, None if question is None else question.uid)
    db.session.flush()
    row = _question(question_set, edited.doc.id)
    row.updated_at = now
    after = _content(row)
    change = QuestionChange(
        question_id=row.id,
        changed_at=now,
        changed_by_id=user.id,
        change={
            "kind": "create" if question is None else kind,
            "fields": _changed(before, after, spec_before == row.spec) if question else [],
            "before": before,
            "after": after,
            "sources": dict(edited.sources),
            "memory_reset": memory_reset,
            **({"undoes": undoes} if undoes is not None else {}),
        },
        spec_before=spec_before,
        spec_after=dict(row.spec),
    )
    db.session.add(change)
    db.session.flush()
    if spec_before and spec_before != row.spec:
        # Quiz answers already graded by the old key are graded again.
        enqueue_after_commit(REGRADE_QUIZ_ANSWERS_JOB, row.id)
    return Saved(row, change, memory_reset)


def undoable(change: QuestionChange | None) -> bool:
    """Whether ``change`` is one the editor made (an accepted typed answer is taken back on
    its own page)."""
    return change is not None and change.change.get("kind") in {"create", "edit", "undo"}


def undo(user: User, question: Question, change_id: int, now: datetime) -> Saved:
    """Put the question back as it was before its latest change (``change_id``, the change
    the instructor saw): a created question is retired; otherwise its content and spec return,
    recorded as a new version."""
    change = latest_change(question)
    if change is None or change.id != change_id or not undoable(change):
        raise EditorError("Only the latest change made in the editor can be undone.")
    question_set = question.question_set
    before = change.change.get("before")
    if before is None:  # the change created the question
        _load(question_set, None, question.uid)
        question.is_active = False
        retired = _content(question) | {"active": False}
        record = QuestionChange(
            question_id=question.id,
            changed_at=now,
            changed_by_id=user.id,
            change={
                "kind": "undo",
                "undoes": change.id,
                "fields": ["active"],
                "before": _content(question),
                "after": retired,
                "sources": {},
                "memory_reset": 0,
            },
            spec_before=dict(question.spec),
            spec_after=dict(question.spec),
        )
        db.session.add(record)
        db.session.flush()
        return Saved(question, record, 0)
    doc = QuestionDoc(
        id=question.uid,
        topic=before["topic"],
        type=before["type"],
        prompt=before["prompt"],
        spec=change.spec_before,
        explanation=before["explanation"],
        source=SourceRef(before["section"], before["quote"]),
        title=before["title"],
        tags=tuple(before["tags"]),
    )
    earlier = db.session.scalar(
        sa.select(QuestionChange)
        .where(QuestionChange.question_id == question.id, QuestionChange.id < change.id)
        .order_by(QuestionChange.id.desc())
        .limit(1)
    )
    sources = (earlier.change.get("sources") or {}) if earlier is not None else {}
    return save(
        user, question_set, Edited(doc, {}, sources), question, now, kind="undo", undoes=change.id
    )


def add_image(question_set: QuestionSet, filename: str, data: bytes) -> str:
    """Store an uploaded image with the set; return the Markdown that shows it."""
    content_type = mimetypes.guess_type(filename)[0] or ""
    if content_type not in IMAGE_TYPES or not _looks_like(content_type, data):
        raise EditorError(f"{filename}: not an image the editor takes (PNG, JPEG, GIF or WebP).")
    if len(data) > MAX_IMAGE_BYTES:
        raise EditorError(f"{filename}: larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB.")
    stem, _, extension = filename.rpartition(".")
    name = (
        f"{slugify(stem, 60) or 'image'}-{hashlib.sha256(data).hexdigest()[:8]}.{extension.lower()}"
    )
    store_media(question_set, [MediaFile(name, content_type, data)])
    alt = (stem or "image").replace("]", "")
    return f"![{alt}](media:{name})"


_MAGIC = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


def _looks_like(content_type: str, data: bytes) -> bool:
    """Whether the file starts as its type's files do (a renamed script is refused)."""
    return any(data.startswith(magic) for magic in _MAGIC[content_type])


def change_label(change: QuestionChange) -> str:
    """What a version changed, in words."""
    data = change.change
    kind = data.get("kind")
    if kind == "create":
        return "Written in the editor"
    if "accepted" in data:
        return f"Accepted the typed answer “{data['accepted']}”"
    fields = data.get("fields") or []
    what = ", ".join(FIELD_LABELS.get(f, f) for f in fields) or "nothing"
    prefix = "Undid a change: " if kind == "undo" else "Changed "
    return prefix + what


FIELD_LABELS = {
    "title": "title",
    "topic": "topic",
    "prompt": "wording",
    "explanation": "explanation",
    "section": "source section",
    "quote": "source quote",
    "tags": "tags",
    "type": "type",
    "answer": "answer",
    "active": "retired",
}


def entry_values(entry: Mapping[str, Any]) -> dict[str, str]:
    """The editor's fields for a question as a set file holds it (a drafted question)."""
    qtype = str(entry.get("type", ""))
    common = {"id", "topic", "type", "title", "prompt", "explanation", "source", "tags"}
    spec = {key: value for key, value in entry.items() if key not in common}
    source = entry.get("source") or {}
    values = {
        "title": str(entry.get("title") or ""),
        "topic": str(entry.get("topic") or ""),
        "prompt": str(entry.get("prompt") or ""),
        "explanation": str(entry.get("explanation") or ""),
        "section": str(source.get("section") or ""),
        "quote": str(source.get("quote") or ""),
        "tags": ", ".join(str(t) for t in entry.get("tags") or []),
    }
    return {**values, **spec_values(qtype, spec)}


def entry_of(edited: Edited) -> dict[str, Any]:
    """The edited question as a set file holds it."""
    return question_entry(edited.doc)
