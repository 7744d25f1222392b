"""An Anki collection: the SQLite database read into note types, notes and their decks.

The database is opened read-only with a budget of SQLite steps. Legacy collections keep note
types and decks as JSON in ``col.models``/``col.decks``; current ones have ``notetypes`` (a
protobuf config whose field 1 is the kind: 1 for cloze), ``fields`` and ``decks``.
``is_dummy`` spots the placeholder collection that current packages carry for old Ankis.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from quizapp.formats.anki_package import Limits, Refused, int_field

DUMMY_NOTE = "Please update to the latest Anki version"
_STEP_CHUNK = 1_000
_KIND_CLOZE = 1


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
        raise Refused("the collection has no 'col' row")
    try:
        models, decks = json.loads(row[0] or "{}"), json.loads(row[1] or "{}")
    except (TypeError, ValueError) as exc:
        raise Refused(f"the collection's note types or decks are not JSON ({exc})") from exc
    if not isinstance(models, dict) or not isinstance(decks, dict):
        raise Refused("the collection's note types or decks are not JSON objects")
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
            kind = int_field(bytes(config or b""), 1)
        except (ValueError, TypeError) as exc:
            raise Refused(f"the config of note type '{name}' is not readable ({exc})") from exc
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
            raise Refused("the collection lacks Anki's tables (col, notes, cards)")
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
                raise Refused(f"the collection has more than {limits.notes} notes (limit)")
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


def is_dummy(collection: Collection) -> bool:
    """True for the placeholder collection that current packages carry for old Ankis."""
    return len(collection.notes) == 1 and any(
        DUMMY_NOTE in value for value in collection.notes[0].fields
    )
