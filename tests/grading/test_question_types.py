"""Every registered question type provides every behaviour, and its parts agree.

A new type gets an example spec in ``EXAMPLES`` (the first test fails until it has one); the
other tests then check it like the rest: the answer area it presents, the form fields that
submit its sample responses and how it reads them back, grading, words, feedback lines, the
chance of a guess and the answer digest. Its partial is rendered in tests/study.
"""

from __future__ import annotations

import string
from typing import Any

import pytest

from quizapp.grading import REGISTRY, QuestionType, get_type
from quizapp.grading.presenting import Form, FormFields, PartLine, Presented

EXAMPLES: dict[str, dict[str, Any]] = {
    "single_choice": {
        "choices": [{"text": "Paris", "correct": True}, {"text": "Lyon"}, {"text": "Nice"}]
    },
    "multiple_response": {
        "choices": [
            {"text": "2", "correct": True},
            {"text": "3", "correct": True},
            {"text": "4"},
            {"text": "6"},
        ]
    },
    "true_false": {"answer": True},
    "short_answer": {"answers": ["Rome", "Roma"]},
    "cloze": {"text": "The [[cat]] sat on the [[mat|rug]]."},
    "matching": {
        "pairs": [{"left": "France", "right": "Paris"}, {"left": "Italy", "right": "Rome"}],
        "distractors": ["Madrid"],
    },
    "ordering": {"items": ["first", "second", "third", "fourth"]},
    "numeric": {"answer": 4, "tolerance": 0.5, "unit": "mg"},
}

TYPES = sorted(REGISTRY)


def as_form(fields: FormFields) -> Form:
    """The fields as the study page reads them (``MultiDict.to_dict(flat=False)``)."""
    form: dict[str, list[str]] = {}
    for name, value in fields:
        form.setdefault(name, []).append(value)
    return form


def test_every_registered_type_has_an_example() -> None:
    assert set(EXAMPLES) == set(REGISTRY)


@pytest.mark.parametrize("name", TYPES)
def test_the_example_is_valid_and_the_type_is_registered_by_its_name(name: str) -> None:
    qtype = get_type(name)
    assert isinstance(qtype, QuestionType)
    assert qtype.name == name
    assert qtype.label
    assert qtype.validate(EXAMPLES[name]) == []


@pytest.mark.parametrize("name", TYPES)
def test_the_answer_area_names_the_types_partial(name: str) -> None:
    qtype = get_type(name)
    presented = qtype.present(EXAMPLES[name], seed=3)
    assert isinstance(presented, Presented)
    assert presented.template == qtype.template == f"questiontypes/{name}.html"
    assert presented.focus_submit is qtype.focus_submit
    assert qtype.present(EXAMPLES[name], seed=3) == presented  # stable across a reload
    canonical = sorted(o.index for o in presented.options)
    assert canonical == list(range(len(presented.options)))


@pytest.mark.parametrize("name", TYPES)
def test_sample_responses_go_through_the_form_and_back(name: str) -> None:
    qtype, spec = get_type(name), EXAMPLES[name]
    samples = qtype.sample_responses(spec)
    assert qtype.grade(spec, samples[0]).score == 1.0
    assert any(qtype.grade(spec, r).score < 1.0 for r in samples[1:])
    for response in samples:
        assert qtype.read(spec, as_form(qtype.form_fields(response))) == response


@pytest.mark.parametrize("name", TYPES)
def test_an_empty_form_reads_as_a_wrong_answer(name: str) -> None:
    qtype, spec = get_type(name), EXAMPLES[name]
    assert qtype.grade(spec, qtype.read(spec, {})).score == 0.0


@pytest.mark.parametrize("name", TYPES)
def test_a_response_is_described_in_words_with_feedback_lines(name: str) -> None:
    qtype, spec = get_type(name), EXAMPLES[name]
    for response in qtype.sample_responses(spec):
        grade = qtype.grade(spec, response)
        assert qtype.describe(spec, response)
        lines = qtype.part_lines(spec, grade)
        assert all(isinstance(line, PartLine) and line.text for line in lines)
        if grade.score == 1.0:
            assert all(line.correct for line in lines)
    # Whatever cannot be read is described, not raised on.
    for junk in (None, "", [], [None], 99, "x", [5, "a"]):
        assert isinstance(qtype.describe(spec, junk), str)
        assert isinstance(qtype.part_lines(spec, qtype.grade(spec, junk)), list)


@pytest.mark.parametrize("name", TYPES)
def test_chance_digest_and_the_answers_other_questions_must_not_take(name: str) -> None:
    qtype, spec = get_type(name), EXAMPLES[name]
    chance = qtype.chance(spec)
    assert chance is None or 0 < chance < 1
    digest = qtype.answer_digest(spec)
    assert len(digest) == 64
    assert set(digest) <= set(string.hexdigits)
    assert all(isinstance(a, str) and a for a in qtype.typed_answers(spec))
    choices = qtype.choices(spec)
    if choices is not None:
        assert any(correct for _, correct in choices)


@pytest.mark.parametrize("name", TYPES)
def test_a_picked_choice_is_one_the_item_analysis_lists(name: str) -> None:
    """The choices a response picked index the type's ``choices``: the right answer picks
    exactly the correct ones; a type without choices picks none."""
    qtype, spec = get_type(name), EXAMPLES[name]
    choices = qtype.choices(spec)
    right, *wrong = qtype.sample_responses(spec)
    if choices is None:
        assert qtype.picked(right) is None
        return
    picked = qtype.picked(right)
    assert picked is not None
    assert {choices[i][0] for i in picked} == {text for text, correct in choices if correct}
    for response in wrong:
        assert set(qtype.picked(response) or ()) <= set(range(len(choices)))
    for junk in (None, "x", [None, -1, "a", True]):
        assert qtype.picked(junk) == ()


def test_the_types_answer_areas_and_forms_as_before() -> None:
    """What each type's partial gets and which fields it submits, pinned."""
    assert get_type("true_false").present(EXAMPLES["true_false"], 1).options[0].text == "True"
    assert get_type("cloze").present(EXAMPLES["cloze"], 1).gap_count == 2
    assert get_type("numeric").present(EXAMPLES["numeric"], 1).unit == "mg"
    assert get_type("matching").present(EXAMPLES["matching"], 1).lefts == ("France", "Italy")
    ordering = get_type("ordering").present(EXAMPLES["ordering"], 1)
    assert [o.index for o in ordering.options] != [0, 1, 2, 3]  # never the answer at the start
    assert get_type("true_false").form_fields(False) == [("choice", "0")]
    assert get_type("multiple_response").form_fields([0, 2]) == [("choice", "0"), ("choice", "2")]
    assert get_type("short_answer").form_fields("Rome") == [("answer", "Rome")]
    assert get_type("cloze").form_fields(["cat", "mat"]) == [("gap-0", "cat"), ("gap-1", "mat")]
    assert get_type("matching").form_fields([1, 0]) == [("match-0", "1"), ("match-1", "0")]
    assert get_type("ordering").form_fields([2, 0, 1]) == [("order", "2,0,1")]
    positions = {"pos-0": ["2"], "pos-1": ["3"], "pos-2": ["1"], "pos-3": ["4"]}
    assert get_type("ordering").read(EXAMPLES["ordering"], positions) == [2, 0, 1, 3]
    focused = {name for name in REGISTRY if get_type(name).focus_submit}
    assert focused == {"single_choice", "multiple_response", "true_false", "ordering"}
