"""Excel workbooks (.xlsx): the same columns as CSV (see ``csv_format``), on the first sheet.

The workbook is read with openpyxl in read-only mode, values only (a formula counts as the
value Excel saved with it). Being a zip archive, it is refused before it is opened when it has
more than ``MAX_ENTRIES`` entries or would unpack to more than ``MAX_UNPACKED`` bytes; its XML
is parsed by openpyxl through defusedxml (a dependency), so entities cannot expand. Only the
first ``MAX_COLUMNS`` columns are read. Numbers typed in cells are read as written (``73`` is
73, ``0.5`` is 0.5), true/false cells as ``true``/``false``.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterator
from typing import ClassVar

from openpyxl import load_workbook

from quizapp.formats.assemble import SetBuilder
from quizapp.formats.base import Importer, ImportResult
from quizapp.formats.report import Report
from quizapp.formats.table import MAX_ROWS, TableReader
from quizapp.grading.numeric import format_number

MAX_ENTRIES = 1000
MAX_UNPACKED = 64 * 1024 * 1024
MAX_COLUMNS = 64


def zip_refusal(data: bytes) -> str:
    """Say why the archive is refused before it is opened ('' when it is not)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return f"not an .xlsx workbook (not a readable zip archive: {exc})"
    if len(entries) > MAX_ENTRIES:
        return f"the workbook has more than {MAX_ENTRIES} parts"
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        return f"the workbook would unpack to more than {MAX_UNPACKED // 2**20} MB"
    return ""


def cell_text(value: object) -> str:
    """Return a cell's value as the text it shows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def sheet_rows(data: bytes) -> Iterator[list[str]]:
    """Yield the rows of the first sheet as text cells (openpyxl may raise on a bad file)."""
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it skips; they do not matter here.
        warnings.simplefilter("ignore")
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [cell_text(value) for value in row]
    finally:
        book.close()


class XlsxImporter(Importer):
    """Reads questions from the first sheet of an Excel workbook, one a row."""

    name: ClassVar[str] = "xlsx"
    label: ClassVar[str] = "Excel workbook (.xlsx)"
    extensions: ClassVar[tuple[str, ...]] = (".xlsx",)

    def read(self, data: bytes, filename: str, *, set_id: str | None = None) -> ImportResult:
        report = Report(filename)
        refusal = zip_refusal(data)
        if refusal:
            report.problem(0, refusal)
            return report.imported(None)
        builder = SetBuilder(filename, set_id)
        try:
            self.rows(data, TableReader(builder, report), report)
        except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
            report.problem(0, f"not a readable .xlsx workbook: {type(exc).__name__}: {exc}")
            return report.imported(None)
        if not builder.questions and not report.problems and not report.left_out:
            report.problem(2, "the sheet has a header but no questions")
        return report.imported(builder.build())

    def rows(self, data: bytes, reader: TableReader, report: Report) -> None:
        for number, cells in enumerate(sheet_rows(data), start=1):
            if number > MAX_ROWS:
                report.problem(number, f"the sheet has more than {MAX_ROWS} rows")
                return
            if number == 1 and not reader.header(cells, 1):
                return
            if number > 1:
                reader.row(cells, number)
        if not reader.columns:
            report.problem(1, "the sheet is empty: it needs a header row and question rows")


IMPORTER = XlsxImporter()
