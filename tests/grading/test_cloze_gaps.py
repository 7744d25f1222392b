"""Cloze gaps of every kind: typed, picked from a list, numeric; with weights and feedback."""

from __future__ import annotations

from typing import Any

import pytest

from quizapp.grading import get_type

CLOZE = get_type("cloze")

#: The gaps of a CAR-T sentence, one of each kind (the example of quizapp.grading.cloze).
GAPS: dict[str, Any] = {
    "text": "CAR-T cells are [[1]] from the patient and [[2]] in vitro, for about [[3]].",
    "gaps": [
        {"answers": ["extracted", "collected"]},
        {
            "kind": "choice",
            "choices": [
                {"text": "amplified", "correct": True},
                {"text": "frozen", "feedback": "They are grown in number, not stored."},
                {"text": "halved", "credit": 0.5},
            ],
            "shuffle": True,
            "weight": 2,
        },
        {"kind": "numeric", "answer": 10, "tolerance": 2, "unit": "days", "feedback": "About ten."},
    ],
}


def test_a_spec_with_every_gap_kind_is_valid() -> None:
    assert CLOZE.validate(GAPS) == []


@pytest.mark.parametrize(
    ("response", "score", "outcome"),
    [
        (["extracted", 0, "10"], 1.0, "correct"),
        (["collected", 0, "11.5 days"], 1.0, "correct"),  # within the tolerance, with its unit
        (["extracted", 1, "10"], 0.5, "partial"),  # the list counts twice: (1 + 0 + 1) / 4
        (["extracted", 2, "10"], 0.75, "partial"),  # half credit for the half-right choice
        (["frozen", 0, "20"], 0.5, "partial"),
        (["", None, ""], 0.0, "wrong"),
        (["extracted", "0", "10"], 1.0, "correct"),  # an index as a form submits it
        (["extracted", 7, "10"], 0.5, "partial"),  # no such choice
        ("not a list", 0.0, "wrong"),
    ],
)
def test_each_gap_is_graded_by_its_kind_and_weighed(
    response: object, score: float, outcome: str
) -> None:
    grade = CLOZE.grade(GAPS, response)
    assert grade.score == pytest.approx(score)
    assert grade.outcome == outcome


def test_feedback_of_a_picked_choice_and_of_a_gap_filled_wrong() -> None:
    grade = CLOZE.grade(GAPS, ["extracted", 1, "30"])
    assert "They are grown in number, not stored." in grade.feedback
    assert "About ten." in grade.feedback
    assert [(p.given, p.expected, p.correct) for p in grade.parts] == [
        ("extracted", "extracted", True),
        ("frozen", "amplified", False),
        ("30", "10 ± 2 days", False),
    ]
    assert CLOZE.correct_answer_text(GAPS) == (
        "CAR-T cells are extracted from the patient and amplified in vitro, for about 10 ± 2 days."
    )
    assert CLOZE.describe(GAPS, ["extracted", 1, "30"]) == "extracted / frozen / 30"
    assert [line.correct for line in CLOZE.part_lines(GAPS, grade)] == [True, False, False]


def test_the_answer_area_has_a_list_for_a_choice_gap_shuffled_by_the_seed() -> None:
    shown = CLOZE.present(GAPS, seed=3)
    assert [gap.kind for gap in shown.gaps] == ["typed", "choice", "numeric"]
    assert shown.gaps[2].unit == "days"
    assert sorted(o.index for o in shown.gaps[1].options) == [0, 1, 2]
    orders = {
        tuple(o.index for o in CLOZE.present(GAPS, seed).gaps[1].options) for seed in range(9)
    }
    assert len(orders) > 1  # shuffled
    assert CLOZE.present(GAPS, 3) == shown  # the same on a reload
    unshuffled = {
        **GAPS,
        "gaps": [GAPS["gaps"][0], {**GAPS["gaps"][1], "shuffle": False}, GAPS["gaps"][2]],
    }
    assert [o.index for o in CLOZE.present(unshuffled, 3).gaps[1].options] == [0, 1, 2]


def test_the_form_is_read_back_into_a_response() -> None:
    form = {"gap-0": ["extracted "], "gap-1": ["2"], "gap-2": ["9,5"]}
    response = CLOZE.read(GAPS, form)
    assert response == ["extracted", 2, "9,5"]
    assert CLOZE.read(GAPS, {"gap-1": ["nine"]}) == ["", None, ""]
    fields = CLOZE.form_fields(response)
    assert CLOZE.read(GAPS, {name: [value] for name, value in fields}) == response


def test_only_a_cloze_of_lists_can_be_guessed() -> None:
    assert CLOZE.chance(GAPS) is None
    lists = {
        "text": "[[1]] and [[2]]",
        "gaps": [
            {"kind": "choice", "choices": [{"text": "a", "correct": True}, {"text": "b"}]},
            {
                "kind": "choice",
                "choices": [{"text": "c", "correct": True}, {"text": "d"}, {"text": "e"}],
            },
        ],
    }
    assert CLOZE.validate(lists) == []
    assert CLOZE.chance(lists) == pytest.approx(1 / 6)


def test_the_answer_digest_changes_only_with_what_is_right() -> None:
    digest = CLOZE.answer_digest(GAPS)
    reworded = {**GAPS, "text": GAPS["text"].replace("CAR-T cells", "The T cells")}
    assert CLOZE.answer_digest(reworded) == digest
    gaps = [dict(g) for g in GAPS["gaps"]]
    gaps[1] = {
        **gaps[1],
        "choices": [*gaps[1]["choices"][:1], {"text": "thawed"}, gaps[1]["choices"][2]],
    }
    assert CLOZE.answer_digest({**GAPS, "gaps": gaps}) == digest  # another wrong choice
    gaps[1] = {
        **gaps[1],
        "choices": [{"text": "multiplied", "correct": True}, *gaps[1]["choices"][1:]],
    }
    assert CLOZE.answer_digest({**GAPS, "gaps": gaps}) != digest  # another right one
    # Typed gaps described under 'gaps' digest as the same gaps written in the text.
    written = {"text": "Cells are [[extracted|collected]] and [[amplified]]."}
    described = {
        "text": "Cells are [[1]] and [[2]].",
        "gaps": [{"answers": ["extracted", "collected"]}, {"answers": ["amplified"]}],
    }
    assert CLOZE.answer_digest(written) == CLOZE.answer_digest(described)
    assert CLOZE.grade(described, ["collected", "amplified"]).score == 1.0


def test_an_answer_is_accepted_in_a_typed_gap_only() -> None:
    wider = CLOZE.with_accepted(GAPS, 0, "harvested")
    assert wider is not None
    assert wider["gaps"][0]["answers"] == ["extracted", "collected", "harvested"]
    assert CLOZE.grade(wider, ["harvested", 0, "10"]).score == 1.0
    assert GAPS["gaps"][0]["answers"] == ["extracted", "collected"]  # the spec is not changed
    with pytest.raises(ValueError, match="not typed, it is a choice gap"):
        CLOZE.with_accepted(GAPS, 1, "grown")
    assert [CLOZE.is_typed_part(GAPS, i) for i in range(4)] == [True, False, False, False]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"text": "[[1]] and [[3]] and [[2]]"},
            "mark them in the text as [[1]], [[2]], [[3]] in order",
        ),
        ({"text": "[[extracted]] only"}, "mark them in the text as [[1]], [[2]], [[3]]"),
        ({"gaps": []}, "gaps needs at least 1 entry"),
        ({"gaps": "x"}, "gaps must be a list"),
    ],
)
def test_gap_markers_must_match_the_gaps(change: dict[str, Any], message: str) -> None:
    messages = [p.message for p in CLOZE.validate({**GAPS, **change})]
    assert any(message in m for m in messages), messages


@pytest.mark.parametrize(
    ("gap", "message"),
    [
        (
            {"kind": "dropdown", "answers": ["a"]},
            "gap 1 kind must be one of typed, choice, numeric",
        ),
        ({"kind": "choice", "choices": [{"text": "a"}, {"text": "b"}]}, "no choice is correct"),
        ({"kind": "choice", "choices": [{"text": "a", "correct": True}]}, "needs at least 2"),
        (
            {"kind": "choice", "choices": [{"text": "a", "correct": True}, {"text": "a"}]},
            "appears twice",
        ),
        (
            {
                "kind": "choice",
                "choices": [{"text": "a", "correct": True}, {"text": "b", "credit": 2}],
            },
            "credit must be from 0 to 1",
        ),
        ({"kind": "numeric"}, "gap 1: answer is missing"),
        ({"kind": "numeric", "answer": "ten"}, "gap 1: answer must be a number"),
        ({"answers": ["a"], "weight": 0}, "gap 1 weight must be more than 0"),
        ({"answers": ["a"], "choices": []}, "gap 1: 'choices' is not for a typed gap"),
        ({"answers": []}, "gap 1 answers needs at least 1 entry"),
        ({"answers": ["a"], "colour": "red"}, "unknown key 'colour'"),
    ],
)
def test_each_gap_is_checked(gap: dict[str, Any], message: str) -> None:
    spec = {"text": "Fill [[1]].", "gaps": [gap]}
    messages = [p.message for p in CLOZE.validate(spec)]
    assert any(message in m for m in messages), messages
