"""Moodle XML question types: each type's answers read into the app's type and spec.

One reader per Moodle type (``TYPE_READERS``): choices and their fractions (a fraction below
100% is a choice's ``credit``), true/false, short answers and numbers with tolerance and units
(answers below 100% partly right, ``*`` the feedback for any other answer), matching pairs,
ordering items, and the embedded answers of a cloze text. A reader returns the app's type and
spec, or ``None`` when the question cannot be imported (it has then said why through its
``QuestionReader``).
"""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from quizapp.formats.moodle_xml_media import MEDIA_REF
from quizapp.formats.moodle_xml_text import PlainText, XmlText, html_to_text
from quizapp.formats.wildcards import read_wildcard
from quizapp.grading.cloze import Cloze
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
# Drop-down (plain) or radio buttons (_V vertical, _H horizontal): all are the app's choice gap.
_CHOICE_GAP_TYPES = frozenset({"MULTICHOICE", "MC", "MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH"})
_SHUFFLED_GAP_TYPES = frozenset(
    {"MULTICHOICE_S", "MCS", "MULTICHOICE_VS", "MCVS", "MULTICHOICE_HS", "MCHS"}
)
_MULTIRESPONSE_GAP_TYPES = frozenset(
    {"MULTIRESPONSE", "MR", "MULTIRESPONSE_H", "MRH", "MULTIRESPONSE_S", "MRS"}
    | {"MULTIRESPONSE_HS", "MRHS"}
)
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
        if fraction > 0:
            choices[i]["credit"] = _credit(fraction)
            continue
        q.warn(
            q.locations[("choices", i)],
            f"choice '{choices[i]['text']}' took away {_percent(-fraction)} in Moodle; "
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
    """Several answers: those above 0% are right. Fractions of 100/n and -100/n are the app's
    own scoring; any others are kept as the choices' credits."""
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
    spec["scoring"] = "partial"
    share = FULL_MARKS / len(right)
    fits = all(abs(f - (share if i in right else -share)) < _CLOSE for i, f in enumerate(fractions))
    if fits:
        return "multiple_response", spec
    total = sum(fractions[i] for i in right)
    if abs(total - FULL_MARKS) >= _CLOSE:
        q.warn(
            q.line,
            f"the right choices' fractions add up to {_percent(total)}, not 100%: each is "
            "taken as its share of them (so that all of them together earn full marks)",
        )
    for i, fraction in enumerate(fractions):
        if i in right:
            choices[i]["credit"] = round(fraction / total, 7)
        elif fraction < -_CLOSE:
            if fraction < -FULL_MARKS:
                q.warn(
                    q.locations[("choices", i)],
                    f"choice '{choices[i]['text']}' takes away {_percent(-fraction)}: in the "
                    "app a wrong choice takes away 100% at most",
                )
            choices[i]["credit"] = max(-1.0, _credit(fraction))
    return "multiple_response", spec


def _credit(fraction: float) -> float:
    """A Moodle fraction in percent as the app's credit (Moodle writes 7 decimals)."""
    return round(fraction / FULL_MARKS, 7)


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
        elif abs(fraction) >= _CLOSE:
            q.warn(
                q.owner.line(element),
                f"answer '{word}' is worth {_percent(fraction)} in Moodle; in the app a "
                "true/false answer is right or wrong",
            )
    if q.skipped:
        return None
    if answer is None:
        q.skip(q.line, "neither 'true' nor 'false' is worth 100%")
        return None
    return "true_false", {"answer": answer, **spec}


def _read_shortanswer(q: QuestionReader) -> _Read:
    """Answers worth 100% are accepted, those worth less are partly right (``partial``), and
    the feedback of ``*`` is the feedback for any other answer (``otherwise``)."""
    accepted: list[str] = []
    partial: list[dict[str, Any]] = []
    otherwise = ""
    for element, fraction in q.answers():
        text = q.plain(q.text_of(element), "an answer")
        line = q.owner.line(element)
        if text == "*" and fraction < FULL_MARKS - _CLOSE:
            otherwise = otherwise or _catch_all(q, element, fraction)
        elif fraction >= FULL_MARKS - _CLOSE:
            read = read_wildcard(text)
            if read.note:
                q.warn(line, read.note)
            accepted.append(read.answer)
            q.locations[("answers", len(accepted) - 1)] = line
            q.lost_feedback(element, f"answer '{text}'")
        elif fraction > _CLOSE:
            read = read_wildcard(text)
            if read.note:
                q.warn(line, read.note)
            entry: dict[str, Any] = {"text": read.answer, "credit": _credit(fraction)}
            q.locations[("partial", len(partial))] = line
            partial.append(_with_feedback(q, element, entry))
        else:
            q.warn(
                line,
                f"answer '{text}' ({_percent(fraction)}) is not kept: the app has no "
                "negative credit or wrong answers with feedback for short answers",
            )
    if q.skipped:
        return None
    if not accepted:
        q.skip(q.line, "no answer is worth 100%")
        return None
    spec: dict[str, Any] = {"answers": accepted}
    if partial:
        spec["partial"] = partial
    if otherwise:
        spec["otherwise"] = otherwise
    if q.value("usecase") in ("1", "true"):
        spec["match"] = {"case": True}
    return "short_answer", spec


def _with_feedback(q: QuestionReader, element: ET.Element, entry: dict[str, Any]) -> dict[str, Any]:
    """A partly right answer with its feedback, if it has one."""
    feedback = q.rich(q.feedback(element))
    return {**entry, "feedback": feedback} if feedback else entry


def _catch_all(q: QuestionReader, element: ET.Element, fraction: float) -> str:
    """The feedback of ``*``, Moodle's answer for any other answer (which earns nothing)."""
    if abs(fraction) >= _CLOSE:
        q.warn(
            q.owner.line(element),
            f"any other answer ('*') is worth {_percent(fraction)} in Moodle; in the app it "
            "earns nothing (its feedback is kept)",
        )
    return q.rich(q.feedback(element))


def _read_numerical(q: QuestionReader) -> _Read:
    """The first answer worth 100% is the answer, those worth less are partly right
    (``partial``), and the feedback of ``*`` is the feedback for any other number."""
    spec: dict[str, Any] = {}
    partial: list[dict[str, Any]] = []
    otherwise = ""
    for element, fraction in q.answers():
        raw = q.text_of(element).value.strip()
        line = q.owner.line(element)
        if raw == "*":
            otherwise = otherwise or _catch_all(q, element, fraction)
            continue
        number = _number(raw)
        if number is None:
            q.skip(line, f"the answer '{raw}' is not a number")
            return None
        tolerance = _number(q.value_of(element, "tolerance") or "0")
        if tolerance is None:
            q.skip(line, f"the tolerance of answer '{raw}' is not a number")
            return None
        if _CLOSE < fraction < FULL_MARKS - _CLOSE:
            entry = {"answer": number, "tolerance": abs(tolerance), "credit": _credit(fraction)}
            q.locations[("partial", len(partial))] = line
            partial.append(_with_feedback(q, element, entry))
        elif fraction < FULL_MARKS - _CLOSE:
            q.warn(
                line,
                f"answer {raw} ({_percent(fraction)}) is not kept: the app has no negative "
                "credit or wrong numbers with feedback",
            )
        elif "answer" in spec:
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
    if partial:
        spec["partial"] = partial
    if otherwise:
        spec["otherwise"] = otherwise
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
    format: str  # the question text's: answers and feedback are html in an html text


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
    """Read a Moodle cloze ("embedded answers") question.

    Typed gaps (SHORTANSWER, _C case-sensitive), drop-down or radio choices (MULTICHOICE and
    its _V, _H and shuffled _S variants) and numbers (NUMERICAL, answer:tolerance) become the
    app's gaps of the same kinds, with the gap's mark as its weight. Gaps that are all typed,
    of the same weight and without feedback are written in the text, ``[[a|b]]``, as before;
    otherwise the text marks them ``[[1]]``, ``[[2]]``... and ``gaps`` describes them.
    """
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
                source.format,
            )
        )
        pieces.append(source.value[pos : match.start()])
        pieces.append(f"\x00{len(gaps) - 1}\x00")
        pos = match.end()
    pieces.append(source.value[pos:])
    if not gaps:
        q.skip(source.line, "the cloze text has no embedded answers")
        return None
    entries = [_cloze_gap(q, gap) for gap in gaps]
    if q.skipped:
        return None
    described = [entry for entry in entries if entry is not None]
    _weigh(q, gaps, described)
    inline = all(set(entry) == {"answers"} and _inline(entry["answers"]) for entry in described)
    if inline:
        filled = ["[[" + "|".join(entry["answers"]) + "]]" for entry in described]
    else:
        filled = [f"[[{i + 1}]]" for i in range(len(described))]
    template = "".join(pieces)
    text = html_to_text(template, lines=True) if source.is_html else PlainText(template)
    # A cloze text is plain text: the images it showed go to the prompt, above it.
    images = [MEDIA_REF.sub(lambda m: q.media_ref(m, source.line), src) for src in text.images]
    q.cloze_prompt = "".join(f'<img src="{html.escape(src)}">' for src in images if src)
    result = re.sub(r"\x00(\d+)\x00", lambda m: filled[int(m.group(1))], text.text)
    spec: dict[str, Any] = {"text": result}
    if not inline:
        spec["gaps"] = described
    typed = [gap for gap, entry in zip(gaps, described, strict=True) if "answers" in entry]
    cases = {gap.kind in _TEXT_GAP_TYPES_CASE for gap in typed}
    if cases == {True}:
        spec["match"] = {"case": True}
    elif len(cases) > 1:
        q.warn(
            source.line,
            "some gaps are case-sensitive and some are not: all are taken as case-insensitive",
        )
    q.locations[("text",)] = source.line
    if not inline:
        for i, gap in enumerate(gaps):
            q.locations[("gaps", i)] = gap.line
    for problem in Cloze().check(spec)[:1]:
        where = problem.path[1] if problem.path[:1] == ("gaps",) else None
        line = gaps[where].line if isinstance(where, int) else source.line
        q.skip(line, problem.message)
        return None
    return "cloze", spec


def _inline(answers: list[str]) -> bool:
    """True when typed answers can be written in the text, ``[[a|b]]``."""
    return all(a and not any(m in a for m in ("|", "[[", "]]")) for a in answers)


def _weigh(q: QuestionReader, gaps: list[_Gap], entries: list[dict[str, Any]]) -> None:
    """Give each gap its mark as its weight, unless all gaps weigh the same."""
    weights = []
    for gap in gaps:
        weight = int(gap.mark)
        if weight == 0:
            q.warn(gap.line, f"gap {gap.number} is worth 0 marks in Moodle; in the app it counts 1")
            weight = 1
        weights.append(weight)
    if len(set(weights)) == 1:
        return
    for entry, weight in zip(entries, weights, strict=True):
        if weight != 1:
            entry["weight"] = weight


def _cloze_gap(q: QuestionReader, gap: _Gap) -> dict[str, Any] | None:
    """Return the gap as an entry of the spec's ``gaps``, or report why it cannot be one."""
    if gap.kind in _NUMERICAL_GAP_TYPES:
        return _numeric_gap(q, gap)
    if gap.kind in _CHOICE_GAP_TYPES or gap.kind in _SHUFFLED_GAP_TYPES:
        return _choice_gap(q, gap)
    if gap.kind in _TEXT_GAP_TYPES or gap.kind in _TEXT_GAP_TYPES_CASE:
        return _typed_gap(q, gap)
    if gap.kind in _MULTIRESPONSE_GAP_TYPES:
        q.skip(
            gap.line,
            f"gap {gap.number} ({gap.kind}) lets the learner tick several answers, "
            "which the app's cloze gaps cannot hold (a gap takes one answer)",
        )
        return None
    q.skip(gap.line, f"gap {gap.number} ({gap.kind}) is not a kind of gap the app knows")
    return None


def _gap_text(q: QuestionReader, gap: _Gap, answer: str) -> str:
    """An answer as plain text: escapes undone, the html of an html text read as text."""
    return q.plain(XmlText(_unescape_cloze(answer), gap.format, gap.line), f"gap {gap.number}")


def _gap_feedback(q: QuestionReader, gap: _Gap, feedback: str) -> str:
    return q.rich(XmlText(feedback, gap.format, gap.line))


def _typed_gap(q: QuestionReader, gap: _Gap) -> dict[str, Any] | None:
    answers: list[str] = []
    otherwise, lost = "", False
    for fraction, raw, feedback in gap.answers:
        answer = _gap_text(q, gap, raw)
        if fraction >= FULL_MARKS - _CLOSE:
            if answer:
                answers.append(answer)
            lost = lost or bool(feedback.strip())
        elif answer == "*":
            otherwise = otherwise or _gap_feedback(q, gap, feedback)
        else:
            q.warn(
                gap.line, f"gap {gap.number}: answer '{answer}' ({_percent(fraction)}) is not kept"
            )
    if not answers:
        q.skip(gap.line, f"gap {gap.number} has no answer worth 100%")
        return None
    if lost:
        _lost_gap_feedback(q, gap)
    entry: dict[str, Any] = {"answers": answers}
    if otherwise:
        entry["feedback"] = otherwise
    return entry


def _lost_gap_feedback(q: QuestionReader, gap: _Gap) -> None:
    q.warn(
        gap.line,
        f"gap {gap.number}: the feedback of its right answers is not kept "
        "(a gap's feedback is shown when the gap is not filled right)",
    )


def _numeric_gap(q: QuestionReader, gap: _Gap) -> dict[str, Any] | None:
    entry: dict[str, Any] = {"kind": "numeric"}
    otherwise, lost = "", False
    for fraction, raw, feedback in gap.answers:
        answer = _gap_text(q, gap, raw)
        if answer == "*" and fraction < FULL_MARKS - _CLOSE:
            otherwise = otherwise or _gap_feedback(q, gap, feedback)
            continue
        if fraction < FULL_MARKS - _CLOSE:
            q.warn(
                gap.line,
                f"gap {gap.number}: answer {answer} ({_percent(fraction)}) is not kept: "
                "a numeric gap has one right answer and no partial credit",
            )
            continue
        if "answer" in entry:
            q.warn(
                gap.line,
                f"gap {gap.number}: answer {answer} (also 100%) is not kept: "
                "a numeric gap has one right answer",
            )
            continue
        value, colon, spread = answer.partition(":")
        number = _gap_number(value)
        if number is None:
            q.skip(gap.line, f"gap {gap.number}: the answer '{answer}' is not a number")
            return None
        tolerance = _gap_number(spread) if colon else None
        if colon and tolerance is None:
            q.skip(gap.line, f"gap {gap.number}: the tolerance in '{answer}' is not a number")
            return None
        entry["answer"] = number
        if tolerance is not None:
            entry["tolerance"] = abs(tolerance)
        lost = lost or bool(feedback.strip())
    if "answer" not in entry:
        q.skip(gap.line, f"gap {gap.number} has no answer worth 100%")
        return None
    if lost:
        _lost_gap_feedback(q, gap)
    if otherwise:
        entry["feedback"] = otherwise
    return entry


def _gap_number(text: str) -> int | float | None:
    """A number as the gap writes it: '46' stays whole, '0.5' and '1e-3' are floats."""
    text = text.strip()
    if re.fullmatch(r"[+-]?\d{1,15}", text):
        return int(text)
    return _number(text)


def _choice_gap(q: QuestionReader, gap: _Gap) -> dict[str, Any] | None:
    choices: list[dict[str, Any]] = []
    for fraction, raw, feedback in gap.answers:
        choice: dict[str, Any] = {"text": _gap_text(q, gap, raw)}
        if fraction >= FULL_MARKS - _CLOSE:
            choice["correct"] = True
        elif fraction > _CLOSE:
            choice["credit"] = round(fraction / FULL_MARKS, 7)
        elif fraction < -_CLOSE:
            q.warn(
                gap.line,
                f"gap {gap.number}: choice '{choice['text']}' took away "
                f"{_percent(-fraction)} in Moodle; in the app it is simply wrong",
            )
        said = _gap_feedback(q, gap, feedback)
        if said:
            choice["feedback"] = said
        choices.append(choice)
    if not any(choice.get("correct") for choice in choices):
        q.skip(gap.line, f"gap {gap.number} has no answer worth 100%")
        return None
    entry: dict[str, Any] = {"kind": "choice", "choices": choices}
    if gap.kind in _SHUFFLED_GAP_TYPES:
        entry["shuffle"] = True
    return entry


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
