"""Partial credit where the formats have it: a choice's credit (negative ones too), partly
right typed answers and numbers, and the feedback for any other answer."""

from __future__ import annotations

from typing import Any

import pytest

from quizapp.grading import get_type

SINGLE: dict[str, Any] = {
    "choices": [
        {"text": "B cell maturation antigen", "correct": True},
        {"text": "B cell antigen", "credit": 0.5, "feedback": "Half right: which kind?"},
        {"text": "T cell receptor"},
    ]
}
MULTIPLE: dict[str, Any] = {
    "choices": [
        {"text": "Heterogeneity of tumor cells", "correct": True, "credit": 0.5},
        {"text": "Immune escape mechanisms", "correct": True},  # the rest of 1: 0.5
        {"text": "Aging of the population", "credit": -0.5},
        {"text": "Anemia"},  # wrong, 0
    ]
}
SHORT: dict[str, Any] = {
    "answers": ["B cell maturation antigen", "BCMA"],
    "partial": [{"text": "maturation antigen", "credit": 0.5, "feedback": "Which cells?"}],
    "otherwise": "The review names BCMA.",
}
NUMBER: dict[str, Any] = {
    "answer": 4,
    "partial": [
        {"answer": 3, "credit": 0.5, "feedback": "One step is missing."},
        {"range": [2, 5], "credit": 0.25},
    ],
    "otherwise": "Count the steps: extract, engineer, amplify, infuse.",
}


@pytest.mark.parametrize("spec", [SINGLE, MULTIPLE])
def test_choice_credits_are_valid(spec: dict[str, Any]) -> None:
    name = "single_choice" if spec is SINGLE else "multiple_response"
    assert get_type(name).validate(spec) == []


@pytest.mark.parametrize(("response", "score"), [(0, 1.0), (1, 0.5), (2, 0.0), (None, 0.0)])
def test_a_single_choice_gives_a_partly_right_choice_its_credit(
    response: object, score: float
) -> None:
    grade = get_type("single_choice").grade(SINGLE, response)
    assert grade.score == score
    if response == 1:
        assert grade.outcome == "partial"
        assert grade.feedback == ("Half right: which kind?",)


@pytest.mark.parametrize(
    ("ticked", "score"),
    [
        ([0, 1], 1.0),
        ([0], 0.5),
        ([0, 1, 3], 1.0),  # a wrong choice of credit 0 costs nothing
        ([0, 1, 2], 0.5),  # -0.5 for the wrong choice
        ([0, 2], 0.0),  # never below 0
        ([2, 3], 0.0),
    ],
)
def test_a_multiple_response_adds_up_the_credits_of_the_ticked_choices(
    ticked: list[int], score: float
) -> None:
    assert get_type("multiple_response").grade(MULTIPLE, ticked).score == pytest.approx(score)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"choices": [{"text": "a", "correct": True, "credit": 0.5}, {"text": "b"}]},
            "full credit",
        ),
        ({"choices": [{"text": "a", "correct": True}, {"text": "b", "credit": 1}]}, "from 0 to 1"),
        ({"choices": [{"text": "a", "correct": True}, {"text": "b", "credit": "x"}]}, "a number"),
    ],
)
def test_single_choice_credits_are_checked(spec: dict[str, Any], message: str) -> None:
    assert any(message in p.message for p in get_type("single_choice").validate(spec))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {1: {"text": "Immune escape mechanisms", "correct": True, "credit": 0.25}},
            "add up to 0.75",
        ),
        ({2: {"text": "Aging of the population", "credit": 0.5}}, "from -1 to 0"),
        ({1: {"text": "Immune escape mechanisms", "correct": True, "credit": -1}}, "from 0 to 1"),
    ],
)
def test_multiple_response_credits_are_checked(change: dict[int, Any], message: str) -> None:
    choices = [change.get(i, c) for i, c in enumerate(MULTIPLE["choices"])]
    messages = [p.message for p in get_type("multiple_response").validate({"choices": choices})]
    assert any(message in m for m in messages), messages
    both = {**MULTIPLE, "scoring": "all_or_nothing"}
    assert any("not both" in p.message for p in get_type("multiple_response").validate(both))


@pytest.mark.parametrize(
    ("response", "score", "says"),
    [
        ("BCMA", 1.0, None),
        ("the maturation antigen", 0.5, "Which cells?"),
        ("maturaton antigen", 0.5, "Which cells?"),  # a typo in a partly right answer too
        ("CD19", 0.0, "The review names BCMA."),
        ("", 0.0, None),
    ],
)
def test_a_short_answer_gives_partly_right_answers_their_credit(
    response: str, score: float, says: str | None
) -> None:
    short = get_type("short_answer")
    assert short.validate(SHORT) == []
    grade = short.grade(SHORT, response)
    assert grade.score == score
    if says:
        assert says in grade.feedback
    # The partly right answer is one another question's typo must not turn into.
    assert "maturation antigen" in short.typed_answers(SHORT)


@pytest.mark.parametrize(
    ("response", "score", "says"),
    [
        ("4", 1.0, None),
        ("four", 1.0, None),
        ("3", 0.5, "One step is missing."),  # the best credit of those it falls in
        ("5", 0.25, None),
        ("9", 0.0, "Count the steps: extract, engineer, amplify, infuse."),
        ("many", 0.0, "'many' is not a number"),
    ],
)
def test_a_number_gives_partly_right_answers_their_credit(
    response: str, score: float, says: str | None
) -> None:
    numeric = get_type("numeric")
    assert numeric.validate(NUMBER) == []
    grade = numeric.grade(NUMBER, response)
    assert grade.score == score
    if says:
        assert says in grade.feedback


@pytest.mark.parametrize(
    ("partial", "message"),
    [
        ([{"answer": 3, "credit": 1}], "between 0 and 1"),
        ([{"answer": 3}], "credit must be a number"),
        ([{"credit": 0.5}], "answer is missing"),
        ([{"answer": 3, "credit": 0.5, "tolerance": -1}], "tolerance must be 0 or more"),
        ([{"answer": 3, "credit": 0.5, "unit": "mg"}], "unknown key 'unit'"),
        ("x", "partial must be a list"),
    ],
)
def test_partly_right_numbers_are_checked(partial: object, message: str) -> None:
    messages = [p.message for p in get_type("numeric").validate({"answer": 4, "partial": partial})]
    assert any(message in m for m in messages), messages


def test_partial_credit_is_leniency_not_the_answer() -> None:
    """Adding or changing partly right answers keeps learners' memory of the question."""
    for name, spec, key in (
        ("single_choice", SINGLE, "choices"),
        ("short_answer", SHORT, "partial"),
        ("numeric", NUMBER, "partial"),
    ):
        qtype = get_type(name)
        plain = {k: v for k, v in spec.items() if k not in ("partial", "otherwise")}
        if key == "choices":
            plain = {
                "choices": [{k: v for k, v in c.items() if k != "credit"} for c in spec["choices"]]
            }
        assert qtype.answer_digest(plain) == qtype.answer_digest(spec), name
