"""Moodle cloze ("embedded answers") gaps of every kind: read, written, and read again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, TopicDoc
from quizapp.formats.assemble import NO_SOURCE
from quizapp.formats.base import ImportResult
from quizapp.formats.moodle_xml import EXPORTER, IMPORTER
from quizapp.grading import REGISTRY

KINDS = Path(__file__).parent / "fixtures" / "moodle-cloze-kinds.xml"


def line_of(fragment: str) -> int:
    lines = KINDS.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if fragment in line)


@pytest.fixture(scope="module")
def result() -> ImportResult:
    return IMPORTER.read(KINDS.read_bytes(), KINDS.name)


def test_every_common_gap_kind_is_read(result: ImportResult) -> None:
    assert result.doc is not None
    car_t, genes = result.doc.questions
    assert (car_t.id, car_t.title, car_t.prompt) == ("car-t", "CAR-T cells", "")
    assert car_t.explanation == "The cells are the patient's own."
    assert car_t.spec == {
        "text": "CAR-T cells are [[1]] from the patient, [[2]] in vitro for about [[3]] days, "
        "then given back through a [[4]] (one of the [[5]] they hold).",
        "gaps": [
            # SHORTANSWER: the 100% answers; the feedback of '*' is the gap's.
            {
                "answers": ["extracted", "collected"],
                "feedback": "They come from the patient's blood.",
            },
            # MULTICHOICE of mark 2: a choice gap of weight 2, partial credit and feedback kept.
            {
                "kind": "choice",
                "choices": [
                    {"text": "amplified", "correct": True, "feedback": "Yes: grown in number."},
                    {"text": "frozen", "feedback": "No, they are grown."},
                    {
                        "text": "activated",
                        "credit": 0.5,
                        "feedback": "Half right: they are also grown.",
                    },
                    {"text": "halved"},
                ],
                "weight": 2,
            },
            # NUMERICAL answer:tolerance, mark 3.
            {
                "kind": "numeric",
                "answer": 10,
                "tolerance": 2,
                "feedback": "About ten days.",
                "weight": 3,
            },
            # MULTICHOICE_S: shuffled; '\~' is a tilde.
            {
                "kind": "choice",
                "choices": [
                    {"text": "vein", "correct": True},
                    {"text": "muscle"},
                    {"text": "bone ~ marrow"},
                ],
                "shuffle": True,
            },
            # MCV (radio buttons in Moodle): a choice gap like any other.
            {
                "kind": "choice",
                "choices": [{"text": "T cells", "correct": True}, {"text": "B cells"}],
            },
        ],
    }
    assert [car_t.line_of(("gaps", i)) for i in range(5)] == [14, 15, 16, 17, 18]
    assert genes.spec == {
        "text": "The gene [[1]] and the [[2]] protein.",
        "gaps": [
            {"answers": ["BRCA1"]},
            {"kind": "choice", "choices": [{"text": "p53", "correct": True}, {"text": "p63"}]},
        ],
        "match": {"case": True},  # every typed gap is SHORTANSWER_C
    }
    for question in result.doc.questions:
        assert REGISTRY["cloze"].validate(question.spec) == [], question.id


def test_what_is_changed_or_left_out_is_said_at_the_gap(result: ImportResult) -> None:
    assert result.problems == ()
    assert [(p.line, p.message) for p in result.left_out] == [
        (
            line_of("{1:MULTIRESPONSE:"),
            "'Tick boxes': gap 2 (MULTIRESPONSE) lets the learner tick several answers, which "
            "the app's cloze gaps cannot hold (a gap takes one answer); the question is not "
            "imported",
        )
    ]
    assert [(w.line, w.message) for w in result.warnings] == [
        (14, "'CAR-T cells': gap 1: answer 'taken' (50%) is not kept"),
        (
            14,
            "'CAR-T cells': gap 1: the feedback of its right answers is not kept (a gap's "
            "feedback is shown when the gap is not filled right)",
        ),
        (
            15,
            "'CAR-T cells': gap 2: choice 'halved' took away 50% in Moodle; in the app it is "
            "simply wrong",
        ),
        (
            16,
            "'CAR-T cells': gap 3: answer 14:1 (50%) is not kept: a numeric gap has one right "
            "answer and no partial credit",
        ),
    ]


def test_the_gaps_are_written_back_as_moodle_writes_them(result: ImportResult) -> None:
    assert result.doc is not None
    exported = EXPORTER.export(result.doc)
    assert (exported.skipped, exported.warnings) == ((), ())
    text = exported.data.decode("utf-8")
    assert (
        "CAR-T cells are {1:SHORTANSWER:=extracted~=collected~*#They come from the patient's "
        "blood.} from the patient, {2:MULTICHOICE:=amplified#Yes: grown in number.~frozen#No, "
        "they are grown.~%50%activated#Half right: they are also grown.~halved} in vitro for "
        "about {3:NUMERICAL:=10:2~*#About ten days.} days, then given back through a "
        "{1:MULTICHOICE_S:=vein~muscle~bone \\~ marrow} (one of the {1:MULTICHOICE:=T cells~B "
        "cells} they hold)."
    ) in text
    assert "The gene {1:SHORTANSWER_C:=BRCA1} and the {1:MULTICHOICE:=p53~p63} protein." in text
    back = IMPORTER.read(exported.data, "again.xml")
    assert (back.problems, back.left_out, back.warnings) == ((), (), ())
    assert back.doc is not None
    assert back.doc.questions == result.doc.questions


def _cloze(qid: str, spec: dict[str, object]) -> QuestionDoc:
    return QuestionDoc(
        id=qid,
        topic="t",
        type="cloze",
        prompt="",
        spec=spec,
        explanation="",
        source=NO_SOURCE,
    )


def _set(*questions: QuestionDoc) -> SetDoc:
    return SetDoc(
        id="s",
        title="s",
        description="",
        version="1",
        source=SourceDoc("Imported from s.xml", ""),
        topics=(TopicDoc("t", "T"),),
        questions=questions,
    )


def test_what_moodle_gaps_cannot_hold_is_said_when_writing() -> None:
    doc = _set(
        _cloze(
            "c",
            {
                "text": "[[1]] [[2]] [[3]]",
                "gaps": [
                    {"kind": "numeric", "range": [0.1, 0.2], "unit": "mg", "weight": 0.5},
                    {
                        "kind": "choice",
                        "choices": [{"text": "a", "correct": True}, {"text": "b"}],
                        "feedback": "Not b.",
                    },
                    {"answers": ["x"], "weight": 1.5},
                ],
            },
        )
    )
    exported = EXPORTER.export(doc)
    assert [p.message for p in exported.warnings] == [
        "question 'c': the gaps' weights (0.5, 1, 1.5) are written as marks 1, 2, 3: Moodle's "
        "marks are whole numbers",
        "question 'c': gap 1: the unit 'mg' is left out (Moodle's gaps have none)",
        "question 'c': gap 1: the range [0.1, 0.2] is written as 0.15 ± 0.05",
        "question 'c': gap 2: its feedback is written as the feedback of each choice that is not "
        "right and has none (Moodle gives feedback per choice)",
    ]
    text = exported.data.decode("utf-8")
    assert "{1:NUMERICAL:=0.15:0.05} {2:MULTICHOICE:=a~b#Not b.} {3:SHORTANSWER:=x}" in text
    back = IMPORTER.read(exported.data, "s.xml")
    assert back.doc is not None
    assert back.doc.questions[0].spec["gaps"] == [
        {"kind": "numeric", "answer": 0.15, "tolerance": 0.05},
        {
            "kind": "choice",
            "choices": [{"text": "a", "correct": True}, {"text": "b", "feedback": "Not b."}],
            "weight": 2,
        },
        {"answers": ["x"], "weight": 3},
    ]


def test_numbers_are_written_as_the_spec_has_them() -> None:
    spec: dict[str, object] = {
        "text": "[[1]] [[2]]",
        "gaps": [
            {"kind": "numeric", "answer": 0.1, "tolerance": 0.0001},
            {"kind": "numeric", "answer": 123456789012345, "tolerance": 0},
        ],
    }
    exported = EXPORTER.export(_set(_cloze("n", spec)))
    assert "{1:NUMERICAL:=0.1:0.0001} {1:NUMERICAL:=123456789012345:0}" in exported.data.decode()
    back = IMPORTER.read(exported.data, "n.xml")
    assert back.doc is not None
    assert back.doc.questions[0].spec == spec
    assert dataclasses.replace(back.doc.questions[0], locations={}) == _cloze("n", spec)
