"""Reading a Moodle XML file: categories become topics, each ``<question>`` a question.

``FileReader`` walks the ``<quiz>``: a category pseudo-question opens a topic (titled by its
whole path, ``categories.category_title``), every other question goes to ``QuestionReader``,
which reads the parts all types share (name, idnumber, texts, tags, embedded files, answer
fractions) and hands the answers to the type's reader in ``moodle_xml_answers``. What is not
imported, and what is changed, is recorded at its line.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote, unquote

from quizapp.bank.model import KeyPath, Problem, QuestionDoc, TopicDoc
from quizapp.formats.assemble import DEFAULT_TOPIC, NO_SOURCE, SetBuilder
from quizapp.formats.base import ImportResult
from quizapp.formats.categories import category_title
from quizapp.formats.ids import IdBook, clean_id, slug
from quizapp.formats.moodle_xml_answers import TYPE_READERS
from quizapp.formats.moodle_xml_media import (
    MAX_MEDIA_FILE_BYTES,
    MAX_MEDIA_TOTAL_BYTES,
    MEDIA_REF,
    MEDIA_SCHEME,
    PLUGINFILE,
    MediaShelf,
    picture_name,
    referenced,
)
from quizapp.formats.moodle_xml_text import ParsedXml, XmlText, html_to_text

MAX_XML_BYTES = 64 * 1024 * 1024
"""A larger file is refused before it is parsed."""


@dataclass(frozen=True)
class Limits:
    """The sizes a file and its embedded files are read within (the module constants by default)."""

    xml: int = MAX_XML_BYTES
    media_file: int = MAX_MEDIA_FILE_BYTES
    media_total: int = MAX_MEDIA_TOTAL_BYTES


class QuestionReader:
    """Reads one ``<question>``; records what was not imported and what was changed."""

    def __init__(self, owner: FileReader, element: ET.Element) -> None:
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

    def skip(self, line: int, message: str) -> None:
        """Leave the question out, saying why (a question may give several reasons)."""
        self.owner.leave_out(
            line or self.line, f"{self.label}: {message}; the question is not imported"
        )
        self.skipped = True

    def warn(self, line: int, message: str) -> None:
        """Note a change; it is reported only if the question is imported after all."""
        self.warnings.append((line or self.line, f"{self.label}: {message}"))

    # reading

    def child_text(self, tag: str, element: ET.Element | None = None) -> XmlText:
        """Return ``<tag><text>`` of ``element`` (the question by default)."""
        parent = self.element if element is None else element
        child = parent.find(tag)
        if child is None:
            return XmlText("", "", self.owner.line(parent))
        return self.text_of(child)

    def text_of(self, element: ET.Element) -> XmlText:
        """Return the ``<text>`` inside ``element``, with the element's format."""
        inner = element.find("text")
        where = inner if inner is not None else element
        return XmlText(where.text or "", element.get("format", ""), self.owner.line(where))

    def value(self, tag: str, default: str = "") -> str:
        """Return the stripped text of the question's child ``tag`` (``default`` if absent)."""
        return self.value_of(self.element, tag, default)

    @staticmethod
    def value_of(element: ET.Element, tag: str, default: str = "") -> str:
        child = element.find(tag)
        return (child.text or "").strip() if child is not None else default

    def rich(self, text: XmlText) -> str:
        """Return a prompt, explanation or feedback: HTML kept, media references rewritten."""
        value = text.value.strip()
        if not value:
            return ""
        return MEDIA_REF.sub(lambda m: self.media_ref(m, text.line), value)

    def media_ref(self, match: re.Match[str], line: int) -> str:
        wanted = unquote(match.group(1)).split("?", 1)[0].rsplit("/", 1)[-1]
        stored = self.media.get(wanted)
        if stored is None:
            self.warn(line, f"refers to the file '{wanted}', which the question does not carry")
            return match.group(0)
        return MEDIA_SCHEME + stored

    def plain(self, text: XmlText, what: str) -> str:
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

    def read_legacy_image(self) -> None:
        """Keep Moodle 1.9's picture: ``<image>`` (its path) and ``<image_base64>`` (its bytes).

        As Moodle's own import does, the picture is stored under its path with ``/`` made
        ``_`` and shown after the question text (an ``@@PLUGINFILE@@`` image appended to it,
        so that every type, cloze included, reads it like the files of newer exports).
        """
        path_element = self.element.find("image")
        data_element = self.element.find("image_base64")
        path = self.value("image")
        encoded = "".join(self.value("image_base64").split())
        if not path and not encoded:
            return
        where = data_element if data_element is not None else path_element
        line = self.owner.line(where) if where is not None else self.line
        if not encoded:
            self.warn(
                line,
                f"the picture '{path}' is left out: the file names it on the Moodle server it "
                "came from but does not carry it (<image_base64>)",
            )
            return
        name = path.replace("/", "_").strip() or picture_name(encoded)
        stored = self.owner.store_media(name, encoded, line, self)
        if not stored:
            return
        self.media[name] = stored
        holder = self.element.find("questiontext")
        if holder is None:
            holder = ET.SubElement(self.element, "questiontext", {"format": "html"})
        text = holder.find("text")
        if text is None:
            text = ET.SubElement(holder, "text")
        image = f'<img src="{PLUGINFILE}/{quote(name)}" alt="">'
        text.text = f"{(text.text or '').rstrip()} {image}".lstrip()

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

    def feedback(self, answer: ET.Element) -> XmlText:
        return self.child_text("feedback", answer)

    def lost_feedback(self, answer: ET.Element, what: str) -> None:
        """Warn that an answer's feedback has no place in the app's question type."""
        text = self.feedback(answer)
        if html_to_text(text.value).text or "<img" in text.value:
            self.warn(text.line, f"the feedback of {what} is not kept (the type has no room)")

    def run(self) -> QuestionDoc | None:
        reader = TYPE_READERS[self.qtype]
        self.media = self.read_files()
        self.read_legacy_image()
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


class FileReader:
    """Reads the ``<quiz>`` of a Moodle XML file into a set."""

    def __init__(
        self,
        filename: str,
        set_id: str | None,
        parsed: ParsedXml,
        limits: Limits,
    ) -> None:
        assert parsed.root is not None
        self.filename = filename
        self.root = parsed.root
        self.lines = parsed.lines
        self.limits = limits
        self.builder = SetBuilder(filename, set_id)
        self.problems: list[Problem] = []
        self.left_out: list[Problem] = []
        self.warnings: list[Problem] = []
        self.media = MediaShelf()
        self.topics: dict[str, TopicDoc] = {}
        self.topic_ids = IdBook()
        self.topic_by_title: dict[str, str] = {}
        self.topic_id = ""
        self.pending: TopicDoc | None = None

    def line(self, element: ET.Element) -> int:
        return self.lines.get(element, 0)

    def problem(self, line: int, message: str) -> None:
        """Something wrong with the file as a whole."""
        self.problems.append(Problem(self.filename, line, message))

    def leave_out(self, line: int, message: str) -> None:
        """One question is not imported: the reason, at its line."""
        self.left_out.append(Problem(self.filename, line, message))

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Problem(self.filename, line, message))

    def store_media(self, wanted: str, encoded: str, line: int, q: QuestionReader) -> str:
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
        """Open the category's topic, titled by its whole path (``categories``)."""
        title = category_title(element.findtext("category/text") or "")
        if not title:  # $course$/top itself: questions go to the default topic
            self.topic_id, self.pending = "", None
            return
        if title in self.topic_by_title:
            self.topic_id, self.pending = self.topic_by_title[title], None
            return
        own = clean_id(element.findtext("idnumber") or "")
        topic_id = self.topic_ids.take(own or slug(title) or "topic")
        self.topic_by_title[title] = topic_id
        self.topic_id = topic_id
        self.pending = TopicDoc(topic_id, title, line=self.line(element))

    def use_topic(self) -> None:
        """Add the current topic to the set (a topic appears once a question lands in it)."""
        if not self.topic_id:
            self.topic_id = self.topic_by_title.get("", "")
            if not self.topic_id:
                self.topic_id = self.topic_ids.take(slug(DEFAULT_TOPIC))
                self.topic_by_title[""] = self.topic_id
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
            reader = QuestionReader(self, element)
            if qtype == "description":
                self.leave_out(
                    reader.line, f"{reader.label}: a description has no answer: left out"
                )
                continue
            if qtype not in TYPE_READERS:
                self.leave_out(
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
            doc,
            tuple(self.problems),
            referenced(doc, self.media),
            tuple(self.warnings),
            tuple(self.left_out),
        )
