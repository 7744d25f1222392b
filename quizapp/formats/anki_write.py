"""Export to Anki packages (.apkg): one note per question, with the question kept whole.

The package is written with genanki in the layout every Anki since 2.1 imports (a zip holding
``collection.anki2``, a JSON ``media`` map and the media files as ``0``, ``1``...). genanki
builds the collection in an in-memory SQLite database (``Package.write_to_db``) and the zip is
written here from bytes: ``write_to_file`` would want each picture as a file on disk and leaves
its temporary database behind, which a server exporting many sets cannot afford.

Notes (app → Anki):

==========================  ==================================================================
app                         Anki
==========================  ==================================================================
cloze of typed gaps only    a ``quizapp Cloze`` note: Text = the prompt and the text, each gap
                            ``{{c1::first answer}}``; Back Extra = the explanation. Every gap
                            is ``c1``: one card hides them all, as the app asks them together
any other question          a ``quizapp Basic`` note: Front = the prompt, with the choices
                            listed (choice types), the items (ordering, matching), "True or
                            false?" or the text with its gaps shown as ``[a / b]`` or
                            ``_____`` (other clozes); Back = the correct answer and the
                            explanation
every question              its ``quizapp`` field (on no card template) holds the question as
                            JSON (id, type, prompt, spec, explanation, source, title, tags and
                            its topic's id and title), HTML-escaped; the importer rebuilds the
                            question from it (the set's source document is not in the package,
                            so a topic's section, a heading of it, is left out, as in CSV)
the set                     a deck named after the set's title
a topic                     its sub-deck ``Set::Topic``; a title that is a path, ``A / B``,
                            is the deck path ``Set::A::B`` (the app titles the topic of a
                            nested deck that way when it imports one); the JSON keeps the
                            exact title
tags                        note tags, spaces made ``_`` (Anki's tags have none)
``media:NAME`` pictures     ``<img src="NAME">`` and NAME in the package
``media:NAME`` sounds       ``[sound:NAME]`` (the app's player, ``<audio controls
                            src="media:NAME"></audio>``, as Anki's importer writes it) and
                            NAME in the package
==========================  ==================================================================

Ids are stable: each note's guid is a hash of the set id and the question id, each deck's id a
hash of the set id and the deck's name, so exporting a set again and importing it into Anki
updates its notes instead of adding them twice. The two note types' ids are hashes of their
names, the same for every set: a learner's collection holds one ``quizapp Basic`` and one
``quizapp Cloze`` however many sets are imported into it.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import re
import sqlite3
import time
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from typing import ClassVar

import genanki

from quizapp.bank.model import Problem, QuestionDoc, SetDoc, TopicDoc
from quizapp.formats.base import Exporter, ExportResult, Media
from quizapp.formats.moodle_xml_media import MEDIA_OUT, MEDIA_SCHEME
from quizapp.formats.moodle_xml_text import looks_like_html
from quizapp.grading import REGISTRY
from quizapp.grading.cloze import read_gaps

AUDIO_PLAYER = re.compile(
    r'<audio controls src="' + re.escape(MEDIA_SCHEME) + r'([A-Za-z0-9._-]+)"></audio>'
)
"""The audio player the Anki importer writes for a ``[sound:NAME]`` (see ``audio_player``)."""

QUIZAPP_FIELD = "quizapp"
"""The field of both note types that holds the question as JSON (no card shows it)."""
STORED_FORMAT = "quizapp-question"
STORED_VERSION = 1

BASIC_MODEL = "quizapp Basic"
CLOZE_MODEL = "quizapp Cloze"
_PATH_SEPARATOR = " / "
_CSS = """.card { font-family: arial; font-size: 20px; text-align: left; color: black;
 background-color: white; }
.cloze { font-weight: bold; color: blue; }
.nightMode .cloze { color: lightblue; }
.explanation { margin-top: 1em; font-size: 16px; }"""


def stable_id(*parts: str) -> int:
    """Return an Anki id (a positive integer that JavaScript holds exactly) hashed from parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 52)


def _models() -> tuple[genanki.Model, genanki.Model]:
    fields = [{"name": "Front"}, {"name": "Back"}, {"name": QUIZAPP_FIELD}]
    basic = genanki.Model(
        stable_id(BASIC_MODEL, str(STORED_VERSION)),
        BASIC_MODEL,
        fields=fields,
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Front}}",
                "afmt": '{{FrontSide}}\n\n<hr id="answer">\n\n{{Back}}',
            }
        ],
        css=_CSS,
    )
    cloze = genanki.Model(
        stable_id(CLOZE_MODEL, str(STORED_VERSION)),
        CLOZE_MODEL,
        fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": QUIZAPP_FIELD}],
        templates=[
            {
                "name": "Cloze",
                "qfmt": "{{cloze:Text}}",
                "afmt": '{{cloze:Text}}<div class="explanation">{{Back Extra}}</div>',
            }
        ],
        css=_CSS,
        model_type=genanki.Model.CLOZE,
    )
    return basic, cloze


def as_html(text: str) -> str:
    """Return question text as HTML: HTML as it is, plain text escaped with its line breaks."""
    if looks_like_html(text):
        return text
    return html.escape(text, quote=False).replace("\n", "<br>")


def audio_player(name: str) -> str:
    """Return the player that shows the stored sound ``name`` (a safe media name) in HTML."""
    return f'<audio controls src="{MEDIA_SCHEME}{name}"></audio>'


def to_anki_media(text: str) -> str:
    """Return HTML with ``media:NAME`` pictures pointing at NAME, as Anki's media are named,
    and the audio players of sounds as Anki's ``[sound:NAME]``."""
    text = AUDIO_PLAYER.sub(lambda m: f"[sound:{m.group(1)}]", text)
    return MEDIA_OUT.sub(lambda m: m.group(1), text)


def deck_name(title: str) -> str:
    """Return one level of a deck name: no ``::`` (which would nest it), no outer spaces."""
    return " ".join(title.replace("::", ":").split())


def topic_deck(set_deck: str, topic: TopicDoc | None) -> str:
    """Return the deck of a topic's questions: the set's deck, then the topic's path."""
    if topic is None:
        return set_deck
    levels = [deck_name(level) for level in topic.title.split(_PATH_SEPARATOR)]
    return "::".join([set_deck, *(level for level in levels if level)])


def stored_question(question: QuestionDoc, topic: TopicDoc | None) -> str:
    """Return the ``quizapp`` field of a question: its JSON, HTML-escaped (Anki's fields are
    HTML, and an editor must not take the JSON's texts for tags)."""
    data = {
        "format": STORED_FORMAT,
        "version": STORED_VERSION,
        "question": {
            "id": question.id,
            "type": question.type,
            "prompt": question.prompt,
            "spec": question.spec,
            "explanation": question.explanation,
            "source": [question.source.section, question.source.quote],
            "title": question.title,
            "tags": list(question.tags),
        },
        # Not the topic's section: it names a heading of the source document, which the
        # package does not carry (as CSV does not), and could not be checked against it.
        "topic": {"id": question.topic, "title": topic.title if topic else question.topic},
    }
    return html.escape(json.dumps(data, ensure_ascii=False, sort_keys=True), quote=False)


# --- what the cards show -----------------------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _letter(index: int) -> str:
    return _LETTERS[index] if index < len(_LETTERS) else str(index + 1)


def _list(items: Sequence[str], tag: str = "ul", kind: str = "") -> str:
    attrs = f' type="{kind}"' if kind else ""
    return f"<{tag}{attrs}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"


def _choice_card(question: QuestionDoc) -> tuple[str, str]:
    choices = [c for c in question.spec["choices"] if isinstance(c, Mapping)]
    texts = [as_html(str(c.get("text", ""))) for c in choices]
    front = _list(texts, "ol", "A")
    if question.type == "multiple_response":
        front = "<p><i>Every right answer:</i></p>" + front
    right = [
        f"{_letter(i)}. {text}"
        for i, (choice, text) in enumerate(zip(choices, texts, strict=True))
        if choice.get("correct")
    ]
    return front, "<br>".join(right)


def _ordering_card(question: QuestionDoc) -> tuple[str, str]:
    items = [str(item) for item in question.spec["items"]]
    shown = sorted(items, key=str.casefold)  # not the answer's order
    return (
        "<p><i>Put in order:</i></p>" + _list([as_html(i) for i in shown]),
        _list([as_html(i) for i in items], "ol"),
    )


def _matching_card(question: QuestionDoc) -> tuple[str, str]:
    pairs = [p for p in question.spec["pairs"] if isinstance(p, Mapping)]
    rights = sorted(
        [str(p["right"]) for p in pairs] + [str(d) for d in question.spec.get("distractors", [])],
        key=str.casefold,
    )
    front = (
        "<p><i>Match each with one of:</i> "
        + " · ".join(as_html(r) for r in rights)
        + "</p>"
        + _list([as_html(str(p["left"])) for p in pairs])
    )
    back = _list([f"{as_html(str(p['left']))} → {as_html(str(p['right']))}" for p in pairs])
    return front, back


def _cloze_shown(question: QuestionDoc) -> str:
    """Return the text of a cloze with its gaps shown as blanks or lists (for a Basic card)."""
    cloze = read_gaps(question.spec)
    pieces = [html.escape(cloze.texts[0], quote=False)]
    for gap, after in zip(cloze.gaps, cloze.texts[1:], strict=True):
        if gap.kind == "choice":
            pieces.append("[" + " / ".join(html.escape(c.text) for c in gap.choices) + "]")
        else:
            unit = str(gap.number.get("unit", "")) if gap.number else ""
            pieces.append("_____" + (f" {html.escape(unit)}" if unit else ""))
        pieces.append(html.escape(after, quote=False))
    return "".join(pieces).replace("\n", "<br>")


def card_sides(question: QuestionDoc) -> tuple[str, str]:
    """Return the Front and Back of a question's Basic card (media names still ``media:``)."""
    prompt = as_html(question.prompt)
    answer = html.escape(REGISTRY[question.type].correct_answer_text(question.spec), quote=False)
    extra = ""
    if question.type in ("single_choice", "multiple_response"):
        extra, answer = _choice_card(question)
    elif question.type == "true_false":
        extra = "<p><i>True or false?</i></p>"
    elif question.type == "ordering":
        extra, answer = _ordering_card(question)
    elif question.type == "matching":
        extra, answer = _matching_card(question)
    elif question.type == "cloze":
        extra = f"<p>{_cloze_shown(question)}</p>"
    front = "".join(part for part in (prompt, extra) if part)
    return front, _with_explanation(answer, question.explanation)


def _with_explanation(answer: str, explanation: str) -> str:
    if not explanation.strip():
        return answer
    return f'{answer}<div class="explanation">{as_html(explanation)}</div>'


def typed_cloze_text(question: QuestionDoc) -> str | None:
    """Return the Text of an Anki cloze note for a cloze of typed gaps only (else None)."""
    if question.type != "cloze":
        return None
    cloze = read_gaps(question.spec)
    if any(gap.kind != "typed" for gap in cloze.gaps):
        return None
    pieces = [html.escape(cloze.texts[0], quote=False)]
    for gap, after in zip(cloze.gaps, cloze.texts[1:], strict=True):
        # '::' would start a hint and '}}' end the deletion: keep them apart with entities.
        answer = html.escape(gap.answers[0], quote=False).replace(":", "&#58;")
        pieces += ["{{c1::" + answer.replace("}", "&#125;") + "}}", html.escape(after, quote=False)]
    text = "".join(pieces).replace("\n", "<br>")
    prompt = as_html(question.prompt)
    return f"{prompt}<br>{text}" if prompt else text


def anki_tags(tags: Sequence[str]) -> list[str]:
    """Return tags as Anki holds them: no spaces (made ``_``), none empty, each once."""
    found = ("_".join(tag.split()) for tag in tags)
    return list(dict.fromkeys(tag for tag in found if tag))


# --- the package -------------------------------------------------------------------------------


class _PackageWriter:
    def __init__(self, doc: SetDoc, media: Media | None) -> None:
        self.doc = doc
        self.media = media
        self.warnings: list[Problem] = []
        self.skipped: list[Problem] = []
        self.used: dict[str, bytes] = {}
        self.missing: set[str] = set()
        self.basic, self.cloze = _models()

    def problem(self, question: QuestionDoc, message: str) -> Problem:
        return Problem(self.doc.file, question.line, f"question '{question.id}': {message}")

    def pictures(self, question: QuestionDoc, *texts: str) -> None:
        """Note the media files that ``texts`` show, warning about any not given."""
        for name in dict.fromkeys(n for text in texts for n in MEDIA_OUT.findall(text)):
            data = None if self.media is None else self.media.get(name)
            if data is not None:
                self.used[name] = data
            elif name not in self.missing:
                self.missing.add(name)
                self.warnings.append(
                    self.problem(
                        question, f"the image '{name}' is not in the package: it was not given"
                    )
                )

    def note(self, question: QuestionDoc, topic: TopicDoc | None) -> genanki.Note | None:
        if question.type not in REGISTRY:
            self.skipped.append(self.problem(question, f"type '{question.type}' is unknown"))
            return None
        stored = stored_question(question, topic)
        guid = genanki.guid_for(self.doc.id, question.id)
        tags = anki_tags(question.tags)
        cloze_text = typed_cloze_text(question)
        if cloze_text is not None:
            extra = as_html(question.explanation) if question.explanation.strip() else ""
            self.pictures(question, cloze_text, extra)
            fields = [to_anki_media(cloze_text), to_anki_media(extra), stored]
            return genanki.Note(model=self.cloze, fields=fields, tags=tags, guid=guid)
        front, back = card_sides(question)
        self.pictures(question, front, back)
        fields = [to_anki_media(front), to_anki_media(back), stored]
        return genanki.Note(model=self.basic, fields=fields, tags=tags, guid=guid)

    def decks(self) -> list[genanki.Deck]:
        """Return the decks with their notes, a deck object for each run of questions of one
        topic: the notes' ids (which the importer orders by) follow the set's order."""
        topics = {topic.id: topic for topic in self.doc.topics}
        set_deck = deck_name(self.doc.title) or deck_name(self.doc.id) or "quizapp"
        decks: list[genanki.Deck] = []
        for topic_id, run in itertools.groupby(self.doc.questions, key=lambda q: q.topic):
            topic = topics.get(topic_id)
            name = topic_deck(set_deck, topic)
            deck = genanki.Deck(stable_id(self.doc.id, name), name)
            for question in run:
                note = self.note(question, topic)
                if note is not None:
                    deck.add_note(note)
            if deck.notes:
                decks.append(deck)
        return decks

    def run(self) -> ExportResult:
        decks = self.decks()
        with warnings.catch_warnings():
            # genanki warns about text that looks like a broken tag: the texts are the set's.
            warnings.simplefilter("ignore")
            collection = _collection(decks)
        out = io.BytesIO()
        names = sorted(self.used)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr("collection.anki2", collection)
            package.writestr("media", json.dumps({str(i): n for i, n in enumerate(names)}))
            for index, name in enumerate(names):
                package.writestr(str(index), self.used[name])
        return ExportResult(out.getvalue(), tuple(self.skipped), tuple(self.warnings))


def _collection(decks: list[genanki.Deck]) -> bytes:
    """Return the SQLite collection genanki writes for ``decks``, as bytes."""
    con = sqlite3.connect(":memory:")
    try:
        timestamp = time.time()  # newer than the notes Anki holds: importing updates them
        ids = itertools.count(int(timestamp * 1000))
        genanki.Package(decks).write_to_db(con.cursor(), timestamp, ids)
        con.commit()
        return con.serialize()
    finally:
        con.close()


class AnkiPackageExporter(Exporter):
    """Writes a set as an Anki package (see the module's notes)."""

    name: ClassVar[str] = "anki_package"
    label: ClassVar[str] = "Anki package (.apkg)"
    extension: ClassVar[str] = ".apkg"
    media_type: ClassVar[str] = "application/octet-stream"
    embeds_media: ClassVar[bool] = True

    def export(self, doc: SetDoc, media: Media | None = None) -> ExportResult:
        return _PackageWriter(doc, media).run()


EXPORTER = AnkiPackageExporter()
