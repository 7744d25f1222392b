"""Collecting what an importer or exporter has to say, each at its line."""

from __future__ import annotations

from quizapp.bank.model import Problem, SetDoc
from quizapp.formats.base import ExportResult, ImportResult, MediaFile

MAX_LISTED = 1000
"""More problems (or warnings) than this and the rest are counted, not listed."""


class Report:
    """Problems (the file cannot be imported), questions left out (the rest can be), and
    warnings (imported, but changed) for one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.left_out: list[Problem] = []
        self.warnings: list[Problem] = []

    def problem(self, line: int, message: str) -> None:
        """Something wrong with the file as a whole."""
        self.problems.append(Problem(self.file, line, message))

    def leave_out(self, line: int, message: str) -> None:
        """One question cannot be imported (the reason at its line); it is not in the set."""
        self.left_out.append(Problem(self.file, line, message))

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Problem(self.file, line, message))

    def imported(self, doc: SetDoc | None, media: tuple[MediaFile, ...] = ()) -> ImportResult:
        """Return the import's result, problems and warnings in line order."""
        return ImportResult(
            doc,
            self._listed(self.problems, "problems"),
            media,
            self._listed(self.warnings, "warnings"),
            self._listed(self.left_out, "questions left out"),
        )

    def exported(self, data: bytes) -> ExportResult:
        """Return the export's result: problems name what was skipped."""
        return ExportResult(
            data, self._listed(self.problems, "problems"), self._listed(self.warnings, "warnings")
        )

    def _listed(self, found: list[Problem], what: str) -> tuple[Problem, ...]:
        """Return the first ``MAX_LISTED`` in line order, and a last one saying how many more."""
        ordered = sorted(found, key=lambda p: p.line)
        if len(ordered) <= MAX_LISTED:
            return tuple(ordered)
        rest = len(ordered) - MAX_LISTED
        last = Problem(self.file, ordered[MAX_LISTED].line, f"... and {rest} more {what}")
        return (*ordered[:MAX_LISTED], last)


def name_of(title: str, text: str, size: int = 40) -> str:
    """Name a question in a message: its title, else the start of its text, quoted."""
    name = " ".join((title or text).split())
    return f"'{name}'" if len(name) <= size else f"'{name[:size]}…'"


def few(ids: list[str], size: int = 5) -> str:
    """Say how many questions and name the first few: ``3 questions (a, b, c)``."""
    names = ", ".join(ids[:size]) + (", …" if len(ids) > size else "")
    return f"{len(ids)} question{'' if len(ids) == 1 else 's'} ({names})"
