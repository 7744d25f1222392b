"""GIFT answer blocks ``{...}``: which question type they make and the app's spec for it.

The type is decided as Moodle decides it: an empty block is an essay; ``#`` first makes a
numeric question; ``>`` first an ordering question (Moodle's qtype_ordering plugin); an
unescaped ``~`` makes a choice question (single choice when one answer is marked ``=``, a
``~%50%`` one partly right; multiple response when all are ``~`` with weights, kept as the
choices' credits unless they are 100/n and -100/n); ``=`` with ``->`` makes matching; ``T``,
``TRUE``, ``F`` or ``FALSE`` (any case) make true/false; anything else is a short answer. Short
answers and numbers below 100% are partly right answers, and the catch-all (``=%0%*#...`` for a
short answer, ``~#...`` for a number) gives the feedback for any other answer.
``####`` starts the general feedback, which becomes the explanation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

from quizapp.bank.model import KeyPath
from quizapp.formats.gift_text import find_any, find_unescaped, unescape
from quizapp.formats.htmltext import markdown_as_rich, plain_as_rich
from quizapp.formats.report import Report
from quizapp.formats.wildcards import read_wildcard

TEXT_FORMATS = ("html", "markdown", "plain", "moodle")
_FORMAT = re.compile(r"\s*\[(html|markdown|plain|moodle)\]", re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_WEIGHT = re.compile(r"-?\d+(?:\.\d+)?")
# qtype_ordering's header, as its GIFT reader reads it: ``>count`` then optional words for
# which items are shown, the layout, the grading, the grading details and the numbering.
# Here each word must end at a space or the line's end (Moodle's pattern also takes ``REL``
# off ``RELATIVE_TO_CORRECT`` when no selection word comes first), and LONGEST_ORDERED_SUBSET
# is a word (Moodle's pattern misses it, though its exporter writes it).
_ORDERING_HEAD = re.compile(
    r">[ \t]*(\d+)"
    r"(?:[ \t]+(ALL|EXACT|RANDOM|REL|CONTIGUOUS|CONTIG)(?!\S))?"
    r"(?:[ \t]+(?:HORIZONTAL|HORI|H|1|VERTICAL|VERT|V|0)(?!\S))?"
    r"(?:[ \t]+(ALL_OR_NOTHING|ABSOLUTE_POSITION|ABSOLUTE|ABS|RELATIVE_NEXT_EXCLUDE_LAST"
    r"|RELATIVE_NEXT_INCLUDE_LAST|RELATIVE_ONE_PREVIOUS_AND_NEXT|RELATIVE_ALL_PREVIOUS_AND_NEXT"
    r"|RELATIVE_TO_CORRECT|RELATIVE|REL|LONGEST_ORDERED_SUBSET|LONGEST_CONTIGUOUS_SUBSET)(?!\S))?"
    r"(?:[ \t]+(?:SHOW|TRUE|YES|1|HIDE|FALSE|NO|0)(?!\S))?"
    r"(?:[ \t]+(?:none|123|abc|ABCD|iii|IIII)(?!\S))?"
)
_ORDERING_GRADING = {"ALL_OR_NOTHING": "all_or_nothing", "LONGEST_ORDERED_SUBSET": "partial"}
_ALL_SHOWN = ("ALL", "EXACT")
MIN_ORDERING_ITEMS = 2
TRUE_WORDS = ("T", "TRUE")
FALSE_WORDS = ("F", "FALSE")
# GIFT weights are written with five decimals (33.33333): equal within this, they are equal.
WEIGHT_SLACK = 0.01


def split_format(text: str) -> tuple[str, str]:
    """Return the ``[format]`` a text starts with ('' for none) and the text after it."""
    found = _FORMAT.match(text)
    if found is None:
        return "", text
    return found.group(1).lower(), text[found.end() :]


def clean(raw: str) -> str:
    """Return an answer or feedback text as written: unescaped, without a format, stripped."""
    return unescape(split_format(raw)[1]).strip()


def formatted(text_format: str, text: str) -> str:
    """Return ``text`` as the app shows it in ``text_format``.

    ``plain`` is shown exactly as written (see ``plain_as_rich``), ``markdown`` rendered; html,
    moodle and no format keep the text as written (HTML, which the web layer cleans).
    """
    if text_format == "plain":
        return plain_as_rich(text)
    if text_format == "markdown":
        return markdown_as_rich(text)
    return text


def shown(raw: str, default_format: str) -> str:
    """Return a text to show (a choice, feedback): unescaped, in its own format or the default.

    As in Moodle, a text without ``[format]`` is in the question text's format.
    """
    written, rest = split_format(raw)
    return formatted(written or default_format, unescape(rest).strip())


def read_number(text: str) -> int | float | None:
    """Return a GIFT number (an int when written without a point or exponent), or None."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        return None
    if text.lstrip("+-").isdigit():
        return int(text)
    return float(text)


@dataclass(frozen=True)
class Piece:
    """One answer of a block: its mark, weight (None if unwritten), raw text and feedback."""

    mark: str
    weight: float | None
    raw: str
    raw_feedback: str
    line: int

    @property
    def feedback(self) -> str:
        return clean(self.raw_feedback)

    @property
    def text(self) -> str:
        return clean(self.raw)

    def fraction(self, default: float) -> float:
        """Return the weight in percent, ``default`` if none was written."""
        return default if self.weight is None else self.weight


@dataclass
class Answers:
    """What an answer block gave: the type, its spec, the lines of its parts, the explanation."""

    type: str
    spec: dict[str, Any]
    explanation: str = ""
    lines: dict[KeyPath, int] = field(default_factory=dict)


class _Invalid(Exception):
    """Raised inside the reader when the block cannot be imported (already reported)."""


class AnswerReader:
    """Reads the body of one answer block (the text between the braces, escapes included)."""

    def __init__(
        self,
        body: str,
        offset: int,
        line_at: Callable[[int], int],
        report: Report,
        name: str,
        text_format: str = "",
    ) -> None:
        self.offset = offset
        self.line_at = line_at
        self.report = report
        self.name = name
        self.text_format = text_format
        general = find_unescaped(body, "####")
        self.body = body if general == -1 else body[:general]
        self.explanation = "" if general == -1 else self.shown(body[general + 4 :])

    def shown(self, raw: str) -> str:
        """Return a text to show, in its own format or the question text's."""
        return shown(raw, self.text_format)

    def read(self) -> Answers | None:
        """Return the question's type and spec, or None (the question left out, with its reason)."""
        try:
            answers = self._typed()
        except _Invalid:
            return None
        if answers is not None:
            answers.explanation = self.explanation
        return answers

    def _typed(self) -> Answers | None:
        body = self.body.strip()
        line = self.line_at(self.offset)
        if not body:
            self.report.leave_out(line, f"essay questions are not supported: {self.name}")
            return None
        if body.startswith("#"):
            return NumericReader(self).build()
        if body.startswith(">"):
            return OrderingReader(self).build()
        marks = {self.body[i] for i in find_any(self.body, "=~")}
        if "~" in marks:
            return ChoiceReader(self).build("=" in marks)
        if "=" in marks and "->" in self.body:
            return MatchingReader(self).build()
        head = self.body[: _end_of(self.body, "#")].strip().upper()
        if head in TRUE_WORDS + FALSE_WORDS:
            return self._true_false(head in TRUE_WORDS)
        return ShortAnswerReader(self).build()

    def fail(self, line: int, message: str) -> NoReturn:
        """Leave the question out, saying why at ``line``."""
        self.report.leave_out(line, f"{message}: {self.name}")
        raise _Invalid

    def warn(self, line: int, message: str) -> None:
        self.report.warn(line, f"{message}: {self.name}")

    def pieces(self, start: int = 0) -> list[Piece]:
        """Split the body at its unescaped ``=`` and ``~`` into answers."""
        marks = list(find_any(self.body, "=~", start))
        found = []
        lead = self.body[start : marks[0] if marks else len(self.body)]
        if lead.strip():
            found.append(self.piece("", start, start + len(lead)))
        for i, at in enumerate(marks):
            end = marks[i + 1] if i + 1 < len(marks) else len(self.body)
            found.append(self.piece(self.body[at], at + 1, end))
        return found

    def piece(self, mark: str, start: int, end: int) -> Piece:
        raw = self.body[start:end]
        line = self.line_at(self.offset + start)
        weight, raw = self._weight(raw, line)
        split = _end_of(raw, "#")
        return Piece(mark, weight, raw[:split], raw[split + 1 :], line)

    def _weight(self, raw: str, line: int) -> tuple[float | None, str]:
        text = raw.lstrip()
        if not text.startswith("%"):
            return None, raw
        close = text.find("%", 1)
        if close == -1:
            self.fail(line, "bad weight: '%' opens a weight that is not closed by '%'")
        written = text[1:close]
        if not _WEIGHT.fullmatch(written.strip()):
            self.fail(line, f"bad weight '%{written}%': write a percentage such as %50% or %-25%")
        weight = float(written)
        if not -100 <= weight <= 100:
            self.fail(line, f"bad weight '%{written}%': weights go from -100 to 100")
        return weight, text[close + 1 :]

    def _true_false(self, answer: bool) -> Answers:
        split = _end_of(self.body, "#")
        rest = self.body[split + 1 :]
        second = _end_of(rest, "#")
        wrong, right = self.shown(rest[:second]), self.shown(rest[second + 1 :])
        spec: dict[str, Any] = {"answer": answer}
        feedback_true, feedback_false = (right, wrong) if answer else (wrong, right)
        if feedback_true:
            spec["feedback_true"] = feedback_true
        if feedback_false:
            spec["feedback_false"] = feedback_false
        return Answers("true_false", spec)


def _end_of(text: str, mark: str) -> int:
    """Return where the first unescaped ``mark`` is, or the length of ``text``."""
    found = find_unescaped(text, mark)
    return len(text) if found == -1 else found


def _percent(weight: float) -> str:
    return f"{weight:g}%"


class ChoiceReader:
    """Single choice (one answer marked ``=``) or multiple response (weights on ``~``)."""

    def __init__(self, owner: AnswerReader) -> None:
        self.owner = owner
        self.pieces = owner.pieces()

    def build(self, single: bool) -> Answers:
        for piece in self.pieces:
            if not piece.mark:
                self.owner.fail(piece.line, "text before the first answer: start it with = or ~")
            if not piece.text:
                self.owner.fail(piece.line, "an answer is empty")
        return self._single() if single else self._multiple()

    def _choices(self, correct: list[bool]) -> tuple[list[dict[str, Any]], dict[KeyPath, int]]:
        choices: list[dict[str, Any]] = []
        lines: dict[KeyPath, int] = {}
        for i, (piece, right) in enumerate(zip(self.pieces, correct, strict=True)):
            choice: dict[str, Any] = {"text": self.owner.shown(piece.raw)}
            if right:
                choice["correct"] = True
            if piece.feedback:
                choice["feedback"] = self.owner.shown(piece.raw_feedback)
            choices.append(choice)
            lines[("choices", i)] = piece.line
        return choices, lines

    def _single(self) -> Answers:
        correct = [p.fraction(100 if p.mark == "=" else 0) == 100 for p in self.pieces]
        if sum(correct) != 1:
            self.owner.fail(
                self.pieces[0].line,
                f"{sum(correct)} answers are fully right (=), but a single-choice question has "
                "exactly one: use ~ with weights such as ~%50% for several right answers",
            )
        choices, lines = self._choices(correct)
        for piece, right, choice in zip(self.pieces, correct, choices, strict=True):
            weight = piece.fraction(0)
            if right or weight == 0:
                continue
            if weight > 0:
                choice["credit"] = _credit(weight)
            else:
                self.owner.warn(
                    piece.line,
                    f"answer '{piece.text}' has weight {_percent(weight)}, but a single-choice "
                    "question takes nothing away for a wrong answer: it is simply wrong",
                )
        return Answers("single_choice", {"choices": choices}, lines=lines)

    def _multiple(self) -> Answers:
        """Several ``~%w%`` answers: those above 0% are right. Weights of 100/n and -100/n
        are the app's own scoring; any others are kept as the choices' credits."""
        weights = [p.fraction(0) for p in self.pieces]
        correct = [w > 0 for w in weights]
        count = sum(correct)
        if count == 0:
            self.owner.fail(
                self.pieces[0].line, "no correct answer: no answer has a weight above 0"
            )
        share = 100 / count
        exact = all(
            abs(w - (share if right else -share)) < WEIGHT_SLACK
            for w, right in zip(weights, correct, strict=True)
        )
        choices, lines = self._choices(correct)
        if exact:
            return Answers("multiple_response", {"choices": choices}, lines=lines)
        total = sum(w for w in weights if w > 0)
        if abs(total - 100) >= WEIGHT_SLACK:
            self.owner.warn(
                self.pieces[0].line,
                f"the right answers' weights add up to {_percent(total)}, not 100%: each is "
                f"taken as its share of them (so that all of them together earn full marks)",
            )
        for choice, weight in zip(choices, weights, strict=True):
            if weight > 0:
                choice["credit"] = round(weight / total, 7)
            elif weight < 0:
                choice["credit"] = _credit(weight)
        return Answers("multiple_response", {"choices": choices}, lines=lines)


def _credit(weight: float) -> float:
    """A GIFT weight in percent as the app's credit (written to five decimals: 33.33333%)."""
    return round(weight / 100, 7)


class ShortAnswerReader:
    """Short answer: every answer marked ``=`` (or written bare) at 100% is accepted; one of
    less is partly right (``partial``, with its credit and feedback); ``=%0%*#feedback`` is
    Moodle's catch-all, the feedback for any other answer (``otherwise``)."""

    def __init__(self, owner: AnswerReader) -> None:
        self.owner = owner

    def build(self) -> Answers:
        accepted: list[str] = []
        partial: list[dict[str, Any]] = []
        otherwise = ""
        lines: dict[KeyPath, int] = {}
        for piece in self.owner.pieces():
            if not piece.text:
                self.owner.fail(piece.line, "an answer is empty")
            weight = piece.fraction(100)
            if piece.text == "*" and weight < 100:
                otherwise = otherwise or self._catch_all(piece)
            elif weight == 100:
                self._accept(piece)
                lines[("answers", len(accepted))] = piece.line
                accepted.append(read_wildcard(piece.text).answer)
            elif weight > 0:
                lines[("partial", len(partial))] = piece.line
                partial.append(self._partly(piece))
            else:
                self.owner.warn(
                    piece.line,
                    f"answer '{piece.text}' has weight {_percent(weight)}; the app has no "
                    "wrong answers with feedback for typed answers: dropped",
                )
        if not accepted:
            self.owner.fail(self.owner.line_at(self.owner.offset), "no correct answer")
        spec: dict[str, Any] = {"answers": accepted}
        if partial:
            spec["partial"] = partial
        if otherwise:
            spec["otherwise"] = otherwise
        return Answers("short_answer", spec, lines=lines)

    def _accept(self, piece: Piece) -> None:
        if piece.feedback:
            self.owner.warn(
                piece.line,
                f"the feedback of answer '{piece.text}' is dropped: right typed answers have "
                "no feedback of their own in the app",
            )
        if note := read_wildcard(piece.text).note:
            self.owner.warn(piece.line, note)

    def _partly(self, piece: Piece) -> dict[str, Any]:
        read = read_wildcard(piece.text)
        if read.note:
            self.owner.warn(piece.line, read.note)
        entry: dict[str, Any] = {"text": read.answer, "credit": _credit(piece.fraction(100))}
        if piece.feedback:
            entry["feedback"] = self.owner.shown(piece.raw_feedback)
        return entry

    def _catch_all(self, piece: Piece) -> str:
        weight = piece.fraction(100)
        if weight != 0:
            self.owner.warn(
                piece.line,
                f"any other answer has weight {_percent(weight)}; in the app it earns nothing "
                "(its feedback is kept)",
            )
        return self.owner.shown(piece.raw_feedback) if piece.feedback else ""


class MatchingReader:
    """Matching: ``=left -> right`` pairs; ``= -> extra`` is a right-hand distractor."""

    def __init__(self, owner: AnswerReader) -> None:
        self.owner = owner

    def build(self) -> Answers:
        pairs: list[dict[str, str]] = []
        distractors: list[str] = []
        lines: dict[KeyPath, int] = {}
        for piece in self.owner.pieces():
            if not piece.mark or piece.weight is not None:
                self.owner.fail(piece.line, "a matching pair is written =left -> right")
            if piece.feedback:
                self.owner.warn(piece.line, "feedback on a matching pair is dropped")
            arrow = piece.raw.find("->")
            if arrow == -1:
                self.owner.fail(piece.line, f"'{piece.text}' has no '->' to its partner")
            left, right = clean(piece.raw[:arrow]), clean(piece.raw[arrow + 2 :])
            if not right:
                self.owner.fail(piece.line, f"'{left}' has nothing after '->'")
            if left:
                lines[("pairs", len(pairs))] = piece.line
                pairs.append({"left": left, "right": right})
            else:
                lines[("distractors", len(distractors))] = piece.line
                distractors.append(right)
        spec: dict[str, Any] = {"pairs": pairs}
        if distractors:
            spec["distractors"] = distractors
        return Answers("matching", spec, lines=lines)


class NumericReader:
    """Numeric: ``#x``, ``#x:tolerance``, ``#lo..hi``, or several ``=%w%x:t#feedback`` answers.

    The first answer at 100% is the answer; one of less is partly right (``partial``, with its
    credit and feedback). ``~#feedback`` is Moodle's catch-all: the feedback shown for any
    other number (Moodle exports it as an answer ``*``), kept as ``otherwise``.
    """

    def __init__(self, owner: AnswerReader) -> None:
        self.owner = owner

    def build(self) -> Answers:
        start = self.owner.body.index("#") + 1
        marks = list(find_any(self.owner.body, "=~", start))
        if marks:
            pieces = self.owner.pieces(start)
        else:
            pieces = [self.owner.piece("", start, len(self.owner.body))]
        catch_all = [p for p in pieces if self._catch_all(p)]
        pieces = [p for p in pieces if p not in catch_all]
        full = [p for p in pieces if p.mark != "~" and p.fraction(100) == 100]
        if not full:
            self.owner.fail(pieces[0].line if pieces else 0, "no correct answer")
        spec = self._spec(full[0])
        lines: dict[KeyPath, int] = {("answer",): full[0].line}
        partial: list[dict[str, Any]] = []
        for piece in pieces:
            if piece is full[0]:
                if piece.feedback:
                    self.owner.warn(
                        piece.line, "the feedback of the right numeric answer is dropped"
                    )
            elif piece in full:
                self._spec(piece)
                self.owner.warn(
                    piece.line,
                    f"answer '{piece.raw.strip()}' is also fully right, but the app keeps one "
                    f"numeric answer: '{full[0].raw.strip()}'",
                )
            elif (entry := self._partly(piece)) is not None:
                lines[("partial", len(partial))] = piece.line
                partial.append(entry)
        if partial:
            spec["partial"] = partial
        said = [p for p in catch_all if p.feedback]
        if said:
            spec["otherwise"] = self.owner.shown(said[0].raw_feedback)
        return Answers("numeric", spec, lines=lines)

    def _catch_all(self, piece: Piece) -> bool:
        """Say whether ``piece`` is ``~#feedback``: Moodle's feedback for any other answer."""
        return piece.mark == "~" and piece.weight is None and not piece.text

    def _partly(self, piece: Piece) -> dict[str, Any] | None:
        """A partly right answer (weight between 0 and 100%), or None (dropped, with why)."""
        entry = self._spec(piece)
        weight = piece.fraction(0 if piece.mark == "~" else 100)
        if not 0 < weight < 100:
            self.owner.warn(
                piece.line,
                f"answer '{piece.raw.strip()}' has weight {_percent(weight)}; the app has no "
                "wrong numbers with feedback, only partly right ones: dropped",
            )
            return None
        entry["credit"] = _credit(weight)
        if piece.feedback:
            entry["feedback"] = self.owner.shown(piece.raw_feedback)
        return entry

    def _spec(self, piece: Piece) -> dict[str, Any]:
        value = unescape(piece.raw).strip()
        if ".." in value:
            low, high = (self._number(v, piece.line) for v in value.split("..", 1))
            if low > high:
                self.owner.fail(piece.line, f"range {value} starts above its end")
            return {"range": [low, high]}
        if ":" in value:
            answer, tolerance = (self._number(v, piece.line) for v in value.split(":", 1))
            if tolerance < 0:
                self.owner.fail(piece.line, f"tolerance {tolerance} must be 0 or more")
            return {"answer": answer, "tolerance": tolerance}
        return {"answer": self._number(value, piece.line)}

    def _number(self, text: str, line: int) -> int | float:
        number = read_number(text)
        if number is None:
            self.owner.fail(line, f"bad number '{text.strip()}'")
        return number


class OrderingReader:
    """Ordering, as Moodle's qtype_ordering plugin writes it: ``{>N options`` then one item a line.

    The items are given in the right order, one a line (blank lines inside a question end it in
    GIFT, so there are none). The header is ``>`` and the number of items Moodle shows, then
    optional words: which items (ALL, RANDOM, CONTIGUOUS), the layout, the grading, whether the
    grading is shown, the numbering. Text after the words on the header line is the first item,
    as in Moodle. The app shows every item: a subset is warned about. ALL_OR_NOTHING grading is
    ``scoring: all_or_nothing``; LONGEST_ORDERED_SUBSET and no grading word ``partial``; other
    grading types are warned about. Layout, grading details and numbering are presentation.
    """

    def __init__(self, owner: AnswerReader) -> None:
        self.owner = owner

    def build(self) -> Answers:
        body = self.owner.body
        start = body.index(">")
        head = _ORDERING_HEAD.match(body, start)
        line = self.owner.line_at(self.owner.offset + start)
        if head is None:
            self.owner.fail(
                line,
                "an ordering block starts with '>' and the number of items shown, then one "
                "item a line, in the right order, such as {>3 ALL ...}",
            )
        items, lines = self._items(head.end())
        if len(items) < MIN_ORDERING_ITEMS:
            self.owner.fail(line, "an ordering question needs at least 2 items, one a line")
        seen: set[str] = set()
        for i, item in enumerate(items):
            key = " ".join(item.split()).casefold()  # as the ordering type's check compares
            if key in seen:
                self.owner.fail(
                    lines[("items", i)],
                    f"item '{item}' is written twice: the app tells the items apart by text",
                )
            seen.add(key)
        spec: dict[str, Any] = {"items": items}
        if (scoring := self._scoring(head, line)) != "partial":  # partial is the default
            spec["scoring"] = scoring
        self._shown(head, len(items), line)
        return Answers("ordering", spec, lines=lines)

    def _items(self, start: int) -> tuple[list[str], dict[KeyPath, int]]:
        items: list[str] = []
        lines: dict[KeyPath, int] = {}
        body = self.owner.body
        position = start
        for raw in body[start:].split("\n"):
            item = unescape(raw).strip()
            if item:
                lines[("items", len(items))] = self.owner.line_at(self.owner.offset + position)
                items.append(item)
            position += len(raw) + 1
        return items, lines

    def _scoring(self, head: re.Match[str], line: int) -> str:
        grading = head.group(3) or ""
        if grading and grading not in _ORDERING_GRADING:
            self.owner.warn(
                line,
                f"grading type {grading} is not kept: the app gives partial credit for the "
                "longest run of items in the right order",
            )
        return _ORDERING_GRADING.get(grading, "partial")

    def _shown(self, head: re.Match[str], count: int, line: int) -> None:
        """Warn when Moodle shows only some of the items (the app shows them all)."""
        if (head.group(2) or "RANDOM") in _ALL_SHOWN:
            return
        shown = int(head.group(1))
        if not MIN_ORDERING_ITEMS <= shown <= count:
            shown = min(6, count)  # Moodle's own fallback
        if shown < count:
            self.owner.warn(
                line, f"Moodle shows {shown} of the {count} items; the app shows them all"
            )
