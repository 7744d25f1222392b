"""The editor's page, wherever a question is edited: a question of a published set
(quizapp.editor.routes) or a drafted one (quizapp.instructor.routes). A ``Frame`` says what
surrounds the form: where the page leads back to, where the live preview is asked for, what
the save button says, the document to quote from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask import render_template, request
from flask.typing import ResponseReturnValue

from quizapp.editor.fields import row_count
from quizapp.editor.services import Edited
from quizapp.forms import EmptyForm
from quizapp.grading import get_type
from quizapp.grading.base import Grade
from quizapp.grading.presenting import PartLine, Presented
from quizapp.study.presentation import is_blank

ROW_GROUPS = {
    "single_choice": ("choice",),
    "multiple_response": ("choice",),
    "short_answer": ("partial",),
    "numeric": ("partial",),
    "cloze": ("gap",),
    "matching": ("pair",),
}
"""The repeated rows of each type's form (see quizapp.editor.fields)."""


@dataclass(frozen=True)
class SetRef:
    """What the answer-area partials read of a question's set: its id, for its media."""

    uid: str


@dataclass(frozen=True)
class Frame:
    """What surrounds the editor's form."""

    set_uid: str
    title: str  # of the set or draft, for the page's title
    back_url: str
    back_label: str
    save_label: str
    language: str = "en"
    preview_url: str | None = None  # the live preview's endpoint (None: the button only)
    document: str = ""
    headings: Sequence[str] = ()
    topics: Sequence[tuple[str, str]] = ()  # (id, title)
    images: bool = True  # images can be uploaded into the set's media
    history_url: str | None = None
    notes: Sequence[str] = field(default_factory=tuple)  # lines under the heading


@dataclass(frozen=True)
class PreviewQuestion:
    """What the answer-area partials read of a question, for one that is not stored yet."""

    prompt: str
    question_set: SetRef


@dataclass(frozen=True)
class Tried:
    grade: Grade
    parts: tuple[PartLine, ...]
    your_answer: str


@dataclass(frozen=True)
class Preview:
    question: PreviewQuestion
    presented: Presented
    type_label: str
    tried: Tried | None = None
    blank: bool = False


def preview_of(frame: Frame, edited: Edited, try_it: bool) -> Preview | None:
    """The question as a learner would see it; graded when the editor tries the answer the
    request carries. None when its answer part is not valid yet (it cannot be shown)."""
    qtype = get_type(edited.doc.type)
    if qtype.validate(edited.doc.spec):
        return None
    question = PreviewQuestion(
        edited.doc.prompt or qtype.default_prompt(edited.doc.spec), SetRef(frame.set_uid)
    )
    presented = qtype.present(edited.doc.spec, seed=0)
    if not try_it:
        return Preview(question, presented, qtype.label)
    response = qtype.read(edited.doc.spec, request.form.to_dict(flat=False))
    if is_blank(edited.doc.type, response):
        return Preview(question, presented, qtype.label, blank=True)
    grade = qtype.grade(edited.doc.spec, response, language=frame.language)
    tried = Tried(
        grade,
        tuple(qtype.part_lines(edited.doc.spec, grade)),
        qtype.describe(edited.doc.spec, response),
    )
    return Preview(question, presented, qtype.label, tried)


def document_sections(text: str, headings: Sequence[str]) -> list[tuple[str, str]]:
    """The document as (heading, text) parts, shown beside the editor to quote from."""
    if not text:
        return []
    parts: list[tuple[str, str]] = []
    starts = sorted((text.find(h), h) for h in headings if h and text.find(h) >= 0)
    if not starts or starts[0][0] > 0:
        parts.append(("", text[: starts[0][0] if starts else len(text)]))
    for n, (start, heading) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(text)
        parts.append((heading, text[start + len(heading) : end]))
    return [(h, body.strip()) for h, body in parts if body.strip()]


def render_editor(
    frame: Frame,
    qtype: str,
    values: Mapping[str, str],
    *,
    problems: Mapping[str, list[str]] | None = None,
    preview: Preview | None = None,
    status: int = 200,
    heading: str = "Write a question",
    form_action: str | None = None,
) -> ResponseReturnValue:
    rows = {group: row_count(values, group) for group in ROW_GROUPS.get(qtype, ())}
    page = render_template(
        "editor/edit.html",
        frame=frame,
        heading=heading,
        form_action=form_action,
        qtype=get_type(qtype),
        values=values,
        rows=rows,
        problems=problems or {},
        preview=preview,
        sections=document_sections(frame.document, frame.headings),
        form=EmptyForm(),
    )
    return page, status


def posted_values() -> dict[str, str]:
    """The editor's fields as posted (the CSRF token aside)."""
    return {key: value for key, value in request.form.items() if key != "csrf_token"}


def more_rows(qtype: str, values: dict[str, str]) -> None:
    """Offer two more empty rows of each repeated part."""
    for group in ROW_GROUPS.get(qtype, ()):
        values[f"rows-{group}"] = str(row_count(values, group) + 2)
