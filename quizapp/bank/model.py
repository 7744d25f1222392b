"""The question set as plain data: what the YAML reader produces and the loader consumes.

Importers of other formats produce a ``SetDoc`` too, and exporters consume one. Line
numbers ride along (outside equality) so that problems can point into the file they came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KeyPath = tuple[str | int, ...]
"""Where a value sits below a mapping, e.g. ``("choices", 2, "text")``; indices count from 0."""

Locations = Mapping[KeyPath, int]
"""1-based line numbers by key path; the empty path is the line the entry starts on."""


def nearest_line(locations: Locations, path: KeyPath) -> int:
    """Return the line of ``path``, or of its nearest ancestor in ``locations`` (else 0)."""
    for end in range(len(path), -1, -1):
        if path[:end] in locations:
            return locations[path[:end]]
    return 0


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in a question-set file, at ``file:line`` (line 0 when unknown)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class SourceRef:
    """The part of the document that supports a question: its section and exact sentence(s)."""

    section: str
    quote: str


@dataclass(frozen=True)
class SourceDoc:
    """The document a set is drawn from; ``file`` is where the text was read, if from a file."""

    title: str
    text: str
    file: str = ""


@dataclass(frozen=True)
class TopicDoc:
    """A topic of the set; ``section`` is the heading of its part of the document, if any."""

    id: str
    title: str
    section: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class QuestionDoc:
    """One question: the fields shared by every type, and ``spec`` for the type's own keys."""

    id: str
    topic: str
    type: str
    prompt: str
    spec: Mapping[str, Any]
    explanation: str
    source: SourceRef
    title: str = ""
    tags: tuple[str, ...] = ()
    locations: Locations = field(default_factory=dict, compare=False, repr=False)

    @property
    def line(self) -> int:
        """The line the question starts on (0 when it did not come from a file)."""
        return self.locations.get((), 0)

    def line_of(self, path: KeyPath) -> int:
        """Return the line of ``path``, or of its nearest written ancestor."""
        return nearest_line(self.locations, path)


@dataclass(frozen=True)
class SetDoc:
    """A question set: header, source document, topics and questions, in file order."""

    id: str
    title: str
    description: str
    version: str
    source: SourceDoc
    topics: tuple[TopicDoc, ...]
    questions: tuple[QuestionDoc, ...]
    # The language learners answer in (a code of ``quizapp.grading.LANGUAGES``): typed answers
    # are compared by its rules.
    language: str = "en"
    file: str = field(default="", compare=False)
    locations: Locations = field(default_factory=dict, compare=False, repr=False)

    def line_of(self, path: KeyPath) -> int:
        """Return the line of a set-level ``path``, or of its nearest written ancestor."""
        return nearest_line(self.locations, path)


def _locations_data(locations: Locations) -> list[list[Any]]:
    return [[list(path), line] for path, line in locations.items()]


def _locations_from(data: list[list[Any]]) -> dict[KeyPath, int]:
    return {tuple(path): int(line) for path, line in data}


def doc_to_data(doc: SetDoc) -> dict[str, Any]:
    """Return ``doc`` as JSON-ready plain data, line numbers included (see ``doc_from_data``)."""
    return {
        "id": doc.id,
        "title": doc.title,
        "description": doc.description,
        "version": doc.version,
        "language": doc.language,
        "source": {"title": doc.source.title, "text": doc.source.text, "file": doc.source.file},
        "topics": [[t.id, t.title, t.section, t.line] for t in doc.topics],
        "questions": [
            {
                "id": q.id,
                "topic": q.topic,
                "type": q.type,
                "prompt": q.prompt,
                "spec": dict(q.spec),
                "explanation": q.explanation,
                "source": [q.source.section, q.source.quote],
                "title": q.title,
                "tags": list(q.tags),
                "locations": _locations_data(q.locations),
            }
            for q in doc.questions
        ],
        "file": doc.file,
        "locations": _locations_data(doc.locations),
    }


def doc_from_data(data: Mapping[str, Any]) -> SetDoc:
    """Return the ``SetDoc`` that ``doc_to_data`` turned into ``data``."""
    source = data["source"]
    return SetDoc(
        id=data["id"],
        title=data["title"],
        description=data["description"],
        version=data["version"],
        language=data.get("language", "en"),
        source=SourceDoc(source["title"], source["text"], source["file"]),
        topics=tuple(
            TopicDoc(uid, title, section, line) for uid, title, section, line in data["topics"]
        ),
        questions=tuple(
            QuestionDoc(
                id=q["id"],
                topic=q["topic"],
                type=q["type"],
                prompt=q["prompt"],
                spec=q["spec"],
                explanation=q["explanation"],
                source=SourceRef(*q["source"]),
                title=q["title"],
                tags=tuple(q["tags"]),
                locations=_locations_from(q["locations"]),
            )
            for q in data["questions"]
        ),
        file=data["file"],
        locations=_locations_from(data["locations"]),
    )
