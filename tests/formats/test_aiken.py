"""Aiken: single-choice questions in, single-choice questions out, the rest reported."""

from __future__ import annotations

import dataclasses

import pytest

from quizapp.bank.model import QuestionDoc, SourceRef
from quizapp.formats.aiken import EXPORTER, IMPORTER
from quizapp.richtext import render_rich
from tests.formats.support import bank, messages, read_fixture, validate_imported


def _choice(text: str, correct: bool = False) -> dict[str, object]:
    return {"text": text, "correct": True} if correct else {"text": text}


QUIZ = [
    (1, "q-b7cf41c6f784", "Which cells proliferate in multiple myeloma?",
     [_choice("Plasma cells", True), _choice("T cells"), _choice("Red blood cells")]),
    (7, "q-4ab95140e431", "Which antigen do most CAR-T products\nfor multiple myeloma target?",
     [_choice("CD19"), _choice("BCMA", True),
      _choice("<span>&lt;script&gt;alert(1)&lt;/script&gt;</span>")]),  # shown as written
    (13, "q-5579c913d2bb", "What is infused back into the patient?",
     [_choice("The engineered T cells", True), _choice("Stem cells")]),
]  # fmt: skip


def test_every_question_of_the_fixture() -> None:
    result = read_fixture("aiken", "quiz.aiken.txt")
    assert (result.problems, result.warnings) == ((), ())
    assert result.doc is not None
    assert (result.doc.id, [(t.id, t.title) for t in result.doc.topics]) == (
        "quiz-aiken",
        [("general", "General")],
    )
    assert [(q.line, q) for q in result.doc.questions] == [
        (line, QuestionDoc(qid, "general", "single_choice", prompt, {"choices": choices}, "",
                           SourceRef("", "")))
        for line, qid, prompt, choices in QUIZ
    ]  # fmt: skip
    assert validate_imported(result.doc) == []


def test_choice_lines_are_kept() -> None:
    doc = read_fixture("aiken", "quiz.aiken.txt").doc
    assert doc is not None
    assert [doc.questions[1].line_of(("choices", i)) for i in range(3)] == [9, 10, 11]


def test_broken_file_leaves_out_every_broken_question_at_its_line() -> None:
    result = read_fixture("aiken", "broken.aiken.txt")
    assert result.problems == ()
    assert messages(result.left_out) == [
        "broken.aiken.txt:1: a choice comes before any question text",
        "broken.aiken.txt:6: answer 'C' is not one of the choices (A, B): 'What is wrong here?'",
        "broken.aiken.txt:8: no 'ANSWER:' line after the choices: 'Where is the answer line?'",
        "broken.aiken.txt:18: a question needs at least two choices: 'Only one choice?'",
        "broken.aiken.txt:20: 'ANSWER:' without a question before it",
        "broken.aiken.txt:24: choice A is given twice: 'Twice the same letter?'",
        "broken.aiken.txt:25: a question needs at least two choices: 'Twice the same letter?'",
    ]
    assert result.doc is not None
    assert [q.prompt for q in result.doc.questions] == [
        "Next question without an answer line before it",
        "Fine question",
    ]
    assert result.ok_without_left_out


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Q\nA. a\nB. b", "t.txt:1: no 'ANSWER:' line after the choices: 'Q'"),
        ("Q\nA. a\nB. b\nANSWER:", "t.txt:4: answer '' is not one of the choices (A, B): 'Q'"),
        ("Q\nA. a\nA. b\nB. c\nANSWER: A", "t.txt:3: choice A is given twice: 'Q'"),
    ],
)
def test_each_mistake_leaves_the_question_out(text: str, problem: str) -> None:
    result = IMPORTER.read(text.encode(), "t.txt")
    assert result.problems == ()
    assert messages(result.left_out) == [problem]
    assert result.doc is not None
    assert result.doc.questions == ()


def test_a_file_without_questions_is_a_problem() -> None:
    result = IMPORTER.read(b"", "t.txt")
    assert messages(result.problems) == ["t.txt:1: the file holds no Aiken questions"]


def test_a_broken_question_is_left_out_and_the_others_imported() -> None:
    text = (
        "One?\nA. a\nB. b\nANSWER: A\n\n"
        "Two?\nA. a\nB. b\nANSWER: C\n\n"
        "Three?\nA. a\nB. b\nANSWER: B\n"
    )
    result = IMPORTER.read(text.encode(), "t.txt")
    assert result.problems == ()
    assert messages(result.left_out) == [
        "t.txt:9: answer 'C' is not one of the choices (A, B): 'Two?'"
    ]
    assert result.doc is not None
    assert [(q.line, q.prompt) for q in result.doc.questions] == [(1, "One?"), (11, "Three?")]
    assert result.ok_without_left_out


def test_export_writes_single_choice_and_reads_back() -> None:
    doc = read_fixture("aiken", "quiz.aiken.txt").doc
    assert doc is not None
    result = EXPORTER.export(doc)
    assert (result.skipped, result.warnings) == ((), ())
    assert result.data.decode().startswith(
        "Which cells proliferate in multiple myeloma?\nA. Plasma cells\nB. T cells\n"
        "C. Red blood cells\nANSWER: A\n\n"
    )
    back = IMPORTER.read(result.data, "quiz.aiken.txt").doc
    assert back is not None
    assert back.questions == doc.questions


def test_export_of_the_bank_names_every_other_type_and_what_is_lost() -> None:
    doc = bank()
    result = EXPORTER.export(doc)
    single = [q for q in doc.questions if q.type == "single_choice"]
    others = [q for q in doc.questions if q.type != "single_choice"]
    assert [p.message for p in result.skipped] == [
        f"question '{q.id}' is left out: Aiken has only single choice" for q in others
    ]
    assert [p.line for p in result.skipped] == [q.line for q in others]
    (warning,) = result.warnings
    assert warning.message.startswith(
        f"Aiken has no feedback, explanations, titles or tags: left out of {len(single)} "
        f"questions ({single[0].id}, "
    )
    back = IMPORTER.read(result.data, "bank.txt").doc
    assert back is not None
    assert [(q.prompt, q.spec) for q in back.questions] == [
        (q.prompt, {"choices": [{k: v for k, v in c.items() if k != "feedback"}
                                for c in q.spec["choices"]]})
        for q in single
    ]  # fmt: skip


@pytest.mark.parametrize(
    "prompt", ["A. looks like a choice", "Fine\nANSWER: B"], ids=["choice", "answer"]
)
def test_export_leaves_out_a_prompt_aiken_would_misread(prompt: str) -> None:
    doc = read_fixture("aiken", "quiz.aiken.txt").doc
    assert doc is not None
    odd = dataclasses.replace(doc.questions[0], prompt=prompt)
    result = EXPORTER.export(dataclasses.replace(doc, questions=(odd,)))
    assert result.data == b""
    assert messages(result.skipped) == [
        "quiz.aiken.txt:1: question 'q-b7cf41c6f784' is left out: more than 26 choices, or a "
        "prompt line that Aiken would read as a choice or an answer"
    ]


def test_choices_need_no_space_after_the_letter_as_in_moodle() -> None:
    result = IMPORTER.read(b"Capital of France?\nA)Paris\nB.London\nC) Rome\nANSWER: A", "t.txt")
    assert (result.problems, result.left_out, result.warnings) == ((), (), ())
    assert result.doc is not None
    assert dict(result.doc.questions[0].spec) == {
        "choices": [_choice("Paris", True), _choice("London"), _choice("Rome")]
    }


def test_a_choice_without_text_leaves_the_question_out() -> None:
    result = IMPORTER.read(b"Q?\nA.\nB. b\nANSWER: B\n", "t.txt")
    assert messages(result.left_out) == ["t.txt:2: choice A has no text: 'Q?'"]
    assert result.doc is not None
    assert result.doc.questions == ()


@pytest.mark.parametrize("stray", ["ANSWER: B", "ANSWER: B (the second one)", "ANSWER:"])
def test_a_stray_answer_line_is_left_out_and_never_joins_the_next_prompt(stray: str) -> None:
    text = f"One?\nA. a\nB. b\nANSWER: A\n{stray}\nTwo?\nA. a\nB. b\nANSWER: B\n"
    result = IMPORTER.read(text.encode(), "t.txt")
    assert messages(result.left_out) == ["t.txt:5: 'ANSWER:' without a question before it"]
    assert result.doc is not None
    assert [(q.line, q.prompt) for q in result.doc.questions] == [(1, "One?"), (6, "Two?")]


def test_text_after_the_answer_letter_is_warned_about() -> None:
    result = IMPORTER.read(b"Q?\nA. a\nB. b\nANSWER: A, B\n", "t.txt")
    assert result.left_out == ()
    assert messages(result.warnings) == [
        "t.txt:4: ', B' after the answer letter A is ignored (an Aiken question has one right "
        "answer): 'Q?'"
    ]
    assert result.doc is not None
    assert result.doc.questions[0].spec["choices"][0] == _choice("a", True)


def test_aiken_text_is_plain_and_shows_exactly_as_written() -> None:
    text = '<html class="cool"> & images?\nA. 2 < 3\nB) <b>bold</b>\nC) a &amp; b\nANSWER: A'
    result = IMPORTER.read(text.encode(), "t.txt")
    assert result.doc is not None
    question = result.doc.questions[0]
    assert question.prompt == '<span>&lt;html class="cool"&gt; &amp; images?</span>'
    assert render_rich(question.prompt, str) == '&lt;html class="cool"&gt; &amp; images?'
    texts = [c["text"] for c in question.spec["choices"]]
    assert texts == ["2 < 3", "<span>&lt;b&gt;bold&lt;/b&gt;</span>", "a &amp; b"]
    assert [str(render_rich(t, str)) for t in texts] == [
        "2 &lt; 3",
        "&lt;b&gt;bold&lt;/b&gt;",
        "a &amp;amp; b",
    ]
    # The export writes the text back as written.
    again = EXPORTER.write(result.doc).decode()
    assert again.splitlines()[:4] == [
        '<html class="cool"> & images?',
        "A. 2 < 3",
        "B. <b>bold</b>",
        "C. a &amp; b",
    ]


def test_export_writes_the_text_of_formatted_questions_and_warns() -> None:
    doc = IMPORTER.read(b"Plain <i> here?\nA. a\nB. b\nANSWER: A\n", "t.txt").doc
    assert doc is not None
    html = dataclasses.replace(doc.questions[0], id="html", prompt="<p>Is <b>this</b> it?</p>")
    result = EXPORTER.export(dataclasses.replace(doc, questions=(doc.questions[0], html)))
    assert result.data.decode().splitlines()[::5] == ["Plain <i> here?", "Is this it?"]
    assert messages(result.warnings) == [
        "t.txt:0: Aiken is plain text: the formatting and pictures of 1 question (html) are "
        "left out, their text is written"
    ]
