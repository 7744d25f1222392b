"""The bundled CAR-T set is faithful to its document, covers every section and uses every type.

These checks need only PyYAML and the document, so they hold even without the app's loader.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

QUESTIONS_DIR = Path(__file__).resolve().parents[2] / "questions"
BANK_FILE = QUESTIONS_DIR / "car-t-myeloma.yaml"
SEED_FILE = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_34de7c35558ffd23.txt"

# The types the review's sentences call for (questions/README.md, "What makes a question
# keepable"): it gives nothing honest to compute (numeric) or to pair (matching).
TYPES = (
    "single_choice",
    "multiple_response",
    "true_false",
    "short_answer",
    "cloze",
    "ordering",
)
TOPICS = (
    "introduction",
    "principle",
    "application",
    "clinical-trials",
    "problems",
    "novel-targets",
    "summary",
)
LOST = "**"
GAP = re.compile(r"\[\[(.+?)\]\]")


def squash(text: str) -> str:
    """Collapse runs of whitespace, as a quote wrapped over lines would need."""
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower-case and turn punctuation into spaces, for matching answers against the text."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as whole words, ignoring case and punctuation."""
    return f" {fold(needle)} " in f" {fold(haystack)} "


def stated(answer: str) -> bool:
    """Whether the document states ``answer``, or its plural (a singular variant is accepted)."""
    return contains(DOCUMENT, answer) or contains(DOCUMENT, answer + "s")


BANK: dict[str, Any] = yaml.safe_load(BANK_FILE.read_text(encoding="utf-8"))
DOCUMENT: str = (QUESTIONS_DIR / BANK["source"]["file"]).read_text(encoding="utf-8")
QUESTIONS: list[dict[str, Any]] = BANK["questions"]
SECTION_OF = {topic["id"]: topic["section"] for topic in BANK["topics"]}


def by_type(*names: str) -> list[Any]:
    return [pytest.param(q, id=q["id"]) for q in QUESTIONS if q["type"] in names]


def all_questions() -> list[Any]:
    return by_type(*TYPES)


def section_text(heading: str) -> str:
    """The document's text from ``heading`` up to the next topic's heading."""
    start = DOCUMENT.index(heading)
    later = [DOCUMENT.index(h) for h in SECTION_OF.values() if DOCUMENT.index(h) > start]
    return DOCUMENT[start : min(later, default=len(DOCUMENT))]


def gap_answers(text: str) -> list[list[str]]:
    return [[alt.strip() for alt in gap.split("|")] for gap in GAP.findall(text)]


# ---------------------------------------------------------------- the set as a whole


def test_the_document_is_bundled_verbatim() -> None:
    if not SEED_FILE.is_file():
        pytest.skip("the shared seed document is not beside this checkout")
    assert SEED_FILE.read_text(encoding="utf-8") == DOCUMENT


def test_set_header() -> None:
    assert BANK["id"] == "car-t-myeloma"
    assert BANK["version"] == "1"
    assert BANK["title"].strip()
    assert BANK["description"].strip()
    assert BANK["source"]["title"].strip()


def test_topics_are_the_seven_sections_in_document_order() -> None:
    assert [t["id"] for t in BANK["topics"]] == list(TOPICS)
    positions = [DOCUMENT.index(SECTION_OF[topic]) for topic in TOPICS]
    assert positions == sorted(positions)


@pytest.mark.parametrize("topic", TOPICS)
def test_section_heading_starts_a_line_of_the_document(topic: str) -> None:
    heading = SECTION_OF[topic]
    assert any(line.startswith(heading) for line in DOCUMENT.splitlines())


def test_at_least_twenty_five_questions_with_unique_ids() -> None:
    ids = [q["id"] for q in QUESTIONS]
    assert len(ids) >= 25
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_every_topic_has_at_least_three_questions() -> None:
    counts = Counter(q["topic"] for q in QUESTIONS)
    assert set(counts) == set(TOPICS)
    assert {t: n for t, n in counts.items() if n < 3} == {}


def test_the_types_are_those_the_sentences_call_for() -> None:
    counts = Counter(q["type"] for q in QUESTIONS)
    assert set(counts) == set(TYPES)
    # Ordering only for the four steps, cloze only where the sentence itself is the point.
    assert counts["ordering"] == 1
    assert {t: n for t, n in counts.items() if n < 3 and t not in ("ordering", "cloze")} == {}


# ---------------------------------------------------------------- every question


@pytest.mark.parametrize("question", all_questions())
def test_common_fields(question: dict[str, Any]) -> None:
    for field in ("id", "topic", "type", "explanation", "source"):
        assert question.get(field), field
    assert question.get("prompt") or question.get("text")
    assert question["source"]["section"] == SECTION_OF[question["topic"]]


@pytest.mark.parametrize("question", all_questions())
def test_quote_is_verbatim_in_its_section_and_never_crosses_a_lost_word(
    question: dict[str, Any],
) -> None:
    quote = question["source"]["quote"]
    assert LOST not in quote
    assert len(quote.split()) >= 4, "quote a clause, not a word"
    assert squash(quote) in squash(section_text(question["source"]["section"]))


def answer_strings(question: dict[str, Any]) -> list[str]:
    """Every string a learner is credited for giving or choosing."""
    kind = question["type"]
    if kind in ("single_choice", "multiple_response"):
        return [c["text"] for c in question["choices"] if c.get("correct")]
    if kind == "short_answer":
        return list(question["answers"])
    if kind == "cloze":
        return [alt for gap in gap_answers(question["text"]) for alt in gap]
    if kind == "matching":
        return [pair["right"] for pair in question["pairs"]]
    if kind == "ordering":
        return list(question["items"])
    return []


@pytest.mark.parametrize("question", all_questions())
def test_no_answer_uses_a_lost_word(question: dict[str, Any]) -> None:
    shown = [c["text"] for c in question.get("choices", [])]
    shown += question.get("distractors", [])
    for text in answer_strings(question) + shown:
        assert "*" not in text


def key_strings(question: dict[str, Any]) -> list[str]:
    """The answers shown as correct: the first accepted answer, or a gap's first alternative.

    The other accepted answers are what learners type for it (a plural, an article, the other
    half of an abbreviation, a synonym such as "expanded" for "amplified") and need not be
    written in the document.
    """
    if question["type"] == "short_answer":
        return list(question["answers"][:1])
    if question["type"] == "cloze":
        return [gap[0] for gap in gap_answers(question["text"])]
    return answer_strings(question)


@pytest.mark.parametrize(
    "question", by_type("single_choice", "multiple_response", "short_answer", "cloze", "matching")
)
def test_every_credited_answer_is_stated_by_the_document(question: dict[str, Any]) -> None:
    missing = [a for a in key_strings(question) if not stated(a)]
    assert missing == []


@pytest.mark.parametrize("question", by_type("single_choice", "multiple_response", "ordering"))
def test_correct_answers_are_in_the_quote(question: dict[str, Any]) -> None:
    quote = question["source"]["quote"]
    assert [a for a in answer_strings(question) if not contains(quote, a)] == []


@pytest.mark.parametrize("question", by_type("ordering"))
def test_ordering_items_appear_in_the_quote_in_their_order(question: dict[str, Any]) -> None:
    quote = f" {fold(question['source']['quote'])} "
    positions = [quote.index(f" {fold(item)} ") for item in question["items"]]
    assert positions == sorted(positions)
    assert len(question["items"]) >= 3


@pytest.mark.parametrize("question", by_type("single_choice", "multiple_response"))
def test_choices_are_distinct_with_feedback(question: dict[str, Any]) -> None:
    choices = question["choices"]
    texts = [fold(c["text"]) for c in choices]
    correct = [c for c in choices if c.get("correct")]
    assert len(set(texts)) == len(texts) >= 3
    assert all(c.get("feedback", "").strip() for c in choices)
    if question["type"] == "single_choice":
        assert len(correct) == 1
    else:
        assert 1 <= len(correct) < len(choices)


@pytest.mark.parametrize("question", by_type("true_false"))
def test_true_false_has_a_boolean_answer_and_both_feedbacks(question: dict[str, Any]) -> None:
    assert isinstance(question["answer"], bool)
    assert question["feedback_true"].strip()
    assert question["feedback_false"].strip()


def test_true_false_has_both_true_and_false_statements() -> None:
    answers = Counter(q["answer"] for q in QUESTIONS if q["type"] == "true_false")
    assert answers[True] >= 2
    assert answers[False] >= 2


@pytest.mark.parametrize("question", by_type("short_answer"))
def test_short_answer_is_not_in_its_prompt(question: dict[str, Any]) -> None:
    assert [a for a in question["answers"] if contains(question["prompt"], a)] == []


@pytest.mark.parametrize("question", by_type("cloze"))
def test_cloze_gaps_are_not_given_away_by_the_rest_of_the_text(question: dict[str, Any]) -> None:
    gaps = gap_answers(question["text"])
    visible = GAP.sub(" ", question["text"])
    assert gaps
    assert [alt for gap in gaps for alt in gap if contains(visible, alt)] == []


# ---------------------------------------------------------------- the app's own validator


def test_the_app_reads_and_validates_the_file_without_problems() -> None:
    from quizapp.bank.validate import check_file

    parsed = check_file(BANK_FILE)
    assert [str(p) for p in parsed.problems] == []
    assert parsed.doc is not None
    assert len(parsed.doc.questions) == len(QUESTIONS)
    assert parsed.doc.source.text == DOCUMENT
