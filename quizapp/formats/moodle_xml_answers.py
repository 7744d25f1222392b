"""Moodle XML question types: each type's answers read into the app's type and spec.

One reader per Moodle type (``TYPE_READERS``): choices and their fractions, true/false,
short answers, numbers with tolerance and units, matching pairs, ordering items, and the
embedded answers of a cloze text. A reader returns the app's type and spec, or ``None`` when
the question cannot be imported (it has then said why through its ``QuestionReader``).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quizapp.formats.moodle_xml_media import MEDIA_REF
from quizapp.formats.moodle_xml_text import PlainText, XmlText, html_to_text
from quizapp.formats.wildcards import read_wildcard
from quizapp.grading.numeric import format_number

if TYPE_CHECKING:
    # Only for the readers' annotations: the question reader runs these readers.
    from quizapp.formats.moodle_xml_read import QuestionReader

FULL_MARKS = 100.0
_CLOSE = 0.01  # Moodle writes fractions with 7 decimals: 33.33333 is 100/3.
# Cloze gaps as Moodle's qtype_multianswer reads them: {mark:TYPE:answers}.
_GAP = re.compile(r"\{(\d*):([A-Z_]+):((?:[^}\\]|\\.)*)\}", re.S)
_TEXT_GAP_TYPES = frozenset({"SHORTANSWER", "SA", "MW"})
_TEXT_GAP_TYPES_CASE = frozenset({"SHORTANSWER_C", "SAC", "MWC"})
_NUMERICAL_GAP_TYPES = frozenset({"NUMERICAL", "NM"})
_ORDERING_GRADING = {"ALL_OR_NOTHING": "all_or_nothing", "LONGEST_ORDERED_SUBSET": "partial"}


_Read = tuple[str, dict[str, Any]] | None


def _read_multichoice(q: QuestionReader) -> _Read:
    single = q.value("single", "true").lower() in ("true", "1")
    choices, fractions = _choices(q)
    if q.skipped:
        return None
    if single:
        return _single_choice(q, choices, fractions)
    return _multiple_response(q, choices, fractions, all_or_nothing=False)


def _read_multichoiceset(q: QuestionReader) -> _Read:
    choices, fractions = _choices(q)
    if q.skipped:
        return None
    return _multiple_response(q, choices, fractions, all_or_nothing=True)


def _choices(q: QuestionReader) -> tuple[list[dict[str, Any]], list[float]]:
    choices: list[dict[str, Any]] = []
    fractions: list[float] = []
    for i, (answer, fraction) in enumerate(q.answers()):
        text = q.plain(q.text_of(answer), f"choice {i + 1}")
        if not text:
            q.skip(q.owner.line(answer), f"choice {i + 1} has no text")
            return [], []
        choice: dict[str, Any] = {"text": text}
        feedback = q.rich(q.feedback(answer))
        if feedback:
            choice["feedback"] = feedback
        q.locations[("choices", i)] = q.owner.line(answer)
        choices.append(choice)
        fractions.append(fraction)
    return choices, fractions


def _single_choice(
    q: QuestionReader, choices: list[dict[str, Any]], fractions: list[float]
) -> _Read:
    full = [i for i, f in enumerate(fractions) if f >= FULL_MARKS - _CLOSE]
    if len(full) != 1:
        q.skip(
            q.line,
            f"a single-answer question needs exactly one answer worth 100%, found {len(full)}",
        )
        return None
    choices[full[0]]["correct"] = True
    for i, fraction in enumerate(fractions):
        if i in full or abs(fraction) < _CLOSE:
            continue
        what = "earned" if fraction > 0 else "took away"
        q.warn(
            q.locations[("choices", i)],
            f"choice '{choices[i]['text']}' {what} {_percent(abs(fraction))} in Moodle; "
            "in the app it is simply wrong",
        )
    return "single_choice", {"choices": choices}


def _multiple_response(
    q: QuestionReader,
    choices: list[dict[str, Any]],
    fractions: list[float],
    *,
    all_or_nothing: bool,
) -> _Read:
    right = [i for i, f in enumerate(fractions) if f > _CLOSE]
    if not right:
        q.skip(q.line, "no answer is worth more than 0%")
        return None
    for i in right:
        choices[i]["correct"] = True
    spec: dict[str, Any] = {"choices": choices}
    if all_or_nothing:
        spec["scoring"] = "all_or_nothing"
        return "multiple_response", spec
    share = FULL_MARKS / len(right)
    fits = all(abs(f - (share if i in right else -share)) < _CLOSE for i, f in enumerate(fractions))
    if not fits:
        weights = ", ".join(
            f"{choice['text']} {_percent(f)}" for choice, f in zip(choices, fractions, strict=True)
        )
        q.warn(
            q.line,
            f"the Moodle weights ({weights}) are not kept: the app scores the right choices "
            f"ticked minus the wrong ones ticked, divided by {len(right)}",
        )
    spec["scoring"] = "partial"
    return "multiple_response", spec


def _read_truefalse(q: QuestionReader) -> _Read:
    answer: bool | None = None
    spec: dict[str, Any] = {}
    for element, fraction in q.answers():
        word = q.text_of(element).value.strip().lower()
        if word not in ("true", "false"):
            q.skip(q.owner.line(element), f"a true/false answer reads '{word}'")
            return None
        feedback = q.rich(q.feedback(element))
        if feedback:
            spec[f"feedback_{word}"] = feedback
            q.locations[(f"feedback_{word}",)] = q.feedback(element).line
        if fraction >= FULL_MARKS - _CLOSE:
            answer = word == "true"
    if q.skipped:
        return None
    if answer is None:
        q.skip(q.line, "neither 'true' nor 'false' is worth 100%")
        return None
    return "true_false", {"answer": answer, **spec}


def _read_shortanswer(q: QuestionReader) -> _Read:
    accepted: list[str] = []
    for element, fraction in q.answers():
        text = q.plain(q.text_of(element), "an answer")
        line = q.owner.line(element)
        if fraction >= FULL_MARKS - _CLOSE:
            read = read_wildcard(text)
            if read.note:
                q.warn(line, read.note)
            accepted.append(read.answer)
            q.locations[("answers", len(accepted) - 1)] = line
            q.lost_feedback(element, f"answer '{text}'")
        elif text != "*":
            q.warn(
                line,
                f"answer '{text}' ({_percent(fraction)}) is not kept: the app has no "
                "partial or negative credit for short answers",
            )
        else:
            q.lost_feedback(element, "any other answer")
    if q.skipped:
        return None
    if not accepted:
        q.skip(q.line, "no answer is worth 100%")
        return None
    spec: dict[str, Any] = {"answers": accepted}
    if q.value("usecase") in ("1", "true"):
        spec["match"] = {"case": True}
    return "short_answer", spec


def _read_numerical(q: QuestionReader) -> _Read:
    spec: dict[str, Any] = {}
    for element, fraction in q.answers():
        raw = q.text_of(element).value.strip()
        line = q.owner.line(element)
        if raw == "*":
            q.lost_feedback(element, "any other answer")
            continue
        number = _number(raw)
        if number is None:
            q.skip(line, f"the answer '{raw}' is not a number")
            return None
        tolerance = _number(q.value_of(element, "tolerance") or "0")
        if tolerance is None:
            q.skip(line, f"the tolerance of answer '{raw}' is not a number")
            return None
        if fraction < FULL_MARKS - _CLOSE:
            q.warn(
                line,
                f"answer {raw} ({_percent(fraction)}) is not kept: the app's numeric "
                "question has one right answer and no partial credit",
            )
        elif spec:
            q.warn(
                line,
                f"answer {raw} (also 100%) is not kept: the app's numeric question "
                "has one right answer",
            )
        else:
            spec["answer"] = number
            spec["tolerance"] = abs(tolerance)
            q.locations[("answer",)] = line
            q.lost_feedback(element, f"answer {raw}")
    if q.skipped:
        return None
    if not spec:
        q.skip(q.line, "no answer is worth 100%")
        return None
    unit = _unit(q)
    if unit:
        spec["unit"] = unit
    return "numeric", spec


def _unit(q: QuestionReader) -> str:
    """Return the unit with multiplier 1 (the one the answer is in); report the others."""
    kept = ""
    for element in q.element.findall("units/unit"):
        name = " ".join((q.value_of(element, "unit_name") or "").split())
        multiplier = _number(q.value_of(element, "multiplier") or "1")
        if multiplier == 1 and not kept:
            kept = name
        elif name:
            q.warn(
                q.owner.line(element),
                f"unit '{name}' (multiplier {q.value_of(element, 'multiplier')}) is not "
                "kept: the app takes answers in one unit",
            )
    return kept


def _read_matching(q: QuestionReader) -> _Read:
    pairs: list[dict[str, str]] = []
    distractors: list[str] = []
    for element in q.element.findall("subquestion"):
        left = q.plain(q.text_of(element), "a subquestion")
        answer = element.find("answer")
        right_text = q.text_of(answer) if answer is not None else XmlText("", "", 0)
        right = " ".join(right_text.value.split())
        line = q.owner.line(element)
        if not right:
            if left:
                q.skip(line, f"subquestion '{left}' has no answer")
                return None
            continue
        if left:
            q.locations[("pairs", len(pairs))] = line
            pairs.append({"left": left, "right": right})
        else:
            q.locations[("distractors", len(distractors))] = line
            distractors.append(right)
    spec: dict[str, Any] = {"pairs": pairs}
    if distractors:
        spec["distractors"] = distractors
    return "matching", spec


def _read_ordering(q: QuestionReader) -> _Read:
    found = q.answers()
    if q.skipped:
        return None
    # qtype_ordering stores each item's position as its fraction; older files keep file order.
    positions = [fraction for _, fraction in found]
    if len(set(positions)) == len(positions):
        found = sorted(found, key=lambda pair: pair[1])
    items = []
    for i, (element, _) in enumerate(found):
        items.append(q.plain(q.text_of(element), f"item {i + 1}"))
        q.locations[("items", i)] = q.owner.line(element)
    spec: dict[str, Any] = {"items": items}
    grading = q.value("gradingtype").upper()
    if grading and grading not in _ORDERING_GRADING:
        q.warn(
            q.line,
            f"grading type {grading} is not kept: the app gives partial credit for the "
            "longest run of items in the right order",
        )
    spec["scoring"] = _ORDERING_GRADING.get(grading, "partial")
    selection, count = q.value("selecttype").upper(), q.value("selectcount")
    if selection not in ("", "ALL") and count not in ("", "0"):
        q.warn(q.line, f"Moodle shows {count} of the items; the app shows them all")
    return "ordering", spec


@dataclass(frozen=True)
class _Gap:
    """One embedded answer of a cloze question."""

    number: int
    kind: str
    mark: str
    answers: tuple[tuple[float, str, str], ...]  # (fraction, answer, feedback)
    line: int


def _split_unescaped(text: str, mark: str) -> list[str]:
    parts, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == mark:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        current.append("\\")
    parts.append("".join(current))
    return parts


def _unescape_cloze(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S)


def _gap_answers(body: str) -> tuple[tuple[float, str, str], ...]:
    answers = []
    for part in _split_unescaped(body, "~"):
        fraction = 0.0
        if part.startswith("="):
            fraction, part = FULL_MARKS, part[1:]
        elif (weight := re.match(r"%(-?\d+(?:\.\d+)?)%", part)) is not None:
            fraction, part = float(weight.group(1)), part[weight.end() :]
        answer, *feedback = _split_unescaped(part, "#")
        answers.append((fraction, answer, _unescape_cloze("#".join(feedback))))
    return tuple(answers)


def _read_cloze(q: QuestionReader) -> _Read:
    source = q.child_text("questiontext")
    pieces: list[str] = []
    gaps: list[_Gap] = []
    pos = 0
    for match in _GAP.finditer(source.value):
        line = source.line + source.value.count("\n", 0, match.start())
        gaps.append(
            _Gap(
                len(gaps) + 1,
                match.group(2),
                match.group(1) or "1",
                _gap_answers(match.group(3)),
                line,
            )
        )
        pieces.append(source.value[pos : match.start()])
        pieces.append(f"\x00{len(gaps) - 1}\x00")
        pos = match.end()
    pieces.append(source.value[pos:])
    if not gaps:
        q.skip(source.line, "the cloze text has no embedded answers")
        return None
    filled = [_cloze_gap(q, gap) for gap in gaps]
    if q.skipped:
        return None
    template = "".join(pieces)
    text = html_to_text(template, lines=True) if source.is_html else PlainText(template)
    # A cloze text is plain text: the images it showed go to the prompt, above it.
    images = [MEDIA_REF.sub(lambda m: q.media_ref(m, source.line), src) for src in text.images]
    q.cloze_prompt = "".join(f'<img src="{html.escape(src)}">' for src in images if src)
    result = re.sub(r"\x00(\d+)\x00", lambda m: filled[int(m.group(1))], text.text)
    spec: dict[str, Any] = {"text": result}
    cases = {
        gap.kind in _TEXT_GAP_TYPES_CASE for gap in gaps if gap.kind not in _NUMERICAL_GAP_TYPES
    }
    if cases == {True}:
        spec["match"] = {"case": True}
    elif len(cases) > 1:
        q.warn(
            source.line,
            "some gaps are case-sensitive and some are not: all are taken as case-insensitive",
        )
    if len({gap.mark for gap in gaps}) > 1:
        q.warn(source.line, "the gaps' different marks are not kept: every gap counts the same")
    q.locations[("text",)] = source.line
    return "cloze", spec


def _cloze_gap(q: QuestionReader, gap: _Gap) -> str:
    """Return the gap as ``[[a|b]]``, or report why it cannot be one."""
    full = [a for f, a, _ in gap.answers if f >= FULL_MARKS - _CLOSE]
    if gap.kind in _NUMERICAL_GAP_TYPES:
        exact = [_split_unescaped(a, ":") for a in full]
        exact_one = len(exact) == 1 and (len(exact[0]) == 1 or _number(exact[0][1]) == 0)
        if exact_one and _number(exact[0][0]) is not None:
            return _text_gap(q, gap, [_unescape_cloze(exact[0][0])])
        q.skip(
            gap.line,
            f"gap {gap.number} ({gap.kind}) has a tolerance or several answers, "
            "which the app's cloze gaps (typed text) cannot hold",
        )
        return ""
    if gap.kind not in _TEXT_GAP_TYPES and gap.kind not in _TEXT_GAP_TYPES_CASE:
        q.skip(
            gap.line,
            f"gap {gap.number} ({gap.kind}) is a kind of gap the app's cloze "
            "lacks (its gaps are typed answers)",
        )
        return ""
    for fraction, answer, _ in gap.answers:
        if fraction < FULL_MARKS - _CLOSE and answer.strip() != "*":
            q.warn(
                gap.line,
                f"gap {gap.number}: answer '{_unescape_cloze(answer)}' "
                f"({_percent(fraction)}) is not kept",
            )
    return _text_gap(q, gap, [_unescape_cloze(a) for a in full])


def _text_gap(q: QuestionReader, gap: _Gap, answers: list[str]) -> str:
    answers = [" ".join(a.split()) for a in answers if a.strip()]
    if not answers:
        q.skip(gap.line, f"gap {gap.number} has no answer worth 100%")
        return ""
    if any("|" in a or "[[" in a or "]]" in a for a in answers):
        q.skip(gap.line, f"gap {gap.number}: an answer holds '|', '[[' or ']]'")
        return ""
    if any(feedback.strip() for _, _, feedback in gap.answers):
        q.warn(gap.line, f"gap {gap.number}: the feedback of its answers is not kept")
    return "[[" + "|".join(answers) + "]]"


TYPE_READERS: dict[str, Callable[[QuestionReader], _Read]] = {
    "multichoice": _read_multichoice,
    "multichoiceset": _read_multichoiceset,
    "truefalse": _read_truefalse,
    "shortanswer": _read_shortanswer,
    "numerical": _read_numerical,
    "matching": _read_matching,
    "cloze": _read_cloze,
    "ordering": _read_ordering,
}


def _number(text: str) -> float | None:
    """Read a number as Moodle writes it ('46', '0.5', '1e-3'); None if it is not one."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _percent(fraction: float) -> str:
    return f"{format_number(round(fraction, 5))}%"
