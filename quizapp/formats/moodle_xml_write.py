"""Writing a set as Moodle XML: a category per topic, each question in its Moodle type.

Each question carries its id as ``idnumber`` and its title as ``name``; plain texts are
written as ``markdown``, texts with HTML tags as ``html``, and the images a text shows are
embedded as base64 ``<file>`` elements. What Moodle cannot hold is reported (see the mapping
in ``moodle_xml``).
"""

from __future__ import annotations

import base64
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from quizapp.bank.model import Problem, QuestionDoc, SetDoc
from quizapp.formats.categories import category_path
from quizapp.formats.cells import choice_credits
from quizapp.formats.moodle_xml_answers import FULL_MARKS
from quizapp.formats.moodle_xml_media import MEDIA_OUT, PLUGINFILE
from quizapp.formats.moodle_xml_text import html_to_text, looks_like_html
from quizapp.grading.cloze import Gap, read_gaps
from quizapp.grading.numeric import format_number


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _text_element(parent: ET.Element, tag: str, text: str, fmt: str | None = None) -> ET.Element:
    """Write ``<tag format=...><text>text</text></tag>`` and return the outer element."""
    element = _sub(parent, tag, **({"format": fmt} if fmt else {}))
    _sub(element, "text", text)
    return element


def _rich_format(text: str) -> str:
    return "html" if looks_like_html(text) else "markdown"


def _fraction(value: float) -> str:
    return format_number(round(value, 7))


def _escape_cloze(text: str) -> str:
    return re.sub(r"([\\}#~/\"*{])", r"\\\1", text)


class _QuestionWriter:
    """Writes one question; ``warnings`` and ``skipped`` say what Moodle cannot hold."""

    def __init__(self, question: QuestionDoc, owner: SetWriter) -> None:
        self.q = question
        self.owner = owner

    def warn(self, message: str) -> None:
        self.owner.warnings.append(
            Problem(self.owner.doc.file, self.q.line, f"question '{self.q.id}': {message}")
        )

    def rich(self, parent: ET.Element, tag: str, text: str, fmt: str = "") -> None:
        """Write a prompt, explanation or feedback, with the images it shows embedded."""
        names: list[str] = []

        def to_pluginfile(match: re.Match[str]) -> str:
            names.append(match.group(1))
            return f"{PLUGINFILE}/{match.group(1)}"

        element = _text_element(
            parent, tag, MEDIA_OUT.sub(to_pluginfile, text), fmt or _rich_format(text)
        )
        for name in dict.fromkeys(names):
            data = self.owner.media.get(name)
            if data is None:
                self.warn(f"the image '{name}' is not embedded: the exporter was not given it")
                continue
            encoded = base64.b64encode(data).decode("ascii")
            _sub(element, "file", encoded, name=name, path="/", encoding="base64")

    def write(self, quiz: ET.Element) -> None:
        writer = _TYPE_WRITERS.get(self.q.type)
        if writer is None:
            self.owner.skipped.append(
                Problem(
                    self.owner.doc.file,
                    self.q.line,
                    f"question '{self.q.id}': type '{self.q.type}' has no Moodle form",
                )
            )
            return
        moodle_type = _MOODLE_TYPES[self.q.type]
        if self.q.type == "multiple_response" and self.q.spec.get("scoring") == "all_or_nothing":
            moodle_type = "multichoiceset"
        element = _sub(quiz, "question", type=moodle_type)
        _text_element(element, "name", self.q.title or self.q.id)
        if self.q.type == "cloze":
            self.rich(element, "questiontext", _cloze_text(self), "html")
        else:
            self.rich(element, "questiontext", self.q.prompt)
        self.rich(element, "generalfeedback", self.q.explanation)
        _sub(element, "defaultgrade", "1")
        _sub(element, "penalty", "0.3333333")
        _sub(element, "hidden", "0")
        _sub(element, "idnumber", self.q.id)
        writer(self, element)
        if self.q.tags:
            tags = _sub(element, "tags")
            for tag in self.q.tags:
                _text_element(tags, "tag", tag)

    def match_lost(self) -> None:
        match = self.q.spec.get("match")
        if isinstance(match, Mapping) and set(match) - {"case"}:
            lost = ", ".join(f"{k}: {match[k]}" for k in sorted(set(match) - {"case"}))
            self.warn(f"match options ({lost}) have no Moodle form: Moodle compares exactly")


def _write_choices(w: _QuestionWriter, element: ET.Element) -> None:
    """Each choice with its fraction: 100% for the right one of a single choice, a partly right
    one's credit; in a multiple response each choice's credit, or 100/n for a right one and
    -100/n for a wrong one (the app's own scoring; 0 when all or nothing)."""
    choices: Sequence[Mapping[str, Any]] = w.q.spec["choices"]
    single = w.q.type == "single_choice"
    right = sum(1 for c in choices if c.get("correct"))
    all_or_nothing = w.q.spec.get("scoring") == "all_or_nothing"
    if w.q.type != "multiple_response" or not all_or_nothing:
        _sub(element, "single", "true" if single else "false")
    _sub(element, "shuffleanswers", "true")
    _sub(element, "answernumbering", "abc")
    credits = None if single or all_or_nothing else choice_credits(choices)
    for i, choice in enumerate(choices):
        if single:
            fraction = FULL_MARKS if choice.get("correct") else _percent(choice.get("credit", 0))
        elif credits is not None:
            fraction = _percent(credits[i])
        elif choice.get("correct"):
            fraction = FULL_MARKS / right
        else:
            fraction = 0.0 if all_or_nothing else -FULL_MARKS / right
        answer = _sub(element, "answer", fraction=_fraction(fraction), format="html")
        _sub(answer, "text", html.escape(str(choice["text"]), quote=False))
        w.rich(answer, "feedback", str(choice.get("feedback", "")))


def _percent(credit: object) -> float:
    """A credit (0.5) as Moodle's fraction in percent (50)."""
    return float(credit) * FULL_MARKS if isinstance(credit, int | float) else 0.0


def _write_true_false(w: _QuestionWriter, element: ET.Element) -> None:
    for word in ("true", "false"):
        right = bool(w.q.spec["answer"]) == (word == "true")
        answer = _sub(
            element, "answer", fraction="100" if right else "0", format="moodle_auto_format"
        )
        _sub(answer, "text", word)
        w.rich(answer, "feedback", str(w.q.spec.get(f"feedback_{word}", "")))


def _write_short_answer(w: _QuestionWriter, element: ET.Element) -> None:
    """The accepted answers at 100%, the partly right ones at their credit, and ``*`` at 0%
    with the feedback for any other answer."""
    spec = w.q.spec
    match = spec.get("match")
    case = isinstance(match, Mapping) and bool(match.get("case"))
    _sub(element, "usecase", "1" if case else "0")
    rows = [(FULL_MARKS, str(text), "") for text in spec["answers"]]
    rows += [
        (_percent(p["credit"]), str(p["text"]), str(p.get("feedback", "")))
        for p in spec.get("partial", ())
    ]
    for fraction, text, feedback in rows:
        answer = _sub(element, "answer", fraction=_fraction(fraction), format="moodle_auto_format")
        # '*' is Moodle's wildcard; '\*' is a star.
        _sub(answer, "text", text.replace("*", "\\*"))
        _feedback(w, answer, feedback)
    _catch_all(w, element)
    w.match_lost()


def _feedback(w: _QuestionWriter, answer: ET.Element, feedback: str) -> None:
    if feedback:
        w.rich(answer, "feedback", feedback)
    else:
        _text_element(answer, "feedback", "", "html")


def _catch_all(w: _QuestionWriter, element: ET.Element, *tolerance: str) -> None:
    """Moodle's ``*`` answer at 0%, whose feedback is shown for any other answer."""
    if not w.q.spec.get("otherwise"):
        return
    answer = _sub(element, "answer", fraction="0", format="moodle_auto_format")
    _sub(answer, "text", "*")
    w.rich(answer, "feedback", str(w.q.spec["otherwise"]))
    for value in tolerance:
        _sub(answer, "tolerance", value)


def _write_numeric(w: _QuestionWriter, element: ET.Element) -> None:
    """The answer at 100%, the partly right numbers at their credit, and ``*`` at 0% with the
    feedback for any other number."""
    spec = w.q.spec
    rows = [(FULL_MARKS, spec, "")]
    rows += [
        (_percent(p["credit"]), p, str(p.get("feedback", ""))) for p in spec.get("partial", ())
    ]
    for fraction, entry, feedback in rows:
        value, tolerance = _number_and_tolerance(w, entry)
        answer = _sub(element, "answer", fraction=_fraction(fraction), format="moodle_auto_format")
        _sub(answer, "text", format_number(value))
        _feedback(w, answer, feedback)
        _sub(answer, "tolerance", format_number(tolerance))
    _catch_all(w, element, "0")
    if spec.get("unit"):
        units = _sub(element, "units")
        unit = _sub(units, "unit")
        _sub(unit, "multiplier", "1")
        _sub(unit, "unit_name", str(spec["unit"]))
    _sub(element, "unitgradingtype", "0")
    _sub(element, "unitpenalty", "0.1000000")
    _sub(element, "showunits", "3")
    _sub(element, "unitsleft", "0")


def _number_and_tolerance(w: _QuestionWriter, spec: Mapping[str, Any]) -> tuple[float, float]:
    """A number and its tolerance; a range as its middle and half-width."""
    if "range" in spec:
        lo, hi = (float(v) for v in spec["range"])
        value, tolerance = _round((lo + hi) / 2), _round((hi - lo) / 2)
        w.warn(
            f"the range [{format_number(lo)}, {format_number(hi)}] is written as "
            f"{format_number(value)} ± {format_number(tolerance)}"
        )
        return value, tolerance
    return float(spec["answer"]), float(spec.get("tolerance", 0))


def _write_matching(w: _QuestionWriter, element: ET.Element) -> None:
    _sub(element, "shuffleanswers", "true")
    rows = [(str(p["left"]), str(p["right"])) for p in w.q.spec["pairs"]]
    rows += [("", str(d)) for d in w.q.spec.get("distractors", [])]
    for left, right in rows:
        sub = _sub(element, "subquestion", format="html")
        _sub(sub, "text", html.escape(left, quote=False))
        answer = _sub(sub, "answer")
        _sub(answer, "text", right)


def _write_ordering(w: _QuestionWriter, element: ET.Element) -> None:
    all_or_nothing = w.q.spec.get("scoring") == "all_or_nothing"
    _sub(element, "layouttype", "VERTICAL")
    _sub(element, "selecttype", "ALL")
    _sub(element, "selectcount", "0")
    _sub(element, "gradingtype", "ALL_OR_NOTHING" if all_or_nothing else "LONGEST_ORDERED_SUBSET")
    _sub(element, "showgrading", "SHOW")
    _sub(element, "numberingstyle", "none")
    for position, item in enumerate(w.q.spec["items"], start=1):
        answer = _sub(element, "answer", fraction=f"{position}.0000000", format="html")
        _sub(answer, "text", html.escape(str(item), quote=False))


def _write_cloze(w: _QuestionWriter, element: ET.Element) -> None:
    w.match_lost()


def _cloze_text(w: _QuestionWriter) -> str:
    """Write the cloze text as html with Moodle's embedded answers for the gaps."""
    cloze = read_gaps(w.q.spec)
    match = w.q.spec.get("match")
    case = isinstance(match, Mapping) and bool(match.get("case"))
    marks = _marks(w, [gap.weight for gap in cloze.gaps])
    pieces = []
    for i, piece in enumerate(cloze.texts):
        pieces.append(html.escape(piece, quote=False).replace("\n", "<br>"))
        if i < len(cloze.gaps):
            pieces.append(_embedded(w, i + 1, cloze.gaps[i], marks[i], case=case))
    text = "".join(pieces)
    prompt = w.q.prompt.strip()
    if prompt and not html_to_text(prompt).text:
        return f"{prompt}<br>{text}"  # images only: they lead the text, as on import
    if prompt:
        w.warn("the prompt is not written: a Moodle cloze question is its text alone")
    return text


def _embedded(w: _QuestionWriter, number: int, gap: Gap, mark: str, *, case: bool) -> str:
    """One gap as Moodle's embedded answer, ``{mark:KIND:answers}``."""
    if gap.kind == "choice":
        kind = "MULTICHOICE_S" if gap.shuffle else "MULTICHOICE"
        if gap.feedback:
            w.warn(
                f"gap {number}: its feedback is written as the feedback of each choice that is "
                "not right and has none (Moodle gives feedback per choice)"
            )
        answers = [
            _choice_fraction(c.credit)
            + _cloze_answer(c.text)
            + _cloze_feedback(c.feedback or (gap.feedback if c.credit < 1 else ""))
            for c in gap.choices
        ]
    elif gap.kind == "numeric":
        kind = "NUMERICAL"
        answers = ["=" + _numeric_answer(w, number, gap.number or {})]
    else:
        kind = "SHORTANSWER_C" if case else "SHORTANSWER"
        answers = ["=" + _cloze_answer(a) for a in gap.answers]
    if gap.feedback and gap.kind != "choice":
        answers.append("*" + _cloze_feedback(gap.feedback))
    return f"{{{mark}:{kind}:{'~'.join(answers)}}}"


def _cloze_answer(text: str) -> str:
    # An html text: Moodle reads the answers' entities as the characters.
    return _escape_cloze(html.escape(text, quote=False))


def _cloze_feedback(text: str) -> str:
    return "#" + re.sub(r"([\\}#~])", r"\\\1", text) if text else ""


def _choice_fraction(credit: float) -> str:
    if credit >= 1:
        return "="
    return f"%{_fraction(credit * FULL_MARKS)}%" if credit > 0 else ""


def _numeric_answer(w: _QuestionWriter, number: int, spec: Mapping[str, Any]) -> str:
    """``answer:tolerance`` as the spec writes them; a range as its middle and half-width."""
    if spec.get("unit"):
        w.warn(f"gap {number}: the unit '{spec['unit']}' is left out (Moodle's gaps have none)")
    if "range" in spec:
        lo, hi = (float(v) for v in spec["range"])
        value, tolerance = _plain(_round((lo + hi) / 2)), _plain(_round((hi - lo) / 2))
        w.warn(
            f"gap {number}: the range [{format_number(lo)}, {format_number(hi)}] is written "
            f"as {value} ± {tolerance}"
        )
        return f"{value}:{tolerance}"
    written = _plain(spec["answer"])
    return f"{written}:{_plain(spec['tolerance'])}" if "tolerance" in spec else written


def _plain(value: object) -> str:
    """A number as the spec writes it: 10 stays '10', 0.1 stays '0.1' (never '0.1000...01')."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return format_number(float(str(value)))


def _round(value: float) -> float:
    """A number worked out (a range's middle): the float noise of the sum left out."""
    return float(f"{value:.12g}")


def _marks(w: _QuestionWriter, weights: Sequence[float]) -> list[str]:
    """The gaps' weights as Moodle's marks, which are whole numbers: scaled if they must be."""
    scaled = [max(1.0, float(round(weight * 100))) for weight in weights]  # at worst
    for scale in range(1, 101):
        if all(abs(x * scale - round(x * scale)) < 1e-9 and x * scale >= 1 for x in weights):
            scaled = [x * scale for x in weights]
            break
    marks = [str(round(x)) for x in scaled]
    if any(abs(x - float(m)) > 1e-9 for x, m in zip(weights, marks, strict=True)):
        w.warn(
            f"the gaps' weights ({', '.join(format_number(x) for x in weights)}) are written "
            f"as marks {', '.join(marks)}: Moodle's marks are whole numbers"
        )
    return marks


_TYPE_WRITERS: dict[str, Callable[[_QuestionWriter, ET.Element], None]] = {
    "single_choice": _write_choices,
    "multiple_response": _write_choices,
    "true_false": _write_true_false,
    "short_answer": _write_short_answer,
    "numeric": _write_numeric,
    "matching": _write_matching,
    "ordering": _write_ordering,
    "cloze": _write_cloze,
}
_MOODLE_TYPES = {
    "single_choice": "multichoice",
    "multiple_response": "multichoice",
    "true_false": "truefalse",
    "short_answer": "shortanswer",
    "numeric": "numerical",
    "matching": "matching",
    "ordering": "ordering",
    "cloze": "cloze",
}


class SetWriter:
    def __init__(self, doc: SetDoc, media: Mapping[str, bytes]) -> None:
        self.doc = doc
        self.media = media
        self.skipped: list[Problem] = []
        self.warnings: list[Problem] = []

    def run(self) -> bytes:
        quiz = ET.Element("quiz")
        by_topic: dict[str, list[QuestionDoc]] = {}
        for question in self.doc.questions:
            by_topic.setdefault(question.topic, []).append(question)
        titles = {t.id: t.title for t in self.doc.topics}
        for topic_id in [t.id for t in self.doc.topics] + [t for t in by_topic if t not in titles]:
            if topic_id not in by_topic:
                continue
            category = _sub(quiz, "question", type="category")
            _text_element(category, "category", category_path(titles.get(topic_id, topic_id)))
            _sub(category, "idnumber", topic_id)
            for question in by_topic[topic_id]:
                _QuestionWriter(question, self).write(quiz)
        ET.indent(quiz, space="  ")
        body = ET.tostring(quiz, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()
