"""Round trips: export a set, import it again, and get the same questions.

CSV, the app's own format and Anki packages (whose notes keep each question whole in a field)
hold every type, so their round trips are exact. GIFT leaves out
ordering questions and cloze questions of several gaps (and names them), and changes what the
``quizapp.formats.gift`` docstring lists; ``gift_normalised`` applies exactly those changes.
"""

from __future__ import annotations

import dataclasses
import io
import json
import sqlite3
import zipfile
from typing import Any

import pytest

from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc
from quizapp.formats import EXPORTERS, IMPORTERS
from quizapp.formats.assemble import NO_SOURCE
from quizapp.formats.htmltext import plain_as_rich, rich_as_plain
from quizapp.grading import REGISTRY
from quizapp.grading.cloze import read_gaps
from quizapp.grading.typed import read_cloze
from tests.formats.support import bank, read_fixture

FIXTURE_SETS = [
    ("gift", "every-feature.gift"),
    ("csv", "questions.csv"),
    ("aiken", "quiz.aiken.txt"),
    ("anki_text", "anki-notes.txt"),
    ("anki_text", "anki-cloze.txt"),
]


def fixture_set(importer: str, name: str) -> SetDoc:
    doc = read_fixture(importer, name).doc
    assert doc is not None
    return doc


def all_sets() -> list[tuple[str, SetDoc]]:
    return [("bank", bank())] + [(name, fixture_set(fmt, name)) for fmt, name in FIXTURE_SETS]


def round_trip(doc: SetDoc, fmt: str) -> SetDoc:
    data = EXPORTERS[fmt].write(doc)
    result = IMPORTERS[fmt].read(data, f"again{EXPORTERS[fmt].extension}")
    assert result.problems == ()
    assert result.doc is not None
    return result.doc


@pytest.mark.parametrize(("name", "doc"), all_sets(), ids=[n for n, _ in all_sets()])
@pytest.mark.parametrize("fmt", ["native", "csv", "anki_package"])
def test_exact_round_trips(name: str, doc: SetDoc, fmt: str) -> None:
    result = EXPORTERS[fmt].export(doc)
    assert (result.skipped, result.warnings) == ((), ())
    back = round_trip(doc, fmt)
    assert back.questions == doc.questions
    assert [(t.id, t.title) for t in back.topics] == [(t.id, t.title) for t in doc.topics]


def gift_normalised(question: QuestionDoc) -> QuestionDoc:
    """Return the question as GIFT gives it back (see the ``quizapp.formats.gift`` docstring).

    Source references go; ``match``, ``unit`` and ``scoring`` go (all_or_nothing and units are
    warned about); a range wins over an answer; texts lose their outer spaces; a cloze prompt
    joins the text on the line before it, and a cloze whose gap ends the text comes back as a
    short answer.
    """
    dropped = ("match", "unit") if question.type == "ordering" else ("match", "unit", "scoring")
    spec: dict[str, Any] = {k: v for k, v in question.spec.items() if k not in dropped}
    if spec.get("scoring") == "partial":
        del spec["scoring"]  # the default, written by nobody
    if "range" in spec:
        spec.pop("answer", None)
    prompt = question.prompt.strip()
    qtype = question.type
    if qtype == "cloze":
        cloze = read_cloze(spec["text"])
        before = f"{prompt}\n{cloze.texts[0]}" if prompt else cloze.texts[0]
        gap = "|".join(cloze.gaps[0])
        if cloze.texts[1].strip():
            spec = {"text": f"{before}[[{gap}]]{cloze.texts[1]}".strip()}
            prompt = ""
        else:
            qtype, spec, prompt = "short_answer", {"answers": list(cloze.gaps[0])}, before.strip()
    return dataclasses.replace(
        question,
        type=qtype,
        prompt=prompt,
        spec=spec,
        explanation=question.explanation.strip(),
        source=NO_SOURCE,
    )


def gift_writable(question: QuestionDoc) -> bool:
    return question.type != "cloze" or len(read_cloze(question.spec["text"]).gaps) == 1


@pytest.mark.parametrize(("name", "doc"), all_sets(), ids=[n for n, _ in all_sets()])
def test_gift_round_trip(name: str, doc: SetDoc) -> None:
    result = EXPORTERS["gift"].export(doc)
    left_out = [q for q in doc.questions if not gift_writable(q)]
    assert [p.message.split("'")[1] for p in result.skipped] == [q.id for q in left_out]
    if len(left_out) == len(doc.questions):
        assert result.data == b""
        return
    back = round_trip(doc, "gift")
    assert back.questions == tuple(gift_normalised(q) for q in doc.questions if gift_writable(q))


def test_the_bank_through_gift_leaves_out_only_multi_gap_cloze() -> None:
    result = EXPORTERS["gift"].export(bank())
    reasons = {p.message.split(": ", 1)[1].split(" and ")[0] for p in result.skipped}
    assert reasons <= {f"it has {n} gaps" for n in range(2, 10)}
    assert [p.message for p in result.warnings] == [
        "GIFT has no source references: sections and quotes are left out"
    ]


def test_the_gift_fixture_survives_gift_exactly() -> None:
    doc = fixture_set("gift", "every-feature.gift")
    back = round_trip(doc, "gift")
    assert back.questions == doc.questions
    assert back.topics == doc.topics


def _in(topic: str, qid: str) -> QuestionDoc:
    return QuestionDoc(qid, topic, "true_false", f"{qid}?", {"answer": True}, "", NO_SOURCE)


NESTED = SetDoc(
    id="nested",
    title="nested",
    description="",
    version="1",
    source=SourceDoc("Imported from nested", ""),
    topics=(
        TopicDoc("iota-kappa-lambda", "Iota / Kappa / Lambda"),
        TopicDoc("iota-kappa", "Iota / Kappa"),
        TopicDoc("bio-cells", "Bio / Cells"),
        TopicDoc("chem-cells", "Chem / Cells"),
        TopicDoc("io", "Input/Output / Disks"),
    ),
    questions=(
        _in("iota-kappa-lambda", "q1"),
        _in("iota-kappa", "q2"),
        _in("bio-cells", "q3"),
        _in("chem-cells", "q4"),
        _in("io", "q5"),
    ),
)


@pytest.mark.parametrize("fmt", ["native", "csv", "gift", "moodle_xml"])
def test_nested_topics_keep_their_titles_and_ids(fmt: str) -> None:
    # Moodle XML and GIFT write a title's levels as a category path, CSV the title as written.
    back = round_trip(NESTED, fmt)
    assert [(t.id, t.title) for t in back.topics] == [(t.id, t.title) for t in NESTED.topics]
    assert [(q.id, q.topic) for q in back.questions] == [(q.id, q.topic) for q in NESTED.questions]


@pytest.mark.parametrize(("name", "doc"), all_sets(), ids=[n for n, _ in all_sets()])
def test_aiken_round_trip_keeps_prompts_and_choices(name: str, doc: SetDoc) -> None:
    single = [q for q in doc.questions if q.type == "single_choice"]
    back = IMPORTERS["aiken"].read(EXPORTERS["aiken"].write(doc), "again.txt").doc
    assert back is not None
    # Aiken is plain text: what comes back is the text a question shows, HTML reduced to it.
    assert [(q.prompt, q.spec) for q in back.questions] == [
        (
            plain_as_rich(
                "\n".join(
                    line.strip() for line in rich_as_plain(q.prompt).splitlines() if line.strip()
                )
            ),
            {
                "choices": [
                    {k: v for k, v in c.items() if k != "feedback"} for c in q.spec["choices"]
                ]
            },
        )
        for q in single
    ]


def _cloze(qid: str, spec: dict[str, Any]) -> QuestionDoc:
    return QuestionDoc(
        id=qid, topic="t", type="cloze", prompt="", spec=spec, explanation="", source=NO_SOURCE
    )


CLOZE_KINDS = SetDoc(
    id="cloze-kinds",
    title="cloze-kinds",
    description="",
    version="1",
    source=SourceDoc("Gaps of every kind", ""),
    topics=(TopicDoc("t", "Gaps"),),
    questions=(
        _cloze(
            "every-kind",
            {
                "text": "Cells are [[1]] and [[2]] in vitro, about [[3]] days, in [[4]] or [[5]].",
                "gaps": [
                    {"answers": ["extracted", "collected"], "feedback": "From the blood."},
                    {
                        "kind": "choice",
                        "choices": [
                            {"text": "amplified", "correct": True, "feedback": "Yes & more."},
                            {"text": "frozen {sic}", "feedback": "No: #1 ~ grown."},
                            {"text": "halved <not>", "credit": 0.5},
                        ],
                        "shuffle": True,
                        "weight": 2,
                    },
                    {"kind": "numeric", "answer": 10, "tolerance": 2, "feedback": "Ten."},
                    {"kind": "numeric", "answer": 0.1, "weight": 3},
                    {"kind": "choice", "choices": [{"text": "a", "correct": True}, {"text": "b"}]},
                ],
            },
        ),
        _cloze("inline", {"text": "Typed [[a|b]] and [[c]].", "match": {"case": True}}),
        _cloze(
            "one-choice",
            {
                "text": "The [[1]] makes ATP.",
                "gaps": [
                    {
                        "kind": "choice",
                        "choices": [
                            {"text": "mitochondrion", "correct": True, "feedback": "Yes."},
                            {"text": "nucleus", "feedback": "It holds the DNA."},
                        ],
                    }
                ],
            },
        ),
        _cloze(
            "one-number",
            {
                "text": "About [[1]] days.",
                "gaps": [{"kind": "numeric", "answer": 10, "tolerance": 2}],
            },
        ),
        _cloze("one-typed", {"text": "A [[1]] cell.", "gaps": [{"answers": ["T", "helper T"]}]}),
    ),
)


def test_cloze_gaps_of_every_kind_survive_moodle_xml_exactly() -> None:
    exported = EXPORTERS["moodle_xml"].export(CLOZE_KINDS)
    assert (exported.skipped, exported.warnings) == ((), ())
    back = round_trip(CLOZE_KINDS, "moodle_xml")
    # A cloze of one typed gap comes back with it written in the text.
    one_typed = _cloze("one-typed", {"text": "A [[T|helper T]] cell."})
    assert back.questions == (*CLOZE_KINDS.questions[:-1], one_typed)


def _gift_back(question: QuestionDoc) -> QuestionDoc:
    """A one-gap cloze as GIFT reads back its missing-word question: a choice or numeric gap
    is a question of that type with a blank in the prompt."""
    cloze = read_gaps(question.spec)
    gap = cloze.gaps[0]
    prompt = f"{cloze.texts[0]}_____{cloze.texts[1]}"
    if gap.kind == "choice":
        choices = [
            {
                "text": c.text,
                **({"correct": True} if c.credit >= 1 else {}),
                **({"credit": c.credit} if 0 < c.credit < 1 else {}),
                **({"feedback": c.feedback} if c.feedback else {}),
            }
            for c in gap.choices
        ]
        return dataclasses.replace(
            question, type="single_choice", prompt=prompt, spec={"choices": choices}
        )
    if gap.kind == "numeric":
        assert gap.number is not None
        return dataclasses.replace(question, type="numeric", prompt=prompt, spec=gap.number)
    text = f"{cloze.texts[0]}[[{'|'.join(gap.answers)}]]{cloze.texts[1]}"
    return dataclasses.replace(question, spec={"text": text})


def test_one_gap_clozes_of_every_kind_through_gift() -> None:
    result = EXPORTERS["gift"].export(CLOZE_KINDS)
    assert [p.message for p in result.skipped] == [
        "question 'every-kind' is left out: it has 5 gaps and a GIFT missing-word question has one",
        "question 'inline' is left out: it has 2 gaps and a GIFT missing-word question has one",
    ]
    assert result.warnings == ()
    text = result.data.decode()
    assert "The {=mitochondrion#Yes. ~nucleus#It holds the DNA.} makes ATP." in text
    assert "About {#10:2} days." in text
    assert "A {=T =helper T} cell." in text
    back = IMPORTERS["gift"].read(result.data, "again.gift")
    assert (back.problems, back.left_out, back.warnings) == ((), (), ())
    assert back.doc is not None
    written = CLOZE_KINDS.questions[2:]
    # GIFT reads a missing-word choice or number back as its own type, or (if it learns to)
    # as the cloze it was: either way the gap's content is the same.
    for got, question in zip(back.doc.questions, written, strict=True):
        assert got in (question, _gift_back(question)), question.id


def _question(qid: str, topic: str, qtype: str, prompt: str, spec: dict[str, Any]) -> QuestionDoc:
    return QuestionDoc(
        id=qid,
        topic=topic,
        type=qtype,
        prompt=prompt,
        spec=spec,
        explanation=f"Why {qid}: see <b>the text</b>.",
        source=SourceRef("Section 2", f"The sentence behind {qid}."),
        title=f"Title of {qid}",
        tags=("tag one", "two"),
    )


EVERY_TYPE = dataclasses.replace(
    CLOZE_KINDS,
    id="every-type",
    title="Every type :: of question",
    topics=(
        TopicDoc("cells", "Biology / Cells"),
        TopicDoc("numbers", "Numbers"),
        TopicDoc("t", "Gaps"),
    ),
    questions=(
        _question(
            "capital",
            "cells",
            "single_choice",
            'Which is the capital? <img src="media:map.png">',
            {
                "choices": [
                    {"text": "Paris", "correct": True, "feedback": "Yes."},
                    {"text": "Lyon", "credit": 0.5, "feedback": "Close."},
                    {"text": "Nice & co"},
                ]
            },
        ),
        _question(
            "primes",
            "numbers",
            "multiple_response",
            "Which are prime?\nPick every one.",
            {
                "choices": [
                    {"text": "2", "correct": True, "credit": 0.7},
                    {"text": "3", "correct": True, "credit": 0.3},
                    {"text": "4", "credit": -0.5, "feedback": "2 x 2."},
                ]
            },
        ),
        _question(
            "all-or-nothing",
            "numbers",
            "multiple_response",
            "Which are even?",
            {
                "choices": [{"text": "2", "correct": True}, {"text": "3"}],
                "scoring": "all_or_nothing",
            },
        ),
        _question(
            "powerhouse",
            "cells",
            "short_answer",
            "The powerhouse of the cell?",
            {
                "answers": ["mitochondria", "mitochondrion"],
                "partial": [{"text": "chloroplast", "credit": 0.25, "feedback": "Plants."}],
                "otherwise": "Think of energy.",
                "match": {"case": True},
            },
        ),
        _question(
            "days",
            "numbers",
            "numeric",
            "How many days?",
            {
                "answer": 10,
                "tolerance": 1,
                "unit": "days",
                "partial": [
                    {"answer": 12, "tolerance": 1, "credit": 0.5, "feedback": "Close."},
                    {"range": [20, 30], "credit": 0.25},
                ],
                "otherwise": "About ten.",
            },
        ),
        _question("range", "numbers", "numeric", "Between?", {"range": [1.5, 2.5]}),
        _question(
            "dna",
            "cells",
            "true_false",
            "DNA is a protein.",
            {"answer": False, "feedback_true": "No.", "feedback_false": "Right."},
        ),
        _question(
            "pairs",
            "cells",
            "matching",
            "Match the organelles.",
            {
                "pairs": [
                    {"left": "nucleus", "right": "DNA"},
                    {"left": "ribosome", "right": "proteins"},
                ],
                "distractors": ["lipids"],
            },
        ),
        _question(
            "steps",
            "cells",
            "ordering",
            "Order the steps.",
            {"items": ["collect", "engineer", "expand", "infuse"], "scoring": "all_or_nothing"},
        ),
        _question("typed", "t", "cloze", "", {"text": "A [[T::cell}}|helper T]] and [[B]]."}),
        *CLOZE_KINDS.questions,
    ),
)
MEDIA = {"map.png": b"\x89PNG\r\n\x1a\n a map", "unused.png": b"not shown"}


def test_every_type_and_gap_survives_an_anki_package_exactly() -> None:
    assert all(REGISTRY[q.type].validate(q.spec) == [] for q in EVERY_TYPE.questions)
    exported = EXPORTERS["anki_package"].export(EVERY_TYPE, MEDIA)
    assert (exported.skipped, exported.warnings) == ((), ())
    back = IMPORTERS["anki_package"].read(exported.data, "again.apkg")
    assert (back.problems, back.warnings, back.left_out) == ((), (), ())
    assert back.doc is not None
    assert back.doc.questions == EVERY_TYPE.questions
    assert back.doc.topics == EVERY_TYPE.topics
    assert [(f.name, f.data) for f in back.media] == [("map.png", MEDIA["map.png"])]


def _package(data: bytes) -> tuple[zipfile.ZipFile, sqlite3.Connection]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    con = sqlite3.connect(":memory:")
    con.deserialize(archive.read("collection.anki2"))
    return archive, con


def test_the_anki_package_is_a_collection_with_readable_cards_and_its_media() -> None:
    data = EXPORTERS["anki_package"].export(EVERY_TYPE, MEDIA).data
    archive, con = _package(data)
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["0", "collection.anki2", "media"]
    assert json.loads(archive.read("media")) == {"0": "map.png"}
    assert archive.read("0") == MEDIA["map.png"]
    models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
    kinds = {m["name"]: (m["type"], [f["name"] for f in m["flds"]]) for m in models.values()}
    assert kinds == {
        "quizapp Basic": (0, ["Front", "Back", "quizapp"]),
        "quizapp Cloze": (1, ["Text", "Back Extra", "quizapp"]),
    }
    assert all("quizapp" not in t["qfmt"] + t["afmt"] for m in models.values() for t in m["tmpls"])
    decks = {
        d["name"] for d in json.loads(con.execute("SELECT decks FROM col").fetchone()[0]).values()
    }
    assert decks == {
        "Default",
        "Every type : of question::Biology::Cells",
        "Every type : of question::Numbers",
        "Every type : of question::Gaps",
    }
    notes = {
        row[0].split("\x1f")[0]: row[1]
        for row in con.execute(
            "SELECT flds, (SELECT COUNT(*) FROM cards WHERE nid = notes.id) FROM notes"
        )
    }
    assert len(notes) == len(EVERY_TYPE.questions)  # one note per question
    assert all(count == 1 for count in notes.values())  # and one card: the app asks it whole
    fronts = list(notes)
    assert fronts[0] == (
        'Which is the capital? <img src="map.png"><ol type="A"><li>Paris</li><li>Lyon</li>'
        "<li>Nice &amp; co</li></ol>"
    )
    assert "A [[T&#58;&#58;cell&#125;&#125;" not in fronts[9]
    assert fronts[9] == "A {{c1::T&#58;&#58;cell&#125;&#125;}} and {{c1::B}}."
    backs = [row[0].split("\x1f")[1] for row in con.execute("SELECT flds FROM notes ORDER BY id")]
    assert backs[0].startswith('A. Paris<div class="explanation">Why capital')
    assert backs[4].startswith("10 ± 1 days")
    tags = [row[0] for row in con.execute("SELECT tags FROM notes ORDER BY id")]
    assert set(tags) == {" tag_one two ", "  "}  # the gap clozes have no tags


def test_anki_ids_are_stable_so_a_second_import_into_anki_updates() -> None:
    def ids(data: bytes) -> tuple[list[str], list[str], list[str], list[int]]:
        _, con = _package(data)
        col = con.execute("SELECT models, decks FROM col").fetchone()
        return (
            [row[0] for row in con.execute("SELECT guid FROM notes ORDER BY id")],
            sorted(json.loads(col[0])),
            sorted(json.loads(col[1])),
            sorted({row[0] for row in con.execute("SELECT did FROM cards")}),
        )

    first = ids(EXPORTERS["anki_package"].write(EVERY_TYPE))
    assert first == ids(EXPORTERS["anki_package"].write(EVERY_TYPE))
    assert len(set(first[0])) == len(EVERY_TYPE.questions)
    other = dataclasses.replace(EVERY_TYPE, id="another-set")
    second = ids(EXPORTERS["anki_package"].write(other))
    assert set(first[0]).isdisjoint(second[0])  # guids hash the set id and the question id
    assert first[1] == second[1]  # one pair of note types for every set


def test_missing_media_is_warned_about_and_the_question_still_written() -> None:
    exported = EXPORTERS["anki_package"].export(EVERY_TYPE)
    assert [p.message for p in exported.warnings] == [
        "question 'capital': the image 'map.png' is not in the package: it was not given"
    ]
    back = IMPORTERS["anki_package"].read(exported.data, "again.apkg")
    assert back.doc is not None
    assert back.doc.questions == EVERY_TYPE.questions


def test_without_its_quizapp_field_a_note_is_read_as_anki_shows_it() -> None:
    data = EXPORTERS["anki_package"].export(EVERY_TYPE, MEDIA).data
    archive, con = _package(data)
    rows = list(con.execute("SELECT id, flds FROM notes ORDER BY id"))
    spoiled = {rows[0][0]: "not json", rows[3][0]: ""}
    for nid, flds in rows:
        if nid in spoiled:
            front, back, _ = flds.split("\x1f")
            value = "\x1f".join([front, back, spoiled[nid]])
            con.execute("UPDATE notes SET flds = ? WHERE id = ?", (value, nid))
    con.commit()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name in archive.namelist():
            data_of = con.serialize() if name == "collection.anki2" else archive.read(name)
            package.writestr(name, data_of)
    back = IMPORTERS["anki_package"].read(out.getvalue(), "again.apkg")
    assert back.doc is not None
    assert [p.message.split(":")[1] for p in back.warnings] == [
        " its 'quizapp' field cannot be read (Expecting value"
    ]
    got = {q.id: q for q in back.doc.questions}
    assert len(got) == len(EVERY_TYPE.questions)
    capital = back.doc.questions[0]
    assert (capital.type, capital.spec) == ("short_answer", {"answers": ["A. Paris"]})
    assert capital.prompt.startswith('Which is the capital? <img src="media:map.png">')
    assert capital.explanation == "Why capital: see <b>the text</b>."
    powerhouse = back.doc.questions[3]
    assert (powerhouse.type, powerhouse.spec) == ("short_answer", {"answers": ["mitochondria"]})


def _partly(qid: str, qtype: str, spec: dict[str, Any]) -> QuestionDoc:
    return QuestionDoc(
        id=qid,
        topic="t",
        type=qtype,
        prompt=f"Prompt of {qid}?",
        spec=spec,
        explanation=f"Why {qid}.",
        source=NO_SOURCE,
        title=f"Title of {qid}",
        tags=("partial",),
    )


PARTIAL_CREDIT = SetDoc(
    id="partial-credit",
    title="partial-credit",
    description="",
    version="1",
    source=SourceDoc("Partial credit of every kind", ""),
    topics=(TopicDoc("t", "Partial credit"),),
    questions=(
        _partly(
            "single",
            "single_choice",
            {
                "choices": [
                    {"text": "B cell maturation antigen", "correct": True},
                    {"text": "B cell antigen", "credit": 0.5, "feedback": "Which kind?"},
                    {"text": "T cell receptor", "credit": 0.1},
                    {"text": "CD19"},
                ]
            },
        ),
        _partly(
            "multiple",
            "multiple_response",
            {
                "choices": [
                    {"text": "Heterogeneity", "correct": True, "credit": 0.75},
                    {"text": "Immune escape", "correct": True, "credit": 0.25, "feedback": "Yes."},
                    {"text": "Aging", "credit": -0.5, "feedback": "No."},
                    {"text": "Anemia", "credit": -1},
                    {"text": "Fever"},
                ],
                "scoring": "partial",
            },
        ),
        _partly(
            "short",
            "short_answer",
            {
                "answers": ["B cell maturation antigen", "BCMA"],
                "partial": [
                    {"text": "maturation antigen", "credit": 0.5, "feedback": "Which cells?"},
                    {"text": "antigen", "credit": 0.2},
                ],
                "otherwise": "The review names BCMA.",
            },
        ),
        _partly(
            "number",
            "numeric",
            {
                "answer": 4,
                "tolerance": 0,
                "partial": [
                    {
                        "answer": 3,
                        "tolerance": 0,
                        "credit": 0.5,
                        "feedback": "One step is missing.",
                    },
                    {"answer": 5, "tolerance": 0.5, "credit": 0.25},
                ],
                "otherwise": "Count the steps.",
            },
        ),
        _partly("only-otherwise", "numeric", {"answer": 4.5, "otherwise": "Think again."}),
    ),
)


def test_partial_credit_of_every_kind_survives_gift_and_moodle_xml() -> None:
    assert all(REGISTRY[q.type].validate(q.spec) == [] for q in PARTIAL_CREDIT.questions)
    for fmt in ("gift", "moodle_xml"):
        exported = EXPORTERS[fmt].export(PARTIAL_CREDIT)
        assert (exported.skipped, exported.warnings) == ((), ()), fmt
        back = round_trip(PARTIAL_CREDIT, fmt)
        if fmt == "gift":
            assert back.questions == tuple(gift_normalised(q) for q in PARTIAL_CREDIT.questions)
        else:
            # Moodle gives every number a tolerance (0 when none is written).
            only_otherwise = PARTIAL_CREDIT.questions[-1]
            spec = {**only_otherwise.spec, "tolerance": 0}
            expected = (
                *PARTIAL_CREDIT.questions[:-1],
                dataclasses.replace(only_otherwise, spec=spec),
            )
            assert back.questions == expected


def test_partial_credit_of_every_kind_survives_csv() -> None:
    exported = EXPORTERS["csv"].export(PARTIAL_CREDIT)
    assert (exported.skipped, exported.warnings) == ((), ())
    assert round_trip(PARTIAL_CREDIT, "csv").questions == PARTIAL_CREDIT.questions
