"""Aiken: single-choice questions in plain text. Importer, and exporter for single choice.

A question is its text (one line or several), then its choices, one a line, each starting
with a capital letter and ``.`` or ``)`` (a space after it is optional, as in Moodle: ``A)Paris``
is choice A), then ``ANSWER: X`` naming the right one::

    Which cells proliferate in multiple myeloma?
    A. Plasma cells
    B) T cells
    ANSWER: A

Blank lines between questions are optional (and ignored inside a question). Every question
becomes a ``single_choice`` in the topic ``General``, with an id made from its text (Aiken has
no ids, titles, feedback, explanations or categories). Left out, each at its line (the other
questions are imported): choices before any question text, an ``ANSWER:`` without a question,
a question that never gets its ``ANSWER:`` line, an answer letter that is not a choice, a
letter used twice, a choice without text, fewer than two choices. Every line starting with
``ANSWER:`` is an answer line, as in Moodle (never question text): its first character is
the letter, and text after the letter is ignored with a warning. Problems (the file is not
imported): not UTF-8 text, too many lines, no question at all.

The exporter writes ``single_choice`` questions and reports every other type as skipped, by
question id; feedback, explanations, titles and tags are left out with one warning each, and
so are formatting and pictures. A
round trip gives the same prompts and choices (ids, topics and all the rest are the ones an
Aiken import makes).

Aiken is plain text, as in Moodle (which escapes it): a question and its choices show exactly
as written, ``<b>`` and ``&amp;`` included (see ``plain_as_rich``). The exporter writes the
plain text a question shows (HTML reduced to its text, as Moodle's Aiken export does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from quizapp.bank.model import KeyPath, QuestionDoc, SetDoc
from quizapp.formats.assemble import NO_SOURCE, SetBuilder
from quizapp.formats.base import Exporter, ExportResult, Importer, ImportResult, Media
from quizapp.formats.htmltext import plain_as_rich, rich_as_plain
from quizapp.formats.report import Report, few, name_of
from quizapp.formats.textfile import decode_text

# As Moodle's Aiken reader: a capital, ``)`` or ``.``, an optional space, the text.
_CHOICE = re.compile(r"([A-Z])[.)][ \t]?(.*)")
_ANSWER = re.compile(r"ANSWER:\s*(\S?)(.*)")
_TELLTALE = re.compile(r"^ANSWER:\s*[A-Z]\s*$", re.MULTILINE)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SURE = 2


@dataclass
class _Draft:
    """A question being read: its text lines and its choices by letter."""

    line: int
    text: list[str] = field(default_factory=list)
    choices: dict[str, tuple[str, int]] = field(default_factory=dict)
    faulty: bool = False
    """Already left out (a letter given twice): its ANSWER line adds nothing."""


def _name(draft: _Draft) -> str:
    return name_of("", " ".join(draft.text))


class AikenReader:
    """Reads the lines of an Aiken file into a ``SetBuilder``."""

    def __init__(self, builder: SetBuilder, report: Report) -> None:
        self.builder = builder
        self.report = report
        self.draft: _Draft | None = None

    def read(self, text: str) -> None:
        for number, raw in enumerate(text.split("\n"), start=1):
            self.line(number, raw.strip())
        if self.draft is not None:
            self.unfinished()

    def line(self, number: int, line: str) -> None:
        if not line:
            return
        answer = _ANSWER.fullmatch(line)
        if answer is not None:
            self.answer(number, answer.group(1), answer.group(2).strip())
            return
        choice = _CHOICE.fullmatch(line)
        if choice is not None and self.draft is not None and self.draft.text:
            self.choice(number, choice.group(1), choice.group(2))
            return
        if self.draft is not None and self.draft.choices:
            self.unfinished()
        if choice is not None and self.draft is None:
            self.report.leave_out(number, "a choice comes before any question text")
            return
        self.draft = self.draft or _Draft(number)
        self.draft.text.append(line)

    def choice(self, number: int, letter: str, text: str) -> None:
        assert self.draft is not None
        if letter in self.draft.choices:
            self.report.leave_out(number, f"choice {letter} is given twice: {_name(self.draft)}")
            self.draft.faulty = True
        elif not text.strip():
            self.report.leave_out(number, f"choice {letter} has no text: {_name(self.draft)}")
            self.draft.faulty = True
        self.draft.choices.setdefault(letter, (text.strip(), number))

    def unfinished(self) -> None:
        assert self.draft is not None
        self.report.leave_out(
            self.draft.line, f"no 'ANSWER:' line after the choices: {_name(self.draft)}"
        )
        self.draft = None

    def answer(self, number: int, letter: str, rest: str) -> None:
        draft, self.draft = self.draft, None
        if draft is None:
            self.report.leave_out(number, "'ANSWER:' without a question before it")
        elif len(draft.choices) < 2:
            self.report.leave_out(number, f"a question needs at least two choices: {_name(draft)}")
        elif letter not in draft.choices:
            self.report.leave_out(
                number,
                f"answer '{letter}' is not one of the choices ({', '.join(draft.choices)}): "
                f"{_name(draft)}",
            )
        elif not draft.faulty:
            if rest:
                self.report.warn(
                    number,
                    f"'{rest}' after the answer letter {letter} is ignored (an Aiken question "
                    f"has one right answer): {_name(draft)}",
                )
            self.add(draft, letter)

    def add(self, draft: _Draft, right: str) -> None:
        written = "\n".join(draft.text)
        choices = [
            {"text": plain_as_rich(text), "correct": True}
            if letter == right
            else {"text": plain_as_rich(text)}
            for letter, (text, _) in draft.choices.items()
        ]
        lines: dict[KeyPath, int] = {
            ("choices", i): n for i, (_, n) in enumerate(draft.choices.values())
        }
        self.builder.add(
            QuestionDoc(
                id=self.builder.question_id("", "", written),
                topic=self.builder.topic(""),
                type="single_choice",
                prompt=plain_as_rich(written),
                spec={"choices": choices},
                explanation="",
                source=NO_SOURCE,
                locations={(): draft.line, **lines},
            )
        )


class AikenImporter(Importer):
    """Reads Aiken files."""

    name: ClassVar[str] = "aiken"
    label: ClassVar[str] = "Aiken"
    extensions: ClassVar[tuple[str, ...]] = (".aiken", ".txt")

    def read(self, data: bytes, filename: str, *, set_id: str | None = None) -> ImportResult:
        decoded = decode_text(data, filename)
        if decoded.text is None:
            return ImportResult(None, decoded.problems)
        builder, report = SetBuilder(filename, set_id), Report(filename)
        AikenReader(builder, report).read(decoded.text)
        if not builder.questions and not report.problems and not report.left_out:
            report.problem(1, "the file holds no Aiken questions")
        return report.imported(builder.build())

    def sniff(self, head: str) -> int:
        """A line ``ANSWER: X``."""
        return SURE if _TELLTALE.search(head) else 1


def _one_line(text: str) -> str:
    return " ".join(text.split())


class AikenExporter(Exporter):
    """Writes the single-choice questions of a set as Aiken."""

    name: ClassVar[str] = "aiken"
    label: ClassVar[str] = "Aiken"
    extension: ClassVar[str] = ".aiken.txt"
    media_type: ClassVar[str] = "text/plain; charset=utf-8"

    def export(self, doc: SetDoc, media: Media | None = None) -> ExportResult:
        report = Report(doc.file or doc.id)
        blocks = [b for b in (self.question(q, report) for q in doc.questions) if b]
        single = [q for q in doc.questions if q.type == "single_choice"]
        lost = [q for q in single if _has_extras(q)]
        if lost:
            report.warn(
                0,
                "Aiken has no feedback, explanations, titles or tags: left out of "
                f"{few([q.id for q in lost])}",
            )
        formatted = [q for q in single if _has_formatting(q)]
        if formatted:
            report.warn(
                0,
                "Aiken is plain text: the formatting and pictures of "
                f"{few([q.id for q in formatted])} are left out, their text is written",
            )
        return report.exported("\n".join(blocks).encode("utf-8"))

    def question(self, question: QuestionDoc, report: Report) -> str:
        """Return the question as Aiken, or '' after reporting why it cannot be."""
        if question.type != "single_choice":
            report.problem(
                question.line, f"question '{question.id}' is left out: Aiken has only single choice"
            )
            return ""
        choices = question.spec["choices"]
        shown = rich_as_plain(question.prompt)
        prompt = [line.strip() for line in shown.splitlines() if line.strip()]
        if len(choices) > len(LETTERS) or any(_looks_special(line) for line in prompt):
            report.problem(
                question.line,
                f"question '{question.id}' is left out: more than 26 choices, or a prompt line "
                "that Aiken would read as a choice or an answer",
            )
            return ""
        lines = prompt + [
            f"{LETTERS[i]}. {_one_line(rich_as_plain(c['text']))}" for i, c in enumerate(choices)
        ]
        right = next(i for i, c in enumerate(choices) if c.get("correct"))
        return "\n".join([*lines, f"ANSWER: {LETTERS[right]}", ""])


def _looks_special(line: str) -> bool:
    return bool(_CHOICE.fullmatch(line) or _ANSWER.fullmatch(line))


def _has_formatting(question: QuestionDoc) -> bool:
    """Say whether the question shows HTML (not just plain text held as HTML)."""
    texts = [question.prompt, *(str(c["text"]) for c in question.spec["choices"])]
    return any(plain_as_rich(rich_as_plain(text)) != text for text in texts)


def _has_extras(question: QuestionDoc) -> bool:
    feedback = any(c.get("feedback") for c in question.spec.get("choices", []))
    return bool(feedback or question.explanation or question.title or question.tags)


IMPORTER = AikenImporter()
EXPORTER = AikenExporter()
