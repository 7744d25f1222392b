"""CSV: one question a row, under a header naming the columns. Importer and exporter.

The header (row 1) names the columns, in any order; ``type`` and ``prompt`` are required, the
others optional. Names ignore case, and spaces or '-' stand for '_'. What is found is
reported as ``file:row`` (the header is row 1; a cell that runs over several lines still
counts as one row). The file is UTF-8 (Excel: *CSV UTF-8*); the separator is ``,``, ``;``
or a tab, whichever the header line uses most.

==================  =========================================================================
column              meaning
==================  =========================================================================
``id``              the question's stable id; empty: ``q-`` and a hash of title and prompt
``topic``           the topic's title, kept as written (``General`` when empty); a nested
                    topic is its whole path, the levels joined by `` / ``: ``Bio / Cells``
                    (``Input/Output``, without spaces, is one level)
``topic_id``        the topic's id; empty: made from the title
``type``            ``single_choice``, ``multiple_response``, ``true_false``, ``short_answer``,
                    ``cloze``, ``matching``, ``ordering`` or ``numeric`` (``Single choice`` and
                    ``true/false`` are read too)
``title``           a short name for lists (optional)
``prompt``          the question (optional for ``cloze``)
``choices``         single_choice, multiple_response: ``*right | wrong | *right``;
                    matching: ``left -> right | left -> right | distractor``;
                    ordering: the items in the right order ``first | second | third``
``answer``          true_false: ``true`` or ``false``; short_answer: ``BCMA | B cell maturation
                    antigen`` (the first is shown as correct); cloze: the text with its gaps
                    ``A [[gap|other answer]] text``; numeric: ``73``, ``73 ± 0.5`` (or
                    ``+-``), ``70..75``, or ``73 (70..75)``
``feedback``        single_choice, multiple_response: one per choice, in order
                    ``fb1 | | fb3``; true_false: ``for true | for false``
``scoring``         multiple_response, ordering: ``partial`` (default) or ``all_or_nothing``
``match``           short_answer, cloze: ``case=true; accents=false; punctuation=false;
                    typos=auto`` (any of them; see "short_answer" in the README)
``unit``            numeric: shown after the input, e.g. ``%``
``explanation``     one or two sentences that teach
``tags``            ``tag | other tag``
``source_section``  the heading of the document the question comes from (optional here)
``source_quote``    the sentence(s) of the document that support the answer (optional here)
==================  =========================================================================

In lists, ``|`` separates items and spaces around them do not count; write ``\\|`` for a ``|``
inside an item, ``\\*`` for a ``*`` that starts a choice without marking it right, ``\\\\``
for a backslash (any other backslash is kept). A cell filled in a column the row's type does
not read is not ignored: the row is left out, as is a row with a bad cell (each reason at the
row's number); the other rows are imported. A file that is not UTF-8 or not CSV, a header
without ``type`` or ``prompt``, an unknown or repeated column and more than ``MAX_ROWS`` rows
are problems of the whole file. Text is kept as written, HTML included (a ``<script>``
arrives as those characters): the web layer sanitises it when it shows it.

Exporting writes every column for every type, so a round trip gives the same questions, up to
spaces around texts, but for partial credit (a choice's ``credit``, ``partial`` answers and
``otherwise``), which the cells have no form for: each question that has it is named in a
warning and written without it. A cell that a spreadsheet would take for a formula (starting with
``= + - @``) is written with a space before it, which reading drops.
"""

from __future__ import annotations

import csv
import io
from typing import ClassVar

from quizapp.bank.model import SetDoc
from quizapp.formats.assemble import SetBuilder
from quizapp.formats.base import Exporter, ExportResult, Importer, ImportResult, Media
from quizapp.formats.report import Report
from quizapp.formats.table import COLUMNS, MAX_ROWS, TableReader
from quizapp.formats.table_write import row_cells, unwritable
from quizapp.formats.textfile import decode_text, unclosed_quote

SEPARATORS = (",", ";", "\t")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def separator_of(text: str) -> str:
    """Return the separator the first line uses most (',' on a tie or when none)."""
    first = text.split("\n", 1)[0]
    return max(SEPARATORS, key=first.count)


def read_rows(text: str, reader: TableReader, report: Report) -> None:
    """Feed the header and rows of CSV ``text`` to ``reader``."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=separator_of(text))
    number = 0
    try:
        for number, cells in enumerate(rows, start=1):
            if number > MAX_ROWS:
                report.problem(number, f"the file has more than {MAX_ROWS} rows")
                return
            if number == 1:
                if not reader.header(cells, 1):
                    return
            else:
                reader.row(cells, number)
    except csv.Error as exc:
        report.problem(number + 1, f"not valid CSV: {exc}")
        return
    if unclosed_quote(text, separator_of(text)):
        report.problem(number, "not valid CSV: a '\"' opens a cell that is never closed")


class CsvImporter(Importer):
    """Reads questions from CSV, one a row."""

    name: ClassVar[str] = "csv"
    label: ClassVar[str] = "CSV (spreadsheet)"
    extensions: ClassVar[tuple[str, ...]] = (".csv", ".tsv")

    def read(self, data: bytes, filename: str, *, set_id: str | None = None) -> ImportResult:
        decoded = decode_text(data, filename)
        if decoded.text is None:
            return ImportResult(None, decoded.problems)
        builder, report = SetBuilder(filename, set_id), Report(filename)
        if not decoded.text.strip():
            report.problem(1, "the file is empty: it needs a header row and question rows")
            return report.imported(None)
        read_rows(decoded.text, TableReader(builder, report), report)
        if not builder.questions and not report.problems and not report.left_out:
            report.problem(2, "the file has a header but no questions")
        return report.imported(builder.build())


def _safe(cell: str) -> str:
    return " " + cell if cell.startswith(FORMULA_START) else cell


class CsvExporter(Exporter):
    """Writes a set as CSV (UTF-8 with a byte-order mark, so that Excel reads it as UTF-8)."""

    name: ClassVar[str] = "csv"
    label: ClassVar[str] = "CSV (spreadsheet)"
    extension: ClassVar[str] = ".csv"
    media_type: ClassVar[str] = "text/csv; charset=utf-8"

    def export(self, doc: SetDoc, media: Media | None = None) -> ExportResult:
        report = Report(doc.file or doc.id)
        titles = {t.id: t.title for t in doc.topics}
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for question in doc.questions:
            why = unwritable(question)
            if why:
                report.problem(question.line, f"question '{question.id}' is left out: {why}")
                continue
            cells = row_cells(question, titles.get(question.topic, question.topic))
            writer.writerow([_safe(cells.get(name, "")) for name in COLUMNS])
        return report.exported(out.getvalue().encode("utf-8-sig"))


IMPORTER = CsvImporter()
EXPORTER = CsvExporter()
