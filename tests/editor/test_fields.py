"""Every question type's form shows a spec and reads the same spec back; problems point at
the field they are in."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from quizapp.bank.model import QuestionDoc
from quizapp.bank.validate import check_file, check_text
from quizapp.editor.fields import (
    DEFAULT_MATCH,
    SPEC_FIELDS,
    choice_lines,
    read_choice_lines,
    read_spec,
    spec_values,
)
from quizapp.formats import importer_for
from quizapp.grading import REGISTRY
from tests.bank.test_readme_examples import example_set

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "formats" / "fixtures"
IMPORTED = ("every-feature.gift", "moodle-all.xml", "moodle-cloze-kinds.xml", "questions.csv")


def _questions() -> Iterator[QuestionDoc]:
    for parsed in (
        check_text(example_set(), "README.md"),
        check_file(ROOT / "questions" / "car-t-myeloma.yaml"),
    ):
        assert parsed.doc is not None
        yield from parsed.doc.questions
    for name in IMPORTED:
        data = (FIXTURES / name).read_bytes()
        importer = importer_for(name, data)
        assert importer is not None
        doc = importer.read(data, name).doc
        assert doc is not None
        yield from doc.questions


QUESTIONS = list(_questions())


def _plain(value: Any) -> Any:
    """A spec without what the form leaves to the defaults (they grade the same)."""
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if key == "match":
                item = {k: v for k, v in item.items() if DEFAULT_MATCH.get(k) != v}
                if not item:
                    continue
            if (key, item) in (("scoring", "partial"), ("kind", "typed"), ("shuffle", False)):
                continue
            if key == "correct" and item is False:
                continue
            if key == "partial" and not item:
                continue
            out[key] = _plain(item)
        return out
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def test_every_type_has_a_form() -> None:
    assert set(SPEC_FIELDS) == set(REGISTRY)
    assert {q.type for q in QUESTIONS} == set(REGISTRY)  # the specs below cover every type


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: f"{q.type}:{q.id}")
def test_a_spec_comes_back_from_its_form(question: QuestionDoc) -> None:
    values = spec_values(question.type, question.spec)
    read = read_spec(question.type, values)
    assert _plain(read.spec) == _plain(dict(question.spec))
    assert REGISTRY[question.type].validate(read.spec) == []


def test_blank_rows_are_left_out_and_rows_renumbered() -> None:
    form = {
        "rows-choice": "5",
        "choice-0-text": "Bone marrow",
        "choice-2-text": "Spleen",
        "choice-2-feedback": "No: the marrow.",
        "choice-4-text": "Thymus",
        "correct": "0",
    }
    read = read_spec("single_choice", form)
    assert read.spec == {
        "choices": [
            {"text": "Bone marrow", "correct": True},
            {"text": "Spleen", "feedback": "No: the marrow."},
            {"text": "Thymus"},
        ]
    }
    assert read.fields[("choices", 1, "feedback")] == "choice-2-feedback"
    assert read.fields[("choices", 2, "text")] == "choice-4-text"


def test_a_number_that_is_not_one_is_kept_for_the_validator_to_name() -> None:
    read = read_spec("numeric", {"value": "seventy", "unit": "%"})
    assert read.spec == {"answer": "seventy", "unit": "%"}
    problems = REGISTRY["numeric"].validate(read.spec)
    assert problems
    assert problems[0].path == ("answer",)
    assert read.fields[problems[0].path] == "value"


def test_a_decimal_comma_is_a_number() -> None:
    assert read_spec("numeric", {"value": "1,5", "tolerance": "0.1"}).spec == {
        "answer": 1.5,
        "tolerance": 0.1,
    }


def test_match_rules_are_written_only_when_they_differ_from_the_defaults() -> None:
    plain = read_spec("short_answer", {"answers": "BCMA\nB cell maturation antigen"})
    assert plain.spec == {"answers": ["BCMA", "B cell maturation antigen"]}
    strict = read_spec("short_answer", {"answers": "BCMA", "match-case": "on", "match-typos": "0"})
    assert strict.spec["match"] == {"case": True, "typos": 0}


def test_drop_down_choices_are_one_a_line() -> None:
    choices: list[Mapping[str, Any]] = [
        {"text": "amplified", "correct": True},
        {"text": "grown", "credit": 0.5, "feedback": "Nearly."},
        {"text": "frozen", "feedback": "They are grown in number, not stored."},
    ]
    text = choice_lines(choices)
    assert text.splitlines() == [
        "= amplified",
        "50% grown // Nearly.",
        "frozen // They are grown in number, not stored.",
    ]
    assert read_choice_lines(text) == choices
