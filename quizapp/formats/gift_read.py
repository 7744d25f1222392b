"""Reading a GIFT file: blocks, comments, categories, titles and question text.

Questions are separated by blank lines and may run over several lines. A line starting with
``//`` is a comment; ``[id:...]`` and ``[tag:...]`` in the comments of a question give its
stable id and its tags (in the comments above a ``$CATEGORY:`` line, ``[id:...]`` is the
topic's id). Text around the answer block makes a missing-word question: a short answer
becomes a cloze question with the gap where the block was; any other type keeps its type and
shows ``_____`` in place of the block, as Moodle does.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from quizapp.bank.model import QuestionDoc
from quizapp.formats.assemble import NO_SOURCE, SetBuilder
from quizapp.formats.categories import category_title
from quizapp.formats.gift_answers import AnswerReader, Answers, formatted, split_format
from quizapp.formats.gift_text import find_unescaped, unescape, unknown_escapes
from quizapp.formats.report import Report, name_of

CATEGORY = "$CATEGORY:"
BLANK = "_____"
_ID = re.compile(r"\[id:([^\]]*)\]")
_TAG = re.compile(r"\[tag:([^\]]*)\]")
_GAP_BREAKERS = ("|", "[[", "]]")


@dataclass
class Block:
    """Lines of one question (or category) and its comment lines, each with its number."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    comments: list[tuple[int, str]] = field(default_factory=list)

    def ids(self, after: int = 0) -> list[str]:
        """Return the ``[id:...]`` of the comments after line ``after``."""
        return [i for n, line in self.comments if n > after for i in _ID.findall(line)]

    def tags(self, after: int = 0) -> list[str]:
        """Return the ``[tag:...]`` of the comments after line ``after``."""
        return [t.strip() for n, line in self.comments if n > after for t in _TAG.findall(line)]


def blocks(text: str) -> Iterator[Block]:
    """Yield the blank-line separated blocks of ``text``, comments set apart."""
    block = Block()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if block.lines or block.comments:
                yield block
            block = Block()
        elif line.lstrip().startswith("//"):
            block.comments.append((number, line))
        else:
            block.lines.append((number, line))
    if block.lines or block.comments:
        yield block


class _Text:
    """The text of a block without its comment lines, telling the line of any position."""

    def __init__(self, lines: list[tuple[int, str]]) -> None:
        self.text = "\n".join(line for _, line in lines)
        self.numbers = [number for number, _ in lines]
        self.breaks = [i for i, char in enumerate(self.text) if char == "\n"]

    def line_at(self, position: int) -> int:
        return self.numbers[bisect.bisect_left(self.breaks, position)]


class GiftReader:
    """Reads the blocks of one GIFT file into a ``SetBuilder``, reporting on a ``Report``."""

    def __init__(self, builder: SetBuilder, report: Report) -> None:
        self.builder = builder
        self.report = report
        self.topic = ""

    def read(self, text: str) -> None:
        for block in blocks(text):
            self.block(block)

    def block(self, block: Block) -> None:
        lines = block.lines
        after = 0
        if lines and lines[0][1].lstrip().startswith(CATEGORY):
            after = lines[0][0]
            ids = [i for n, line in block.comments if n < after for i in _ID.findall(line)]
            self.category(lines[0], ids)
            lines = lines[1:]
        if lines:
            QuestionReader(self, _Text(lines), block, after).read()

    def category(self, line: tuple[int, str], ids: list[str]) -> None:
        number, text = line
        title = category_title(text.lstrip()[len(CATEGORY) :])
        if not title:
            self.report.problem(number, "$CATEGORY: names no category")
            return
        self.topic = self.builder.topic(title, number, given_id=ids[0] if ids else "")


class QuestionReader:
    """Reads one question block."""

    def __init__(self, owner: GiftReader, source: _Text, block: Block, after: int) -> None:
        self.owner = owner
        self.source = source
        self.ids = block.ids(after)
        self.tags = tuple(dict.fromkeys(t for t in block.tags(after) if t))
        self.report = owner.report
        self.start = source.numbers[0]

    def read(self) -> None:
        text = self.source.text
        for position, escape in unknown_escapes(text):
            self.report.warn(
                self.source.line_at(position),
                f"unknown escape '{escape}' is kept as written (write '\\\\' for a backslash)",
            )
        title, position = self.title(text)
        if position == -1:
            return
        found = self.answer_block(text, position, title)
        if found is None:
            return
        opening, closing = found
        before, after = text[position:opening], text[closing + 1 :]
        name = name_of(title, unescape(before + after))
        text_format = split_format(before)[0]
        answers = AnswerReader(
            text[opening + 1 : closing],
            opening + 1,
            self.source.line_at,
            self.report,
            name,
            text_format,
        ).read()
        if answers is not None:
            self.add(title, before, after, answers)

    def title(self, text: str) -> tuple[str, int]:
        """Return the ``::title::`` and where the text after it starts (-1 if not closed)."""
        stripped = len(text) - len(text.lstrip())
        if not text.startswith("::", stripped):
            return "", 0
        end = find_unescaped(text, "::", stripped + 2)
        if end == -1:
            self.report.leave_out(self.start, "the title is not closed: '::' without '::' after it")
            return "", -1
        return unescape(text[stripped + 2 : end]).strip(), end + 2

    def answer_block(self, text: str, start: int, title: str) -> tuple[int, int] | None:
        """Return where ``{`` and ``}`` are, or None after reporting what is wrong."""
        opening = find_unescaped(text, "{", start)
        stray = find_unescaped(text, "}", start, None if opening == -1 else opening)
        if stray != -1:
            self.wrong(stray, "'}' without '{' (write \\} for a brace in the text)")
            return None
        if opening == -1:
            name = name_of(title, unescape(text[start:]))
            self.wrong(start, f"description items are not supported: {name}")
            return None
        closing = find_unescaped(text, "}", opening + 1)
        if closing == -1:
            self.wrong(opening, "unclosed brace: '{' without '}'")
            return None
        inner = find_unescaped(text, "{", opening + 1, closing)
        if inner != -1:
            self.wrong(inner, "'{' inside an answer block (write \\{ for a brace)")
            return None
        extra = min(
            (p for p in (find_unescaped(text, b, closing + 1) for b in "{}") if p != -1),
            default=-1,
        )
        if extra != -1:
            self.wrong(
                extra,
                "a second answer block: separate questions with a blank line, "
                "and write \\{ and \\} for braces in the text",
            )
            return None
        return opening, closing

    def wrong(self, position: int, message: str) -> None:
        """Leave the question out, saying why at the line of ``position``."""
        self.report.leave_out(self.source.line_at(position), message)

    def add(self, title: str, before: str, after: str, answers: Answers) -> None:
        shaped = self.shape(before, after, answers)
        if shaped is None:
            return
        qtype, spec, prompt, written = shaped
        builder = self.owner.builder
        own_id = self.ids[0] if self.ids else ""
        builder.add(
            QuestionDoc(
                id=builder.question_id(own_id, title, written or str(spec.get("text"))),
                topic=self.owner.topic or builder.topic(""),
                type=qtype,
                prompt=prompt,
                spec=spec,
                explanation=answers.explanation,
                source=NO_SOURCE,
                title=title,
                tags=self.tags,
                locations={(): self.start, **answers.lines},
            )
        )

    def shape(
        self, before: str, after: str, answers: Answers
    ) -> tuple[str, dict[str, Any], str, str] | None:
        """Return the type, spec, prompt and prompt as written, missing-word layout applied.

        The prompt as written (before its format is applied) is what an id is made from.

        The text format goes: [plain] text is shown as written and [markdown] rendered (see
        ``formatted``); [html], [moodle] and no format keep the text, which the web layer
        cleans. A missing-word short answer (a cloze) keeps its text as written.
        """
        text_format, before = split_format(before)
        before, after = unescape(before), unescape(after)
        if not after.strip():
            written = before.strip()
            return answers.type, answers.spec, formatted(text_format, written), written
        if answers.type != "short_answer":
            blank = "\\_" * len(BLANK) if text_format == "markdown" else BLANK
            prompt = formatted(text_format, (before + blank + after).strip())
            return answers.type, answers.spec, prompt, (before + BLANK + after).strip()
        cloze = self.cloze(before, after, answers)
        if cloze is not None and formatted(text_format, cloze["text"]) != cloze["text"]:
            self.report.warn(
                self.start,
                f"the [{text_format}] text of a missing-word question is kept as written: "
                f"{name_of('', before + after)}",
            )
        return None if cloze is None else ("cloze", cloze, "", "")

    def cloze(self, before: str, after: str, answers: Answers) -> dict[str, Any] | None:
        """Return the cloze spec of a missing-word short answer, or None if a gap cannot hold it."""
        accepted: list[str] = answers.spec["answers"]
        for answer in accepted:
            if any(mark in answer for mark in _GAP_BREAKERS):
                self.report.leave_out(
                    answers.lines.get(("answers", 0), self.start),
                    f"answer '{answer}' of a missing-word question cannot contain "
                    f"'|', '[[' or ']]': {name_of('', before + after)}",
                )
                return None
        return {"text": f"{before}[[{'|'.join(accepted)}]]{after}".strip()}
