"""Round trips: export a set, import it again, and get the same questions.

CSV and the app's own format hold every type, so their round trips are exact. GIFT leaves out
ordering questions and cloze questions of several gaps (and names them), and changes what the
``quizapp.formats.gift`` docstring lists; ``gift_normalised`` applies exactly those changes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from quizapp.bank.model import QuestionDoc, SetDoc
from quizapp.formats import EXPORTERS, IMPORTERS
from quizapp.formats.assemble import NO_SOURCE
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
    assert [(q.prompt, q.spec) for q in back.questions] == [
        (
            "\n".join(line.strip() for line in q.prompt.splitlines() if line.strip()),
            {
                "choices": [
                    {k: v for k, v in c.items() if k != "feedback"} for c in q.spec["choices"]
                ]
            },
        )
        for q in single
    ]
