"""Questions as rows of a table (CSV or a spreadsheet): the header, and one question a row.

The columns and what each type reads from them are documented in ``csv_format`` (and in
``questions/README.md``). What is found is reported at the row's number, the header being row
1. A row that cannot become a question (a bad cell, an unknown type, a cell filled in a column
the question's type does not read: never ignored) is left out, with every reason found in it;
the other rows are imported. The header's faults (an unknown or repeated column, a required
one missing) are problems of the whole file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

from quizapp.bank.model import QuestionDoc, SourceRef
from quizapp.formats.assemble import SetBuilder
from quizapp.formats.cells import (
    ANY_OTHER,
    read_boolean,
    read_match,
    read_numeric,
    split_credit,
    split_list,
    unescape_item,
)
from quizapp.formats.report import Report
from quizapp.grading import REGISTRY

COMMON = (
    "id",
    "topic",
    "topic_id",
    "type",
    "title",
    "prompt",
    "explanation",
    "tags",
    "source_section",
    "source_quote",
)
TYPE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "single_choice": ("choices", "feedback"),
    "multiple_response": ("choices", "feedback", "scoring"),
    "true_false": ("answer", "feedback"),
    "short_answer": ("answer", "feedback", "match"),
    "cloze": ("answer", "match"),
    "matching": ("choices",),
    "ordering": ("choices", "scoring"),
    "numeric": ("answer", "feedback", "unit"),
}
COLUMNS = (*COMMON[:6], "choices", "answer", "feedback", "scoring", "match", "unit", *COMMON[6:])
REQUIRED = ("type", "prompt")
MAX_ROWS = 100_000


class RowError(Exception):
    """Raised while reading a row that cannot become a question (already left out)."""


def column_name(cell: str) -> str:
    """Return a header cell as a column name: lower case, spaces and '-' as '_'."""
    return "_".join(cell.strip().lower().replace("-", " ").split())


def type_name(cell: str) -> str:
    """Return a type cell as a type name ("Single choice" and "true/false" are accepted)."""
    return "_".join(cell.strip().lower().replace("-", " ").replace("/", " ").split())


class TableReader:
    """Reads a header row and then question rows into a ``SetBuilder``."""

    def __init__(self, builder: SetBuilder, report: Report) -> None:
        self.builder = builder
        self.report = report
        self.columns: dict[str, int] = {}

    def header(self, cells: Sequence[str], row: int) -> bool:
        """Read the header; return False (after reporting why) if rows cannot be read."""
        for index, cell in enumerate(cells):
            name = column_name(cell)
            if not name:
                continue
            if name not in COLUMNS:
                self.report.problem(
                    row, f"unknown column '{cell.strip()}' (columns: {', '.join(COLUMNS)})"
                )
            elif name in self.columns:
                self.report.problem(row, f"column '{name}' is given twice")
            self.columns.setdefault(name, index)
        missing = [name for name in REQUIRED if name not in self.columns]
        if missing:
            self.report.problem(
                row, f"the header has no column {' or '.join(repr(m) for m in missing)}"
            )
        return not missing

    def row(self, cells: Sequence[str], row: int) -> None:
        if not any(cell.strip() for cell in cells):
            return
        width = max(self.columns.values(), default=-1) + 1
        if any(cell.strip() for cell in cells[width:]):
            self.report.leave_out(row, "the row has more cells than the header has columns")
            return
        values = {
            name: cells[i].strip() if i < len(cells) else "" for name, i in self.columns.items()
        }
        try:
            self.builder.add(RowReader(values, row, self.report).question(self.builder))
        except RowError:
            return


class RowReader:
    """Reads one row: the common columns, then the type's own."""

    def __init__(self, values: Mapping[str, str], row: int, report: Report) -> None:
        self.values = values
        self.row = row
        self.report = report

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def fail(self, message: str) -> NoReturn:
        """Leave the row out, saying why."""
        self.report.leave_out(self.row, message)
        raise RowError

    def question(self, builder: SetBuilder) -> QuestionDoc:
        qtype = type_name(self.get("type"))
        if qtype not in REGISTRY:
            what = f"unknown type '{self.get('type')}'" if qtype else "type is missing"
            self.fail(f"{what} (types: {', '.join(REGISTRY)})")
        self.unread(qtype)
        spec = _SPEC_READERS[qtype](self)
        topic = self.get("topic") or self.get("topic_id")
        return QuestionDoc(
            id=builder.question_id(self.get("id"), self.get("title"), self.content(spec)),
            topic=builder.topic(topic, self.row, given_id=self.get("topic_id")),
            type=qtype,
            prompt=self.get("prompt"),
            spec=spec,
            explanation=self.get("explanation"),
            source=SourceRef(section=self.get("source_section"), quote=self.get("source_quote")),
            title=self.get("title"),
            tags=tuple(dict.fromkeys(t for t in self.items("tags") if t)),
            locations={(): self.row},
        )

    def content(self, spec: Mapping[str, Any]) -> str:
        return self.get("prompt") or str(spec.get("text", ""))

    def unread(self, qtype: str) -> None:
        """Leave the row out if it fills cells of columns the type does not read (naming each)."""
        unread = [
            name
            for name, value in self.values.items()
            if value and name not in COMMON and name not in TYPE_COLUMNS[qtype]
        ]
        for name in unread:
            readers = [t for t, columns in TYPE_COLUMNS.items() if name in columns]
            self.report.leave_out(
                self.row,
                f"column '{name}' is not read for {qtype} questions "
                f"(only for {', '.join(readers)}): leave it empty",
            )
        if unread:
            raise RowError

    def items(self, name: str) -> list[str]:
        return [unescape_item(item) for item in split_list(self.get(name))]

    def choices(self) -> dict[str, Any]:
        raw = split_list(self.get("choices"))
        feedback = self.items("feedback")
        if not raw:
            self.fail("choices is empty: list the choices separated by |, the right one(s) *")
        if len(feedback) > len(raw):
            self.fail(f"{len(feedback)} feedbacks for {len(raw)} choices")
        choices: list[dict[str, Any]] = []
        for i, item in enumerate(raw):
            right = item.startswith("*")
            credit, text = split_credit(item[1:].strip() if right else item)
            choice: dict[str, Any] = {"text": unescape_item(text)}
            if right:
                choice["correct"] = True
            if credit is not None:
                choice["credit"] = credit
            if i < len(feedback) and feedback[i]:
                choice["feedback"] = feedback[i]
            choices.append(choice)
        if not any(c.get("correct") for c in choices):
            self.fail("no choice is marked right: put * before the right one, e.g. *Paris")
        return {"choices": choices}

    def answer_list(
        self, read: Callable[[str], dict[str, Any] | None], what: str
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The answer cell's items read by ``read``, each right one (no credit) in the list;
        the partly right ones (``%50%`` before them) and ``*`` for any other answer, with the
        feedback column's item for each, as spec keys."""
        raw = split_list(self.get("answer"))
        feedback = self.items("feedback")
        if len(feedback) > len(raw):
            self.fail(f"{len(feedback)} feedbacks for {len(raw)} {what}")
        right: list[dict[str, Any]] = []
        extra: dict[str, Any] = {}
        for i, item in enumerate(raw):
            said = feedback[i] if i < len(feedback) else ""
            if item == ANY_OTHER:
                if said:
                    extra["otherwise"] = said
                continue
            credit, rest = split_credit(item)
            entry = read(rest)
            if entry is None:
                self.fail(
                    f"answer '{rest}' is not a number, a number ± tolerance, "
                    "or a range such as 70..75"
                )
            if credit is None:
                if said:
                    self.fail(
                        f"feedback '{said}' goes with a right answer, which has none: give "
                        "feedback to partly right answers and to * (any other answer)"
                    )
                right.append(entry)
                continue
            partly = {**entry, "credit": credit} | ({"feedback": said} if said else {})
            extra.setdefault("partial", []).append(partly)
        return right, extra

    def scoring(self, spec: dict[str, Any]) -> dict[str, Any]:
        if self.get("scoring"):
            spec["scoring"] = self.get("scoring").lower()
        return spec

    def match(self, spec: dict[str, Any]) -> dict[str, Any]:
        if self.get("match"):
            rules, errors = read_match(self.get("match"))
            for error in errors:
                self.report.leave_out(self.row, error)
            if errors:
                raise RowError
            spec["match"] = rules
        return spec


def _single_choice(row: RowReader) -> dict[str, Any]:
    return row.choices()


def _multiple_response(row: RowReader) -> dict[str, Any]:
    return row.scoring(row.choices())


def _true_false(row: RowReader) -> dict[str, Any]:
    answer = read_boolean(row.get("answer"))
    if answer is None:
        row.fail(f"answer must be true or false, not '{row.get('answer')}'")
    feedback = row.items("feedback")
    if len(feedback) > 2:
        row.fail("feedback of a true/false question: the one for 'true' | the one for 'false'")
    spec: dict[str, Any] = {"answer": answer}
    for key, text in zip(("feedback_true", "feedback_false"), feedback, strict=False):
        if text:
            spec[key] = text
    return spec


def _short_answer(row: RowReader) -> dict[str, Any]:
    right, extra = row.answer_list(lambda item: {"text": unescape_item(item)}, "answers")
    if not right:
        row.fail("answer is empty: list the accepted answers separated by |")
    return row.match({"answers": [entry["text"] for entry in right], **extra})


def _cloze(row: RowReader) -> dict[str, Any]:
    if not row.get("answer"):
        row.fail("answer is empty: write the text with its gaps as [[answer]]")
    return row.match({"text": row.get("answer")})


def _matching(row: RowReader) -> dict[str, Any]:
    pairs: list[dict[str, str]] = []
    distractors: list[str] = []
    for item in split_list(row.get("choices")):
        left, arrow, right = item.partition("->")
        if arrow:
            pairs.append(
                {"left": unescape_item(left.strip()), "right": unescape_item(right.strip())}
            )
        else:
            distractors.append(unescape_item(item))
    if not pairs:
        row.fail("choices has no pairs: write left -> right | left -> right")
    return {"pairs": pairs} | ({"distractors": distractors} if distractors else {})


def _ordering(row: RowReader) -> dict[str, Any]:
    items = row.items("choices")
    if not items:
        row.fail("choices is empty: list the items in the right order, separated by |")
    return row.scoring({"items": items})


def _numeric(row: RowReader) -> dict[str, Any]:
    right, extra = row.answer_list(read_numeric, "numbers")
    if len(right) != 1:
        row.fail(
            f"answer '{row.get('answer')}' is not one number, a number ± tolerance, "
            "or a range such as 70..75 (partly right ones after it, each with %credit%)"
        )
    spec = {**right[0], **extra}
    if row.get("unit"):
        spec["unit"] = row.get("unit")
    return spec


_SPEC_READERS: Mapping[str, Callable[[RowReader], dict[str, Any]]] = {
    "single_choice": _single_choice,
    "multiple_response": _multiple_response,
    "true_false": _true_false,
    "short_answer": _short_answer,
    "cloze": _cloze,
    "matching": _matching,
    "ordering": _ordering,
    "numeric": _numeric,
}
