"""Anki packages: the three layouts, both schemas, media, and hostile or broken packages.

Three sources of packages:

- ``fixtures/anki-current.apkg`` and ``fixtures/anki-legacy.apkg``, made once with the official
  ``anki`` library (see ``fixtures/make_anki_fixtures.py``);
- genanki, which writes the oldest layout (``collection.anki2``, no ``meta``);
- ``build_package`` below, which writes ``collection.anki21`` and ``collection.anki21b``
  packages the way Anki does (the same table definitions, JSON or protobuf note types and
  media map, zstd where Anki uses it), so that each variation can be made on purpose.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import sqlite3
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import genanki
import pytest
import zstandard

from quizapp.bank.model import Problem, QuestionDoc, TopicDoc
from quizapp.formats.anki import (
    DUMMY_NOTE,
    IMPORTER,
    AnkiPackageImporter,
    Limits,
    convert_cloze,
    deck_titles,
    media_entries,
    meta_version,
    note_id,
    protobuf_fields,
    unzstd,
)
from quizapp.formats.assemble import NO_SOURCE
from quizapp.formats.base import ImportResult
from quizapp.grading import REGISTRY

FIXTURES = Path(__file__).parent / "fixtures"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


# --- writing packages as Anki does ------------------------------------------------------------

# The table definitions of Anki's collections (schema 11 for collection.anki21, 18 for
# collection.anki21b), as Anki 26.9 writes them, less the tables the importer never reads.
COMMON_TABLES = """
CREATE TABLE col (
  id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL, scm integer NOT NULL,
  ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL, ls integer NOT NULL,
  conf text NOT NULL, models text NOT NULL, decks text NOT NULL, dconf text NOT NULL,
  tags text NOT NULL
);
CREATE TABLE notes (
  id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL, mod integer NOT NULL,
  usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL, sfld integer NOT NULL,
  csum integer NOT NULL, flags integer NOT NULL, data text NOT NULL
);
CREATE TABLE cards (
  id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL, ord integer NOT NULL,
  mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL, queue integer NOT NULL,
  due integer NOT NULL, ivl integer NOT NULL, factor integer NOT NULL, reps integer NOT NULL,
  lapses integer NOT NULL, left integer NOT NULL, odue integer NOT NULL, odid integer NOT NULL,
  flags integer NOT NULL, data text NOT NULL
);
"""
CURRENT_TABLES = """
CREATE TABLE fields (
  ntid integer NOT NULL, ord integer NOT NULL, name text NOT NULL COLLATE unicase,
  config blob NOT NULL, PRIMARY KEY (ntid, ord)
) without rowid;
CREATE TABLE notetypes (
  id integer NOT NULL PRIMARY KEY, name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, config blob NOT NULL
);
CREATE TABLE decks (
  id integer PRIMARY KEY NOT NULL, name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, common blob NOT NULL, kind blob NOT NULL
);
"""

# name: (is cloze, field names)
NOTETYPES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "Basic": (False, ("Front", "Back")),
    "Basic (and reversed card)": (False, ("Front", "Back")),
    "Basic (optional reversed card)": (False, ("Front", "Back", "Add Reverse")),
    "Basic (type in the answer)": (False, ("Front", "Back")),
    "Cloze": (True, ("Text", "Back Extra")),
    "Image Occlusion": (True, ("Occlusion", "Image", "Header", "Back Extra", "Comments")),
    "Vocabulary": (False, ("Word", "Meaning")),
}


@dataclass(frozen=True)
class FakeNote:
    notetype: str
    fields: tuple[str, ...]
    deck: str = "Default"
    tags: tuple[str, ...] = ()
    guid: str = ""


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def pb_int(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def pb_bytes(number: int, value: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(value)) + value


def _unicase(a: str, b: str) -> int:
    return (a.casefold() > b.casefold()) - (a.casefold() < b.casefold())


def build_collection(notes: Sequence[FakeNote], *, current: bool) -> bytes:
    """Return the bytes of an SQLite collection holding ``notes``."""
    con = sqlite3.connect(":memory:")
    con.create_collation("unicase", _unicase)
    con.executescript(COMMON_TABLES + (CURRENT_TABLES if current else ""))
    model_ids = {name: 1_700_000_000_000 + i for i, name in enumerate(NOTETYPES)}
    deck_ids = {"Default": 1}
    for note in notes:
        for depth in range(1, len(note.deck.split("::")) + 1):
            deck_ids.setdefault(
                "::".join(note.deck.split("::")[:depth]), 1_600_000_000_000 + len(deck_ids)
            )
    models = {
        str(mid): {
            "id": mid,
            "name": name,
            "type": 1 if NOTETYPES[name][0] else 0,
            "flds": [{"name": f, "ord": i} for i, f in enumerate(NOTETYPES[name][1])],
        }
        for name, mid in model_ids.items()
    }
    decks = {str(did): {"id": did, "name": name} for name, did in deck_ids.items()}
    if current:
        models, decks = {}, {}
        for name, mid in model_ids.items():
            cloze, fields = NOTETYPES[name]
            config = (pb_int(1, 1) if cloze else b"") + pb_bytes(3, b".card {}")
            con.execute("INSERT INTO notetypes VALUES (?, ?, 0, 0, ?)", (mid, name, config))
            for i, field_name in enumerate(fields):
                con.execute("INSERT INTO fields VALUES (?, ?, ?, ?)", (mid, i, field_name, b""))
        for name, did in deck_ids.items():
            con.execute(
                "INSERT INTO decks VALUES (?, ?, 0, 0, ?, ?)",
                (did, name.replace("::", "\x1f"), b"\n\x02\x08\x01", b""),
            )
    con.execute(
        "INSERT INTO col VALUES (1, 0, 0, 0, ?, 0, 0, 0, '{}', ?, ?, '{}', '{}')",
        (18 if current else 11, json.dumps(models), json.dumps(decks)),
    )
    for i, note in enumerate(notes):
        nid = 1_650_000_000_000 + i
        con.execute(
            "INSERT INTO notes VALUES (?, ?, ?, 0, 0, ?, ?, ?, 0, 0, '')",
            (
                nid,
                note.guid or f"guid{i}",
                model_ids[note.notetype],
                f" {' '.join(note.tags)} " if note.tags else "",
                "\x1f".join(note.fields),
                note.fields[0],
            ),
        )
        con.execute(
            "INSERT INTO cards VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')",
            (nid, nid, deck_ids[note.deck]),
        )
    con.commit()
    data = con.serialize()
    con.close()
    return data


DUMMY = build_collection(
    [FakeNote("Basic", (f"{DUMMY_NOTE}, then import the .colpkg/.apkg file again.", ""))],
    current=False,
)


def build_package(
    notes: Sequence[FakeNote],
    media: dict[str, bytes] | None = None,
    *,
    layout: str = "anki21b",
    meta: bool = True,
    dummy: bool = True,
) -> bytes:
    """Return an .apkg of ``notes`` in the ``anki21`` or ``anki21b`` layout."""
    media = media or {}
    latest = layout == "anki21b"
    squeeze = zstandard.ZstdCompressor().compress
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED if latest else zipfile.ZIP_DEFLATED) as z:
        if meta:
            z.writestr("meta", pb_int(1, 3 if latest else 2))
        collection = build_collection(notes, current=latest)
        z.writestr(f"collection.{layout}", squeeze(collection) if latest else collection)
        if dummy:
            z.writestr("collection.anki2", DUMMY)
        if latest:
            entries = b"".join(
                pb_bytes(
                    1,
                    pb_bytes(1, name.encode())
                    + pb_int(2, len(data))
                    + pb_bytes(3, hashlib.sha1(data).digest()),
                )
                for name, data in media.items()
            )
            z.writestr("media", squeeze(entries))
        else:
            z.writestr("media", json.dumps({str(i): name for i, name in enumerate(media)}))
        for i, data in enumerate(media.values()):
            z.writestr(str(i), squeeze(data) if latest else data)
    return buffer.getvalue()


def read(
    data: bytes, name: str = "deck.apkg", importer: AnkiPackageImporter = IMPORTER
) -> ImportResult:
    return importer.read(data, name)


def questions_of(result: ImportResult) -> list[QuestionDoc]:
    assert result.doc is not None, result.problems
    return list(result.doc.questions)


def refused(result: ImportResult) -> str:
    """Return the one problem of a refused package."""
    assert result.doc is None
    (problem,) = result.problems
    assert (problem.file, problem.line) == ("deck.apkg", 0)
    return problem.message


# --- packages made by Anki itself --------------------------------------------------------------

REAL_NOTE_IDS = {
    "basic": 1795584509043,
    "reversed": 1795584509045,
    "typein": 1795584509047,
    "cloze": 1795584509048,
    "image": 1795584509049,
    "custom": 1795584509050,
}


@pytest.mark.parametrize("name", ["anki-current.apkg", "anki-legacy.apkg"])
def test_a_package_made_by_anki(name: str) -> None:
    result = IMPORTER.read((FIXTURES / name).read_bytes(), name)
    doc = result.doc
    assert doc is not None
    assert (doc.id, doc.title) == (name.removesuffix(".apkg"), name.removesuffix(".apkg"))
    assert doc.topics == (
        TopicDoc("cells", "Cells"),
        TopicDoc("genetics", "Genetics"),
        TopicDoc("chemistry", "Chemistry"),
    )
    got = [(q.id, q.topic, q.type, q.prompt, q.spec, q.explanation, q.tags) for q in doc.questions]
    assert got == [
        (
            "basic-powerhouse",
            "cells",
            "short_answer",
            "What is the powerhouse of the cell?",
            {"answers": ["Mitochondria"]},
            "<b>Mitochondria</b>",
            ("cells", "organelles"),
        ),
        (
            "reversed-dna",
            "genetics",
            "short_answer",
            "DNA",
            {"answers": ["Deoxyribonucleic acid"]},
            "",
            ("genetics",),
        ),
        (
            "reversed-dna-reverse",
            "genetics",
            "short_answer",
            "Deoxyribonucleic acid",
            {"answers": ["DNA"]},
            "",
            ("genetics",),
        ),
        (
            "typein-gold",
            "chemistry",
            "short_answer",
            "Chemical symbol of gold?",
            {"answers": ["Au"]},
            "",
            (),
        ),
        (
            "cloze-nucleus",
            "cells",
            "cloze",
            "",
            {"text": "The [[nucleus]] holds the [[DNA]]."},
            "Eukaryotes only.",
            ("cells",),
        ),
        (
            "basic-image",
            "cells",
            "short_answer",
            'Which organelle is green here? <img src="media:chloroplast.png">',
            {"answers": ["Chloroplast"]},
            "",
            ("cells",),
        ),
    ]
    assert [q.line for q in doc.questions] == [
        REAL_NOTE_IDS[k] for k in ("basic", "reversed", "reversed", "typein", "cloze", "image")
    ]
    assert all(q.source == NO_SOURCE and q.title == "" for q in doc.questions)
    assert result.problems == (
        Problem(
            name,
            REAL_NOTE_IDS["custom"],
            f"note {REAL_NOTE_IDS['custom']}: the note type 'Vocabulary' is not supported (only "
            "Basic and Cloze notes are imported)",
        ),
    )
    assert result.warnings == (
        Problem(
            name,
            REAL_NOTE_IDS["cloze"],
            f"note {REAL_NOTE_IDS['cloze']}: the hint 'control centre' is not kept: the app's "
            "gaps have no hints",
        ),
    )
    assert [(m.name, m.content_type, m.data) for m in result.media] == [
        ("chloroplast.png", "image/png", PNG)
    ]
    for q in doc.questions:
        assert REGISTRY[q.type].validate(q.spec) == [], q.id


def test_the_real_current_package_has_the_dummy_collection_that_is_not_read() -> None:
    data = (FIXTURES / "anki-current.apkg").read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert meta_version(archive.read("meta")) == 3
    assert {"collection.anki2", "collection.anki21b"} <= set(archive.namelist())
    # The media of a current package is zstd-compressed, map and files alike.
    assert archive.read("media").startswith(b"\x28\xb5\x2f\xfd")
    assert archive.read("0").startswith(b"\x28\xb5\x2f\xfd")
    result = IMPORTER.read(data, "anki-current.apkg")
    assert all(DUMMY_NOTE not in q.prompt for q in questions_of(result))
    # Without meta, the same package would be taken for a legacy one: read its dummy instead,
    # which the reader recognises and refuses rather than importing it.
    stripped = io.BytesIO()
    with zipfile.ZipFile(stripped, "w") as out:
        for info in archive.infolist():
            if info.filename not in ("meta", "collection.anki21b"):
                out.writestr(info.filename, archive.read(info.filename))
    assert refused(read(stripped.getvalue())) == (
        "collection.anki2 is only the placeholder that current Anki packages carry for old "
        "versions; the package's real collection is missing"
    )


# --- genanki: the oldest layout ---------------------------------------------------------------


def _genanki_package(tmp_path: Path) -> bytes:
    image = tmp_path / "leaf.png"
    image.write_bytes(PNG)
    sound = tmp_path / "hum.mp3"
    sound.write_bytes(b"ID3")
    cells = genanki.Deck(2_059_400_110, "Biology::Cells")
    chemistry = genanki.Deck(2_059_400_111, "Chemistry")
    vocabulary = genanki.Model(
        1_607_392_319,
        "Vocabulary",
        fields=[{"name": "Word"}, {"name": "Meaning"}],
        templates=[{"name": "Card 1", "qfmt": "{{Word}}", "afmt": "{{Meaning}}"}],
    )
    notes = [
        (
            cells,
            genanki.BASIC_MODEL,
            ['Which part is shown? <img src="leaf.png">', "Leaf"],
            ["plants"],
            "Gx#1",
        ),
        (
            cells,
            genanki.BASIC_AND_REVERSED_CARD_MODEL,
            ["ATP", "Adenosine triphosphate"],
            [],
            "atp",
        ),
        (
            cells,
            genanki.BASIC_OPTIONAL_REVERSED_CARD_MODEL,
            ["Cell", "Unit of life", "y"],
            [],
            "cell",
        ),
        (
            cells,
            genanki.BASIC_OPTIONAL_REVERSED_CARD_MODEL,
            ["Organ", "Group of tissues", ""],
            [],
            "organ",
        ),
        (
            chemistry,
            genanki.BASIC_TYPE_IN_THE_ANSWER_MODEL,
            ["Symbol of iron? [sound:hum.mp3]", "Fe"],
            ["metals"],
            "iron",
        ),
        (
            chemistry,
            genanki.CLOZE_MODEL,
            [
                "Water is {{c1::H<sub>2</sub>O}}, salt is {{c2::NaCl::formula}}.",
                "<i>Both</i> are compounds.",
            ],
            ["compounds"],
            "water",
        ),
        (chemistry, vocabulary, ["Mole", "An amount"], [], "mole"),
    ]
    for deck, model, fields, tags, guid in notes:
        deck.add_note(genanki.Note(model=model, fields=fields, tags=tags, guid=guid))
    package = genanki.Package([cells, chemistry])
    package.media_files = [str(image), str(sound)]
    path = tmp_path / "genanki.apkg"
    package.write_to_file(str(path), timestamp=1_700_000_000)
    return path.read_bytes()


def test_a_package_written_by_genanki(tmp_path: Path) -> None:
    data = _genanki_package(tmp_path)
    assert "meta" not in zipfile.ZipFile(io.BytesIO(data)).namelist()
    result = read(data)
    doc = result.doc
    assert doc is not None
    assert doc.topics == (TopicDoc("cells", "Cells"), TopicDoc("chemistry", "Chemistry"))
    got = [(q.id, q.topic, q.type, q.prompt, q.spec, q.explanation, q.tags) for q in doc.questions]
    assert got == [
        (
            note_id("Gx#1"),
            "cells",
            "short_answer",
            'Which part is shown? <img src="media:leaf.png">',
            {"answers": ["Leaf"]},
            "",
            ("plants",),
        ),
        ("atp", "cells", "short_answer", "ATP", {"answers": ["Adenosine triphosphate"]}, "", ()),
        (
            "atp-reverse",
            "cells",
            "short_answer",
            "Adenosine triphosphate",
            {"answers": ["ATP"]},
            "",
            (),
        ),
        ("cell", "cells", "short_answer", "Cell", {"answers": ["Unit of life"]}, "", ()),
        ("cell-reverse", "cells", "short_answer", "Unit of life", {"answers": ["Cell"]}, "", ()),
        ("organ", "cells", "short_answer", "Organ", {"answers": ["Group of tissues"]}, "", ()),
        (
            "iron",
            "chemistry",
            "short_answer",
            "Symbol of iron?",
            {"answers": ["Fe"]},
            "",
            ("metals",),
        ),
        (
            "water",
            "chemistry",
            "cloze",
            "",
            {"text": "Water is [[H2O]], salt is [[NaCl]]."},
            "<i>Both</i> are compounds.",
            ("compounds",),
        ),
    ]
    assert note_id("Gx#1").startswith("anki-")
    lines = {q.id: q.line for q in doc.questions}
    (problem,) = result.problems
    assert problem.line > lines["water"]  # the last note added, with the next id
    assert problem.message == (
        f"note {problem.line}: the note type 'Vocabulary' is not supported (only Basic and "
        "Cloze notes are imported)"
    )
    assert [w.message for w in result.warnings] == [
        f"note {lines['iron']}: the sound 'hum.mp3' is not kept: the app shows no sound",
        f"note {lines['water']}: the hint 'formula' is not kept: the app's gaps have no hints",
    ]
    assert [(m.name, m.data) for m in result.media] == [("leaf.png", PNG)]
