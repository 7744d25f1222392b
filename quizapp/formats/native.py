"""The app's own question-set format (YAML, see ``questions/README.md``) as a registry entry.

Reading wraps ``quizapp.bank.yamlformat.parse_set``: an uploaded file cannot name a source file
beside it, so its document must be inline (``source.text``). ``parse_set`` raises on control
characters and on very deep nesting; both are reported here as problems instead. Writing wraps
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
        if doc is not None and set_id is not None:
            doc = dataclasses.replace(doc, id=set_id)
        return ImportResult(doc, parsed.problems)


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
