"""Read a stored question set back into a ``SetDoc`` and write it with the format exporters."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa

from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc
from quizapp.extensions import db
from quizapp.formats import EXPORTERS, Exporter, ExportResult
from quizapp.models import Question, QuestionSet
from quizapp.sets.media import set_media


def _question_doc(row: Question) -> QuestionDoc:
    return QuestionDoc(
        id=row.uid,
        topic=row.topic.uid,
        type=row.qtype,
        prompt=row.prompt,
        spec=row.spec,
        explanation=row.explanation,
        source=SourceRef(row.source_section, row.source_quote),
        title=row.title,
        tags=tuple(row.tags),
    )


def set_to_doc(question_set: QuestionSet) -> SetDoc:
    """Return the set's active questions in position order, with the topics they are in.

    Retired questions stay in the database for their history but are not part of the set any
    more, so they are left out, and so are topics left without a question.
    """
    rows = db.session.scalars(
        sa.select(Question)
        .where(Question.set_id == question_set.id, Question.is_active)
        .order_by(Question.position, Question.id)
    ).all()
    questions = tuple(_question_doc(row) for row in rows)
    used = {question.topic for question in questions}
    header = set_header(question_set)
    return replace(
        header,
        topics=tuple(topic for topic in header.topics if topic.id in used),
        questions=questions,
    )


def set_header(question_set: QuestionSet) -> SetDoc:
    """The set without its questions: its fields, document and every topic (none read but the
    set's own rows)."""
    return SetDoc(
        id=question_set.uid,
        title=question_set.title,
        description=question_set.description,
        version=question_set.version,
        language=question_set.language,
        source=SourceDoc(
            question_set.source_title, question_set.source_text or "", question_set.source_ref
        ),
        topics=tuple(
            TopicDoc(topic.uid, topic.title, topic.section) for topic in question_set.topics
        ),
        questions=(),
    )


@dataclass(frozen=True)
class ExportFormat:
    """One format sets can be downloaded in."""

    key: str
    exporter: Exporter

    @property
    def label(self) -> str:
        return self.exporter.label


# The formats offered for download, by the name the CLI and URLs use.
EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("yaml", EXPORTERS["native"]),
        ExportFormat("gift", EXPORTERS["gift"]),
        ExportFormat("moodle-xml", EXPORTERS["moodle_xml"]),
        ExportFormat("csv", EXPORTERS["csv"]),
        ExportFormat("apkg", EXPORTERS["anki_package"]),
    )
}


@dataclass(frozen=True)
class ExportedFile:
    """A set written in one format: the file, its name and type, and what it left out."""

    filename: str
    media_type: str
    result: ExportResult


def export_set(question_set: QuestionSet, key: str) -> ExportedFile:
    """Write the stored set in the format called ``key`` (a key of ``EXPORT_FORMATS``)."""
    fmt = EXPORT_FORMATS[key]
    doc = set_to_doc(question_set)
    media = set_media(question_set) if fmt.exporter.embeds_media else None
    result = fmt.exporter.export(doc, media)
    return ExportedFile(
        f"{question_set.uid}{fmt.exporter.extension}", fmt.exporter.media_type, result
    )
