"""Moodle XML: read a question bank exported from Moodle, and write a set as Moodle XML.

The file is parsed with defusedxml: a file that declares entities (the "billion laughs" and
external-entity attacks) is refused as a whole, and nothing in it is fetched.

Reading (Moodle → app):

=====================================  ==================================================
Moodle                                 app
=====================================  ==================================================
``category`` pseudo-question           topic: the last part of the path (``$course$/top/A/B``
                                       gives "B"), or the path "A / B" when two categories
                                       end alike; the category's ``idnumber`` is the topic id
``multichoice``, ``single=true``       ``single_choice``; the 100% answer is correct
``multichoice``, ``single=false``      ``multiple_response``: answers above 0% are correct;
                                       weights other than 100/k for the k right answers and
                                       -100/k for the wrong ones are reported (the app
                                       scores right ticks - wrong ticks, / k)
``multichoiceset`` (plugin)            ``multiple_response`` with ``scoring: all_or_nothing``
``truefalse``                          ``true_false`` with both feedbacks
``shortanswer``                        ``short_answer``: the 100% answers; ``usecase`` →
                                       ``match.case``; partial-credit answers are reported
``numerical``                          ``numeric``: the first 100% answer and its tolerance;
                                       the unit whose multiplier is 1; other answers and
                                       units are reported
``matching``                           ``matching``; subquestions without text are
                                       distractors
``cloze`` (multianswer)                ``cloze``: SHORTANSWER (SA, MW, and the _C
                                       case-sensitive forms) gaps → ``[[a|b]]``; NUMERICAL
                                       gaps with one exact answer → ``[[46]]``; other gaps
                                       (MULTICHOICE, MULTIRESPONSE, NUMERICAL with a
                                       tolerance) are reported by name and line and the
                                       question is not imported
``ordering`` (qtype_ordering plugin)   ``ordering``: the items sorted by their position
                                       (the ``fraction``); ``ALL_OR_NOTHING`` →
                                       ``all_or_nothing``; ``LONGEST_ORDERED_SUBSET`` →
                                       ``partial``; other grading types are reported
``name`` / ``idnumber``                title / id (without an idnumber, a hash of the name
                                       and question text)
``questiontext``, ``generalfeedback``  prompt, explanation: HTML is kept as HTML (the web
                                       layer sanitises it with nh3, so a ``<script>`` in an
                                       upload passes through here as text and never runs)
per-answer ``feedback``                choice feedback, true/false feedback; where the type
                                       has no room for it, reported
``tags``                               tags
``<file encoding="base64">``           ``MediaFile``; ``@@PLUGINFILE@@/name`` becomes
                                       ``media:NAME`` (see ``MEDIA_SCHEME``)
anything else (essay, description,     reported by type, name and line, not imported
calculated*, randomsamatch, ddwtos,
gapselect, drag-and-drop...)
=====================================  ==================================================

Answer texts (choices, accepted answers, pairs, items) are plain text in the app: Moodle's
HTML answers are reduced to their text. Prompts, explanations and feedback keep their HTML.

Writing (app → Moodle) is the reverse: a category per topic (its id as the category's
idnumber), each question with its id as ``idnumber`` and its title as ``name`` (the id when it
has none). Plain texts are written as ``markdown``, texts with HTML tags as ``html``.
``multiple_response`` with ``scoring: all_or_nothing`` is written as the ``multichoiceset``
plugin type and ``ordering`` as the ``ordering`` plugin type. What Moodle cannot hold is
reported: ``match`` options other than ``case``, and a numeric ``range`` (written as its
middle ± half its width).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import html
import math
import mimetypes
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, ClassVar
from urllib.parse import unquote

from defusedxml.common import (  # type: ignore[import-untyped, unused-ignore]
    DefusedXmlException,
)
from defusedxml.ElementTree import (  # type: ignore[import-untyped, unused-ignore]
    DefusedXMLParser,
)

from quizapp.bank.model import KeyPath, Problem, QuestionDoc, SetDoc, TopicDoc
from quizapp.formats.assemble import DEFAULT_TOPIC, NO_SOURCE, SetBuilder
from quizapp.formats.base import Exporter, ExportResult, Importer, ImportResult, MediaFile
from quizapp.formats.ids import IdBook, clean_id, slug
from quizapp.grading.numeric import format_number
from quizapp.grading.typed import read_cloze

MEDIA_SCHEME = "media:"
"""Images are referred to as ``media:NAME`` in the text (``<img src="media:cell.png">``),
where NAME is a ``MediaFile.name`` of the same import; the web layer maps it to the URL it
serves the stored file at."""

MAX_XML_BYTES = 64 * 1024 * 1024
"""A larger file is refused before it is parsed."""
MAX_MEDIA_FILE_BYTES = 16 * 1024 * 1024
"""A larger embedded file is left out (and reported)."""
MAX_MEDIA_TOTAL_BYTES = 64 * 1024 * 1024
"""Embedded files beyond this total are left out (and reported)."""

MAX_MEDIA_NAME = 120
"""Longest name an embedded file is stored under (a longer one is cut, keeping its extension)."""

ENTITIES_REFUSED = "XML with entity declarations is refused (security)"
PLUGINFILE = "@@PLUGINFILE@@"

_FULL_MARKS = 100.0
_CLOSE = 0.01  # Moodle writes fractions with 7 decimals: 33.33333 is 100/3.
_MEDIA_REF = re.compile(re.escape(PLUGINFILE) + r"/([^\"'\s<>)]+)")
_MEDIA_OUT = re.compile(re.escape(MEDIA_SCHEME) + r"([A-Za-z0-9._-]+)")
_NOT_MEDIA_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
_CATEGORY_ROOTS = ("$course$", "$system$", "$module$", "$cat1$", "$coursecategory$")
# Cloze gaps as Moodle's qtype_multianswer reads them: {mark:TYPE:answers}.
_GAP = re.compile(r"\{(\d*):([A-Z_]+):((?:[^}\\]|\\.)*)\}", re.S)
_TEXT_GAP_TYPES = frozenset({"SHORTANSWER", "SA", "MW"})
_TEXT_GAP_TYPES_CASE = frozenset({"SHORTANSWER_C", "SAC", "MWC"})
_NUMERICAL_GAP_TYPES = frozenset({"NUMERICAL", "NM"})
_ORDERING_GRADING = {"ALL_OR_NOTHING": "all_or_nothing", "LONGEST_ORDERED_SUBSET": "partial"}


# --- XML with line numbers -------------------------------------------------------------------


class _LineTreeBuilder(ET.TreeBuilder):
    """Builds the tree and notes the line each element starts on (ElementTree keeps none)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.expat: Any = None

    def start(self, tag: str, attrs: dict[str, str], /) -> ET.Element:
        element = super().start(tag, attrs)
        # expat is at the element's start tag while it calls this handler.
        self.lines[element] = int(self.expat.CurrentLineNumber) if self.expat else 0
        return element


@dataclass(frozen=True)
class ParsedXml:
    """A parsed document and the line of each element; or why it could not be parsed."""

    root: ET.Element | None
    lines: Mapping[ET.Element, int]
    error: str = ""
    error_line: int = 0


def parse_xml(data: bytes) -> ParsedXml:
    """Parse ``data`` with entity declarations refused, noting each element's line."""
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False)
    builder.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        line = int(parser.parser.CurrentLineNumber)
        return ParsedXml(None, {}, ENTITIES_REFUSED, line)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 0
        return ParsedXml(None, {}, f"not well-formed XML: {exc}", line)
    except (ValueError, LookupError) as exc:  # an unknown encoding name, for one
        return ParsedXml(None, {}, f"the XML cannot be read: {exc}", 1)
    if not isinstance(root, ET.Element):
        return ParsedXml(None, {}, "the XML has no root element", 1)
    return ParsedXml(root, builder.lines)


# --- HTML and text -----------------------------------------------------------------------------


class _TextOfHtml(HTMLParser):
    """Collects the text of an HTML fragment: line breaks at <br> and block ends."""

    BLOCKS: ClassVar[frozenset[str]] = frozenset(
        {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.pieces.append("\n")
        elif tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        # Line ends in the HTML source are spaces; only tags make lines.
        self.pieces.append(" ".join(data.split("\n")))


@dataclass(frozen=True)
class PlainText:
    """The text of a fragment and the images it held."""

    text: str
    images: tuple[str, ...] = ()


def html_to_text(fragment: str, *, lines: bool = False) -> PlainText:
    """Return the text of an HTML fragment; with ``lines``, <br> and blocks end lines."""
    reader = _TextOfHtml()
    reader.feed(fragment)
    reader.close()
    raw = "".join(reader.pieces)
    if lines:
        kept = [" ".join(line.split()) for line in raw.split("\n")]
        text = "\n".join(kept).strip("\n")
        text = re.sub(r"\n{2,}", "\n", text)
    else:
        text = " ".join(raw.split())
    return PlainText(text, tuple(reader.images))


def looks_like_html(text: str) -> bool:
    """True when ``text`` holds a tag or an entity (and so is written as Moodle's html)."""
    return bool(_HTML_TAG.search(text))


# --- the reader --------------------------------------------------------------------------------


@dataclass
class _Text:
    """A ``<text>`` of the file with its format and the line it is on."""

    value: str
    format: str
    line: int

    @property
    def is_html(self) -> bool:
        return self.format == "html"


@dataclass
class MediaShelf:
    """The embedded files met so far, named uniquely, and the bytes they hold in all."""

    files: dict[str, MediaFile] = field(default_factory=dict)
    total: int = 0

    def add(self, wanted: str, data: bytes) -> str:
        """Store ``data`` under a safe form of ``wanted``; return the name it is stored as."""
        base = _NOT_MEDIA_NAME.sub("_", wanted.rsplit("/", 1)[-1]).strip("._") or "file"
        if len(base) > MAX_MEDIA_NAME:  # the stored name's column takes 255 characters
            stem, dot, ext = base.rpartition(".")
            ext = ext[:16] if dot and stem else ""
            base = base[: MAX_MEDIA_NAME - len(ext) - 1].rstrip("._") + (f".{ext}" if ext else "")
        name = base
        existing = self.files.get(name)
        if existing is not None and existing.data != data:
            stem, dot, ext = base.rpartition(".")
            digest = hashlib.sha256(data).hexdigest()[:8]
            name = f"{stem}-{digest}.{ext}" if dot and stem else f"{base}-{digest}"
        if name not in self.files:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.files[name] = MediaFile(name, content_type, data)
            self.total += len(data)
        return name


class _QuestionReader:
    """Reads one ``<question>``; records what was not imported and what was changed."""

    def __init__(self, owner: _FileReader, element: ET.Element) -> None:
        self.owner = owner
        self.element = element
        self.qtype = element.get("type", "")
        self.line = owner.line(element)
        self.name = self.child_text("name").value.strip()
        self.label = f"'{self.name}'" if self.name else f"the {self.qtype} question"
        self.locations: dict[KeyPath, int] = {(): self.line}
        self.media: dict[str, str] = {}
        self.skipped = False
        self.cloze_prompt = ""
        self.warnings: list[tuple[int, str]] = []

    # reporting

    def problem(self, line: int, message: str) -> None:
        self.owner.problem(line or self.line, f"{self.label}: {message}")

    def skip(self, line: int, message: str) -> None:
        """Report why the question is not imported."""
        self.problem(line, f"{message}; the question is not imported")
        self.skipped = True

    def warn(self, line: int, message: str) -> None:
        """Note a change; it is reported only if the question is imported after all."""
        self.warnings.append((line or self.line, f"{self.label}: {message}"))

    # reading

    def child_text(self, tag: str, element: ET.Element | None = None) -> _Text:
        """Return ``<tag><text>`` of ``element`` (the question by default)."""
        parent = self.element if element is None else element
        child = parent.find(tag)
        if child is None:
            return _Text("", "", self.owner.line(parent))
        return self.text_of(child)

    def text_of(self, element: ET.Element) -> _Text:
        """Return the ``<text>`` inside ``element``, with the element's format."""
        inner = element.find("text")
        where = inner if inner is not None else element
        return _Text(where.text or "", element.get("format", ""), self.owner.line(where))

    def value(self, tag: str, default: str = "") -> str:
        """Return the stripped text of the question's child ``tag`` (``default`` if absent)."""
        return self.value_of(self.element, tag, default)

    @staticmethod
    def value_of(element: ET.Element, tag: str, default: str = "") -> str:
        child = element.find(tag)
        return (child.text or "").strip() if child is not None else default

    def rich(self, text: _Text) -> str:
        """Return a prompt, explanation or feedback: HTML kept, media references rewritten."""
        value = text.value.strip()
        if not value:
            return ""
        return _MEDIA_REF.sub(lambda m: self.media_ref(m, text.line), value)

    def media_ref(self, match: re.Match[str], line: int) -> str:
        wanted = unquote(match.group(1)).split("?", 1)[0].rsplit("/", 1)[-1]
        stored = self.media.get(wanted)
        if stored is None:
            self.warn(line, f"refers to the file '{wanted}', which the question does not carry")
            return match.group(0)
        return MEDIA_SCHEME + stored

    def plain(self, text: _Text, what: str) -> str:
        """Return an answer text as plain text (the HTML of html answers reduced to text)."""
        if not text.is_html:
            return " ".join(text.value.split())
        found = html_to_text(text.value)
        if found.images:
            self.warn(text.line, f"{what} holds an image, which the app cannot show there")
        return found.text

    def read_files(self) -> dict[str, str]:
        """Store every embedded file of the question; return its names as the text gives them."""
        names: dict[str, str] = {}
        for element in self.element.iter("file"):
            line = self.owner.line(element)
            wanted = element.get("name", "")
            if element.get("encoding", "base64") != "base64" or not wanted:
                self.warn(line, f"the file '{wanted}' is not a named base64 file: left out")
                continue
            stored = self.owner.store_media(wanted, element.text or "", line, self)
            if stored:
                names[wanted.rsplit("/", 1)[-1]] = stored
        return names

    def fraction(self, answer: ET.Element) -> float | None:
        raw = answer.get("fraction", "0").strip() or "0"
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            self.skip(self.owner.line(answer), f"the answer's fraction '{raw}' is not a number")
            return None
        return value

    def answers(self) -> list[tuple[ET.Element, float]]:
        found = []
        for answer in self.element.findall("answer"):
            value = self.fraction(answer)
            if value is None:
                return []
            found.append((answer, value))
        return found

    def feedback(self, answer: ET.Element) -> _Text:
        return self.child_text("feedback", answer)

    def lost_feedback(self, answer: ET.Element, what: str) -> None:
        """Warn that an answer's feedback has no place in the app's question type."""
        text = self.feedback(answer)
        if html_to_text(text.value).text or "<img" in text.value:
            self.warn(text.line, f"the feedback of {what} is not kept (the type has no room)")

    def run(self) -> QuestionDoc | None:
        reader = _TYPE_READERS[self.qtype]
        self.media = self.read_files()
        kind_spec = reader(self)
        if self.skipped or kind_spec is None:
            return None
        kind, spec = kind_spec
        prompt_text = self.child_text("questiontext")
        prompt = self.cloze_prompt if kind == "cloze" else self.rich(prompt_text)
        explanation = self.rich(self.child_text("generalfeedback"))
        idnumber = self.value("idnumber")
        question_id = self.owner.builder.question_id(idnumber, self.name, prompt_text.value)
        self.locations[("prompt",)] = prompt_text.line
        tags = tuple(
            tag
            for tag in (
                " ".join((t.text or "").split()) for t in self.element.findall("tags/tag/text")
            )
            if tag
        )
        return QuestionDoc(
            id=question_id,
            topic="",  # the file reader puts it in the current category
            type=kind,
            prompt=prompt,
            spec=spec,
            explanation=explanation,
            source=NO_SOURCE,
            title="" if idnumber and self.name == idnumber else self.name,
            tags=tags,
            locations=self.locations,
        )


_Read = tuple[str, dict[str, Any]] | None


def _read_multichoice(q: _QuestionReader) -> _Read:
    single = q.value("single", "true").lower() in ("true", "1")
    choices, fractions = _choices(q)
    if q.skipped:
        return None
    if single:
        return _single_choice(q, choices, fractions)
    return _multiple_response(q, choices, fractions, all_or_nothing=False)


def _read_multichoiceset(q: _QuestionReader) -> _Read:
    choices, fractions = _choices(q)
    if q.skipped:
        return None
    return _multiple_response(q, choices, fractions, all_or_nothing=True)


def _choices(q: _QuestionReader) -> tuple[list[dict[str, Any]], list[float]]:
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
    q: _QuestionReader, choices: list[dict[str, Any]], fractions: list[float]
) -> _Read:
    full = [i for i, f in enumerate(fractions) if f >= _FULL_MARKS - _CLOSE]
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
    q: _QuestionReader,
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
    share = _FULL_MARKS / len(right)
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


def _read_truefalse(q: _QuestionReader) -> _Read:
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
        if fraction >= _FULL_MARKS - _CLOSE:
            answer = word == "true"
    if q.skipped:
        return None
    if answer is None:
        q.skip(q.line, "neither 'true' nor 'false' is worth 100%")
        return None
    return "true_false", {"answer": answer, **spec}


def _read_shortanswer(q: _QuestionReader) -> _Read:
    accepted: list[str] = []
    for element, fraction in q.answers():
        text = q.plain(q.text_of(element), "an answer")
        line = q.owner.line(element)
        if fraction >= _FULL_MARKS - _CLOSE:
            if "*" in text.replace("\\*", ""):
                q.warn(line, f"answer '{text}' has a '*' wildcard: the app takes it literally")
            accepted.append(text.replace("\\*", "*"))
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


def _read_numerical(q: _QuestionReader) -> _Read:
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
        if fraction < _FULL_MARKS - _CLOSE:
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


def _unit(q: _QuestionReader) -> str:
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


def _read_matching(q: _QuestionReader) -> _Read:
    pairs: list[dict[str, str]] = []
    distractors: list[str] = []
    for element in q.element.findall("subquestion"):
        left = q.plain(q.text_of(element), "a subquestion")
        answer = element.find("answer")
        right_text = q.text_of(answer) if answer is not None else _Text("", "", 0)
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


def _read_ordering(q: _QuestionReader) -> _Read:
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
            fraction, part = _FULL_MARKS, part[1:]
        elif (weight := re.match(r"%(-?\d+(?:\.\d+)?)%", part)) is not None:
            fraction, part = float(weight.group(1)), part[weight.end() :]
        answer, *feedback = _split_unescaped(part, "#")
        answers.append((fraction, answer, _unescape_cloze("#".join(feedback))))
    return tuple(answers)


def _read_cloze(q: _QuestionReader) -> _Read:
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
    images = [_MEDIA_REF.sub(lambda m: q.media_ref(m, source.line), src) for src in text.images]
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


def _cloze_gap(q: _QuestionReader, gap: _Gap) -> str:
    """Return the gap as ``[[a|b]]``, or report why it cannot be one."""
    full = [a for f, a, _ in gap.answers if f >= _FULL_MARKS - _CLOSE]
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
        if fraction < _FULL_MARKS - _CLOSE and answer.strip() != "*":
            q.warn(
                gap.line,
                f"gap {gap.number}: answer '{_unescape_cloze(answer)}' "
                f"({_percent(fraction)}) is not kept",
            )
    return _text_gap(q, gap, [_unescape_cloze(a) for a in full])


def _text_gap(q: _QuestionReader, gap: _Gap, answers: list[str]) -> str:
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


_TYPE_READERS: dict[str, Callable[[_QuestionReader], _Read]] = {
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


# --- categories and the whole file --------------------------------------------------------------


def category_parts(path: str) -> list[str]:
    """Return the category names of a Moodle path, without ``$course$`` and ``top``.

    Moodle doubles a '/' that is part of a name (``A//B`` is the one name "A/B").
    """
    names = [part.replace("\x00", "/").strip() for part in path.replace("//", "\x00").split("/")]
    names = [name for name in names if name]
    if names and names[0].lower() in _CATEGORY_ROOTS:
        names = names[1:]
    if names and names[0].lower() == "top":
        names = names[1:]
    return names


def category_titles(paths: Iterable[str]) -> dict[str, str]:
    """Title each category by its last name, or by its whole path where two end alike."""
    parts = {path: category_parts(path) for path in paths}
    ends: dict[str, set[str]] = {}
    for names in parts.values():
        if names:
            ends.setdefault(names[-1].casefold(), set()).add(" / ".join(names))
    titles = {}
    for path, names in parts.items():
        if names:
            alike = len(ends[names[-1].casefold()]) > 1
            titles[path] = " / ".join(names) if alike else names[-1]
    return titles


class _FileReader:
    """Reads the ``<quiz>`` of a Moodle XML file into a set."""

    def __init__(
        self,
        filename: str,
        set_id: str | None,
        parsed: ParsedXml,
        limits: _Limits,
    ) -> None:
        assert parsed.root is not None
        self.filename = filename
        self.root = parsed.root
        self.lines = parsed.lines
        self.limits = limits
        self.builder = SetBuilder(filename, set_id)
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.media = MediaShelf()
        self.topics: dict[str, TopicDoc] = {}
        self.topic_ids = IdBook()
        self.topic_by_path: dict[str, str] = {}
        self.topic_id = ""
        self.pending: TopicDoc | None = None
        self.titles = category_titles(
            (element.findtext("category/text") or "")
            for element in self.root.findall("question")
            if element.get("type") == "category"
        )

    def line(self, element: ET.Element) -> int:
        return self.lines.get(element, 0)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.filename, line, message))

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Problem(self.filename, line, message))

    def store_media(self, wanted: str, encoded: str, line: int, q: _QuestionReader) -> str:
        """Decode and store an embedded file; return its stored name ('' when left out)."""
        compact = "".join(encoded.split())
        size = len(compact) * 3 // 4
        if size > self.limits.media_file:
            q.warn(
                line, f"the file '{wanted}' is larger than {self.limits.media_file} bytes: left out"
            )
            return ""
        if self.media.total + size > self.limits.media_total:
            q.warn(
                line,
                f"the file '{wanted}' would take the embedded files past "
                f"{self.limits.media_total} bytes: left out",
            )
            return ""
        try:
            data = base64.b64decode(compact, validate=True)
        except (binascii.Error, ValueError):
            q.warn(line, f"the file '{wanted}' is not valid base64: left out")
            return ""
        return self.media.add(wanted, data)

    def enter_category(self, element: ET.Element) -> None:
        path = element.findtext("category/text") or ""
        title = self.titles.get(path, "")
        if not title:  # $course$/top itself: questions go to the default topic
            self.topic_id, self.pending = "", None
            return
        if path in self.topic_by_path:
            self.topic_id, self.pending = self.topic_by_path[path], None
            return
        own = clean_id(element.findtext("idnumber") or "")
        topic_id = self.topic_ids.take(own or slug(title) or "topic")
        self.topic_by_path[path] = topic_id
        self.topic_id = topic_id
        self.pending = TopicDoc(topic_id, title, line=self.line(element))

    def use_topic(self) -> None:
        """Add the current topic to the set (a topic appears once a question lands in it)."""
        if not self.topic_id:
            self.topic_id = self.topic_by_path.get("", "")
            if not self.topic_id:
                self.topic_id = self.topic_ids.take(slug(DEFAULT_TOPIC))
                self.topic_by_path[""] = self.topic_id
                self.pending = TopicDoc(self.topic_id, DEFAULT_TOPIC, line=0)
        if self.pending is not None and self.pending.id not in self.topics:
            self.topics[self.pending.id] = self.pending
        self.pending = None

    def run(self) -> ImportResult:
        for element in self.root.findall("question"):
            qtype = element.get("type", "")
            if qtype == "category":
                self.enter_category(element)
                continue
            reader = _QuestionReader(self, element)
            if qtype not in _TYPE_READERS:
                self.problem(
                    reader.line,
                    f"{reader.label}: the question type '{qtype}' is not one the app has; "
                    "the question is not imported",
                )
                continue
            question = reader.run()
            if question is not None:
                for line, message in reader.warnings:
                    self.warn(line, message)
                self.use_topic()
                self.builder.add(dataclasses.replace(question, topic=self.topic_id))
        built = self.builder.build()
        doc = dataclasses.replace(built, topics=tuple(self.topics.values()))
        return ImportResult(
            doc, tuple(self.problems), _referenced(doc, self.media), tuple(self.warnings)
        )


def _referenced(doc: SetDoc, media: MediaShelf) -> tuple[MediaFile, ...]:
    """Return the files that the imported questions show (a skipped question's are dropped)."""
    texts = [_all_text(q) for q in doc.questions]
    used = {name for text in texts for name in _MEDIA_OUT.findall(text)}
    return tuple(f for name, f in media.files.items() if name in used)


def _all_text(question: QuestionDoc) -> str:
    """Return the prompt, explanation and every text of the spec, joined."""
    pieces = [question.prompt, question.explanation]
    stack: list[object] = [question.spec]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return "\n".join(pieces)


@dataclass(frozen=True)
class _Limits:
    xml: int = MAX_XML_BYTES
    media_file: int = MAX_MEDIA_FILE_BYTES
    media_total: int = MAX_MEDIA_TOTAL_BYTES


class MoodleXmlImporter(Importer):
    """Reads a Moodle XML question export (see the module's mapping table)."""

    name: ClassVar[str] = "moodle_xml"
    label: ClassVar[str] = "Moodle XML"
    extensions: ClassVar[tuple[str, ...]] = (".xml",)

    def __init__(
        self,
        *,
        max_bytes: int = MAX_XML_BYTES,
        max_media_file_bytes: int = MAX_MEDIA_FILE_BYTES,
        max_media_total_bytes: int = MAX_MEDIA_TOTAL_BYTES,
    ) -> None:
        self.limits = _Limits(max_bytes, max_media_file_bytes, max_media_total_bytes)

    def sniff(self, head: str) -> int:
        """2 when the file has a ``<quiz>`` element, else 1 (the extension fits)."""
        return 2 if "<quiz" in head else 1

    def read(self, data: bytes, filename: str, *, set_id: str | None = None) -> ImportResult:
        if len(data) > self.limits.xml:
            return _refused(filename, 0, f"the file is larger than {self.limits.xml} bytes")
        parsed = parse_xml(data)
        if parsed.root is None:
            return _refused(filename, parsed.error_line, parsed.error)
        if parsed.root.tag != "quiz":
            return _refused(
                filename,
                parsed.lines.get(parsed.root, 1),
                f"not a Moodle XML question file: the root element is <{parsed.root.tag}>, "
                "not <quiz>",
            )
        return _FileReader(filename, set_id, parsed, self.limits).run()


def _refused(filename: str, line: int, message: str) -> ImportResult:
    return ImportResult(None, (Problem(filename, line, message),))


# --- writing -----------------------------------------------------------------------------------


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

    def __init__(self, question: QuestionDoc, owner: _SetWriter) -> None:
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
            parent, tag, _MEDIA_OUT.sub(to_pluginfile, text), fmt or _rich_format(text)
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
    choices: Sequence[Mapping[str, Any]] = w.q.spec["choices"]
    single = w.q.type == "single_choice"
    right = sum(1 for c in choices if c.get("correct"))
    all_or_nothing = w.q.spec.get("scoring") == "all_or_nothing"
    if w.q.type != "multiple_response" or not all_or_nothing:
        _sub(element, "single", "true" if single else "false")
    _sub(element, "shuffleanswers", "true")
    _sub(element, "answernumbering", "abc")
    for choice in choices:
        if single:
            fraction = _FULL_MARKS if choice.get("correct") else 0.0
        elif choice.get("correct"):
            fraction = _FULL_MARKS / right
        else:
            fraction = 0.0 if all_or_nothing else -_FULL_MARKS / right
        answer = _sub(element, "answer", fraction=_fraction(fraction), format="html")
        _sub(answer, "text", html.escape(str(choice["text"]), quote=False))
        w.rich(answer, "feedback", str(choice.get("feedback", "")))


def _write_true_false(w: _QuestionWriter, element: ET.Element) -> None:
    for word in ("true", "false"):
        right = bool(w.q.spec["answer"]) == (word == "true")
        answer = _sub(
            element, "answer", fraction="100" if right else "0", format="moodle_auto_format"
        )
        _sub(answer, "text", word)
        w.rich(answer, "feedback", str(w.q.spec.get(f"feedback_{word}", "")))


def _write_short_answer(w: _QuestionWriter, element: ET.Element) -> None:
    match = w.q.spec.get("match")
    case = isinstance(match, Mapping) and bool(match.get("case"))
    _sub(element, "usecase", "1" if case else "0")
    for text in w.q.spec["answers"]:
        answer = _sub(element, "answer", fraction="100", format="moodle_auto_format")
        # '*' is Moodle's wildcard; '\*' is a star.
        _sub(answer, "text", str(text).replace("*", "\\*"))
        _text_element(answer, "feedback", "", "html")
    w.match_lost()


def _write_numeric(w: _QuestionWriter, element: ET.Element) -> None:
    spec = w.q.spec
    if "range" in spec:
        lo, hi = (float(v) for v in spec["range"])
        value, tolerance = (lo + hi) / 2, (hi - lo) / 2
        w.warn(
            f"the range [{format_number(lo)}, {format_number(hi)}] is written as "
            f"{format_number(value)} ± {format_number(tolerance)}"
        )
    else:
        value, tolerance = float(spec["answer"]), float(spec.get("tolerance", 0))
    answer = _sub(element, "answer", fraction="100", format="moodle_auto_format")
    _sub(answer, "text", format_number(value))
    _text_element(answer, "feedback", "", "html")
    _sub(answer, "tolerance", format_number(tolerance))
    if spec.get("unit"):
        units = _sub(element, "units")
        unit = _sub(units, "unit")
        _sub(unit, "multiplier", "1")
        _sub(unit, "unit_name", str(spec["unit"]))
    _sub(element, "unitgradingtype", "0")
    _sub(element, "unitpenalty", "0.1000000")
    _sub(element, "showunits", "3")
    _sub(element, "unitsleft", "0")


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
    cloze = read_cloze(str(w.q.spec["text"]))
    match = w.q.spec.get("match")
    kind = "SHORTANSWER_C" if isinstance(match, Mapping) and match.get("case") else "SHORTANSWER"
    pieces = []
    for i, piece in enumerate(cloze.texts):
        pieces.append(html.escape(piece, quote=False).replace("\n", "<br>"))
        if i < len(cloze.gaps):
            answers = "~".join("=" + _escape_cloze(a) for a in cloze.gaps[i])
            pieces.append(f"{{1:{kind}:{answers}}}")
    text = "".join(pieces)
    prompt = w.q.prompt.strip()
    if prompt and not html_to_text(prompt).text:
        return f"{prompt}<br>{text}"  # images only: they lead the text, as on import
    if prompt:
        w.warn("the prompt is not written: a Moodle cloze question is its text alone")
    return text


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


class _SetWriter:
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
            title = titles.get(topic_id, topic_id).replace("/", "//")
            _text_element(category, "category", f"$course$/top/{title}")
            _sub(category, "idnumber", topic_id)
            for question in by_topic[topic_id]:
                _QuestionWriter(question, self).write(quiz)
        ET.indent(quiz, space="  ")
        body = ET.tostring(quiz, encoding="unicode")
        return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


class MoodleXmlExporter(Exporter):
    """Writes a set as Moodle XML (see the module's mapping table)."""

    name: ClassVar[str] = "moodle_xml"
    label: ClassVar[str] = "Moodle XML"
    extension: ClassVar[str] = ".xml"
    media_type: ClassVar[str] = "application/xml; charset=utf-8"

    def export(self, doc: SetDoc) -> ExportResult:
        return self.export_with_media(doc, {})

    def export_with_media(self, doc: SetDoc, media: Mapping[str, bytes]) -> ExportResult:
        """Write ``doc``, embedding the images it refers to as ``media:NAME`` from ``media``."""
        writer = _SetWriter(doc, media)
        data = writer.run()
        return ExportResult(data, tuple(writer.skipped), tuple(writer.warnings))


IMPORTER = MoodleXmlImporter()
EXPORTER = MoodleXmlExporter()
