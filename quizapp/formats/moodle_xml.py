"""Moodle XML: read a question bank exported from Moodle, and write a set as Moodle XML.

The file is parsed with defusedxml: a file that declares entities (the "billion laughs" and
external-entity attacks) is refused as a whole, and nothing in it is fetched.

Reading (Moodle → app):

=====================================  ==================================================
Moodle                                 app
=====================================  ==================================================
``category`` pseudo-question           topic titled by the whole path, levels joined by
                                       `` / `` (``$course$/top/A/B`` gives "A / B"; the
                                       context marker and ``top`` go, ``//`` is a ``/`` in a
                                       name: ``quizapp.formats.categories``); the category's
                                       ``idnumber`` is the topic id, else the title's slug
``multichoice``, ``single=true``       ``single_choice``; the 100% answer is correct, one
                                       between 0 and 100% has that ``credit``
``multichoice``, ``single=false``      ``multiple_response``: answers above 0% are correct;
                                       weights other than 100/k for the k right answers and
                                       -100/k for the wrong ones become each choice's
                                       ``credit`` (normalised, with a warning, when the
                                       right ones do not add up to 100%)
``multichoiceset`` (plugin)            ``multiple_response`` with ``scoring: all_or_nothing``
``truefalse``                          ``true_false`` with both feedbacks
``shortanswer``                        ``short_answer``: the 100% answers; ``usecase`` →
                                       ``match.case``; partly right answers → ``partial``;
                                       the ``*`` answer's feedback → ``otherwise``
``numerical``                          ``numeric``: the first 100% answer and its tolerance;
                                       partly right ones → ``partial``, ``*`` → ``otherwise``;
                                       the unit whose multiplier is 1; other units are
                                       reported
``matching``                           ``matching``; subquestions without text are
                                       distractors
``cloze`` (multianswer)                ``cloze``: SHORTANSWER (and _C) gaps are typed gaps,
                                       MULTICHOICE (_V, _H, _S shuffled) choice gaps,
                                       NUMERICAL numeric gaps, each with its mark as its
                                       weight (``quizapp.grading.cloze``); plain typed gaps
                                       stay ``[[a|b]]`` in the text; a MULTIRESPONSE gap
                                       leaves the question out
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
``<image>`` + ``<image_base64>``       (Moodle 1.9) ``MediaFile`` named by the path (``/`` made
                                       ``_``), shown after the question text as Moodle does;
                                       an ``<image>`` without its bytes is reported
``description`` (text, no answer)      left out, by name and line
anything else (essay, calculated*,     left out, by type, name and line
randomsamatch, ddwtos, gapselect,
drag-and-drop...)
=====================================  ==================================================

A question left out (its type, or an error inside it: no right answer, a fraction that is
not a number, a gap the app's cloze lacks) is listed in ``left_out`` at its line, with the
reason; the other questions are imported. Problems of the whole file (not well-formed, a root
other than ``<quiz>``, entities, too large) stop it. A file whose root is one ``<question>``
(a question exported alone) is read as a ``<quiz>`` holding it.

Answer texts (choices, accepted answers, pairs, items) are plain text in the app: Moodle's
HTML answers are reduced to their text. Prompts, explanations and feedback keep their HTML.

Writing (app → Moodle) is the reverse: a category per topic (its path from the title,
"A / B" written ``$course$/top/A/B``; its id as the category's idnumber), each question with
its id as ``idnumber`` and its title as ``name`` (the id when it has none). Plain texts are
written as ``markdown``, texts with HTML tags as ``html``.
``multiple_response`` with ``scoring: all_or_nothing`` is written as the ``multichoiceset``
plugin type and ``ordering`` as the ``ordering`` plugin type. What Moodle cannot hold is
reported: ``match`` options other than ``case``, and a numeric ``range`` (written as its
middle ± half its width).
"""

from __future__ import annotations

import dataclasses
import re
import xml.etree.ElementTree as ET
from typing import ClassVar

from quizapp.bank.model import Problem, SetDoc
from quizapp.formats.base import Exporter, ExportResult, Importer, ImportResult, Media
from quizapp.formats.moodle_xml_media import MAX_MEDIA_FILE_BYTES, MAX_MEDIA_TOTAL_BYTES
from quizapp.formats.moodle_xml_read import MAX_XML_BYTES, FileReader, Limits
from quizapp.formats.moodle_xml_text import parse_xml
from quizapp.formats.moodle_xml_write import SetWriter

_LONE_QUESTION = re.compile(r"<question\s+type=")


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
        self.limits = Limits(max_bytes, max_media_file_bytes, max_media_total_bytes)

    def sniff(self, head: str) -> int:
        """2 when the file has a ``<quiz>`` element or a typed ``<question>``, else 1."""
        return 2 if "<quiz" in head or _LONE_QUESTION.search(head) else 1

    def read(self, data: bytes, filename: str, *, set_id: str | None = None) -> ImportResult:
        if len(data) > self.limits.xml:
            return _refused(filename, 0, f"the file is larger than {self.limits.xml} bytes")
        parsed = parse_xml(data)
        root = parsed.root
        if root is None:
            return _refused(filename, parsed.error_line, parsed.error)
        if root.tag == "question":  # one question exported alone: a quiz of one
            quiz = ET.Element("quiz")
            quiz.append(root)
            parsed = dataclasses.replace(parsed, root=quiz)
        elif root.tag != "quiz":
            return _refused(
                filename,
                parsed.lines.get(root, 1),
                f"not a Moodle XML question file: the root element is <{root.tag}>, "
                "not <quiz> or <question>",
            )
        return FileReader(filename, set_id, parsed, self.limits).run()


def _refused(filename: str, line: int, message: str) -> ImportResult:
    return ImportResult(None, (Problem(filename, line, message),))


class MoodleXmlExporter(Exporter):
    """Writes a set as Moodle XML (see the module's mapping table)."""

    name: ClassVar[str] = "moodle_xml"
    label: ClassVar[str] = "Moodle XML"
    extension: ClassVar[str] = ".xml"
    media_type: ClassVar[str] = "application/xml; charset=utf-8"

    embeds_media: ClassVar[bool] = True

    def export(self, doc: SetDoc, media: Media | None = None) -> ExportResult:
        """Write ``doc``, embedding the images it refers to as ``media:NAME`` from ``media``."""
        writer = SetWriter(doc, media or {})
        data = writer.run()
        return ExportResult(data, tuple(writer.skipped), tuple(writer.warnings))


IMPORTER = MoodleXmlImporter()
EXPORTER = MoodleXmlExporter()
