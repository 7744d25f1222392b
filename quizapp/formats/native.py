"""The app's own question-set format (YAML, see ``questions/README.md``) as a registry entry.

Reading wraps ``quizapp.bank.yamlformat.parse_set``: an uploaded file cannot name a source file
beside it, so its document must be inline (``source.text``). ``parse_set`` raises on control
characters and on very deep nesting; both are reported here as problems instead. A problem of
shape inside one question entry (a tag that is not text, a source that is not a mapping...)
leaves that question out: it is listed in ``left_out`` and the rest of the set is returned.
Problems elsewhere (the set's header, its topics, its source) concern the file. Writing wraps
``dump_set`` with the source inline, so the file stands alone. Every question type fits, so
nothing is ever skipped.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from quizapp.bank.model import Problem, SetDoc
from quizapp.bank.yamlformat import YAML_SUFFIXES, dump_set, parse_set
from quizapp.formats.base import Exporter, ExportResult, Importer, ImportResult, Media
from quizapp.formats.textfile import decode_text


def _refused(filename: str, line: int, message: str) -> ImportResult:
    return ImportResult(None, (Problem(filename, line, message),))


class NativeImporter(Importer):
    """Reads the app's YAML format."""

    name: ClassVar[str] = "native"
    label: ClassVar[str] = "Question set (YAML)"
    extensions: ClassVar[tuple[str, ...]] = YAML_SUFFIXES

    def read(self, data: bytes, filename: str, *, set_id: str | None = None) -> ImportResult:
        decoded = decode_text(data, filename)
        if decoded.text is None:
            return ImportResult(None, decoded.problems)
        parsed = parse_set(decoded.text, filename)
        doc = parsed.doc
        if doc is None:
            return ImportResult(None, parsed.problems)
        if set_id is not None:
            doc = dataclasses.replace(doc, id=set_id)
        return _sorted(doc, parsed.problems)


def _sorted(doc: SetDoc, problems: tuple[Problem, ...]) -> ImportResult:
    """Tell the problems inside one question entry (it is left out) from the file's own.

    A problem is the question's when its line is within the lines of that question's entry
    and of no other entry, and holds nothing of the file outside the questions (a set written
    in YAML's one-line flow style shares its lines between them: such a problem is the file's).
    """
    spans = [
        (min(q.locations.values()), max(q.locations.values())) if q.locations else (0, -1)
        for q in doc.questions
    ]
    outside = {line for path, line in doc.locations.items() if path[:1] != ("questions",)}
    own: list[Problem] = []
    left_out: list[Problem] = []
    dropped: set[int] = set()
    for problem in problems:
        within = [i for i, (low, high) in enumerate(spans) if low <= problem.line <= high]
        if len(within) == 1 and problem.line not in outside:
            left_out.append(problem)
            dropped.add(within[0])
        else:
            own.append(problem)
    kept = tuple(q for i, q in enumerate(doc.questions) if i not in dropped)
    return ImportResult(
        dataclasses.replace(doc, questions=kept), tuple(own), left_out=tuple(left_out)
    )


class NativeExporter(Exporter):
    """Writes the app's YAML format with the source document inline."""

    name: ClassVar[str] = "native"
    label: ClassVar[str] = "Question set (YAML)"
    extension: ClassVar[str] = ".yaml"
    media_type: ClassVar[str] = "application/yaml; charset=utf-8"

    def export(self, doc: SetDoc, media: Media | None = None) -> ExportResult:
        return ExportResult(dump_set(doc, inline_source=True).encode("utf-8"))


IMPORTER = NativeImporter()
EXPORTER = NativeExporter()
