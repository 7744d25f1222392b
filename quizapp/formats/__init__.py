"""Import and export formats for question sets (pure: no Flask, no database).

``IMPORTERS`` and ``EXPORTERS`` map a format's name to its implementation; ``importer_for``
finds the importer of a file by its extension, looking at the content where several formats
share one (see ``quizapp.formats.base``). Each format module defines ``IMPORTER`` and/or
``EXPORTER``; to add a format, import its module here and list its entries below.
"""

from __future__ import annotations

from quizapp.formats import native
from quizapp.formats.base import (
    Exporter,
    ExportResult,
    Importer,
    ImportResult,
    MediaFile,
    by_name,
    choose_importer,
)

IMPORTERS: dict[str, Importer] = by_name(
    [
        native.IMPORTER,
    ]
)
EXPORTERS: dict[str, Exporter] = by_name(
    [
        native.EXPORTER,
    ]
)


def importer_for(filename: str, data: bytes = b"") -> Importer | None:
    """Return the importer for a file called ``filename`` with content ``data`` (None if none)."""
    return choose_importer(IMPORTERS, filename, data)


__all__ = [
    "EXPORTERS",
    "IMPORTERS",
    "ExportResult",
    "Exporter",
    "ImportResult",
    "Importer",
    "MediaFile",
    "importer_for",
]
