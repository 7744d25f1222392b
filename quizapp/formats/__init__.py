"""Import and export formats for question sets (pure: no Flask, no database).

``IMPORTERS`` and ``EXPORTERS`` map a format's name to its implementation; ``importer_for``
finds the importer of a file by its extension. Each format module defines ``IMPORTER`` and/or
``EXPORTER``; to add a format, import its module here and list its entries below.

Where several formats share an extension, the content decides (``Importer.sniff``). For
``.txt``, which GIFT, Aiken and Anki's text export all use:

1. a first line that is an Anki header (``#separator:``, ``#html:``, ``#columns:``,
   ``#notetype:``, ``#deck:``, ``#tags:``, ``#... column:``), or plain Anki notes without a
   header (a tab inside every line but the ``#`` comments) -> Anki text, whatever GIFT-like
   marks its notes hold;
2. GIFT's marks (a line starting ``$CATEGORY:`` or ``::``, or a ``{`` followed by ``=``, ``~``,
   ``#``, ``}`` or ``T``/``F``/``TRUE``/``FALSE`` and ``#`` or ``}``) -> GIFT;
3. the same number of ``;`` on every line but the ``#`` comments -> Anki text (GIFT's marks
   win a tie, GIFT being registered first);
4. a line ``ANSWER: X`` -> Aiken;
5. nothing telling -> GIFT, which then says what it cannot read.
"""

from __future__ import annotations

from quizapp.formats import (
    aiken,
    anki,
    anki_text,
    anki_write,
    csv_format,
    gift,
    moodle_xml,
    native,
    xlsx,
)
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
        gift.IMPORTER,
        aiken.IMPORTER,
        anki_text.IMPORTER,
        csv_format.IMPORTER,
        xlsx.IMPORTER,
        moodle_xml.IMPORTER,
        anki.IMPORTER,
    ]
)
EXPORTERS: dict[str, Exporter] = by_name(
    [
        native.EXPORTER,
        gift.EXPORTER,
        moodle_xml.EXPORTER,
        csv_format.EXPORTER,
        aiken.EXPORTER,
        anki_write.EXPORTER,
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
