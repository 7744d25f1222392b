"""Check question sets and report every problem as ``file:line: message``.

A set with any problem is never loaded. Besides the shape and the answer specification of
each question, the checks hold each question to its document: its source quote must be in
the document verbatim (only whitespace may differ), inside the section the question names,
and must not contain ``**``, the mark of a word lost from the document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from quizapp.bank.model import KeyPath, Problem, QuestionDoc, SetDoc
from quizapp.bank.yamlformat import Parsed, parse_set, read_set, set_files
from quizapp.grading import LANGUAGES, REGISTRY

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
LOST = "**"
# Column sizes of the database, so that a valid set always fits.
MAX_ID = 100
MAX_TITLE = 200
MAX_VERSION = 40
MAX_SOURCE_TITLE = 300
MAX_SOURCE_FILE = 500
MAX_SECTION = 200


class InvalidSetError(ValueError):
    """Raised when asked to load question sets that have problems."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the question sets")
        self.problems = tuple(problems)


def squash(text: str) -> str:
    """Collapse every run of whitespace to one space: the only difference quotes may have."""
    return " ".join(text.split())


@dataclass(frozen=True)
class Document:
    """A source document with whitespace collapsed, and its lines as (offset, text) pairs."""

    text: str
    lines: tuple[tuple[int, str], ...]

    @classmethod
    def of(cls, raw: str) -> Document:
        lines: list[tuple[int, str]] = []
        offset = 0
        for line in filter(None, (squash(line) for line in raw.splitlines())):
            lines.append((offset, line))
            offset += len(line) + 1
        return cls(" ".join(line for _, line in lines), tuple(lines))

    def heading(self, section: str) -> int | None:
        """Return where ``section`` starts: preferably at the start of a line, after any '#'."""
        wanted = squash(section)
        if not wanted:
            return None
        for start, line in self.lines:
            if line.lstrip("#").lstrip().startswith(wanted):
                return start
        found = self.text.find(wanted)
        return None if found == -1 else found

    def agreeing_prefix(self, quote: str) -> str:
        """Return the longest beginning of ``quote`` that the document contains."""
        low, high = 0, len(quote)
        while low < high:
            middle = (low + high + 1) // 2
            if quote[:middle] in self.text:
                low = middle
            else:
                high = middle - 1
        return quote[:low]


def _id_problem(value: str, what: str) -> str | None:
    """Say what is wrong with a stable id, if anything."""
    if not value:
        return f"{what} is missing"
    if not ID_PATTERN.fullmatch(value):
        return (
            f"{what} '{value}' may hold only lower-case letters, digits, '.', '_' and '-', "
            "and must start with a letter or digit"
        )
    if len(value) > MAX_ID:
        return f"{what} is longer than {MAX_ID} characters"
    return None


class _Validator:
    """Checks one set; each method looks at one part and records what is wrong with it."""

    def __init__(self, doc: SetDoc, require_source: bool = True) -> None:
        self.doc = doc
        self.document = Document.of(doc.source.text)
        self.problems: list[Problem] = []
        self.require_source = require_source
        # The problems of each question, by its position in the set.
        self.of_question: dict[int, list[Problem]] = {}
        self._checking: int | None = None

    @cached_property
    def sections(self) -> _Sections:
        return _Sections(self.document, self.doc)

    def fail(self, line: int, message: str) -> None:
        problem = Problem(self.doc.file, line, message)
        self.problems.append(problem)
        if self._checking is not None:
            self.of_question.setdefault(self._checking, []).append(problem)

    def at(self, path: KeyPath) -> int:
        """Return the line of a set-level ``path``; 1 for a file that lacks the key."""
        return self.doc.line_of(path) or (1 if self.doc.locations else 0)

    def run(self) -> list[Problem]:
        self.header()
        self.topics()
        self.questions()
        return sorted(self.problems, key=lambda p: p.line)

    def header(self) -> None:
        doc = self.doc
        if problem := _id_problem(doc.id, "set id"):
            self.fail(self.at(("id",)), problem)
        self.text(doc.title, ("title",), "title", MAX_TITLE)
        self.text(doc.version, ("version",), "version", MAX_VERSION)
        if doc.language not in LANGUAGES:
            known = ", ".join(f"{code} ({name})" for code, name in LANGUAGES.items())
            self.fail(self.at(("language",)), f"unknown language '{doc.language}': use {known}")
        if self.require_source or doc.source.title:
            self.text(doc.source.title, ("source", "title"), "source title", MAX_SOURCE_TITLE)
        if len(doc.source.file) > MAX_SOURCE_FILE:
            self.fail(self.at(("source", "file")), "source file name is too long")
        if not doc.source.text.strip() and not doc.source.file and self.require_source:
            self.fail(
                self.at(("source",)),
                "the source document is missing: give source.file "
                "(a text file beside this one) or source.text",
            )

    def text(self, value: str, path: KeyPath, what: str, limit: int) -> None:
        if not value.strip():
            self.fail(self.at(path), f"{what} is missing")
        elif len(value) > limit:
            self.fail(self.at(path), f"{what} is longer than {limit} characters")

    def topics(self) -> None:
        if not self.doc.topics:
            self.fail(self.at(("topics",)), "the set has no topics")
        first_line: dict[str, int] = {}
        for i, topic in enumerate(self.doc.topics):
            line = self.at(("topics", i, "id"))
            if problem := _id_problem(topic.id, "topic id"):
                self.fail(line, problem)
            elif topic.id in first_line:
                self.fail(
                    line,
                    f"topic id '{topic.id}' is used twice (first on line {first_line[topic.id]})",
                )
            first_line.setdefault(topic.id, line)
            self.text(topic.title, ("topics", i, "title"), "topic title", MAX_TITLE)
            if topic.section and self.document.heading(topic.section) is None:
                self.fail(
                    self.at(("topics", i, "section")),
                    f"section '{topic.section}' is not in the source document",
                )

    def questions(self) -> None:
        if not self.doc.questions:
            self.fail(self.at(("questions",)), "the set has no questions")
        first_line: dict[str, int] = {}
        for index, question in enumerate(self.doc.questions):
            self._checking = index
            line = question.line_of(("id",))
            if question.id in first_line:
                self.fail(
                    line,
                    f"question id '{question.id}' is used twice (first on line "
                    f"{first_line[question.id]})",
                )
            first_line.setdefault(question.id, line)
            _QuestionCheck(self, question).run()
        self._checking = None


class _QuestionCheck:
    """Checks one question of a set."""

    def __init__(self, owner: _Validator, question: QuestionDoc) -> None:
        self.owner = owner
        self.question = question

    def fail(self, path: KeyPath, message: str) -> None:
        self.owner.fail(self.question.line_of(path), message)

    def run(self) -> None:
        q = self.question
        if problem := _id_problem(q.id, "question id"):
            self.fail(("id",), problem)
        self.topic()
        self.type_and_spec()
        strict = self.owner.require_source
        if not q.explanation.strip() and strict:
            self.fail(
                ("explanation",),
                "explanation is missing: say in a sentence or two why the answer is right",
            )
        if strict or q.source.section.strip() or q.source.quote.strip():
            self.source()

    def topic(self) -> None:
        known = [t.id for t in self.owner.doc.topics]
        if not self.question.topic:
            self.fail(("topic",), "topic is missing")
        elif self.question.topic not in known:
            self.fail(
                ("topic",),
                f"unknown topic '{self.question.topic}' (topics: {', '.join(known) or 'none'})",
            )

    def type_and_spec(self) -> None:
        q = self.question
        qtype = REGISTRY.get(q.type)
        if qtype is None:
            what = f"unknown type '{q.type}'" if q.type else "type is missing"
            self.fail(("type",), f"{what} (types: {', '.join(REGISTRY)})")
        else:
            for problem in qtype.validate(q.spec):
                self.fail(problem.path, problem.message)
        if not q.prompt.strip() and not (qtype is not None and qtype.prompt_optional):
            self.fail(("prompt",), "prompt is missing")

    def source(self) -> None:
        ref = self.question.source
        if not ref.section.strip():
            self.fail(("source", "section"), "source section is missing")
        elif len(ref.section) > MAX_SECTION:
            self.fail(
                ("source", "section"), f"source section is longer than {MAX_SECTION} characters"
            )
        if not ref.quote.strip():
            self.fail(
                ("source", "quote"),
                "source quote is missing: copy the sentence(s) "
                "of the document that support the answer",
            )
            return
        if LOST in ref.quote:
            self.fail(
                ("source", "quote"),
                f"source quote contains '{LOST}', a word lost from "
                "the document: quote a passage without it",
            )
        self.quote_in_document(squash(ref.quote), ref.section)

    def quote_in_document(self, quote: str, section: str) -> None:
        document = self.owner.document
        if not document.text:
            return  # the missing document is reported once, for the set
        if quote not in document.text:
            self.fail(("source", "quote"), _not_found_message(document, quote))
            return
        if not section.strip():
            return
        if document.heading(section) is None:
            self.fail(
                ("source", "section"), f"source section '{section}' is not in the source document"
            )
            return
        sections = self.owner.sections
        if not sections.holds(section, quote):
            where = sections.name_at(document.text.find(quote))
            self.fail(
                ("source", "quote"),
                f"source quote is in the document but not in section "
                f"'{section}' (it is in section '{where}')",
            )


def _not_found_message(document: Document, quote: str) -> str:
    """Say where the quote parts from the document, at a word boundary."""
    agreed = document.agreeing_prefix(quote)
    agreed = agreed[: agreed.rfind(" ")] if " " in agreed else ""
    if len(agreed) < 10:
        return f'source quote is not in the document: "{_clip(quote)}"'
    tail = " ".join(agreed.split()[-5:])
    return (
        f'source quote is not in the document: it agrees up to "…{tail}" and then the '
        f'document does not go on with "{_clip(quote[len(agreed) :].strip())}"'
    )


def _clip(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[:size] + "…"


class _Sections:
    """The document cut at the headings of every section the set names."""

    def __init__(self, document: Document, doc: SetDoc) -> None:
        self.document = document
        names = [t.section for t in doc.topics] + [q.source.section for q in doc.questions]
        starts: dict[int, str] = {}
        for name in names:
            start = document.heading(name) if name.strip() else None
            if start is not None:
                starts.setdefault(start, name)
        self.starts = sorted(starts)
        self.names = starts

    def span(self, section: str) -> tuple[int, int]:
        start = self.document.heading(section)
        assert start is not None
        later = [s for s in self.starts if s > start]
        return start, min(later, default=len(self.document.text))

    def holds(self, section: str, quote: str) -> bool:
        start, end = self.span(section)
        found = self.document.text.find(quote, start)
        return found != -1 and found + len(quote) <= end

    def name_at(self, position: int) -> str:
        before = [s for s in self.starts if s <= position]
        return self.names[max(before)] if before else "before the first section"


def validate_set(doc: SetDoc, *, require_source: bool = True) -> list[Problem]:
    """Return every problem in ``doc``, ordered by line.

    Args:
        doc: the set.
        require_source: the app's own sets are drawn from a document, so each question
            needs an explanation and a source reference found in it. Sets imported from
            formats that carry no document (GIFT, Moodle XML, Aiken, CSV, Anki) pass
            ``False``: explanations and source references are then optional, but any
            reference given is still checked against the document, if there is one.
    """
    return _Validator(doc, require_source).run()


@dataclass(frozen=True)
class Validation:
    """A set's problems, told apart: the set's own, and each question's (by position)."""

    of_set: tuple[Problem, ...]
    of_question: Mapping[int, tuple[Problem, ...]]

    def without_bad_questions(self, doc: SetDoc) -> SetDoc:
        """``doc`` without the questions that have problems."""
        return replace(
            doc,
            questions=tuple(q for i, q in enumerate(doc.questions) if i not in self.of_question),
        )


def validate_questions(doc: SetDoc, *, require_source: bool = True) -> Validation:
    """Check ``doc`` like ``validate_set``, telling the problems of each question (which the
    rest of the set can be imported without) from those of the set itself."""
    validator = _Validator(doc, require_source)
    validator.run()
    mine = {id(p) for found in validator.of_question.values() for p in found}
    return Validation(
        tuple(sorted((p for p in validator.problems if id(p) not in mine), key=lambda p: p.line)),
        {i: tuple(found) for i, found in validator.of_question.items()},
    )


@dataclass(frozen=True)
class Checked:
    """The sets read from some files and every problem found in them."""

    docs: tuple[SetDoc, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _with_content_checks(parsed: Parsed) -> Parsed:
    if parsed.doc is None:
        return parsed
    problems = sorted([*parsed.problems, *validate_set(parsed.doc)], key=lambda p: p.line)
    return Parsed(parsed.doc, tuple(problems))


def check_text(text: str, file: str = "<text>", *, base_dir: Path | None = None) -> Parsed:
    """Read and validate a set from YAML text (see ``parse_set``)."""
    return _with_content_checks(parse_set(text, file, base_dir=base_dir))


def check_file(path: Path, name: str | None = None) -> Parsed:
    """Read and validate the set in the file at ``path``."""
    return _with_content_checks(read_set(path, name))


def check_paths(paths: Iterable[Path]) -> Checked:
    """Read and validate every set file given, or found directly inside a given folder.

    Set ids must also be unique across the files.
    """
    files, problems = set_files(list(paths))
    docs: list[SetDoc] = []
    owners: dict[str, str] = {}
    for path in files:
        parsed = check_file(path)
        problems += parsed.problems
        if parsed.doc is None:
            continue
        docs.append(parsed.doc)
        doc = parsed.doc
        if doc.id in owners:
            problems.append(
                Problem(
                    doc.file,
                    doc.line_of(("id",)),
                    f"set id '{doc.id}' is also the id of {owners[doc.id]}",
                )
            )
        owners.setdefault(doc.id, doc.file)
    return Checked(tuple(docs), tuple(problems))
