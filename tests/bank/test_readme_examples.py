"""The examples in questions/README.md are valid, complete and cover every question type."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizapp.bank.validate import check_text
from quizapp.grading import REGISTRY

README = Path(__file__).resolve().parents[2] / "questions" / "README.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[str]:
    return [
        body for lang, body in BLOCK.findall(README.read_text(encoding="utf-8")) if lang == language
    ]


def example_set() -> str:
    """The README's header block followed by its question blocks, as one file."""
    header, *questions = blocks("yaml")
    indented = [
        "".join(f"  {line}" if line.strip() else line for line in q.splitlines(True))
        for q in questions
    ]
    return header + "\n".join(indented)


def test_the_readme_has_a_header_and_one_example_per_type() -> None:
    header, *questions = blocks("yaml")
    assert header.rstrip().endswith("questions:")
    assert len(questions) == len(REGISTRY)
    assert all(q.startswith("- id: ") for q in questions)


def test_the_examples_make_a_valid_set_with_every_type() -> None:
    parsed = check_text(example_set(), "README.md")
    assert parsed.problems == ()
    assert parsed.doc is not None
    assert sorted(q.type for q in parsed.doc.questions) == sorted(REGISTRY)
    assert {q.topic for q in parsed.doc.questions} == {t.id for t in parsed.doc.topics}


def test_each_example_grades_its_own_correct_answer_as_correct() -> None:
    doc = check_text(example_set()).doc
    assert doc is not None
    right = {
        "single_choice": 0,
        "multiple_response": [0, 1, 2, 3],
        "true_false": False,
        "short_answer": "bcma",
        "cloze": ["extracted", "engineered", "CAR"],
        "matching": [0, 1, 2],
        "ordering": [0, 1, 2, 3],
        "numeric": "73 %",
    }
    for question in doc.questions:
        grade = REGISTRY[question.type].grade(question.spec, right[question.type])
        assert grade.outcome == "correct", question.id


# The mistakes behind the sample output in the README's last section.
MISTAKES = [
    ("type: single_choice", "type: singel_choice"),
    ("        correct: true\n        feedback: Right.", "        feedback: Right."),
    ("originates in the\n        bone marrow.", "originates in the\n        bone marow."),
    ("- id: principle-own-cells", "- id: intro-origin"),
]


@pytest.mark.parametrize(("old", "new"), MISTAKES)
def test_the_readme_shows_what_loading_really_says(old: str, new: str) -> None:
    text = example_set()
    assert old in text
    problems = check_text(text.replace(old, new, 1), "questions/my-set.yaml").problems
    shown = [line.split(": ", 1)[1] for line in blocks("text")[-1].splitlines()[:-1]]
    messages = [re.sub(r"line \d+", "line N", p.message) for p in problems]
    assert len(messages) == 1
    assert messages[0] in [re.sub(r"line \d+", "line N", s) for s in shown]
