"""Anki's text export ("Notes in Plain Text"): importer.

The file starts with header lines ``#key:value``: ``#separator:`` (``tab``, ``comma``,
``semicolon``, ``space``, ``pipe``, ``colon`` or the character itself), ``#html:true|false``,
``#columns:`` (the column names, split by the separator), ``#notetype:``/``#deck:``/``#tags:``
(for every note), and ``#guid column:N``, ``#notetype column:N``, ``#deck column:N``,
``#tags column:N`` (1-based). The notes follow, one a record (fields may be quoted with ``"``
and then hold line breaks). Without ``#separator:`` a tab is used if the first note has one,
else a comma or a semicolon, whichever it has more of. Lines starting with ``#`` below the
header are comments, skipped as Anki does.

=====================================  ======================================================
Anki                                   app
=====================================  ======================================================
Basic notes (any note type whose name  ``short_answer``: prompt = the front as written; the
starts with ``Basic``)                 accepted answer = the back as plain text (HTML
                                       stripped, one line)
Cloze notes (``Cloze``, or no note     ``cloze``: ``{{cN::answer::hint}}`` becomes a
type and a ``{{c1::`` in the text)     ``[[answer]]`` gap, the hint written after it as
                                       ``(hint: hint)`` (warned; one holding ``[[``, ``]]``
                                       or ``|`` is dropped); *Back Extra* becomes the
                                       explanation. One question per card, as Anki asks
                                       them (and as the package reader does): with c1, c2,
                                       c3, three (ids: the note's + ``-c1``...), each
                                       hiding its deletions and showing the others' answers
deck ``Deck::Sub``                     topic ``Deck / Sub`` (``#deck:``, else ``General``)
tags (space separated) and ``#tags:``  tags
guid                                   id ``anki-`` + 12 hex of the guid's sha256 (guids
                                       differ by case, ids do not); without one, an id made
                                       from the content
other note types                       left out, by name and line
fields beyond the note type's two      warning: dropped
=====================================  ======================================================

With ``#html:false`` fields are plain text and nothing is stripped. The front, the cloze text
and *Back Extra* are kept as written (HTML included, a ``<script>`` too): the web layer
sanitises them. A note that cannot be imported (its type, an empty front or back, a cloze it
cannot read) is left out, the reason at the line the note starts on, and the others are
imported; a bad header, a record that is not valid CSV (the notes after it cannot be read)
and a file without notes are problems of the whole file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import ClassVar

from quizapp.bank.model import QuestionDoc
from quizapp.formats.anki_notes import cloze_numbers, hint_text, hint_warnings
from quizapp.formats.assemble import NO_SOURCE, SetBuilder
from quizapp.formats.base import Importer, ImportResult
from quizapp.formats.htmltext import one_line
from quizapp.formats.report import Report, name_of
from quizapp.formats.textfile import decode_text, unclosed_quote

SEPARATORS = {
    "tab": "\t",
    "comma": ",",
    "semicolon": ";",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
SPECIAL = ("guid", "notetype", "deck", "tags")
_HEADER = re.compile(r"#([a-z ]+):(.*)")
_CLOZE = re.compile(r"\{\{c(\d{1,9})::")  # as anki_notes: a longer number is text
_KNOWN_KEYS = frozenset(
    {"separator", "html", "columns", "notetype", "deck", "tags"} | {f"{k} column" for k in SPECIAL}
)
SURE = 4
LIKELY = 3


@dataclass
class Header:
    """What the header lines say."""

    separator: str = ""
    html: bool = True
    columns: list[str] = field(default_factory=list)
    notetype: str = ""
    deck: str = ""
    tags: list[str] = field(default_factory=list)
    special: dict[str, int] = field(default_factory=dict)
    lines: int = 0


def read_header(lines: list[str], report: Report) -> Header:
    """Read the ``#key:value`` lines at the top of the file."""
    header = Header()
    values: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        found = _HEADER.fullmatch(line.strip())
        if found is None:
            break
        header.lines = number
        key, value = found.group(1).strip(), found.group(2).strip()
        if key not in _KNOWN_KEYS:
            report.warn(number, f"unknown header '#{key}:' is ignored")
        values[key] = value
        if key.endswith(" column"):
            _special(header, key[: -len(" column")], value, number, report)
    _apply(header, values, report)
    return header


def _special(header: Header, name: str, value: str, number: int, report: Report) -> None:
    if not value.isdigit() or int(value) < 1:
        report.problem(number, f"#{name} column: '{value}' is not a column number (1, 2, ...)")
    elif name in SPECIAL:
        header.special[name] = int(value) - 1


def _apply(header: Header, values: dict[str, str], report: Report) -> None:
    separator = values.get("separator", "")
    header.separator = SEPARATORS.get(separator.lower(), separator)
    if len(header.separator) > 1:
        report.problem(1, f"#separator: '{separator}' is not a separator")
        header.separator = ""
    header.html = values.get("html", "true").lower() != "false"
    header.notetype = values.get("notetype", "")
    header.deck = values.get("deck", "")
    header.tags = values.get("tags", "").split()
    if "columns" in values:
        header.columns = values["columns"].split(header.separator or "\t")


def without_comments(body: str) -> str:
    """Blank the comment lines, which Anki skips: a ``#`` first, outside a quoted field (the
    lines stay, so that notes keep their line numbers)."""
    out: list[str] = []
    inside = False
    for line in body.split("\n"):
        if not inside and line.startswith("#"):
            out.append("")
            continue
        out.append(line)
        if line.count('"') % 2:
            inside = not inside
    return "\n".join(out)


def _guess_separator(first_line: str) -> str:
    if "\t" in first_line:
        return "\t"
    return max((",", ";"), key=first_line.count)


class AnkiTextReader:
    """Reads the notes of a text export into a ``SetBuilder``."""

    def __init__(self, builder: SetBuilder, report: Report, header: Header) -> None:
        self.builder = builder
        self.report = report
        self.header = header
        self.special = dict(header.special)
        for index, name in enumerate(header.columns):
            if name.strip().lower() in SPECIAL:
                self.special.setdefault(name.strip().lower(), index)

    def read(self, body: str) -> None:
        body = without_comments(body)
        first = next((line for line in body.split("\n") if line.strip()), "")
        separator = self.header.separator or _guess_separator(first)
        records = csv.reader(io.StringIO(body, newline=""), delimiter=separator)
        start = last = self.header.lines + 1
        try:
            for record in records:
                if any(cell.strip() for cell in record):
                    self.note(record, start)
                last, start = start, self.header.lines + records.line_num + 1
        except csv.Error as exc:
            self.report.problem(start, f"not a valid note: {exc}")
            return
        if unclosed_quote(body, separator):
            self.report.problem(last, "not a valid note: a '\"' opens a field that is never closed")

    def cell(self, record: list[str], name: str) -> str:
        index = self.special.get(name)
        return record[index].strip() if index is not None and index < len(record) else ""

    def note(self, record: list[str], line: int) -> None:
        special = set(self.special.values())
        fields = [cell for i, cell in enumerate(record) if i not in special]
        notetype = self.cell(record, "notetype") or self.header.notetype
        if not notetype:
            notetype = "Cloze" if fields and _CLOZE.search(fields[0]) else "Basic"
        deck = self.cell(record, "deck") or self.header.deck
        note = Note(
            line=line,
            fields=fields,
            guid=self.cell(record, "guid"),
            topic=self.builder.topic(" / ".join(p.strip() for p in deck.split("::")), line),
            tags=tuple(dict.fromkeys(self.cell(record, "tags").split() + self.header.tags)),
        )
        if notetype.lower().startswith("basic"):
            self.add(self.basic(note), note)
        elif notetype.lower().startswith("cloze"):
            self.cloze(note)
        else:
            self.report.leave_out(
                line,
                f"note type '{notetype}' is not supported (only Basic and Cloze notes): "
                f"{name_of('', (one_line(fields[0]) or fields[0]) if fields else '')}",
            )

    def plain(self, text: str) -> str:
        return one_line(text) if self.header.html else " ".join(text.split())

    def extra_fields(self, note: Note, used: int) -> None:
        if any(f.strip() for f in note.fields[used:]):
            self.report.warn(
                note.line,
                f"fields after the first {used} are dropped: {name_of('', self.plain(note.first))}",
            )

    def basic(self, note: Note) -> tuple[str, dict[str, object], str] | None:
        """Return the prompt, spec and explanation of a Basic note."""
        back = self.plain(note.fields[1]) if len(note.fields) > 1 else ""
        if not note.first.strip() or not back:
            self.report.leave_out(note.line, "a Basic note needs a front and a back")
            return None
        self.extra_fields(note, 2)
        return note.first.strip(), {"answers": [back]}, ""

    def cloze(self, note: Note) -> None:
        """Add the questions of a Cloze note: one per card, as Anki asks them (card N hides
        the deletions numbered N), the note's id + ``-cN``; one card keeps the note's id."""
        converter = ClozeConverter(self, note)
        text = converter.convert()
        if text is None:
            return
        for message in hint_warnings(text, converter.hints):
            self.report.warn(note.line, message)
        self.extra_fields(note, 2)
        extra = note.fields[1].strip() if len(note.fields) > 1 else ""
        cards = [("", text)]
        numbers = cloze_numbers(note.first)
        if len(numbers) > 1:
            cards = [(f"-c{n}", converter.convert(n) or "") for n in numbers]
        for suffix, card in cards:
            self.add(("", {"text": card}, extra), note, suffix)

    def add(
        self, shaped: tuple[str, dict[str, object], str] | None, note: Note, suffix: str = ""
    ) -> None:
        """Add a question of ``note`` (its id the note's, + ``suffix`` for one of its cards)."""
        if shaped is None:
            return
        prompt, spec, explanation = shaped
        qtype = "cloze" if "text" in spec else "short_answer"
        own = "anki-" + hashlib.sha256(note.guid.encode()).hexdigest()[:12] if note.guid else ""
        own += suffix if own else ""
        self.builder.add(
            QuestionDoc(
                id=self.builder.question_id(own, "", prompt or str(spec.get("text", ""))),
                topic=note.topic,
                type=qtype,
                prompt=prompt,
                spec=spec,
                explanation=explanation,
                source=NO_SOURCE,
                tags=note.tags,
                locations={(): note.line},
            )
        )


@dataclass(frozen=True)
class Note:
    """One note's place, fields (without the special columns), topic id and tags."""

    line: int
    fields: list[str]
    guid: str
    topic: str
    tags: tuple[str, ...]

    @property
    def first(self) -> str:
        return self.fields[0] if self.fields else ""


class ClozeConverter:
    """Turns ``{{cN::answer::hint}}`` deletions into ``[[answer]]`` gaps, each hint written
    after its gap (see ``anki_notes.hint_text``)."""

    def __init__(self, owner: AnkiTextReader, note: Note) -> None:
        self.owner = owner
        self.note = note
        self.hints: list[str] = []

    def fail(self, message: str) -> None:
        """Leave the note out, saying why."""
        name = name_of("", self.owner.plain(self.note.first))
        self.owner.report.leave_out(self.note.line, f"{message}: {name}")

    def convert(self, number: int | None = None) -> str | None:
        """Return the note's text with its deletions made gaps (None when the note is left
        out). With ``number``, only that card's deletions become gaps, and the others show
        their answer, as Anki shows them on that card; ``hints`` are then that card's."""
        text = self.note.first
        pieces: list[str] = []
        position = 0
        self.hints = []
        while (found := _CLOZE.search(text, position)) is not None:
            end = text.find("}}", found.end())
            if end == -1:
                self.fail("a cloze deletion '{{c" + found.group(1) + "::' is not closed by '}}'")
                return None
            gap = self.gap(text[found.end() : end], number in (None, int(found.group(1))))
            if gap is None:
                return None
            pieces += [text[position : found.start()], gap]
            position = end + 2
        if not pieces:
            self.fail("a Cloze note without any {{c1::...}} deletion")
            return None
        return ("".join(pieces) + text[position:]).strip()

    def gap(self, inside: str, hidden: bool = True) -> str | None:
        """Return one deletion as a gap, its hint after it; or, not ``hidden``, its answer."""
        if _CLOZE.search(inside):
            self.fail("nested cloze deletions are not supported")
            return None
        written, _, hint = inside.partition("::")
        answer = self.owner.plain(written)
        if not answer or any(mark in answer for mark in ("|", "[[", "]]")):
            self.fail(f"cloze answer '{answer}' is empty or holds '|', '[[' or ']]'")
            return None
        if not hidden:
            return written
        hint = self.owner.plain(hint)
        if hint:
            self.hints.append(hint)
        keep = hint and not any(mark in hint for mark in ("[[", "]]", "|"))
        return f"[[{answer}]]" + (hint_text(hint) if keep else "")


class AnkiTextImporter(Importer):
    """Reads Anki's "Notes in Plain Text" export."""

    name: ClassVar[str] = "anki_text"
    label: ClassVar[str] = "Anki notes in plain text"
    extensions: ClassVar[tuple[str, ...]] = (".txt",)

    def read(self, data: bytes, filename: str, *, set_id: str | None = None) -> ImportResult:
        decoded = decode_text(data, filename)
        if decoded.text is None:
            return ImportResult(None, decoded.problems)
        builder, report = SetBuilder(filename, set_id), Report(filename)
        lines = decoded.text.split("\n")
        header = read_header(lines, report)
        AnkiTextReader(builder, report, header).read("\n".join(lines[header.lines :]))
        if not builder.questions and not report.problems and not report.left_out:
            report.problem(header.lines + 1, "the file holds no notes")
        return report.imported(builder.build())

    def sniff(self, head: str) -> int:
        """A ``#separator:``-style header line first, or a tab inside every line but the
        ``#`` comments: sure (before GIFT, whose marks a note may hold); else the same number
        of ``;`` on every such line: likely (GIFT's marks win, Aiken's do not)."""
        lines = [line for line in head.split("\n")[:40] if line.strip()]
        if lines and _HEADER.fullmatch(lines[0].strip()):
            key = lines[0].strip()[1:].split(":", 1)[0].strip()
            if key in _KNOWN_KEYS:
                return SURE
        notes = [line for line in lines if not line.startswith("#")][:20]
        if not notes:
            return 1
        if all("\t" in line.lstrip() for line in notes):
            return SURE
        semicolons = notes[0].count(";")
        if semicolons and all(line.count(";") == semicolons for line in notes):
            return LIKELY
        return 1


IMPORTER = AnkiTextImporter()
