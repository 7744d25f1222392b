"""Anki packages (.apkg): Basic notes become short answers, Cloze notes cloze questions.

A package is a zip archive. Its ``meta`` entry, read first, is a small protobuf whose field 1
says which collection holds the notes:

=======================  ===========================  =========================================
``meta`` version         collection                   media map and media files
=======================  ===========================  =========================================
none (old packages)      ``collection.anki21`` if      JSON ``{"0": "name.png"}``; files as is
                         there, else ``collection.anki2``
1 (legacy 1)             ``collection.anki2``          the same
2 (legacy 2)             ``collection.anki21``         the same
3 (latest)               ``collection.anki21b``,       a zstd-compressed protobuf of (name,
                         zstd-compressed              size, sha1) entries; files zstd-compressed
=======================  ===========================  =========================================

Current packages also hold a dummy ``collection.anki2`` whose one note asks to update Anki; it
is never read when ``meta`` names another collection, and a package whose collection turns out
to be that dummy is refused.

The collection is an SQLite database, opened read-only from a temporary file. Its schema
differs: legacy collections keep note types and decks as JSON in ``col.models``/``col.decks``;
current ones have ``notetypes`` (a protobuf config whose field 1 is the kind: 1 for cloze),
``fields`` (the field names as text) and ``decks`` (names joined by ``\\x1f``).

Notes (app ← Anki):

===========================================  =============================================
Anki                                         app
===========================================  =============================================
Basic, Basic (type in the answer), any       ``short_answer``: prompt = Front (HTML kept),
normal notetype with Front and Back fields   answer = the text of Back; Back's HTML is the
                                             explanation when it holds more than text
Basic (and reversed card); Basic (optional   the same, and a second question Back → Front
reversed card) with Add Reverse filled in    (id: the note's id + ``-reverse``)
Cloze (any cloze-kind notetype)              ``cloze``: ``{{c1::answer::hint}}`` →
                                             ``[[answer]]`` (hints are reported); Back Extra
                                             is the explanation; images in the text go to
                                             the prompt
Image Occlusion, any other notetype          reported by name, with the note id as the entry
deck ``Parent::Child``                       topic "Child" (the path "Parent / Child" where
                                             two decks end alike)
note tags, note guid                         tags; id (the guid itself when it is already a
                                             valid id, else ``anki-`` + a hash of it)
``<img src="x.png">``, ``[sound:x.mp3]``     ``MediaFile`` and ``media:x.png`` (see
                                             ``quizapp.formats.moodle_xml_media.MEDIA_SCHEME``);
                                             sounds are dropped and reported
===========================================  =============================================

Every size in the package is distrusted: the entry count, each entry's and the total
uncompressed size, the compression ratio (zip bombs), the zstd output (read in bounded chunks,
whatever the frame header claims), the number of notes and the work SQLite may do. A damaged,
truncated or hostile package gives one clear problem; ``read`` never raises.
"""

from __future__ import annotations

import html
import io
import json
import re
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

import zstandard

from quizapp.bank.model import Problem, QuestionDoc, TopicDoc
from quizapp.formats.assemble import DEFAULT_TOPIC, NO_SOURCE, SetBuilder
from quizapp.formats.base import Importer, ImportResult
from quizapp.formats.ids import IdBook, content_id, slug
from quizapp.formats.moodle_xml_media import MEDIA_SCHEME, MediaShelf
from quizapp.formats.moodle_xml_text import html_to_text

MAX_ENTRIES = 20_000
"""Most entries a package may have (notes' media files included)."""
MAX_ENTRY_BYTES = 256 * 1024 * 1024
"""Largest uncompressed size of one entry, and of a zstd-compressed collection once unpacked."""
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
"""Largest uncompressed size of all entries together."""
MAX_RATIO = 200
"""Largest compression ratio of an entry above ``RATIO_FLOOR`` bytes (a zip bomb's is higher)."""
RATIO_FLOOR = 1024 * 1024
MAX_MEDIA_BYTES = 16 * 1024 * 1024
"""Largest media file kept (a larger one is left out, with a warning)."""
MAX_NOTES = 50_000
"""Most notes read from a collection."""
MAX_SQL_STEPS = 500_000_000
"""Most SQLite virtual-machine steps the reading may take (a crafted database cannot stall it)."""

SQLITE_MAGIC = b"SQLite format 3\x00"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
DUMMY_NOTE = "Please update to the latest Anki version"
LONG_ANSWER = 80
"""A Back longer than this is still taken, with a warning: few learners can type it."""

_COLLECTIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
_LATEST = 3
_STEP_CHUNK = 1_000
_KIND_CLOZE = 1
_BASIC = "Basic"
_REVERSED = "Basic (and reversed card)"
_OPTIONAL_REVERSED = "Basic (optional reversed card)"
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.S)
_SOUND = re.compile(r"\[sound:([^\]]*)\]")
_IMG_SRC = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_OWN_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


@dataclass(frozen=True)
class Limits:
    """The limits a package is read within (the module constants by default)."""

    entries: int = MAX_ENTRIES
    entry_bytes: int = MAX_ENTRY_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: int = MAX_RATIO
    ratio_floor: int = RATIO_FLOOR
    media_bytes: int = MAX_MEDIA_BYTES
    notes: int = MAX_NOTES
    sql_steps: int = MAX_SQL_STEPS


class _Refused(Exception):
    """The package cannot be read; ``message`` says why (at ``line``, 0 for the package)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# --- protobuf -----------------------------------------------------------------------------------


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """Read a base-128 varint at ``pos``; return it and the position after it."""
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def protobuf_fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """Yield ``(field number, value)`` of a protobuf message: ints for varints, bytes for
    length-delimited fields; fixed-width fields are skipped. Raises ValueError if malformed."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
            yield number, value
        elif wire == 2:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise ValueError("truncated field")
            yield number, data[pos : pos + size]
            pos += size
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
            if pos > len(data):
                raise ValueError("truncated field")
        else:
            raise ValueError(f"unsupported wire type {wire}")


def _int_field(data: bytes, number: int, default: int = 0) -> int:
    found = default
    for key, value in protobuf_fields(data):
        if key == number and isinstance(value, int):
            found = value
    return found


def meta_version(data: bytes) -> int:
    """Return the package version in a ``meta`` entry (field 1; 0 when absent)."""
    return _int_field(data, 1)


def media_entries(data: bytes) -> dict[str, str]:
    """Return the zip entry of each media file of a current package's (decompressed) map.

    The map is a list (field 1) of entries: name (1), size (2), sha1 (3) and, for a package
    converted from a legacy one, the zip entry's number (255); by default an entry's number
    is its place in the list.
    """
    found: dict[str, str] = {}
    for index, (key, value) in enumerate(protobuf_fields(data)):
        if key != 1 or not isinstance(value, bytes):
            continue
        name, number = "", index
        for inner_key, inner in protobuf_fields(value):
            if inner_key == 1 and isinstance(inner, bytes):
                name = inner.decode("utf-8", errors="replace")
            elif inner_key == 255 and isinstance(inner, int):
                number = inner
        if name:
            found[name] = str(number)
    return found


# --- bounded unpacking --------------------------------------------------------------------------


def unzstd(data: bytes, limit: int, what: str) -> bytes:
    """Decompress zstd ``data`` to at most ``limit`` bytes, in chunks: the frame header's
    content size is not trusted (``decompress(max_output_size=...)`` would believe it)."""
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
    out = bytearray()
    try:
        while chunk := reader.read(min(1 << 20, limit + 1 - len(out))):
            out += chunk
            if len(out) > limit:
                raise _Refused(f"{what} unpacks to more than {limit} bytes (limit)")
    except zstandard.ZstdError as exc:
        raise _Refused(f"{what} is not valid zstd data ({exc})") from exc
    return bytes(out)


class _Package:
    """The zip archive, checked against the limits before anything is unpacked."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.limits = limits
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            NotImplementedError,  # a version or feature of zip the module lacks
            ValueError,
            OSError,
            EOFError,
        ) as exc:
            if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
                raise _Refused(
                    "the package is damaged or truncated: its zip directory cannot be read"
                ) from exc
            raise _Refused("not an Anki package: an .apkg file is a zip archive") from exc
        self.infos = {info.filename: info for info in infos}
        self.check(infos)

    def check(self, infos: list[zipfile.ZipInfo]) -> None:
        limits = self.limits
        if len(infos) > limits.entries:
            raise _Refused(f"the package has {len(infos)} entries (limit {limits.entries})")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise _Refused(f"entry '{info.filename}' is encrypted")
            if info.file_size > limits.entry_bytes:
                raise _Refused(
                    f"entry '{info.filename}' unpacks to {info.file_size} bytes "
                    f"(limit {limits.entry_bytes})"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.ratio_floor and ratio > limits.ratio:
                raise _Refused(
                    f"entry '{info.filename}' is compressed {ratio:.0f} to 1 (limit "
                    f"{limits.ratio}): the package looks like a zip bomb"
                )
            total += info.file_size
        if total > limits.total_bytes:
            raise _Refused(
                f"the package unpacks to {total} bytes in all (limit {limits.total_bytes})"
            )

    def __contains__(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str, limit: int) -> bytes:
        """Return an entry's bytes, reading at most ``limit`` (whatever its header says)."""
        try:
            with self.zip.open(self.infos[name]) as entry:
                data = entry.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise _Refused(f"entry '{name}' is damaged or truncated ({exc})") from exc
        except NotImplementedError as exc:
            raise _Refused(f"entry '{name}' uses a compression this reader lacks") from exc
        if len(data) > limit:
            raise _Refused(f"entry '{name}' unpacks to more than {limit} bytes (limit)")
        return data


# --- the collection -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Notetype:
    """What the reader needs of a note type: its name, whether it is a cloze type, its fields."""

    name: str
    cloze: bool
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Note:
    """One note: its id, guid, note type, field values, tags and deck name (``A::B``)."""

    id: int
    guid: str
    notetype: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str


@dataclass
class Collection:
    """The notes of a collection with their note types."""

    notetypes: dict[int, Notetype] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


def _connect(path: Path, limits: Limits) -> sqlite3.Connection:
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    con.execute("PRAGMA trusted_schema = OFF")
    # Anki declares some text columns COLLATE unicase; comparing them needs the collation.
    con.create_collation(
        "unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold())
    )
    steps = 0

    def budget() -> int:
        nonlocal steps
        steps += _STEP_CHUNK
        return 1 if steps > limits.sql_steps else 0

    con.set_progress_handler(budget, _STEP_CHUNK)
    return con


def _tables(con: sqlite3.Connection) -> set[str]:
    return {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _legacy_notetypes(con: sqlite3.Connection) -> tuple[dict[int, Notetype], dict[int, str]]:
    row = con.execute("SELECT models, decks FROM col").fetchone()
    if row is None:
        raise _Refused("the collection has no 'col' row")
    try:
        models, decks = json.loads(row[0] or "{}"), json.loads(row[1] or "{}")
    except (TypeError, ValueError) as exc:
        raise _Refused(f"the collection's note types or decks are not JSON ({exc})") from exc
    if not isinstance(models, dict) or not isinstance(decks, dict):
        raise _Refused("the collection's note types or decks are not JSON objects")
    notetypes = {}
    for key, model in models.items():
        if not isinstance(model, dict):
            continue
        fields = sorted(
            (f for f in model.get("flds", []) if isinstance(f, dict)),
            key=lambda f: int(f.get("ord", 0)),
        )
        notetypes[int(key)] = Notetype(
            str(model.get("name", "")),
            model.get("type") == _KIND_CLOZE,
            tuple(str(f.get("name", "")) for f in fields),
        )
    names = {int(k): str(d.get("name", "")) for k, d in decks.items() if isinstance(d, dict)}
    return notetypes, names


def _current_notetypes(con: sqlite3.Connection) -> tuple[dict[int, Notetype], dict[int, str]]:
    fields: dict[int, list[str]] = {}
    for ntid, name in con.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(int(ntid), []).append(str(name))
    notetypes = {}
    for ntid, name, config in con.execute("SELECT id, name, config FROM notetypes"):
        try:
            kind = _int_field(bytes(config or b""), 1)
        except (ValueError, TypeError) as exc:
            raise _Refused(f"the config of note type '{name}' is not readable ({exc})") from exc
        notetypes[int(ntid)] = Notetype(
            str(name), kind == _KIND_CLOZE, tuple(fields.get(int(ntid), []))
        )
    decks = {
        int(i): str(n).replace("\x1f", "::") for i, n in con.execute("SELECT id, name FROM decks")
    }
    return notetypes, decks


def read_collection(path: Path, limits: Limits) -> Collection:
    """Read the note types and notes of the SQLite collection at ``path``."""
    con = _connect(path, limits)
    try:
        tables = _tables(con)
        if not {"col", "notes", "cards"} <= tables:
            raise _Refused("the collection lacks Anki's tables (col, notes, cards)")
        if "notetypes" in tables and "fields" in tables and "decks" in tables:
            notetypes, decks = _current_notetypes(con)
        else:
            notetypes, decks = _legacy_notetypes(con)
        # The deck of a note is its first card's (the original deck while in a filtered one);
        # only the cards of the notes read are looked at.
        rows = con.execute(
            "SELECT nid, CASE WHEN odid != 0 THEN odid ELSE did END, MIN(ord) FROM cards "
            "WHERE nid IN (SELECT id FROM notes ORDER BY id LIMIT ?) GROUP BY nid",
            (limits.notes,),
        )
        deck_of = {int(nid): int(did) for nid, did, _ in rows}
        notes: list[Note] = []
        rows = con.execute(
            "SELECT id, guid, mid, tags, flds FROM notes ORDER BY id LIMIT ?", (limits.notes + 1,)
        )
        for nid, guid, mid, tags, flds in rows:
            if len(notes) == limits.notes:
                raise _Refused(f"the collection has more than {limits.notes} notes (limit)")
            notes.append(
                Note(
                    int(nid),
                    str(guid),
                    int(mid),
                    tuple(str(flds).split("\x1f")),
                    tuple(str(tags).split()),
                    decks.get(deck_of.get(int(nid), -1), ""),
                )
            )
        return Collection(notetypes, notes)
    finally:
        con.close()


# --- notes to questions -------------------------------------------------------------------------


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
class Cloze:
    """A cloze text made the app's way, with what could not be kept."""

    text: str
    images: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    error: str = ""


def convert_cloze(source: str) -> Cloze:
    """Turn Anki's ``{{c1::answer::hint}}`` into ``[[answer]]`` in the text of ``source``."""
    answers: list[str] = []
    hints: list[str] = []

    def gap(match: re.Match[str]) -> str:
        answer, _, hint = match.group(2).partition("::")
        answers.append(html_to_text(answer).text)
        if hint.strip():
            hints.append(html_to_text(hint).text)
        return f"\x00{len(answers) - 1}\x00"

    if any(re.search(r"\{\{c\d+::", m.group(2)) for m in _CLOZE.finditer(source)):
        return Cloze("", error="it has a cloze inside a cloze, which the app cannot hold")
    marked = _CLOZE.sub(gap, source)
    if not answers:
        return Cloze("", error="its text has no {{c1::...}} deletion")
    for number, answer in enumerate(answers, start=1):
        if not answer:
            return Cloze("", error=f"deletion {number} is empty")
        if "|" in answer or "[[" in answer or "]]" in answer:
            return Cloze("", error=f"deletion {number} holds '|', '[[' or ']]'")
    plain = html_to_text(marked, lines=True)
    text = re.sub(r"\x00(\d+)\x00", lambda m: f"[[{answers[int(m.group(1))]}]]", plain.text)
    return Cloze(text, plain.images, tuple(hints))


class _NoteReader:
    """Turns the notes of a collection into questions, media and problems."""

    def __init__(self, package: _Package, filename: str, set_id: str | None, version: int) -> None:
        self.package = package
        self.filename = filename
        self.version = version
        self.builder = SetBuilder(filename, set_id)
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.media_map: dict[str, str] | None = None
        self.shelf = MediaShelf()
        self.stored: dict[str, str] = {}
        self.topics: dict[str, TopicDoc] = {}
        self.topic_ids = IdBook()
        self.titles: dict[str, str] = {}

    def problem(self, note: Note, message: str) -> None:
        self.problems.append(Problem(self.filename, note.id, f"note {note.id}: {message}"))

    def warn(self, note: Note, message: str) -> None:
        self.warnings.append(Problem(self.filename, note.id, f"note {note.id}: {message}"))

    # media

    def media_names(self) -> dict[str, str]:
        """Return the zip entry of each media file by name (read once, on first need)."""
        if self.media_map is None:
            try:
                self.media_map = self.read_media_map()
            except _Refused as refused:
                self.warnings.append(
                    Problem(self.filename, 0, f"{refused.message}: the images are left out")
                )
                self.media_map = {}
        return self.media_map

    def read_media_map(self) -> dict[str, str]:
        if "media" not in self.package:
            return {}
        raw = self.package.read("media", self.package.limits.entry_bytes)
        if self.version >= _LATEST or raw.startswith(ZSTD_MAGIC):
            raw = unzstd(raw, self.package.limits.entry_bytes, "the media map")
            try:
                return media_entries(raw)
            except ValueError as exc:
                raise _Refused(f"the media map is not readable ({exc})") from exc
        try:
            found = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError) as exc:
            raise _Refused(f"the media map is not JSON ({exc})") from exc
        if not isinstance(found, dict):
            raise _Refused("the media map is not a JSON object")
        return {str(name): str(entry) for entry, name in found.items()}

    def media_file(self, note: Note, name: str) -> str:
        """Store the media file ``name``; return its stored name ('' when it is left out)."""
        if name in self.stored:
            return self.stored[name]
        entry = self.media_names().get(name)
        if entry is None or entry not in self.package:
            self.warn(note, f"the image '{name}' is not in the package")
            self.stored[name] = ""
            return ""
        self.stored[name] = ""
        limit = self.package.limits.media_bytes
        if self.package.infos[entry].file_size > limit:
            self.warn(note, f"the image '{name}' is larger than {limit} bytes: left out")
            return ""
        try:
            data = self.package.read(entry, limit)
            if data.startswith(ZSTD_MAGIC):
                data = unzstd(data, limit, f"the image '{name}'")
        except _Refused as refused:
            self.warn(note, f"{refused.message}: left out")
            return ""
        self.stored[name] = self.shelf.add(name, data)
        return self.stored[name]

    def rich(self, note: Note, value: str) -> str:
        """Return a field as HTML with local images as ``media:NAME`` and sounds removed."""
        for sound in _SOUND.findall(value):
            self.warn(note, f"the sound '{sound}' is not kept: the app shows no sound")
        value = _SOUND.sub("", value)

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

    def basic(self, note: Note, notetype: Notetype) -> None:
        values = dict(zip(notetype.fields, note.fields, strict=False))
        front = values.get("Front", note.fields[0] if note.fields else "")
        back = values.get("Back", note.fields[1] if len(note.fields) > 1 else "")
        self.card(note, note_id(note.guid), front, back, "Back")
        # Prefixes, since copies are renamed ("Basic (and reversed card)-1a2b3", "... (genanki)").
        reverse = notetype.name.startswith(_REVERSED) or (
            notetype.name.startswith(_OPTIONAL_REVERSED)
            and bool(values.get("Add Reverse", "").strip())
        )
        if reverse:
            self.card(note, note_id(note.guid) + "-reverse", back, front, "Front")

    def card(self, note: Note, qid: str, front: str, back: str, answer_field: str) -> None:
        """Add the question of one card: the prompt ``front``, the answer the text of ``back``."""
        answer = html_to_text(_SOUND.sub("", back)).text
        if not answer:
            self.problem(note, f"the {answer_field} field has no text to type as the answer")
            return
        if len(answer) > LONG_ANSWER:
            self.warn(note, f"the answer is {len(answer)} characters long: few can type it")
        prompt = self.rich(note, front)
        if not html_to_text(prompt).text and "<img" not in prompt:
            other = "Back" if answer_field == "Front" else "Front"
            self.problem(note, f"the {other} field is empty")
            return
        shown = self.rich(note, back)
        explanation = shown if shown != html.escape(answer, quote=False) else ""
        self.question(note, qid, "short_answer", prompt, {"answers": [answer]}, explanation)

    def cloze(self, note: Note, notetype: Notetype) -> None:
        values = dict(zip(notetype.fields, note.fields, strict=False))
        source = values.get("Text", note.fields[0] if note.fields else "")
        if "image-occlusion:" in source:
            self.problem(note, f"'{notetype.name}' (image occlusion) notes are not supported")
            return
        made = convert_cloze(_SOUND.sub("", source))
        if made.error:
            self.problem(note, f"the cloze note is not imported: {made.error}")
            return
        for hint in made.hints:
            self.warn(note, f"the hint '{hint}' is not kept: the app's gaps have no hints")
        images = [self.rich(note, f'<img src="{html.escape(src)}">') for src in made.images]
        extra = values.get("Back Extra", "")
        self.question(
            note,
            note_id(note.guid),
            "cloze",
            "".join(images),
            {"text": made.text},
            self.rich(note, extra),
        )

    def run(self, collection: Collection) -> ImportResult:
        self.titles = deck_titles(sorted({note.deck for note in collection.notes if note.deck}))
        for note in collection.notes:
            notetype = collection.notetypes.get(note.notetype)
            if notetype is None:
                self.problem(note, f"its note type ({note.notetype}) is not in the collection")
            elif notetype.name.startswith("Image Occlusion"):
                self.problem(note, "'Image Occlusion' notes are not supported")
            elif notetype.cloze:
                self.cloze(note, notetype)
            elif notetype.name.startswith(_BASIC) or {"Front", "Back"} <= set(notetype.fields):
                self.basic(note, notetype)
            else:
                self.problem(
                    note,
                    f"the note type '{notetype.name}' is not supported (only Basic and Cloze "
                    "notes are imported)",
                )
        built = self.builder.build()
        used = {name for name in self.stored.values() if name}
        doc = replace(built, topics=tuple(self.topics.values()))
        media = tuple(f for f in self.shelf.files.values() if f.name in used)
        return ImportResult(doc, tuple(self.problems), media, tuple(self.warnings))


# --- the package --------------------------------------------------------------------------------


def _collection_name(package: _Package) -> tuple[str, int]:
    """Return the collection entry to read and the package version, from ``meta`` first."""
    if "meta" in package:
        try:
            version = meta_version(package.read("meta", 1024))
        except ValueError as exc:
            raise _Refused(f"the package's meta entry is not readable ({exc})") from exc
        if version > _LATEST:
            raise _Refused(
                f"the package was made by a newer Anki (package version {version}); export it "
                "again with 'Support older Anki versions' ticked"
            )
        if version in _COLLECTIONS:
            name = _COLLECTIONS[version]
            if name not in package:
                raise _Refused(f"the package's meta names {name}, which it does not hold")
            return name, version
    for name in ("collection.anki21", "collection.anki2"):
        if name in package:
            return name, 0
    raise _Refused("the package holds no Anki collection (collection.anki21b, .anki21, .anki2)")


def _is_dummy(collection: Collection) -> bool:
    """True for the placeholder collection that current packages carry for old Ankis."""
    return len(collection.notes) == 1 and any(
        DUMMY_NOTE in value for value in collection.notes[0].fields
    )


def read_package(data: bytes, filename: str, set_id: str | None, limits: Limits) -> ImportResult:
    """Read an .apkg package (see the module's notes); raises ``_Refused`` on a bad one."""
    package = _Package(data, limits)
    name, version = _collection_name(package)
    raw = package.read(name, limits.entry_bytes)
    if name.endswith(".anki21b"):
        raw = unzstd(raw, limits.entry_bytes, name)
    if not raw.startswith(SQLITE_MAGIC):
        raise _Refused(f"{name} is not an SQLite database")
    with tempfile.TemporaryDirectory(prefix="quizapp-anki-") as folder:
        path = Path(folder) / "collection.sqlite"
        try:
            path.write_bytes(raw)
        except OSError as exc:
            raise _Refused(f"{name} could not be stored for reading ({exc})") from exc
        del raw
        try:
            collection = read_collection(path, limits)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise _Refused(f"{name} takes too much work to read (limit)") from exc
            raise _Refused(f"{name} is damaged or not an Anki collection ({exc})") from exc
        except (sqlite3.Error, TypeError, ValueError, OverflowError) as exc:
            raise _Refused(f"{name} is damaged or not an Anki collection ({exc})") from exc
    if _is_dummy(collection):
        raise _Refused(
            f"{name} is only the placeholder that current Anki packages carry for old versions; "
            "the package's real collection is missing"
        )
    return _NoteReader(package, filename, set_id, version).run(collection)


class AnkiPackageImporter(Importer):
    """Reads Anki ``.apkg`` packages in every layout (see the module's notes)."""

    name: ClassVar[str] = "anki_package"
    label: ClassVar[str] = "Anki package (.apkg)"
    extensions: ClassVar[tuple[str, ...]] = (".apkg",)

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    def read(self, data: bytes, filename: str, *, set_id: str | None = None) -> ImportResult:
        try:
            return read_package(data, filename, set_id, self.limits)
        except _Refused as refused:
            return ImportResult(None, (Problem(filename, refused.line, refused.message),))
        except (MemoryError, RecursionError):
            return ImportResult(None, (Problem(filename, 0, "the package is too large to read"),))


IMPORTER = AnkiPackageImporter()
