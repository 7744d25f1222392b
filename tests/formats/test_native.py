"""The app's own YAML format through the registry."""

from __future__ import annotations

import dataclasses

from quizapp.bank.model import SourceDoc
from quizapp.formats.native import EXPORTER, IMPORTER
from tests.formats.support import BANK, bank, messages


def test_the_bank_exports_with_its_document_inline_and_reads_back_equal() -> None:
    doc = bank()
    data = EXPORTER.write(doc)
    assert b"\n  file:" not in data
    result = IMPORTER.read(data, "car-t-myeloma.yaml")
    assert result.problems == ()
    assert result.doc is not None
    assert result.doc == dataclasses.replace(
        doc, source=SourceDoc(doc.source.title, doc.source.text)
    )
    assert result.doc.source.text.startswith("I. Introduction")


def test_a_set_id_given_replaces_the_files_own() -> None:
    result = IMPORTER.read(EXPORTER.write(bank()), "x.yaml", set_id="renamed")
    assert result.doc is not None
    assert result.doc.id == "renamed"


def test_an_upload_cannot_name_a_source_file() -> None:
    result = IMPORTER.read(BANK.read_bytes(), "car-t-myeloma.yaml")
    assert messages(result.problems) == [
        "car-t-myeloma.yaml:14: source file 'car-t-myeloma.source.txt' cannot be read here: "
        "paste the text instead"
    ]


def test_yaml_problems_and_bad_bytes_are_reported() -> None:
    assert messages(IMPORTER.read(b"id: [unclosed\n", "x.yaml").problems) == [
        "x.yaml:2: not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]
    assert messages(IMPORTER.read(b"id: x\ntitle: caf\xe9\n", "x.yaml").problems) == [
        "x.yaml:2: not UTF-8 text (byte 0xe9 at column 11): save the file as UTF-8"
    ]


SET_WITH_A_BROKEN_QUESTION = b"""\
id: s
title: T
version: "1"
source: {title: Doc, text: Hello.}
topics:
  - {id: t, title: Topic}
questions:
  - id: a
    topic: t
    type: true_false
    prompt: First?
    answer: true
  - id: b
    topic: t
    type: true_false
    prompt: Second?
    answer: true
    tags: [1]
  - id: c
    topic: t
    type: true_false
    prompt: Third?
    answer: false
"""


def test_a_question_with_a_problem_of_shape_is_left_out_and_the_others_kept() -> None:
    result = IMPORTER.read(SET_WITH_A_BROKEN_QUESTION, "s.yaml")
    assert result.problems == ()
    assert messages(result.left_out) == ["s.yaml:18: a tag must be non-empty text, not a number"]
    assert result.doc is not None
    assert [q.id for q in result.doc.questions] == ["a", "c"]
    assert result.ok_without_left_out


def test_a_problem_outside_the_questions_is_the_files() -> None:
    data = SET_WITH_A_BROKEN_QUESTION.replace(b"title: T\n", b"title: [T]\n")
    result = IMPORTER.read(data, "s.yaml")
    assert messages(result.problems) == ["s.yaml:2: title must be text, not a list"]
    assert len(result.left_out) == 1


def test_a_problem_on_a_line_shared_with_the_file_is_the_files() -> None:
    result = IMPORTER.read(b"{id: s, questions: [{id: a, tags: 3}]}", "s.yaml")
    assert messages(result.problems) == ["s.yaml:1: tags must be a list, not a number"]
    assert result.left_out == ()
    assert result.doc is not None
    assert len(result.doc.questions) == 1
