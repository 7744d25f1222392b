"""Every question type: spec validation, grading with fixed scores, answers, chance, digests."""

from __future__ import annotations

from typing import Any

import pytest

from quizapp.grading import REGISTRY, Grade, UnknownTypeError, get_type
from quizapp.grading.arrange import longest_in_order
from quizapp.grading.numeric import parse_number
from quizapp.grading.typed import read_cloze

SINGLE: dict[str, Any] = {
    "choices": [
        {"text": "The bone marrow", "correct": True, "feedback": "Right."},
        {"text": "The lymph nodes", "feedback": "No: the bone marrow."},
        {"text": "The kidneys"},
        {"text": "The thymus"},
    ]
}
MULTIPLE: dict[str, Any] = {
    "choices": [
        {"text": "Hypercalcemia", "correct": True, "feedback": "Listed."},
        {"text": "Renal impairment", "correct": True},
        {"text": "Anemia", "correct": True},
        {"text": "Hair loss", "feedback": "Not listed."},
        {"text": "Fever"},
    ]
}
STRICT_MULTIPLE = {**MULTIPLE, "scoring": "all_or_nothing"}
TRUE_FALSE: dict[str, Any] = {
    "answer": False,
    "feedback_true": "No: it originates in the bone marrow.",
    "feedback_false": "Right.",
}
SHORT: dict[str, Any] = {"answers": ["BCMA", "B cell maturation antigen"]}
CLOZE: dict[str, Any] = {
    "text": "CAR-T cells are [[extracted]] from the patient, [[genetically engineered|engineered]]"
    ", [[amplified]] in vitro and infused back."
}
MATCHING: dict[str, Any] = {
    "pairs": [
        {"left": "BCMA", "right": "B cell maturation antigen"},
        {"left": "MM", "right": "Multiple myeloma"},
        {"left": "CAR", "right": "Chimeric antigen receptor"},
    ],
    "distractors": ["Cluster of differentiation"],
}
ORDERING: dict[str, Any] = {
    "items": ["Extract T cells", "Engineer them", "Amplify in vitro", "Infuse back", "Monitor"]
}
STRICT_ORDERING = {**ORDERING, "scoring": "all_or_nothing"}
NUMERIC: dict[str, Any] = {"answer": 1.5, "tolerance": 0.1, "unit": "mg"}
RANGE: dict[str, Any] = {"range": [10, 20], "unit": "%"}
EXACT: dict[str, Any] = {"answer": 3}

VALID = [
    ("single_choice", SINGLE),
    ("multiple_response", MULTIPLE),
    ("multiple_response", STRICT_MULTIPLE),
    ("true_false", TRUE_FALSE),
    ("short_answer", SHORT),
    ("short_answer", {**SHORT, "match": {"case": True, "typos": 0}}),
    ("cloze", CLOZE),
    ("matching", MATCHING),
    ("matching", {"pairs": MATCHING["pairs"]}),
    ("ordering", ORDERING),
    ("ordering", STRICT_ORDERING),
    ("numeric", NUMERIC),
    ("numeric", RANGE),
    ("numeric", {"answer": 15, "range": [10, 20]}),
    ("numeric", EXACT),
]


def test_the_registry_holds_the_eight_types() -> None:
    assert sorted(REGISTRY) == sorted(
        [
            "single_choice",
            "multiple_response",
            "true_false",
            "short_answer",
            "cloze",
            "matching",
            "ordering",
            "numeric",
        ]
    )
    assert all(qtype.name == name for name, qtype in REGISTRY.items())
    assert get_type("cloze") is REGISTRY["cloze"]
    with pytest.raises(UnknownTypeError):
        get_type("essay")


@pytest.mark.parametrize(("name", "spec"), VALID)
def test_valid_specs_have_no_problems(name: str, spec: dict[str, Any]) -> None:
    assert REGISTRY[name].validate(spec) == []


INVALID = [
    ("single_choice", {}, [(("choices",), "choices is missing")]),
    (
        "single_choice",
        {"choices": [{"text": "a"}, {"text": "b"}]},
        [(("choices",), "no choice is marked correct")],
    ),
    (
        "single_choice",
        {"choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]},
        [(("choices",), "2 choices are marked correct")],
    ),
    (
        "single_choice",
        {"choices": [{"text": "a", "correct": True}]},
        [(("choices",), "at least 2 entries")],
    ),
    (
        "single_choice",
        {"choices": [{"text": "a", "correct": "yes"}, {"text": "A"}]},
        [
            (("choices", 0, "correct"), "must be true or false"),
            (("choices", 1, "text"), "'A' appears twice"),
            (("choices",), "no choice is marked correct"),
        ],
    ),
    (
        "single_choice",
        {"choices": [{"text": 4, "correct": True}, {"txt": "b"}], "shuffle": False},
        [
            (("shuffle",), "unknown key 'shuffle'"),
            (("choices", 0, "text"), "must be text, not a number (put it in quotes)"),
            (("choices", 1, "txt"), "unknown key 'txt'"),
            (("choices", 1, "text"), "choice 2 text is missing"),
        ],
    ),
    (
        "single_choice",
        {"choices": "a, b"},
        [(("choices",), "choices must be a list, not text")],
    ),
    (
        "multiple_response",
        {"choices": [{"text": "a"}, {"text": "b"}]},
        [(("choices",), "no choice is marked correct")],
    ),
    (
        "multiple_response",
        {**MULTIPLE, "scoring": "some"},
        [(("scoring",), "scoring must be one of partial, all_or_nothing")],
    ),
    ("true_false", {}, [((), "answer is missing")]),
    ("true_false", {"answer": "yes"}, [(("answer",), "answer must be true or false")]),
    ("short_answer", {}, [(("answers",), "answers is missing")]),
    ("short_answer", {"answers": []}, [(("answers",), "at least 1 entry")]),
    ("short_answer", {"answers": "BCMA"}, [(("answers",), "must be a list, not text")]),
    ("short_answer", {"answers": ["  "]}, [(("answers", 0), "accepted answer 1 is empty")]),
    ("short_answer", {"answers": ["?!"]}, [(("answers", 0), "empty once punctuation")]),
    (
        "short_answer",
        {"answers": ["x"], "match": {"typos": 3, "case": "no", "spelling": True}},
        [
            (("match", "spelling"), "unknown key 'spelling'"),
            (("match", "case"), "match.case must be true or false"),
            (("match", "typos"), "match.typos must be auto, 0, 1 or 2"),
        ],
    ),
    ("cloze", {}, [(("text",), "text is missing")]),
    ("cloze", {"text": "No gaps here."}, [(("text",), "the text has no gaps")]),
    ("cloze", {"text": "An [[]] gap."}, [(("text",), "gap 1 is empty")]),
    ("cloze", {"text": "A [[x|]] gap."}, [(("text",), "gap 1 has an empty answer")]),
    ("cloze", {"text": "A [[x]] and [[y"}, [(("text",), "gap 2 is not closed")]),
    ("cloze", {"text": "A [[x]] and y]]"}, [(("text",), "']]' without a matching '[['")]),
    ("matching", {"pairs": [{"left": "a", "right": "b"}]}, [(("pairs",), "at least 2")]),
    (
        "matching",
        {"pairs": [{"left": "a", "right": "b"}, {"left": "a"}], "distractors": ["b"]},
        [
            (("pairs", 1, "right"), "pair 2 right is missing"),
            (("pairs", 1, "left"), "left-hand item 'a' appears twice"),
            (("distractors", 0), "right-hand option 'b' appears twice"),
        ],
    ),
    ("matching", {"pairs": MATCHING["pairs"], "distractors": []}, [(("distractors",), "at least")]),
    ("ordering", {"items": ["only one"]}, [(("items",), "at least 2")]),
    ("ordering", {"items": ["a", "b", "a"]}, [(("items", 2), "item 'a' appears twice")]),
    (
        "ordering",
        {"items": ["a", "b"], "scoring": "strict"},
        [(("scoring",), "scoring must be one of")],
    ),
    ("numeric", {}, [((), "answer is missing")]),
    ("numeric", {"answer": "three"}, [(("answer",), "answer must be a number, not text")]),
    ("numeric", {"answer": True}, [(("answer",), "answer must be a number, not true/false")]),
    ("numeric", {"answer": float("nan")}, [(("answer",), "must be a finite number")]),
    ("numeric", {"answer": 1, "tolerance": -0.5}, [(("tolerance",), "0 or more")]),
    ("numeric", {"answer": 1, "tolerance": "1%"}, [(("tolerance",), "must be a number")]),
    (
        "numeric",
        {"answer": 1, "tolerance": 1, "range": [0, 2]},
        [(("tolerance",), "either tolerance or range")],
    ),
    ("numeric", {"range": [2, 1]}, [(("range",), "range start 2 is above its end 1")]),
    ("numeric", {"range": [1]}, [(("range",), "a list of two numbers")]),
    ("numeric", {"answer": 5, "range": [1, 2]}, [(("answer",), "outside range")]),
    ("numeric", {"answer": 5, "unit": 7}, [(("unit",), "unit must be text")]),
]


@pytest.mark.parametrize(("name", "spec", "expected"), INVALID)
def test_invalid_specs_report_every_problem_with_its_path(
    name: str, spec: dict[str, Any], expected: list[tuple[tuple[str | int, ...], str]]
) -> None:
    problems = REGISTRY[name].validate(spec)
    assert len(problems) == len(expected), problems
    for problem, (path, fragment) in zip(problems, expected, strict=True):
        assert problem.path == path
        assert fragment in problem.message


GRADES = [
    ("single_choice", SINGLE, 0, 1.0),
    ("single_choice", SINGLE, 1, 0.0),
    ("single_choice", SINGLE, 9, 0.0),
    ("single_choice", SINGLE, True, 0.0),
    ("single_choice", SINGLE, None, 0.0),
    ("multiple_response", MULTIPLE, [0, 1, 2], 1.0),
    ("multiple_response", MULTIPLE, [2, 1, 0, 0], 1.0),
    ("multiple_response", MULTIPLE, [0, 1], 2 / 3),
    ("multiple_response", MULTIPLE, [0, 1, 2, 3], 2 / 3),
    ("multiple_response", MULTIPLE, [0, 3], 0.0),
    ("multiple_response", MULTIPLE, [0, 1, 2, 3, 4], 1 / 3),
    ("multiple_response", MULTIPLE, [3, 4], 0.0),
    ("multiple_response", MULTIPLE, [], 0.0),
    ("multiple_response", MULTIPLE, "0,1", 0.0),
    ("multiple_response", STRICT_MULTIPLE, [0, 1, 2], 1.0),
    ("multiple_response", STRICT_MULTIPLE, [0, 1], 0.0),
    ("true_false", TRUE_FALSE, False, 1.0),
    ("true_false", TRUE_FALSE, True, 0.0),
    ("true_false", TRUE_FALSE, "false", 0.0),
    ("short_answer", SHORT, "bcma", 1.0),
    ("short_answer", SHORT, "B-cell maturation antigen", 1.0),
    ("short_answer", SHORT, "B cell maturaton antigen", 1.0),
    ("short_answer", SHORT, "CD38", 0.0),
    ("short_answer", SHORT, 42, 0.0),
    ("cloze", CLOZE, ["extracted", "engineered", "amplified"], 1.0),
    ("cloze", CLOZE, ["Extracted", "genetically-engineered", "amplifed"], 1.0),
    ("cloze", CLOZE, ["extracted", "cloned", "amplified"], 2 / 3),
    ("cloze", CLOZE, ["extracted"], 1 / 3),
    ("cloze", CLOZE, ["removed", "cloned", "grown"], 0.0),
    ("cloze", CLOZE, "extracted", 0.0),
    ("matching", MATCHING, [0, 1, 2], 1.0),
    ("matching", MATCHING, [0, 2, 1], 1 / 3),
    ("matching", MATCHING, [0, 1, 3], 2 / 3),
    ("matching", MATCHING, [0, None, None], 1 / 3),
    ("matching", MATCHING, [0], 1 / 3),
    ("matching", MATCHING, [1, 2, 0], 0.0),
    ("ordering", ORDERING, [0, 1, 2, 3, 4], 1.0),
    ("ordering", ORDERING, [4, 0, 1, 2, 3], 0.75),
    ("ordering", ORDERING, [1, 0, 2, 3, 4], 0.75),
    ("ordering", ORDERING, [1, 0, 3, 2, 4], 0.5),
    ("ordering", ORDERING, [4, 3, 2, 1, 0], 0.0),
    ("ordering", ORDERING, [0, 0, 1, 1, 2], 0.5),
    ("ordering", ORDERING, [], 0.0),
    ("ordering", STRICT_ORDERING, [0, 1, 2, 3, 4], 1.0),
    ("ordering", STRICT_ORDERING, [1, 0, 2, 3, 4], 0.0),
    ("numeric", NUMERIC, "1.5", 1.0),
    ("numeric", NUMERIC, "1,55", 1.0),
    ("numeric", NUMERIC, "1.6 mg", 1.0),
    ("numeric", NUMERIC, "1.61", 0.0),
    ("numeric", NUMERIC, "1.39", 0.0),
    ("numeric", NUMERIC, "one and a half", 0.0),
    ("numeric", NUMERIC, True, 0.0),
    ("numeric", RANGE, "10", 1.0),
    ("numeric", RANGE, "20 %", 1.0),
    ("numeric", RANGE, "20.5", 0.0),
    ("numeric", EXACT, "3", 1.0),
    ("numeric", EXACT, "3.0", 1.0),
    ("numeric", EXACT, "3.01", 0.0),
    ("numeric", EXACT, 3, 1.0),
    ("numeric", {"answer": 0.3}, "0.1e0", 0.0),
    ("numeric", {"answer": 1500}, "1 500", 1.0),
]


@pytest.mark.parametrize(("name", "spec", "response", "score"), GRADES)
def test_grade_scores(name: str, spec: dict[str, Any], response: object, score: float) -> None:
    grade = REGISTRY[name].grade(spec, response)
    assert grade.score == pytest.approx(score, abs=1e-6)
    expected_outcome = "correct" if score == 1 else "wrong" if score == 0 else "partial"
    assert grade.outcome == expected_outcome


def test_single_choice_details_and_feedback() -> None:
    grade = REGISTRY["single_choice"].grade(SINGLE, 1)
    assert grade.feedback == ("No: the bone marrow.",)
    assert [(p.correct, p.given, p.expected) for p in grade.parts] == [
        (False, "", "The bone marrow"),
        (False, "The lymph nodes", ""),
        (True, "", ""),
        (True, "", ""),
    ]
    assert grade.correct_answer == "The bone marrow"


def test_multiple_response_feedback_follows_the_ticked_choices() -> None:
    grade = REGISTRY["multiple_response"].grade(MULTIPLE, [3, 0])
    assert grade.feedback == ("Listed.", "Not listed.")
    assert [p.correct for p in grade.parts] == [True, False, False, False, True]


@pytest.mark.parametrize(
    ("response", "feedback"),
    [(True, ("No: it originates in the bone marrow.",)), (False, ("Right.",)), ("x", ())],
)
def test_true_false_feedback(response: object, feedback: tuple[str, ...]) -> None:
    assert REGISTRY["true_false"].grade(TRUE_FALSE, response).feedback == feedback


def test_typed_answers_note_a_forgiven_typo() -> None:
    grade = REGISTRY["short_answer"].grade(SHORT, "B cell maturaton antigen")
    assert grade.feedback == ("Accepted, but mind the spelling: B cell maturation antigen",)
    assert REGISTRY["short_answer"].grade(SHORT, "bcma").feedback == ()


def test_cloze_parts_per_gap() -> None:
    grade = REGISTRY["cloze"].grade(CLOZE, ["extracted", 7, "amplifed"])
    assert [(p.correct, p.given, p.expected) for p in grade.parts] == [
        (True, "extracted", "extracted"),
        (False, "", "genetically engineered"),
        (True, "amplifed", "amplified"),
    ]
    assert grade.feedback == ("Accepted, but mind the spelling: amplified",)


def test_matching_parts_name_the_chosen_option() -> None:
    grade = REGISTRY["matching"].grade(MATCHING, [3, 1, 7])
    assert [(p.correct, p.given, p.expected) for p in grade.parts] == [
        (False, "Cluster of differentiation", "B cell maturation antigen"),
        (True, "Multiple myeloma", "Multiple myeloma"),
        (False, "", "Chimeric antigen receptor"),
    ]


def test_ordering_parts_mark_the_items_kept_in_order() -> None:
    grade = REGISTRY["ordering"].grade(ORDERING, [4, 0, 1, 2, 3])
    assert [(p.given, p.correct) for p in grade.parts] == [
        ("Monitor", False),
        ("Extract T cells", True),
        ("Engineer them", True),
        ("Amplify in vitro", True),
        ("Infuse back", True),
    ]


def test_numeric_says_when_a_response_is_not_a_number() -> None:
    assert REGISTRY["numeric"].grade(NUMERIC, "lots").feedback == ("'lots' is not a number",)
    assert REGISTRY["numeric"].grade(NUMERIC, "  ").feedback == ()


CORRECT_ANSWERS = [
    ("single_choice", SINGLE, "The bone marrow"),
    ("multiple_response", MULTIPLE, "Hypercalcemia; Renal impairment; Anemia"),
    ("true_false", TRUE_FALSE, "False"),
    ("short_answer", SHORT, "BCMA"),
    (
        "cloze",
        CLOZE,
        "CAR-T cells are extracted from the patient, genetically engineered, amplified in vitro"
        " and infused back.",
    ),
    (
        "matching",
        MATCHING,
        "BCMA → B cell maturation antigen; MM → Multiple myeloma; CAR → Chimeric antigen receptor",
    ),
    (
        "ordering",
        ORDERING,
        "Extract T cells → Engineer them → Amplify in vitro → Infuse back → Monitor",
    ),
    ("numeric", NUMERIC, "1.5 ± 0.1 mg"),
    ("numeric", RANGE, "between 10 and 20 %"),
    ("numeric", {"answer": 15, "range": [10, 20]}, "15 (from 10 to 20)"),
    ("numeric", EXACT, "3"),
]


@pytest.mark.parametrize(("name", "spec", "text"), CORRECT_ANSWERS)
def test_correct_answer_text(name: str, spec: dict[str, Any], text: str) -> None:
    assert REGISTRY[name].correct_answer_text(spec) == text
    assert REGISTRY[name].grade(spec, None).correct_answer == text


@pytest.mark.parametrize(
    ("name", "spec", "chance"),
    [
        ("single_choice", SINGLE, 0.25),
        ("single_choice", {"choices": SINGLE["choices"][:2]}, 0.5),
        ("true_false", TRUE_FALSE, 0.5),
        ("multiple_response", MULTIPLE, None),
        ("short_answer", SHORT, None),
        ("cloze", CLOZE, None),
        ("matching", MATCHING, None),
        ("ordering", ORDERING, None),
        ("numeric", NUMERIC, None),
    ],
)
def test_chance(name: str, spec: dict[str, Any], chance: float | None) -> None:
    assert REGISTRY[name].chance(spec) == chance


def test_cloze_without_a_prompt_shows_its_text_with_blanks() -> None:
    assert REGISTRY["cloze"].default_prompt(CLOZE) == (
        "CAR-T cells are _____ from the patient, _____, _____ in vitro and infused back."
    )
    assert REGISTRY["single_choice"].default_prompt(SINGLE) == ""


def _reworded_choices(spec: dict[str, Any]) -> dict[str, Any]:
    """Reword the feedback and a distractor, and shuffle the choices."""
    choices = [dict(c) for c in reversed(spec["choices"])]
    for choice in choices:
        choice["feedback"] = "Reworded."
    wrong = next(c for c in choices if not c.get("correct"))
    wrong["text"] = "A new distractor"
    return {**spec, "choices": choices}


# (type, spec, the same answer reworded, a changed answer)
DIGEST_CASES = [
    (
        "single_choice",
        SINGLE,
        _reworded_choices(SINGLE),
        {"choices": [{**c, "correct": not c.get("correct")} for c in SINGLE["choices"][:2]]},
    ),
    (
        "multiple_response",
        MULTIPLE,
        {**_reworded_choices(MULTIPLE), "scoring": "all_or_nothing"},
        {"choices": [{**c, "correct": True} for c in MULTIPLE["choices"]]},
    ),
    (
        "true_false",
        TRUE_FALSE,
        {"answer": False, "feedback_true": "Other words."},
        {**TRUE_FALSE, "answer": True},
    ),
    (
        "short_answer",
        SHORT,
        {"answers": ["  bcma ", "B-cell maturation antigen"], "match": {"typos": 0}},
        {"answers": ["CD38"]},
    ),
    (
        "cloze",
        CLOZE,
        {
            "text": "First the T cells are [[Extracted]], then [[genetically engineered]], "
            "then [[amplified|grown]]."
        },
        {"text": "CAR-T cells are [[collected]] from the patient, [[engineered]], [[amplified]]."},
    ),
    (
        "matching",
        MATCHING,
        {"pairs": list(reversed(MATCHING["pairs"])), "distractors": ["Something else"]},
        {
            "pairs": [
                MATCHING["pairs"][0],
                {"left": "MM", "right": "Chimeric antigen receptor"},
                {"left": "CAR", "right": "Multiple myeloma"},
            ]
        },
    ),
    (
        "ordering",
        ORDERING,
        {"items": [item.upper() for item in ORDERING["items"]], "scoring": "all_or_nothing"},
        {"items": list(reversed(ORDERING["items"]))},
    ),
    (
        "numeric",
        NUMERIC,
        {"answer": 1.50, "tolerance": 0.3, "unit": "mg"},
        {**NUMERIC, "unit": "g"},
    ),
    ("numeric", EXACT, {"answer": 3.0}, {"answer": 4}),
    ("numeric", RANGE, {"range": [10.0, 20], "unit": "%"}, {"range": [10, 25], "unit": "%"}),
]


@pytest.mark.parametrize(("name", "spec", "reworded", "changed"), DIGEST_CASES)
def test_answer_digest_ignores_rewording_and_sees_answer_changes(
    name: str, spec: dict[str, Any], reworded: dict[str, Any], changed: dict[str, Any]
) -> None:
    qtype = REGISTRY[name]
    assert qtype.validate(reworded) == []
    assert qtype.validate(changed) == []
    digest = qtype.answer_digest(spec)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert qtype.answer_digest(reworded) == digest
    assert qtype.answer_digest(changed) != digest


def test_the_same_answer_under_another_type_has_another_digest() -> None:
    assert REGISTRY["single_choice"].answer_digest(SINGLE) != REGISTRY[
        "multiple_response"
    ].answer_digest({"choices": SINGLE["choices"]})


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("42", 42.0),
        (" -3.5 ", -3.5),
        ("\u22122", -2.0),
        ("1,5", 1.5),
        ("1 500", 1500.0),
        ("1\u00a0500", 1500.0),
        ("1'500", 1500.0),
        ("1,500,000", 1_500_000.0),
        ("1,500.25", 1500.25),
        ("1.500,25", 1500.25),
        (".5", 0.5),
        ("2e3", 2000.0),
        ("12 mg", 12.0),
        ("12 MG", 12.0),
        ("", None),
        ("mg", None),
        ("1.2.3", None),
        ("twelve", None),
        ("1e999", None),
        ("nan", None),
    ],
)
def test_parse_number(text: str, number: float | None) -> None:
    assert parse_number(text, unit="mg") == number


@pytest.mark.parametrize(
    ("sequence", "positions"),
    [([], []), ([0, 1, 2], [0, 1, 2]), ([2, 1, 0], [0]), ([4, 0, 1, 2, 3], [1, 2, 3, 4])],
)
def test_longest_in_order(sequence: list[int], positions: list[int]) -> None:
    assert longest_in_order(sequence) == positions


def test_read_cloze_splits_texts_and_gaps() -> None:
    cloze = read_cloze("A [[b | c]] d [[e]]")
    assert cloze.texts == ("A ", " d ", "")
    assert cloze.gaps == (("b", "c"), ("e",))
    assert cloze.errors == ()


@pytest.mark.parametrize(("score", "outcome"), [(1.0, "correct"), (0.5, "partial"), (0.0, "wrong")])
def test_grade_outcome_follows_the_score(score: float, outcome: str) -> None:
    assert Grade(score, "x").outcome == outcome


@pytest.mark.parametrize("score", [-0.1, 1.1])
def test_grade_rejects_scores_outside_0_1(score: float) -> None:
    with pytest.raises(ValueError, match="outside"):
        Grade(score, "x")
