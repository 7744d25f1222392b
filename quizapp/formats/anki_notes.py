"""Anki notes to questions: Basic notes become short answers, Cloze notes cloze questions.

``NoteReader`` turns each note of a collection into the app's questions (see the mapping in
``anki``), decks into topics, and the images and sounds the notes show into media files read
from the package (a sound, ``[sound:NAME]``, becomes an audio player, ``<audio controls
src="media:NAME">``); hints and the note types the app lacks are reported by note id.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from quizapp.bank.model import Problem, QuestionDoc, SourceRef, TopicDoc
from quizapp.formats.anki_collection import Collection, Note, Notetype
from quizapp.formats.anki_package import LATEST, ZSTD_MAGIC, Package, Refused, media_entries, unzstd
from quizapp.formats.anki_write import (
    BASIC_MODEL,
    QUIZAPP_FIELD,
    STORED_FORMAT,
    STORED_VERSION,
    audio_player,
)
from quizapp.formats.assemble import DEFAULT_TOPIC, NO_SOURCE, SetBuilder
from quizapp.formats.base import ImportResult
from quizapp.formats.ids import IdBook, content_id, slug
from quizapp.formats.moodle_xml_media import MEDIA_OUT, MEDIA_SCHEME, MediaShelf
from quizapp.formats.moodle_xml_text import html_to_text
from quizapp.grading import REGISTRY

LONG_ANSWER = 80
"""A Back longer than this is still taken, with a warning: few learners can type it."""
_BASIC = "Basic"
_REVERSED = "Basic (and reversed card)"
_OPTIONAL_REVERSED = "Basic (optional reversed card)"
_CLOZE = re.compile(r"\{\{c(\d{1,9})::(.*?)\}\}", re.S)
"""A deletion; a card number of more than 9 digits is text (``int()`` refuses huge ones)."""
_SOUND = re.compile(r"\[sound:([^\]]*)\]")
_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_EXPLANATION = re.compile(r'<div class="explanation">(.*)</div>\s*$', re.S)
"""Where the Back of a note the app exported keeps the explanation, after the answer."""
_OWN_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
SOUND_TYPES = {
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/ogg",
    "wav": "audio/wav",
    "m4a": "audio/mp4",
    "mp4": "audio/mp4",
}
"""The content type a sound is stored with, by its extension (others: as ``mimetypes`` says)."""


def media_kind(name: str) -> str:
    """Return what a media file is called in warnings: a sound or an image."""
    return "sound" if name.rpartition(".")[2].lower() in SOUND_TYPES else "image"


def deck_titles(decks: list[str]) -> dict[str, str]:
    """Title each deck by its last name, or by its whole path where two end alike."""
    ends: dict[str, set[str]] = {}
    for deck in decks:
        names = [n.strip() for n in deck.split("::") if n.strip()]
        if names:
            ends.setdefault(names[-1].casefold(), set()).add(deck)
    titles = {}
    for deck in decks:
        names = [n.strip() for n in deck.split("::") if n.strip()]
        if names:
            alike = len(ends[names[-1].casefold()]) > 1
            titles[deck] = " / ".join(names) if alike else names[-1]
    return titles


def note_id(guid: str) -> str:
    """Return a question id for a note: its guid if that is a valid id, else a hash of it.

    Guids are case-sensitive and may hold any character, so lower-casing them could make two
    notes one; a hash keeps them apart and stays stable across uploads.
    """
    if _OWN_ID.fullmatch(guid):
        return guid
    return "anki-" + content_id("", guid).removeprefix("q-")


@dataclass(frozen=True)
class Stored:
    """A question as the app's export keeps it in a note's ``quizapp`` field."""

    question: QuestionDoc
    topic: TopicDoc


def _texts(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} is not a list of texts")
    return tuple(value)


def _text(data: Mapping[str, Any], key: str, what: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"the {what}'s {key} is not a text")
    return value


def read_stored(text: str) -> Stored:
    """Return the question the JSON of a ``quizapp`` field holds, the field's HTML entities
    decoded (see ``anki_write.stored_question``).

    Raises ValueError, saying why, when the field is not such a question or its spec is not
    valid for its type.
    """
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != STORED_FORMAT:
        raise ValueError("it is not a question written by quizapp")
    if data.get("version") != STORED_VERSION:
        raise ValueError(f"its version ({data.get('version')}) is not {STORED_VERSION}")
    question, topic = data.get("question"), data.get("topic")
    if not isinstance(question, dict) or not isinstance(topic, dict):
        raise ValueError("it lacks the question or its topic")
    qtype, spec = question.get("type"), question.get("spec")
    if qtype not in REGISTRY:
        raise ValueError(f"its type {qtype!r} is not one the app knows")
    if not isinstance(spec, dict):
        raise ValueError("its spec is not a mapping")
    problems = REGISTRY[qtype].validate(spec)
    if problems:
        raise ValueError(f"its spec is not valid ({problems[0].message})")
    source = _texts(question.get("source", ["", ""]), "its source")
    if len(source) != 2:
        raise ValueError("its source is not [section, quote]")
    topic_id = _text(topic, "id", "topic")
    if not _text(question, "id", "question") or not topic_id:
        raise ValueError("it has no id, or its topic none")
    return Stored(
        QuestionDoc(
            id=question["id"],
            topic=topic_id,
            type=qtype,
            prompt=_text(question, "prompt", "question"),
            spec=spec,
            explanation=_text(question, "explanation", "question"),
            source=SourceRef(*source),
            title=_text(question, "title", "question"),
            tags=_texts(question.get("tags", []), "its tags"),
        ),
        TopicDoc(topic_id, _text(topic, "title", "topic"), _text(topic, "section", "topic")),
    )


@dataclass(frozen=True)
class Cloze:
    """A cloze text made the app's way, with what could not be kept."""

    text: str
    images: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    error: str = ""


def cloze_numbers(source: str) -> list[int]:
    """Return the card numbers of a cloze text's deletions (``{{c2::...}}`` is card 2), sorted."""
    return sorted({int(m.group(1)) for m in _CLOZE.finditer(source)})


def hint_text(hint: str) -> str:
    """Return how a gap's hint shows in the app's text, after the gap."""
    return f" (hint: {hint})"


def hint_warnings(text: str, hints: Sequence[str]) -> list[str]:
    """Say what became of each hint of a cloze made into ``text``: written after its gap, or
    dropped (one that holds ``[[``, ``]]`` or ``|``). Shared by the text export's reader."""
    return [
        f"the hint '{hint}' is written after its gap, as '{hint_text(hint).strip()}': "
        "the app's gaps have no hints"
        if hint_text(hint) in text
        else f"the hint '{hint}' is not kept: it holds '[[', ']]' or '|'"
        for hint in hints
    ]


def convert_cloze(source: str, number: int | None = None) -> Cloze:
    """Turn Anki's ``{{c1::answer::hint}}`` into ``[[answer]]`` in the text of ``source``.

    With ``number``, only that card's deletions become gaps, and the others show their
    answer, as Anki shows them on that card. A hint is written after its gap as
    ``(hint: ...)``: Anki shows it in place of the blank, and the app's gaps have no hints
    (one that holds ``[[``, ``]]`` or ``|`` is dropped, and reported).
    """
    answers: list[str] = []
    shown: list[str] = []
    hints: list[str] = []

    def gap(match: re.Match[str]) -> str:
        answer, _, hint = match.group(2).partition("::")
        if number is not None and int(match.group(1)) != number:
            return answer
        answers.append(html_to_text(answer).text)
        hinted = html_to_text(hint).text if hint.strip() else ""
        if hinted:
            hints.append(hinted)
        keep = hinted and not any(mark in hinted for mark in ("[[", "]]", "|"))
        shown.append(hint_text(hinted) if keep else "")
        return f"\x00{len(answers) - 1}\x00"

    if any(re.search(r"\{\{c\d+::", m.group(2)) for m in _CLOZE.finditer(source)):
        return Cloze("", error="it has a cloze inside a cloze, which the app cannot hold")
    marked = _CLOZE.sub(gap, source)
    if not answers:
        return Cloze("", error="its text has no {{c1::...}} deletion")
    for place, answer in enumerate(answers, start=1):
        if not answer:
            return Cloze("", error=f"deletion {place} is empty")
        if "|" in answer or "[[" in answer or "]]" in answer:
            return Cloze("", error=f"deletion {place} holds '|', '[[' or ']]'")
    plain = html_to_text(marked, lines=True)
    text = re.sub(
        r"\x00(\d+)\x00",
        lambda m: f"[[{answers[int(m.group(1))]}]]{shown[int(m.group(1))]}",
        plain.text,
    )
    return Cloze(text, plain.images, tuple(hints))


class NoteReader:
    """Turns the notes of a collection into questions, media, and the notes left out."""

    def __init__(self, package: Package, filename: str, set_id: str | None, version: int) -> None:
        self.package = package
        self.filename = filename
        self.version = version
        self.builder = SetBuilder(filename, set_id)
        self.left_out: list[Problem] = []
        self.warnings: list[Problem] = []
        self.media_map: dict[str, str] | None = None
        self.shelf = MediaShelf()
        self.stored: dict[str, str] = {}
        self.topics: dict[str, TopicDoc] = {}
        self.topic_ids = IdBook()
        self.titles: dict[str, str] = {}

    def leave_out(self, note: Note, message: str) -> None:
        """One note (or one card of it) cannot be imported: the reason, at the note's id."""
        self.left_out.append(Problem(self.filename, note.id, f"note {note.id}: {message}"))

    def warn(self, note: Note, message: str) -> None:
        self.warnings.append(Problem(self.filename, note.id, f"note {note.id}: {message}"))

    # media

    def media_names(self) -> dict[str, str]:
        """Return the zip entry of each media file by name (read once, on first need)."""
        if self.media_map is None:
            try:
                self.media_map = self.read_media_map()
            except Refused as refused:
                self.warnings.append(
                    Problem(
                        self.filename, 0, f"{refused.message}: the images and sounds are left out"
                    )
                )
                self.media_map = {}
        return self.media_map

    def read_media_map(self) -> dict[str, str]:
        if "media" not in self.package:
            return {}
        raw = self.package.read("media", self.package.limits.entry_bytes)
        if self.version >= LATEST or raw.startswith(ZSTD_MAGIC):
            raw = unzstd(raw, self.package.limits.entry_bytes, "the media map")
            try:
                return media_entries(raw)
            except ValueError as exc:
                raise Refused(f"the media map is not readable ({exc})") from exc
        try:
            found = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError) as exc:
            raise Refused(f"the media map is not JSON ({exc})") from exc
        if not isinstance(found, dict):
            raise Refused("the media map is not a JSON object")
        return {str(name): str(entry) for entry, name in found.items()}

    def media_file(self, note: Note, name: str) -> str:
        """Store the media file ``name``; return its stored name ('' when it is left out)."""
        if name in self.stored:
            return self.stored[name]
        kind = media_kind(name)
        entry = self.media_names().get(name)
        if entry is None or entry not in self.package:
            self.warn(note, f"the {kind} '{name}' is not in the package")
            self.stored[name] = ""
            return ""
        self.stored[name] = ""
        limit = self.package.limits.media_bytes
        if self.package.infos[entry].file_size > limit:
            self.warn(note, f"the {kind} '{name}' is larger than {limit} bytes: left out")
            return ""
        try:
            data = self.package.read(entry, limit)
            if data.startswith(ZSTD_MAGIC):
                data = unzstd(data, limit, f"the {kind} '{name}'")
        except Refused as refused:
            self.warn(note, f"{refused.message}: left out")
            return ""
        stored = self.shelf.add(name, data)
        sound_type = SOUND_TYPES.get(stored.rpartition(".")[2].lower())
        if sound_type:
            self.shelf.files[stored] = replace(self.shelf.files[stored], content_type=sound_type)
        self.stored[name] = stored
        return stored

    def sounds(self, note: Note, value: str) -> str:
        """Return ``value`` with each ``[sound:NAME]`` an audio player of the stored file (a
        sound that is not in the package, warned about, is taken out)."""

        def player(match: re.Match[str]) -> str:
            stored = self.media_file(note, html.unescape(match.group(1)).strip())
            return audio_player(stored) if stored else ""

        return _SOUND.sub(player, value)

    def rich(self, note: Note, value: str) -> str:
        """Return a field as HTML with local images as ``media:NAME`` and sounds as audio
        players of ``media:NAME``."""
        value = self.sounds(note, value)

        def image(match: re.Match[str]) -> str:
            src = html.unescape(next(g for g in match.groups()[1:] if g is not None))
            if re.match(r"[a-z][a-z0-9+.-]*:|/", src, re.I):
                return match.group(0)  # remote or absolute: for the web layer to refuse
            stored = self.media_file(note, src)
            return f'{match.group(1)}"{MEDIA_SCHEME}{stored}"' if stored else match.group(0)

        return _IMG_SRC.sub(image, value).strip()

    # notes

    def topic(self, deck: str) -> str:
        title = self.titles.get(deck) or DEFAULT_TOPIC
        key = deck if deck in self.titles else ""
        if key not in self.topics:
            self.topics[key] = TopicDoc(self.topic_ids.take(slug(title) or "topic"), title)
        return self.topics[key].id

    def question(
        self,
        note: Note,
        qid: str,
        kind: str,
        prompt: str,
        spec: dict[str, object],
        explanation: str,
    ) -> None:
        self.builder.add(
            QuestionDoc(
                id=self.builder.question_id(qid, "", prompt),
                topic=self.topic(note.deck),
                type=kind,
                prompt=prompt,
                spec=spec,
                explanation=explanation,
                source=NO_SOURCE,
                tags=note.tags,
                locations={(): note.id},
            )
        )

    def from_field(self, note: Note, notetype: Notetype) -> bool:
        """Add the question a note's ``quizapp`` field keeps, exactly; False when it has none
        (or one that cannot be read, which is warned about: the note is then read as Anki
        shows it)."""
        values = dict(zip(notetype.fields, note.fields, strict=False))
        raw = values.get(QUIZAPP_FIELD, "")
        if not raw.strip():
            return False
        text = html.unescape(raw)
        try:
            stored = read_stored(text)
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            self.warn(
                note,
                f"its '{QUIZAPP_FIELD}' field cannot be read ({exc}): the question is read "
                "from the card's fields instead",
            )
            return False
        names = {name: self.media_file(note, name) for name in MEDIA_OUT.findall(text)}
        if any(stored_name and stored_name != name for name, stored_name in names.items()):
            text = MEDIA_OUT.sub(lambda m: MEDIA_SCHEME + (names[m.group(1)] or m.group(1)), text)
            stored = read_stored(text)
        question, topic = stored.question, stored.topic
        key = "\x00" + topic.id
        if key not in self.topics:
            self.topics[key] = replace(topic, id=self.topic_ids.take(topic.id))
        self.builder.add(
            replace(
                question,
                id=self.builder.question_id(question.id, "", question.prompt),
                topic=self.topics[key].id,
                locations={(): note.id},
            )
        )
        return True

    def basic(self, note: Note, notetype: Notetype) -> None:
        values = dict(zip(notetype.fields, note.fields, strict=False))
        front = values.get("Front", note.fields[0] if note.fields else "")
        back = values.get("Back", note.fields[1] if len(note.fields) > 1 else "")
        explanation = ""
        if notetype.name.startswith(BASIC_MODEL) and (found := _EXPLANATION.search(back)):
            back, explanation = back[: found.start()], found.group(1)
        self.card(note, note_id(note.guid), front, back, "Back", explanation)
        # Prefixes, since copies are renamed ("Basic (and reversed card)-1a2b3", "... (genanki)").
        reverse = notetype.name.startswith(_REVERSED) or (
            notetype.name.startswith(_OPTIONAL_REVERSED)
            and bool(values.get("Add Reverse", "").strip())
        )
        if reverse:
            self.card(note, note_id(note.guid) + "-reverse", back, front, "Front")

    def card(
        self, note: Note, qid: str, front: str, back: str, answer_field: str, explanation: str = ""
    ) -> None:
        """Add the question of one card: the prompt ``front``, the answer the text of ``back``
        (the explanation ``back``'s HTML when it holds more than text, unless given)."""
        answer = html_to_text(_SOUND.sub("", back)).text
        if not answer:
            self.leave_out(note, f"the {answer_field} field has no text to type as the answer")
            return
        if len(answer) > LONG_ANSWER:
            self.warn(note, f"the answer is {len(answer)} characters long: few can type it")
        prompt = self.rich(note, front)
        if not html_to_text(prompt).text and "<img" not in prompt and "<audio" not in prompt:
            other = "Back" if answer_field == "Front" else "Front"
            self.leave_out(note, f"the {other} field is empty")
            return
        shown = self.rich(note, back)
        if explanation:
            explanation = self.rich(note, explanation)
        elif shown != html.escape(answer, quote=False):
            explanation = shown
        self.question(note, qid, "short_answer", prompt, {"answers": [answer]}, explanation)

    def cloze(self, note: Note, notetype: Notetype) -> None:
        values = dict(zip(notetype.fields, note.fields, strict=False))
        source = values.get("Text", note.fields[0] if note.fields else "")
        if "image-occlusion:" in source:
            self.leave_out(note, f"'{notetype.name}' (image occlusion) notes are not supported")
            return
        sounds = [m.group(0) for m in _SOUND.finditer(source)]
        source = _SOUND.sub("", source)
        made = convert_cloze(source)
        if made.error:
            self.leave_out(note, f"the cloze note is not imported: {made.error}")
            return
        for message in hint_warnings(made.text, made.hints):
            self.warn(note, message)
        images = [self.rich(note, f'<img src="{html.escape(src)}">') for src in made.images]
        players = [self.sounds(note, sound) for sound in sounds]  # as images: to the prompt
        explanation = self.rich(note, values.get("Back Extra", ""))
        # One question per card, as Anki asks them: card N hides the deletions numbered N.
        numbers = cloze_numbers(source)
        cards = [(note_id(note.guid), made)]
        if len(numbers) > 1:
            cards = [(f"{note_id(note.guid)}-c{n}", convert_cloze(source, n)) for n in numbers]
        for qid, card in cards:
            prompt = "".join(images + players)
            self.question(note, qid, "cloze", prompt, {"text": card.text}, explanation)

    def run(self, collection: Collection) -> ImportResult:
        self.titles = deck_titles(sorted({note.deck for note in collection.notes if note.deck}))
        for note in collection.notes:
            notetype = collection.notetypes.get(note.notetype)
            if notetype is None:
                self.leave_out(note, f"its note type ({note.notetype}) is not in the collection")
            elif self.from_field(note, notetype):
                continue
            elif notetype.name.startswith("Image Occlusion"):
                self.leave_out(note, "'Image Occlusion' notes are not supported")
            elif notetype.cloze:
                self.cloze(note, notetype)
            elif notetype.name.startswith(_BASIC) or {"Front", "Back"} <= set(notetype.fields):
                self.basic(note, notetype)
            else:
                self.leave_out(
                    note,
                    f"the note type '{notetype.name}' is not supported (only Basic and Cloze "
                    "notes are imported)",
                )
        built = self.builder.build()
        used = {name for name in self.stored.values() if name}
        doc = replace(built, topics=tuple(self.topics.values()))
        media = tuple(f for f in self.shelf.files.values() if f.name in used)
        return ImportResult(doc, (), media, tuple(self.warnings), tuple(self.left_out))
