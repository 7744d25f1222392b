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
                                             ``[[answer]] (hint: hint)`` (warned); Back
                                             Extra is the explanation; images in the text
                                             go to the prompt. One question per card, as
                                             Anki asks them: with c1, c2, c3, three (ids:
                                             the note's + ``-c1``...), each hiding its
                                             deletions and showing the others' answers
a note with a ``quizapp`` field (the app's   the question the field keeps as JSON, exactly
export, see ``anki_write``)                  (its media renamed if they clash); when the
                                             field is empty or unreadable (warned), the
                                             note is read as above, the explanation
                                             taken from the end of Back
Image Occlusion, any other notetype          left out, by name, with the note id as the entry
deck ``Parent::Child``                       topic "Child" (the path "Parent / Child" where
                                             two decks end alike)
note tags, note guid                         tags; id (the guid itself when it is already a
                                             valid id, else ``anki-`` + a hash of it)
``<img src="x.png">``                         ``MediaFile`` and ``media:x.png`` (see
                                             ``quizapp.formats.moodle_xml_media.MEDIA_SCHEME``)
``[sound:x.mp3]``                            ``MediaFile`` (audio/mpeg, audio/ogg, audio/wav or
                                             audio/mp4 by its extension) and an audio player,
                                             ``<audio controls src="media:x.mp3"></audio>``,
                                             in its place (a cloze text's go to the prompt,
                                             as its images do); one the package lacks is
                                             taken out, and reported
===========================================  =============================================

Every size in the package is distrusted: the entry count, each entry's and the total
uncompressed size, the compression ratio (zip bombs), the zstd output (read in bounded chunks,
whatever the frame header claims), the number of notes and the work SQLite may do. A damaged,
truncated or hostile package gives one clear problem; ``read`` never raises. A note that
cannot be imported (its type, an empty field, a cloze it cannot read) is left out, at its id,
and the other notes are imported.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import ClassVar

from quizapp.bank.model import Problem
from quizapp.formats.anki_collection import is_dummy, read_collection
from quizapp.formats.anki_notes import NoteReader
from quizapp.formats.anki_package import Limits, Package, Refused, collection_name, unzstd
from quizapp.formats.base import Importer, ImportResult

SQLITE_MAGIC = b"SQLite format 3\x00"


def read_package(data: bytes, filename: str, set_id: str | None, limits: Limits) -> ImportResult:
    """Read an .apkg package (see the module's notes); raises ``Refused`` on a bad one."""
    package = Package(data, limits)
    name, version = collection_name(package)
    raw = package.read(name, limits.entry_bytes)
    if name.endswith(".anki21b"):
        raw = unzstd(raw, limits.entry_bytes, name)
    if not raw.startswith(SQLITE_MAGIC):
        raise Refused(f"{name} is not an SQLite database")
    with tempfile.TemporaryDirectory(prefix="quizapp-anki-") as folder:
        path = Path(folder) / "collection.sqlite"
        try:
            path.write_bytes(raw)
        except OSError as exc:
            raise Refused(f"{name} could not be stored for reading ({exc})") from exc
        del raw
        try:
            collection = read_collection(path, limits)
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise Refused(f"{name} takes too much work to read (limit)") from exc
            raise Refused(f"{name} is damaged or not an Anki collection ({exc})") from exc
        except (sqlite3.Error, TypeError, ValueError, OverflowError) as exc:
            raise Refused(f"{name} is damaged or not an Anki collection ({exc})") from exc
    if is_dummy(collection):
        raise Refused(
            f"{name} is only the placeholder that current Anki packages carry for old versions; "
            "the package's real collection is missing"
        )
    return NoteReader(package, filename, set_id, version).run(collection)


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
        except Refused as refused:
            return ImportResult(None, (Problem(filename, refused.line, refused.message),))
        except (MemoryError, RecursionError):
            return ImportResult(None, (Problem(filename, 0, "the package is too large to read"),))


IMPORTER = AnkiPackageImporter()
