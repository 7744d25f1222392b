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
import re
import sqlite3
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import genanki
import pytest
import zstandard

from quizapp.bank.model import Problem, QuestionDoc, TopicDoc
from quizapp.formats.anki import IMPORTER, AnkiPackageImporter
from quizapp.formats.anki_collection import DUMMY_NOTE
from quizapp.formats.anki_notes import convert_cloze, deck_titles, note_id
from quizapp.formats.anki_package import (
    Limits,
    media_entries,
    meta_version,
    protobuf_fields,
    unzstd,
)
from quizapp.formats.anki_write import to_anki_media
from quizapp.formats.assemble import NO_SOURCE
from quizapp.formats.base import ImportResult
from quizapp.grading import REGISTRY
from quizapp.richtext import clean_html

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
        # One question per card: c1 hides the nucleus (its hint after the gap), c2 the DNA.
        (
            "cloze-nucleus-c1",
            "cells",
            "cloze",
            "",
            {"text": "The [[nucleus]] (hint: control centre) holds the DNA."},
            "Eukaryotes only.",
            ("cells",),
        ),
        (
            "cloze-nucleus-c2",
            "cells",
            "cloze",
            "",
            {"text": "The nucleus holds the [[DNA]]."},
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
        REAL_NOTE_IDS[k]
        for k in ("basic", "reversed", "reversed", "typein", "cloze", "cloze", "image")
    ]
    assert all(q.source == NO_SOURCE and q.title == "" for q in doc.questions)
    assert result.problems == ()
    assert result.left_out == (
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
            f"note {REAL_NOTE_IDS['cloze']}: the hint 'control centre' is written after its gap, "
            "as '(hint: control centre)': the app's gaps have no hints",
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
            'Symbol of iron? <audio controls src="media:hum.mp3"></audio>',
            {"answers": ["Fe"]},
            "",
            ("metals",),
        ),
        (
            "water-c1",
            "chemistry",
            "cloze",
            "",
            {"text": "Water is [[H2O]], salt is NaCl."},
            "<i>Both</i> are compounds.",
            ("compounds",),
        ),
        (
            "water-c2",
            "chemistry",
            "cloze",
            "",
            {"text": "Water is H2O, salt is [[NaCl]] (hint: formula)."},
            "<i>Both</i> are compounds.",
            ("compounds",),
        ),
    ]
    assert note_id("Gx#1").startswith("anki-")
    lines = {q.id: q.line for q in doc.questions}
    assert result.problems == ()
    (problem,) = result.left_out
    assert problem.line > lines["water-c2"]  # the last note added, with the next id
    assert problem.message == (
        f"note {problem.line}: the note type 'Vocabulary' is not supported (only Basic and "
        "Cloze notes are imported)"
    )
    assert [w.message for w in result.warnings] == [
        f"note {lines['water-c1']}: the hint 'formula' is written after its gap, as "
        "'(hint: formula)': the app's gaps have no hints",
    ]
    assert [(m.name, m.content_type, m.data) for m in result.media] == [
        ("leaf.png", "image/png", PNG),
        ("hum.mp3", "audio/mpeg", b"ID3"),
    ]


# --- the anki21 and anki21b layouts, variation by variation -------------------------------------

NOTES = [
    FakeNote(
        "Basic",
        ('What is <b>this</b>? <img src="cell.png">', "A cell"),
        "Bio::Cells",
        ("a", "b"),
        "n-basic",
    ),
    FakeNote(
        "Cloze", ("{{c1::Ribosomes}} make {{c2::proteins}}.", ""), "Bio::Cells", (), "n-cloze"
    ),
    FakeNote("Basic (type in the answer)", ("Symbol of gold?", "Au"), "Chemistry", (), "n-gold"),
]
EXPECTED = [
    (
        "n-basic",
        "cells",
        "short_answer",
        'What is <b>this</b>? <img src="media:cell.png">',
        {"answers": ["A cell"]},
    ),
    ("n-cloze-c1", "cells", "cloze", "", {"text": "[[Ribosomes]] make proteins."}),
    ("n-cloze-c2", "cells", "cloze", "", {"text": "Ribosomes make [[proteins]]."}),
    ("n-gold", "chemistry", "short_answer", "Symbol of gold?", {"answers": ["Au"]}),
]


def summary(result: ImportResult) -> list[tuple[str, str, str, str, object]]:
    return [(q.id, q.topic, q.type, q.prompt, q.spec) for q in questions_of(result)]


@pytest.mark.parametrize("layout", ["anki21", "anki21b"])
def test_both_layouts_give_the_same_set(layout: str) -> None:
    data = build_package(NOTES, {"cell.png": PNG}, layout=layout)
    result = read(data)
    assert result.problems == ()
    assert result.warnings == ()
    assert summary(result) == EXPECTED
    assert result.doc is not None
    assert result.doc.topics == (TopicDoc("cells", "Cells"), TopicDoc("chemistry", "Chemistry"))
    assert result.doc.questions[0].tags == ("a", "b")
    assert [(m.name, m.content_type, m.data) for m in result.media] == [
        ("cell.png", "image/png", PNG)
    ]


def test_a_legacy_package_without_meta_prefers_collection_anki21() -> None:
    data = build_package(NOTES, {"cell.png": PNG}, layout="anki21", meta=False)
    assert summary(read(data)) == EXPECTED


def test_the_dummy_collection_is_never_taken_for_the_content() -> None:
    data = build_package(NOTES, {"cell.png": PNG}, layout="anki21b", dummy=True)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names[:3] == ["meta", "collection.anki21b", "collection.anki2"]
    assert summary(read(data)) == EXPECTED


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buffer.getvalue()


def test_a_current_package_without_its_collection_is_refused_not_read_from_the_dummy() -> None:
    data = _zip({"meta": pb_int(1, 3), "collection.anki2": DUMMY, "media": b""})
    assert refused(read(data)) == (
        "the package's meta names collection.anki21b, which it does not hold"
    )


def test_a_package_from_a_newer_anki_is_refused() -> None:
    data = _zip({"meta": pb_int(1, 4), "collection.anki2": DUMMY})
    assert refused(read(data)) == (
        "the package was made by a newer Anki (package version 4); export it again with "
        "'Support older Anki versions' ticked"
    )


def test_topics_from_decks_that_end_alike_use_the_path() -> None:
    notes = [
        FakeNote("Basic", ("q1", "a1"), "Biology::Intro", guid="one"),
        FakeNote("Basic", ("q2", "a2"), "Chemistry::Intro", guid="two"),
        FakeNote("Basic", ("q3", "a3"), "Default", guid="three"),
    ]
    result = read(build_package(notes))
    assert result.doc is not None
    assert result.doc.topics == (
        TopicDoc("biology-intro", "Biology / Intro"),
        TopicDoc("chemistry-intro", "Chemistry / Intro"),
        TopicDoc("default", "Default"),
    )


@pytest.mark.parametrize("layout", ["anki21", "anki21b"])
def test_what_cannot_be_imported_is_left_out_by_note(layout: str) -> None:
    notes = [
        FakeNote("Vocabulary", ("Mole", "An amount")),
        FakeNote(
            "Image Occlusion",
            ("{{c1::image-occlusion:rect:left=.1}}", "<img src='x.png'>", "", "", ""),
        ),
        FakeNote("Cloze", ("{{c1::outer {{c2::inner}} }}", "")),
        FakeNote("Cloze", ("No deletion here", "")),
        FakeNote("Cloze", ("{{c1::a|b}}", "")),
        FakeNote("Basic", ("Front only", "")),
        FakeNote("Basic", ("", "Back only")),
        FakeNote("Basic", ("Only a picture back", '<img src="cell.png">')),
    ]
    result = read(build_package(notes, {"cell.png": PNG}, layout=layout))
    assert result.doc is not None
    assert result.doc.questions == ()
    first = 1_650_000_000_000
    expected = [
        "the note type 'Vocabulary' is not supported (only Basic and Cloze notes are imported)",
        "'Image Occlusion' notes are not supported",
        "the cloze note is not imported: it has a cloze inside a cloze, which the app cannot hold",
        "the cloze note is not imported: its text has no {{c1::...}} deletion",
        "the cloze note is not imported: deletion 1 holds '|', '[[' or ']]'",
        "the Back field has no text to type as the answer",
        "the Front field is empty",
        "the Back field has no text to type as the answer",
    ]
    assert result.problems == ()
    assert [(p.line, p.message) for p in result.left_out] == [
        (first + i, f"note {first + i}: {message}") for i, message in enumerate(expected)
    ]
    assert result.media == ()


def test_a_note_that_cannot_be_imported_is_left_out_and_the_others_imported() -> None:
    notes = [
        FakeNote("Basic", ("First", "one"), guid="first"),
        FakeNote("Basic", ("Broken", ""), guid="broken"),
        FakeNote("Basic", ("Third", "three"), guid="third"),
    ]
    result = read(build_package(notes))
    assert result.problems == ()
    first = 1_650_000_000_000
    assert [(p.line, p.message) for p in result.left_out] == [
        (first + 1, f"note {first + 1}: the Back field has no text to type as the answer")
    ]
    assert [q.id for q in questions_of(result)] == ["first", "third"]
    assert result.ok_without_left_out


def test_warnings_for_what_changes() -> None:
    long_back = "word " * 20
    notes = [
        FakeNote("Basic", ("Say it [sound:say.mp3]", "Hello")),
        FakeNote("Basic", ('Missing <img src="gone.png">', "x")),
        FakeNote("Basic", ('Remote <img src="https://example.org/a.png">', "y")),
        FakeNote("Basic", ("Long", long_back)),
        FakeNote(
            "Cloze",
            ('<div>{{c1::Paris::capital}}</div><img src="map.gif">', "Extra <img src=map.gif>"),
        ),
    ]
    result = read(build_package(notes, {"map.gif": GIF}))
    first = 1_650_000_000_000
    assert [(w.line, w.message) for w in result.warnings] == [
        (first, f"note {first}: the sound 'say.mp3' is not in the package"),
        (first + 1, f"note {first + 1}: the image 'gone.png' is not in the package"),
        (first + 3, f"note {first + 3}: the answer is 99 characters long: few can type it"),
        (
            first + 4,
            f"note {first + 4}: the hint 'capital' is written after its gap, as "
            "'(hint: capital)': the app's gaps have no hints",
        ),
    ]
    prompts = [q.prompt for q in questions_of(result)]
    assert prompts[:3] == [
        "Say it",  # the player of a sound the package lacks is taken out
        'Missing <img src="gone.png">',
        'Remote <img src="https://example.org/a.png">',  # for the web layer's sanitiser to drop
    ]
    cloze = questions_of(result)[4]
    assert cloze.prompt == '<img src="media:map.gif">'
    assert cloze.spec == {"text": "[[Paris]] (hint: capital)"}
    assert cloze.explanation == 'Extra <img src="media:map.gif">'
    assert [(m.name, m.content_type, m.data) for m in result.media] == [
        ("map.gif", "image/gif", GIF)
    ]


WAV = b"RIFF\x24\x00\x00\x00WAVEfmt "


@pytest.mark.parametrize("layout", ["anki21", "anki21b"])
def test_sounds_are_kept_as_media_with_an_audio_player(layout: str) -> None:
    notes = [
        FakeNote("Basic", ("[sound:bonjour.mp3]", "Hello [sound:hello.wav]"), guid="listen"),
        FakeNote("Basic (and reversed card)", ("Hund [sound:hund.ogg]", "dog"), guid="dog"),
        FakeNote(
            "Cloze",
            ("[sound:bonjour.mp3]{{c1::Bonjour}} means hello", "Said <i>bon-zhoor</i>"),
            guid="greet",
        ),
    ]
    media = {"bonjour.mp3": b"ID3\x04", "hello.wav": WAV, "hund.ogg": b"OggS"}
    result = read(build_package(notes, media, layout=layout))
    assert result.warnings == ()
    got = [(q.id, q.prompt, q.spec, q.explanation) for q in questions_of(result)]
    bonjour = '<audio controls src="media:bonjour.mp3"></audio>'
    assert got == [
        (
            "listen",
            bonjour,  # a card that only speaks is a question still
            {"answers": ["Hello"]},
            'Hello <audio controls src="media:hello.wav"></audio>',
        ),
        ("dog", 'Hund <audio controls src="media:hund.ogg"></audio>', {"answers": ["dog"]}, ""),
        (
            "dog-reverse",
            "dog",
            {"answers": ["Hund"]},
            'Hund <audio controls src="media:hund.ogg"></audio>',  # heard after answering
        ),
        ("greet", bonjour, {"text": "[[Bonjour]] means hello"}, "Said <i>bon-zhoor</i>"),
    ]
    assert sorted((m.name, m.content_type, m.data) for m in result.media) == [
        ("bonjour.mp3", "audio/mpeg", b"ID3\x04"),
        ("hello.wav", "audio/wav", WAV),  # not mimetypes' audio/x-wav
        ("hund.ogg", "audio/ogg", b"OggS"),
    ]


def test_a_sound_player_is_cleaned_like_an_image_for_the_page() -> None:
    result = read(
        build_package([FakeNote("Basic", ("Listen [sound:a.mp3]", "x"))], {"a.mp3": b"I"})
    )
    prompt = questions_of(result)[0].prompt
    cleaned = clean_html(prompt + '<audio controls src="https://evil.example/a.mp3"></audio>', _url)
    assert cleaned.startswith('Listen <audio src="/media/deck/a.mp3"')
    assert "controls" in cleaned
    assert "evil.example" not in cleaned
    assert cleaned.count("<audio") == 1


def _url(name: str) -> str:
    return f"/media/deck/{name}"


def test_the_audio_player_goes_back_to_anki_as_a_sound() -> None:
    player = '<audio controls src="media:a.mp3"></audio>'
    assert (
        to_anki_media(f'Hear {player} <img src="media:b.png">')
        == 'Hear [sound:a.mp3] <img src="b.png">'
    )


def test_guids_that_are_not_ids_are_hashed_apart() -> None:
    notes = [
        FakeNote("Basic", ("q1", "a1"), guid="AbC"),
        FakeNote("Basic", ("q2", "a2"), guid="abc"),
    ]
    ids = [q.id for q in questions_of(read(build_package(notes)))]
    assert ids == [note_id("AbC"), "abc"]
    assert ids[0] == "anki-" + hashlib.sha256(b"\nAbC").hexdigest()[:12]


# --- hostile and broken packages -----------------------------------------------------------------

CURRENT = (FIXTURES / "anki-current.apkg").read_bytes()
LEGACY = (FIXTURES / "anki-legacy.apkg").read_bytes()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            CURRENT[: len(CURRENT) // 2],
            "the package is damaged or truncated: its zip directory cannot be read",
        ),
        (LEGACY[:-30], "the package is damaged or truncated: its zip directory cannot be read"),
        (b"", "not an Anki package: an .apkg file is a zip archive"),
        (
            b"SQLite format 3\x00" + bytes(100),
            "not an Anki package: an .apkg file is a zip archive",
        ),
        (
            _zip({"notes.txt": b"hello"}),
            "the package holds no Anki collection (collection.anki21b, .anki21, .anki2)",
        ),
        (_zip({"meta": b"\xff"}), "the package's meta entry is not readable (truncated varint)"),
        (
            _zip({"collection.anki21": b"not a database"}),
            "collection.anki21 is not an SQLite database",
        ),
        (
            _zip({"meta": pb_int(1, 3), "collection.anki21b": b"\x28\xb5\x2f\xfd garbage"}),
            "collection.anki21b is not valid zstd data",
        ),
    ],
)
def test_broken_packages_give_one_clear_problem(data: bytes, message: str) -> None:
    assert refused(read(data)).startswith(message)


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = _zip({"collection.anki21": bytes(8 * 1024 * 1024)})
    assert len(bomb) < 20_000
    message = refused(read(bomb))
    assert re.fullmatch(
        r"entry 'collection.anki21' is compressed \d+ to 1 \(limit 200\): "
        r"the package looks like a zip bomb",
        message,
    ), message


def test_a_zstd_bomb_stops_at_the_limit_whatever_its_header_says() -> None:
    huge = zstandard.ZstdCompressor().compress(bytes(64 * 1024 * 1024))
    assert zstandard.frame_content_size(huge) == 64 * 1024 * 1024
    data = build_package(NOTES)
    archive = zipfile.ZipFile(io.BytesIO(data))
    entries = {name: archive.read(name) for name in archive.namelist()}
    entries["collection.anki21b"] = huge
    small = AnkiPackageImporter(Limits(entry_bytes=1024 * 1024))
    assert refused(read(_zip(entries), importer=small)) == (
        "collection.anki21b unpacks to more than 1048576 bytes (limit)"
    )


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        (Limits(entries=3), "the package has 5 entries (limit 3)"),
        (
            Limits(entry_bytes=50_000),
            "entry 'collection.anki2' unpacks to 51200 bytes (limit 50000)",
        ),
        (Limits(total_bytes=10_000), "the package unpacks to 57509 bytes in all (limit 10000)"),
        (Limits(notes=5), "the collection has more than 5 notes (limit)"),
    ],
)
def test_every_limit_can_be_set(limits: Limits, message: str) -> None:
    assert refused(read(CURRENT, importer=AnkiPackageImporter(limits))) == message


def test_a_collection_that_makes_sqlite_work_too_hard_is_stopped() -> None:
    collection = build_collection(NOTES, current=False)
    con = sqlite3.connect(":memory:")
    con.deserialize(collection)
    con.executemany(
        "INSERT INTO cards VALUES (?, ?, 1, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '')",
        ((10_000 + i, 1_650_000_000_000, i) for i in range(100_000)),
    )
    con.commit()
    data = _zip({"collection.anki21": con.serialize()})
    assert [q.id for q in questions_of(read(data))] == [
        "n-basic",
        "n-cloze-c1",
        "n-cloze-c2",
        "n-gold",
    ]
    busy = AnkiPackageImporter(Limits(sql_steps=50_000))
    assert refused(read(data, importer=busy)) == (
        "collection.anki21 takes too much work to read (limit)"
    )


def test_a_media_file_over_its_limit_is_left_out_with_a_warning() -> None:
    small = AnkiPackageImporter(Limits(media_bytes=10))
    result = read(build_package(NOTES, {"cell.png": PNG}), importer=small)
    first = 1_650_000_000_000
    assert [(w.line, w.message) for w in result.warnings] == [
        (
            first,
            f"note {first}: the image 'cell.png' is larger than 10 bytes: left out",
        )
    ]
    assert result.media == ()
    assert questions_of(result)[0].prompt == 'What is <b>this</b>? <img src="cell.png">'


def test_a_broken_media_map_leaves_the_images_out_and_keeps_the_notes() -> None:
    data = build_package(NOTES, {"cell.png": PNG}, layout="anki21")
    archive = zipfile.ZipFile(io.BytesIO(data))
    entries = {name: archive.read(name) for name in archive.namelist()}
    entries["media"] = b"{not json"
    result = read(_zip(entries))
    assert [(w.line, w.message) for w in result.warnings] == [
        (
            0,
            "the media map is not JSON (Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)): the images and sounds are left out",
        ),
        (1_650_000_000_000, "note 1650000000000: the image 'cell.png' is not in the package"),
    ]
    assert [q.id for q in questions_of(result)] == ["n-basic", "n-cloze-c1", "n-cloze-c2", "n-gold"]


@pytest.mark.parametrize(
    ("collection", "message"),
    [
        (
            b"SQLite format 3\x00" + bytes(4000),
            "collection.anki21 is damaged or not an Anki collection",
        ),
        (b"", "collection.anki21 is not an SQLite database"),
    ],
)
def test_a_damaged_collection_is_refused(collection: bytes, message: str) -> None:
    assert refused(read(_zip({"collection.anki21": collection}))).startswith(message)


def test_a_database_without_anki_tables_is_refused() -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (x)")
    con.commit()
    data = _zip({"collection.anki21": con.serialize()})
    assert refused(read(data)) == "the collection lacks Anki's tables (col, notes, cards)"


def test_read_never_raises_on_damaged_packages() -> None:
    chance = random.Random(20_241_125)
    for source in (CURRENT, LEGACY, build_package(NOTES, {"cell.png": PNG}, layout="anki21")):
        for _ in range(150):
            damaged = bytearray(source)
            for _ in range(chance.randint(1, 8)):
                damaged[chance.randrange(len(damaged))] = chance.randrange(256)
            result = read(bytes(damaged))
            assert isinstance(result, ImportResult)
            assert result.doc is not None or len(result.problems) == 1


# --- pieces -------------------------------------------------------------------------------------


def test_protobuf_fields() -> None:
    message = pb_int(1, 300) + pb_bytes(2, b"ab") + b"\x1d\x01\x02\x03\x04" + pb_int(3, 7)
    assert list(protobuf_fields(message)) == [(1, 300), (2, b"ab"), (3, 7)]
    assert meta_version(pb_int(1, 3)) == 3
    assert meta_version(b"") == 0
    with pytest.raises(ValueError, match="truncated"):
        list(protobuf_fields(pb_bytes(2, b"abc")[:-1]))
    with pytest.raises(ValueError, match="wire type 3"):
        list(protobuf_fields(b"\x0b"))


def test_media_entries_number_by_place_or_by_their_legacy_field() -> None:
    entries = (
        pb_bytes(1, pb_bytes(1, b"a.png") + pb_int(2, 3))
        + pb_bytes(1, pb_bytes(1, b"b.png") + pb_int(255, 7))
        + pb_bytes(1, pb_bytes(1, b"c.png"))
    )
    assert media_entries(entries) == {"a.png": "0", "b.png": "7", "c.png": "2"}


@pytest.mark.parametrize(
    ("text", "expected", "hints"),
    [
        (
            "{{c1::Paris}} is in {{c2::France::country}}",
            "[[Paris]] is in [[France]] (hint: country)",
            ("country",),
        ),
        ("A<br>{{c1::<b>bold</b>}}&nbsp;here", "A\n[[bold]] here", ()),
        ("{{c1::one}} {{c1::two}}", "[[one]] [[two]]", ()),
        ("{{c1::a::b::c}}", "[[a]] (hint: b::c)", ("b::c",)),
        ("{{c1::a::see [[b]]}}", "[[a]]", ("see [[b]]",)),  # a hint that would break the text
    ],
)
def test_convert_cloze(text: str, expected: str, hints: tuple[str, ...]) -> None:
    made = convert_cloze(text)
    assert (made.text, made.hints, made.error) == (expected, hints, "")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (1, "[[Paris]] and [[Rome]] (hint: Italy) are capitals, like Berlin."),
        (2, "Paris and Rome are capitals, like [[Berlin]]."),
    ],
)
def test_convert_cloze_for_one_card(number: int, expected: str) -> None:
    text = "{{c1::Paris}} and {{c1::Rome::Italy}} are capitals, like {{c2::Berlin}}."
    assert convert_cloze(text, number).text == expected
    assert convert_cloze(text, 3).error == "its text has no {{c1::...}} deletion"


def test_a_card_number_too_long_for_a_number_is_text_not_a_crash() -> None:
    huge = "9" * 5000  # int() refuses more than 4300 digits
    note = FakeNote("Cloze", (f"{{{{c{huge}::x}}}} and {{{{c2::y}}}}", ""), guid="long")
    (question,) = questions_of(read(build_package([note])))
    assert question.spec == {"text": f"{{{{c{huge}::x}}}} and [[y]]"}


def test_deck_titles() -> None:
    assert deck_titles(["A::B", "C::b", "D", "E::F::G"]) == {
        "A::B": "A / B",
        "C::b": "C / b",
        "D": "D",
        "E::F::G": "G",
    }


def test_note_ids() -> None:
    assert note_id("basic-1") == "basic-1"
    assert note_id("Basic-1") == "anki-" + hashlib.sha256(b"\nBasic-1").hexdigest()[:12]
    assert note_id("x" * 101).startswith("anki-")


def test_unzstd_reads_frames_without_a_size_and_refuses_garbage() -> None:
    unsized = zstandard.ZstdCompressor(write_content_size=False).compress(b"abc" * 1000)
    assert unzstd(unsized, 3000, "x") == b"abc" * 1000
    with pytest.raises(Exception, match="x unpacks to more than 2999 bytes"):
        unzstd(unsized, 2999, "x")


def test_the_importer_claims_apkg_files() -> None:
    assert IMPORTER.extensions == (".apkg",)
    assert IMPORTER.name == "anki_package"
