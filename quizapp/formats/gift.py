"""Moodle GIFT: importer and exporter.

Mapping (GIFT -> the app):

==================================  ===========================================================
GIFT                                app
==================================  ===========================================================
``$CATEGORY: $course$/top/A/B``     topic ``A / B`` (context and ``top`` dropped, ``//`` is a
                                    literal slash: ``quizapp.formats.categories``);
                                    ``// [id:x]`` above it is the topic id, else the title's
                                    slug; ``$CATEGORY: A/B`` is the same topic
``::title::``                       question title
``// [id:x]`` / ``// [tag:t]``      question id (cleaned to the id alphabet) / tags; without an
                                    id: ``q-`` + 12 hex of sha256(title, prompt)
``{=a ~b ~c}``                      single_choice (exactly one ``=``); ``~%50%b``: b's credit 0.5
``{~%50%a ~%50%b ~%-100%c}``        multiple_response, right = weight > 0; plain when right
                                    weights are 100/n and wrong ones -100/n, else each
                                    choice's ``credit`` (right ones normalised to add up to 1)
``{T}`` ``{TRUE#wrong#right}``      true_false; the first feedback goes to the wrong answer,
                                    the second to the right one
``{=a =b =%50%c =%0%*#f}``          short_answer, accepted = the 100% answers; ``%50%c``: a
                                    ``partial`` answer; ``*`` at 0%: ``otherwise`` feedback
``{#3.14:0.01}`` ``{#1..5}``        numeric answer/tolerance, range
``{#=%100%3:0 =%50%3:1}``           numeric: the first 100% answer; a partly right one is a
                                    ``partial`` number; other 100% answers are warned about
``{#3:2 ~#feedback}``               numeric; the feedback for any other answer: ``otherwise``
``{>3 ALL ... ALL_OR_NOTHING``      ordering (Moodle's qtype_ordering plugin): the items one a
``a``/``b``/``c}``                  line in the right order; ALL_OR_NOTHING -> all_or_nothing,
                                    other grading warned; a subset shown by Moodle is warned
``{=a -> 1 = -> x}``                matching; an empty left side is a distractor
text ``{...}`` text                 short answer -> cloze with a ``[[a|b]]`` gap; other types
                                    keep their type with ``_____`` in the prompt
``=a#feedback``                     choice feedback; on other types: dropped with a warning
``####feedback``                    explanation
``[plain]`` ``[markdown]``          plain text shows exactly as written, Markdown is rendered;
                                    ``[html]``/``[moodle]``/none: kept as written (see below)
``\\~ \\= \\# \\{ \\} \\: \\\\ \\n``  the character, a backslash, a line break
``{}`` / text without ``{}``        left out: essay / description items are not supported
==================================  ===========================================================

Text is kept as written, HTML included (a ``<script>`` in a question arrives as those
characters): sanitising is the web layer's job, with nh3, when it shows the text. A text
marked ``[plain]`` is escaped so that it shows as written, one marked ``[markdown]`` is
rendered to HTML (markdown-it-py, HTML in it escaped), which the web layer cleans the same
way; as in Moodle, answers and feedback without a format of their own take the question
text's. Typed answers, numbers, matching pairs and ordering items are kept as written, and a
missing-word short answer (a cloze) keeps its text as written (a format that would change it
is warned about). Ids made from the content use the text as written.
Questions left out (the rest of the file can be imported): unclosed brace, stray ``}``, a
second answer block, an unclosed title, no correct answer, several ``=`` in a choice question,
bad weight, bad number, a pair without ``->``, an ordering block without its ``>N`` header,
with fewer than two items or an item twice, essay and description items. Problems (the
file is not imported): a file that cannot be decoded, a ``$CATEGORY:`` naming no category, a
file without any question. Warnings (imported, changed): unknown escapes
(kept as written), weights the app's scoring cannot express, dropped feedback.

Exporting writes each topic as ``$CATEGORY: $course$/top/`` and its title's levels (the
title split at `` / ``, so that the import gives the same title and id), and every type but
ordering and cloze questions of more than one gap (both reported as skipped). A round trip
(export, import) gives the same questions up to: source
references (GIFT has none), ``match`` settings and numeric units (warned), ``scoring``
(``all_or_nothing`` is warned and written as partial), leading/trailing spaces of texts, a
cloze prompt (written on the line before the text, and read back as part of the text) and a
cloze whose gap ends the text (read back as a short answer, warned).
"""

from __future__ import annotations

import re
from typing import ClassVar

from quizapp.bank.model import SetDoc
from quizapp.formats.assemble import SetBuilder
from quizapp.formats.base import Exporter, ExportResult, Importer, ImportResult, Media
from quizapp.formats.gift_read import GiftReader
from quizapp.formats.gift_write import GiftWriter
from quizapp.formats.report import Report
from quizapp.formats.textfile import decode_text

_TELLTALE = re.compile(
    r"^\s*(?:::|\$CATEGORY:)|\{\s*(?:[=~#}]|(?:T|F|TRUE|FALSE)\s*[#}])", re.MULTILINE
)
SURE = 3


class GiftImporter(Importer):
    """Reads Moodle GIFT files."""

    name: ClassVar[str] = "gift"
    label: ClassVar[str] = "Moodle GIFT"
    extensions: ClassVar[tuple[str, ...]] = (".gift", ".txt")

    def read(self, data: bytes, filename: str, *, set_id: str | None = None) -> ImportResult:
        decoded = decode_text(data, filename)
        if decoded.text is None:
            return ImportResult(None, decoded.problems)
        builder, report = SetBuilder(filename, set_id), Report(filename)
        GiftReader(builder, report).read(decoded.text)
        if not builder.questions and not report.problems and not report.left_out:
            report.problem(1, "the file holds no GIFT questions")
        return report.imported(builder.build())

    def sniff(self, head: str) -> int:
        """A ``$CATEGORY:``, a ``::title::`` or an answer block opening with GIFT's marks."""
        return SURE if _TELLTALE.search(head) else 1


class GiftExporter(Exporter):
    """Writes Moodle GIFT (UTF-8)."""

    name: ClassVar[str] = "gift"
    label: ClassVar[str] = "Moodle GIFT"
    extension: ClassVar[str] = ".gift.txt"
    media_type: ClassVar[str] = "text/plain; charset=utf-8"

    def export(self, doc: SetDoc, media: Media | None = None) -> ExportResult:
        report = Report(doc.file or doc.id)
        data = GiftWriter(doc, report).write().encode("utf-8")
        return report.exported(data)


IMPORTER = GiftImporter()
EXPORTER = GiftExporter()
