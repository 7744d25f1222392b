"""Round trips: export a set, import it again, and get the same questions.

CSV and the app's own format hold every type, so their round trips are exact. GIFT leaves out
ordering questions and cloze questions of several gaps (and names them), and changes what the
``quizapp.formats.gift`` docstring lists; ``gift_normalised`` applies exactly those changes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, TopicDoc
from quizapp.formats import EXPORTERS, IMPORTERS
from quizapp.formats.assemble import NO_SOURCE
from quizapp.formats.htmltext import plain_as_rich, rich_as_plain
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
@pytest.mark.parametrize("fmt", ["native", "csv"])
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
    spec: dict[str, Any] = {
        k: v for k, v in question.spec.items() if k not in ("match", "unit", "scoring")
    }
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
    if question.type == "ordering":
        return False
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


def test_the_bank_through_gift_leaves_out_only_ordering_and_multi_gap_cloze() -> None:
    result = EXPORTERS["gift"].export(bank())
    reasons = {p.message.split(": ", 1)[1].split(" and ")[0] for p in result.skipped}
    assert reasons <= {"GIFT has no ordering questions"} | {
        f"it has {n} gaps" for n in range(2, 10)
    }
    assert [p.message for p in result.warnings] == [
        "GIFT has no source references: sections and quotes are left out"
    ]


def test_the_gift_fixture_survives_gift_exactly() -> None:
    doc = fixture_set("gift", "every-feature.gift")
    back = round_trip(doc, "gift")
    assert back.questions == doc.questions
    assert back.topics == doc.topics


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
