"""Validation: every problem of a set, each at the line it concerns."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from quizapp.bank.model import Problem, QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc
from quizapp.bank.validate import Document, check_paths, check_text, validate_set

FIXTURES = Path(__file__).parent / "fixtures"

BASE = """\
id: demo
title: Demo set
description: A small set for the tests.
version: "2"
source:
  title: A tiny document
  text: |
    1. Origins
    Multiple myeloma is a malignant disease originating from the bone marrow. It causes
    hypercalcemia, renal impairment and anemia.
    2. Treatment
    CAR-T cells are extracted from the patient, engineered, amplified and infused back.
    The main target is BCMA, and a word is ** here.
topics:
  - id: origins
    title: Origins
    section: "1. Origins"
  - id: treatment
    title: Treatment
    section: "2. Treatment"
questions:
  - id: q-origin
    topic: origins
    type: single_choice
    prompt: Where does multiple myeloma originate?
    choices:
      - text: The bone marrow
        correct: true
      - text: The lymph nodes
    explanation: It originates from the bone marrow.
    source:
      section: "1. Origins"
      quote: "Multiple myeloma is a malignant disease originating from the bone marrow."
  - id: q-count
    topic: origins
    type: numeric
    prompt: How many symptoms does the document name?
    answer: 3
    tolerance: 0
    explanation: Three are named.
    source:
      section: "1. Origins"
      quote: It causes hypercalcemia, renal impairment and anemia.
  - id: q-target
    topic: treatment
    type: short_answer
    prompt: What is the main target?
    answers: [BCMA]
    explanation: The document names BCMA.
    source:
      section: "2. Treatment"
      quote: The main target is BCMA
  - id: q-steps
    topic: treatment
    type: cloze
    text: CAR-T cells are [[extracted]] from the patient, then [[engineered]].
    explanation: First extracted, then engineered.
    source:
      section: "2. Treatment"
      quote: CAR-T cells are extracted from the patient, engineered,
"""


def line_of(text: str, fragment: str, after: str = "") -> int:
    """Return the number of the first line containing ``fragment`` (below ``after``, if given)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    for number in range(start, len(lines)):
        if fragment in lines[number]:
            return number + 1
    raise AssertionError(f"{fragment!r} is not in the text")


def edit(old: str, new: str, count: int = 1) -> str:
    assert BASE.count(old) >= count, old
    return BASE.replace(old, new, count)


def test_the_base_set_is_valid() -> None:
    parsed = check_text(BASE, "base.yaml")
    assert parsed.problems == ()
    assert parsed.doc is not None
    assert len(parsed.doc.questions) == 4


# (edit old -> new, the line's fragment (and a fragment above it), the expected message)
CASES = [
    pytest.param(
        ("type: short_answer", "type: short_anser"),
        ("type: short_anser", ""),
        "unknown type 'short_anser' (types: single_choice, multiple_response, true_false, "
        "short_answer, cloze, matching, ordering, numeric)",
        id="unknown-type",
    ),
    pytest.param(
        ("    answers: [BCMA]\n", ""),
        ("- id: q-target", ""),
        "answers is missing",
        id="missing-answer",
    ),
    pytest.param(
        ("    answer: 3\n", ""),
        ("- id: q-count", ""),
        "answer is missing: write 'answer: <number>' or 'range: [lo, hi]'",
        id="missing-numeric-answer",
    ),
    pytest.param(
        ("        correct: true\n", ""),
        ("choices:", ""),
        "no choice is marked correct: mark exactly one with 'correct: true'",
        id="no-correct-choice",
    ),
    pytest.param(
        (
            "      - text: The lymph nodes\n",
            "      - text: The lymph nodes\n        correct: true\n",
        ),
        ("choices:", ""),
        "2 choices are marked correct, but a single_choice question has exactly one "
        "(use multiple_response for several)",
        id="two-correct-in-single-choice",
    ),
    pytest.param(
        ("topic: treatment\n    type: short_answer", "topic: therapy\n    type: short_answer"),
        ("topic: therapy", ""),
        "unknown topic 'therapy' (topics: origins, treatment)",
        id="unknown-topic",
    ),
    pytest.param(
        ("quote: The main target is BCMA", "quote: The main target is CD38"),
        ("quote: The main target is CD38", ""),
        'source quote is not in the document: it agrees up to "…The main target is" and then '
        'the document does not go on with "CD38"',
        id="quote-not-in-document",
    ),
    pytest.param(
        ("quote: The main target is BCMA", "quote: Something else entirely"),
        ("quote: Something else", ""),
        'source quote is not in the document: "Something else entirely"',
        id="quote-not-in-document-at-all",
    ),
    pytest.param(
        ("quote: The main target is BCMA", "quote: and a word is ** here"),
        ("quote: and a word", ""),
        "source quote contains '**', a word lost from the document: quote a passage without it",
        id="quote-with-lost-word",
    ),
    pytest.param(
        (
            'section: "2. Treatment"\n      quote: The main',
            'section: "1. Origins"\n      quote: The main',
        ),
        ("quote: The main target", ""),
        "source quote is in the document but not in section '1. Origins' "
        "(it is in section '2. Treatment')",
        id="quote-in-another-section",
    ),
    pytest.param(
        (
            'section: "2. Treatment"\n      quote: The main',
            'section: "3. Prospects"\n      quote: The main',
        ),
        ('section: "3. Prospects"', ""),
        "source section '3. Prospects' is not in the source document",
        id="question-section-not-in-document",
    ),
    pytest.param(
        ('    section: "2. Treatment"\n', '    section: "2. Therapy"\n'),
        ('section: "2. Therapy"', ""),
        "section '2. Therapy' is not in the source document",
        id="topic-section-not-in-document",
    ),
    pytest.param(
        ("    tolerance: 0\n", "    tolerance: -1\n"),
        ("tolerance: -1", ""),
        "tolerance must be 0 or more, not -1",
        id="negative-tolerance",
    ),
    pytest.param(
        ("    tolerance: 0\n", "    tolerance: a little\n"),
        ("tolerance: a little", ""),
        "tolerance must be a number, not text",
        id="tolerance-not-a-number",
    ),
    pytest.param(
        ("then [[engineered]]", "then [[]]"),
        ("text: CAR-T cells", ""),
        "gap 2 is empty",
        id="empty-gap",
    ),
    pytest.param(
        ("then [[engineered]]", "then [[engineered"),
        ("text: CAR-T cells", ""),
        "gap 2 is not closed: '[[' without ']]'",
        id="unclosed-gap",
    ),
    pytest.param(
        ("id: demo", "id: Demo Set"),
        ("id: Demo Set", ""),
        "set id 'Demo Set' may hold only lower-case letters, digits, '.', '_' and '-', "
        "and must start with a letter or digit",
        id="bad-set-id",
    ),
    pytest.param(
        ("- id: q-count", "- id: q count"),
        ("- id: q count", ""),
        "question id 'q count' may hold only lower-case letters, digits, '.', '_' and '-', "
        "and must start with a letter or digit",
        id="bad-question-id",
    ),
    pytest.param(
        ("- id: q-count", "- id: " + "q" * 101),
        ("- id: qqq", ""),
        "question id is longer than 100 characters",
        id="long-question-id",
    ),
    pytest.param(
        ("    explanation: Three are named.\n", ""),
        ("- id: q-count", ""),
        "explanation is missing: say in a sentence or two why the answer is right",
        id="missing-explanation",
    ),
    pytest.param(
        ("    prompt: What is the main target?\n", ""),
        ("- id: q-target", ""),
        "prompt is missing",
        id="missing-prompt",
    ),
    pytest.param(
        ("      quote: The main target is BCMA\n", ""),
        ("    source:", "- id: q-target"),
        "source quote is missing: copy the sentence(s) of the document that support the answer",
        id="missing-quote",
    ),
    pytest.param(
        ('      section: "2. Treatment"\n      quote: The main', "      quote: The main"),
        ("    source:", "- id: q-target"),
        "source section is missing",
        id="missing-section",
    ),
    pytest.param(
        ("title: Demo set\n", ""),
        ("id: demo", ""),
        "title is missing",
        id="missing-title",
    ),
    pytest.param(
        ('version: "2"\n', ""),
        ("id: demo", ""),
        "version is missing",
        id="missing-version",
    ),
    pytest.param(
        ("  title: A tiny document\n", ""),
        ("source:", ""),
        "source title is missing",
        id="missing-source-title",
    ),
    pytest.param(
        ("    answers: [BCMA]\n", "    answers: [BCMA]\n    choices: []\n"),
        ("choices: []", ""),
        "unknown key 'choices' (besides the common fields, a short_answer question takes: "
        "answers, match, otherwise, partial)",
        id="key-of-another-type",
    ),
    pytest.param(
        ("title: Demo set\n", "title: Demo set\ntitel: Demo\n"),
        ("titel: Demo", ""),
        "unknown key 'titel' in the file (allowed: id, title, description, version, language, "
        "source, topics, questions)",
        id="misspelt-set-key",
    ),
    pytest.param(
        ("    answer: 3\n", "    answer: 3\n    answer: 4\n"),
        ("answer: 4", ""),
        "'answer' is given twice",
        id="repeated-key",
    ),
    pytest.param(
        ("    answer: 3\n", "    answer: [3\n"),
        ("tolerance: 0", ""),
        "not valid YAML: expected ',' or ']', but got ':'",
        id="yaml-syntax",
    ),
]


@pytest.mark.parametrize(("change", "where", "message"), CASES)
def test_each_problem_is_reported_at_its_line(
    change: tuple[str, str], where: tuple[str, str], message: str
) -> None:
    text = edit(*change)
    parsed = check_text(text, "demo.yaml")
    assert [str(p) for p in parsed.problems] == [f"demo.yaml:{line_of(text, *where)}: {message}"]


def test_duplicate_ids_name_the_first_line() -> None:
    text = edit("- id: q-target", "- id: q-origin").replace("- id: q-steps", "- id: q-count")
    found = [(p.line, p.message) for p in check_text(text).problems]
    assert found == [
        (
            line_of(text, "- id: q-origin", after="q-count"),
            f"question id 'q-origin' is used twice (first on line {line_of(text, 'q-origin')})",
        ),
        (
            line_of(text, "- id: q-count", after="type: short_answer"),
            f"question id 'q-count' is used twice (first on line {line_of(text, 'q-count')})",
        ),
    ]


def test_duplicate_topic_ids() -> None:
    text = edit("  - id: treatment\n", "  - id: origins\n")
    messages = [p.message for p in check_text(text).problems]
    assert f"topic id 'origins' is used twice (first on line {line_of(text, '- id: origins')})" in (
        messages
    )


def test_every_problem_of_a_file_is_reported_in_line_order() -> None:
    text = (
        BASE.replace("type: short_answer", "type: essay")
        .replace("        correct: true\n", "")
        .replace("topic: treatment\n    type: cloze", "topic: nowhere\n    type: cloze")
        .replace("quote: The main target is BCMA", "quote: The main target is CD19")
        .replace("    tolerance: 0\n", "    tolerance: -2\n")
    )
    problems = check_text(text, "many.yaml").problems
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    assert len(problems) == 5
    assert [p.message.split(":")[0].split(" (")[0] for p in problems] == [
        "no choice is marked correct",
        "tolerance must be 0 or more, not -2",
        "unknown type 'essay'",
        "source quote is not in the document",
        "unknown topic 'nowhere'",
    ]


def test_quotes_may_differ_from_the_document_in_whitespace_only() -> None:
    wrapped = edit(
        "quote: It causes hypercalcemia, renal impairment and anemia.",
        "quote: |\n        It   causes\n        hypercalcemia, renal impairment and anemia.",
    )
    assert check_text(wrapped).problems == ()
    recased = edit("quote: It causes hypercalcemia", "quote: It causes Hypercalcemia")
    assert len(check_text(recased).problems) == 1


def test_a_set_without_questions_topics_or_source() -> None:
    problems = check_text("id: empty\ntitle: Empty\nversion: '1'\n", "e.yaml").problems
    assert [str(p) for p in problems] == [
        "e.yaml:1: source title is missing",
        "e.yaml:1: the source document is missing: give source.file (a text file beside this "
        "one) or source.text",
        "e.yaml:1: the set has no topics",
        "e.yaml:1: the set has no questions",
    ]


def test_validate_set_works_on_documents_built_in_code() -> None:
    question = QuestionDoc(
        id="q1",
        topic="t",
        type="true_false",
        prompt="Myeloma starts in the bone marrow.",
        spec={"answer": True},
        explanation="The text says so.",
        source=SourceRef("Origins", "starts in the bone marrow"),
    )
    doc = SetDoc(
        id="built",
        title="Built",
        description="",
        version="1",
        source=SourceDoc("Doc", "Origins\nMyeloma starts in the bone marrow."),
        topics=(TopicDoc("t", "Topic", "Origins"),),
        questions=(question,),
        file="<derived>",
    )
    assert validate_set(doc) == []
    broken = dataclasses.replace(doc, questions=(dataclasses.replace(question, spec={}),))
    assert validate_set(broken) == [
        Problem("<derived>", 0, "answer is missing: write 'answer: true' or 'answer: false'")
    ]


def test_headings_are_found_at_line_starts_and_after_markdown_marks() -> None:
    document = Document.of("# Title\nThe Title is here.\n\n## Methods  used\nWe used Methods.\n")
    assert document.text == "# Title The Title is here. ## Methods used We used Methods."
    assert document.heading("Title") == 0
    assert document.heading("Methods used") == document.text.index("## Methods")
    assert document.heading("We used") == document.text.index("We used")
    assert document.heading("is here") == document.text.index("is here")
    assert document.heading("Results") is None
    assert document.heading("  ") is None


def test_check_paths_reads_folders_and_reports_duplicate_set_ids(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BASE, encoding="utf-8")
    checked = check_paths([tmp_path])
    assert len(checked.docs) == 2
    assert [str(p) for p in checked.problems] == [
        f"{tmp_path / 'b.yaml'}:1: set id 'demo' is also the id of {tmp_path / 'a.yaml'}"
    ]
    assert not checked.ok


def test_check_paths_on_the_fixtures() -> None:
    checked = check_paths([FIXTURES / "demo.yaml"])
    assert checked.ok
    assert [doc.id for doc in checked.docs] == ["demo"]
