"""The bundled bank keeps the rubric of questions/README.md ("What makes a question keepable").

Each test applies one point of the rubric that a program can check, to every question of
``questions/car-t-myeloma.yaml``, and names the offending question ids when it fails. What
needs a subject teacher's judgement (is the distractor of the key's kind, is the fact worth
asking) is in the rubric and is not pretended to be checked here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from quizapp.grading import REGISTRY

QUESTIONS_DIR = Path(__file__).resolve().parents[2] / "questions"
BANK_FILE = QUESTIONS_DIR / "car-t-myeloma.yaml"
BANK: dict[str, Any] = yaml.safe_load(BANK_FILE.read_text(encoding="utf-8"))
QUESTIONS: list[dict[str, Any]] = BANK["questions"]
DOCUMENT = " ".join((QUESTIONS_DIR / BANK["source"]["file"]).read_text(encoding="utf-8").split())

LOST = "**"
GAP = re.compile(r"\[\[(.+?)\]\]")
WORD = re.compile(r"[0-9A-Za-z]+")
# Sentences of the review that are garbled or whose referent was lost: no question may quote
# any part of them (a quote overlapping one is flagged).
UNSOUND = (
    "the rate and drug resistance of multiple myeloma are still high",
    "these CAR-T products have shown better efficacy and lower efficacy",
    "some patients still develop **",
    "However, the issue still needs to be further addressed.",
)
# The one sentence an ordering question may rest on: the four steps of the therapy.
STEPS = (
    "first extracted from the patient's body, genetically engineered to express a chimeric "
    "antigen receptor, and then amplified in vitro and then infused back to the patient"
)
GIVEAWAYS = re.compile(r"\b(all|none|both|neither) of (the|these) (above|options|answers)\b", re.I)
MAX_PER_QUOTE = 2
# The abbreviations the review spells out: a learner may type either part, or both.
ABBREVIATIONS = {
    "MM": "multiple myeloma",
    "CAR-T": "chimeric antigen receptor T cells",
    "BCMA": "B cell maturation antigen",
    "SLAMF7": "signaling lymphocyte activating molecule family 7",
}


def squash(text: str) -> str:
    return " ".join(text.split())


def fold(text: str) -> str:
    """Lower-case, with every run of non-alphanumerics made one space."""
    return " ".join(WORD.findall(text.lower()))


def ids(questions: list[dict[str, Any]]) -> list[str]:
    return [q["id"] for q in questions]


def of_type(*types: str) -> list[dict[str, Any]]:
    return [q for q in QUESTIONS if q["type"] in types]


def quote_span(question: dict[str, Any]) -> tuple[int, int]:
    quote = squash(question["source"]["quote"])
    start = DOCUMENT.find(quote)
    return start, start + len(quote)


def keys(question: dict[str, Any]) -> list[str]:
    """The texts a learner is credited for: keyed choices, first answers, gap keys, items."""
    kind = question["type"]
    if kind in ("single_choice", "multiple_response"):
        return [c["text"] for c in question["choices"] if c.get("correct")]
    if kind == "short_answer":
        return [question["answers"][0]]
    if kind == "cloze":
        return [gap.split("|")[0].strip() for gap in GAP.findall(question["text"])]
    if kind == "matching":
        return [p["right"] for p in question["pairs"]]
    if kind == "ordering":
        return list(question["items"])
    return []


def key_signature(question: dict[str, Any]) -> str:
    """What a question asks for, to spot the same fact asked twice from one quote."""
    if question["type"] == "true_false":
        return f"true_false:{question['answer']}"
    if question["type"] == "numeric":
        return f"numeric:{question['answer']}"
    return "|".join(sorted(fold(k) for k in keys(question)))


def occurrences(text: str, phrase: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where ``phrase`` occurs in ``text[start:end]`` as whole words, punctuation aside."""
    words = WORD.findall(phrase)
    if not words:
        return []
    pattern = re.compile(
        r"(?<![0-9A-Za-z])" + r"[^0-9A-Za-z*]+".join(map(re.escape, words)) + r"(?![0-9A-Za-z])",
        re.IGNORECASE,
    )
    return [(m.start(), m.end()) for m in pattern.finditer(text, start, end)]


def touches_lost_word(position: tuple[int, int]) -> bool:
    """Whether the words right before or right after a span of the document are lost."""
    before = DOCUMENT[: position[0]].rstrip(" ,;:()")
    after = DOCUMENT[position[1] :].lstrip(" ,;:()")
    return before.endswith(LOST) or after.startswith(LOST)


def list_lengths(quote: str) -> set[int]:
    """The number of items of each list in ``quote`` ("such as a, b, and c", "a and b")."""
    lengths: set[int] = set()
    for clause in re.split(r"such as|include|including|:|\(", quote):
        clause = re.split(r"\betc\b|\)|\.", clause)[0]
        items = [
            i for i in re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", clause) if i.strip()
        ]
        if len(items) >= 2:
            lengths.add(len(items))
    return lengths


# ---------------------------------------------------------------- the checks


def test_every_quote_is_verbatim_and_the_app_validates_the_bank() -> None:
    from quizapp.bank.validate import check_file

    misquoted = [q["id"] for q in QUESTIONS if squash(q["source"]["quote"]) not in DOCUMENT]
    assert misquoted == [], f"source quote not verbatim in the review: {misquoted}"
    parsed = check_file(BANK_FILE)
    assert [str(p) for p in parsed.problems] == []


def test_every_question_has_an_explanation_and_a_quote() -> None:
    missing = [
        q["id"]
        for q in QUESTIONS
        if not str(q.get("explanation", "")).strip()
        or not str(q.get("source", {}).get("quote", "")).strip()
    ]
    assert missing == [], f"no explanation or no source quote: {missing}"


def test_every_section_of_the_review_is_covered() -> None:
    asked = {q["topic"] for q in QUESTIONS}
    uncovered = [t["id"] for t in BANK["topics"] if t["id"] not in asked]
    assert len(BANK["topics"]) == 7
    assert uncovered == [], f"sections without a question: {uncovered}"


def test_no_numeric_question_counts_a_list_or_reads_a_digit_out_of_a_name() -> None:
    bad = []
    for q in of_type("numeric"):
        quote, answer = q["source"]["quote"], q["answer"]
        if answer in list_lengths(quote):
            bad.append(f"{q['id']} (counts the items of a list in its quote)")
        if re.search(rf"(?:[A-Za-z]{re.escape(str(answer))}|family {answer})\b", quote):
            bad.append(f"{q['id']} (reads {answer} out of a name)")
    assert bad == [], f"counting questions: {bad}"


def test_no_key_or_gap_touches_or_fills_a_lost_word() -> None:
    bad = []
    for q in QUESTIONS:
        start, end = quote_span(q)
        for key in keys(q):
            if "*" in key:
                bad.append(f"{q['id']}: key '{key}' contains a lost word")
            found = occurrences(DOCUMENT, key, start, end)
            if any(touches_lost_word(span) for span in found):
                bad.append(f"{q['id']}: key '{key}' sits next to a lost word (**)")
    assert bad == [], "\n".join(bad)


def test_cloze_text_is_the_quote_with_gaps_and_no_words_of_its_own() -> None:
    bad = []
    for q in of_type("cloze"):
        filled = GAP.sub(lambda m: m.group(1).split("|")[0], q["text"])
        if fold(filled) not in fold(q["source"]["quote"]):
            bad.append(q["id"])
    assert bad == [], f"cloze text that is not its quote (a gap filled with other words?): {bad}"


def test_no_question_rests_on_a_garbled_sentence_or_a_lost_referent() -> None:
    spans = []
    for sentence in UNSOUND:
        start = DOCUMENT.find(sentence)
        assert start != -1, sentence
        spans.append((start, start + len(sentence)))
    bad = [
        q["id"]
        for q in QUESTIONS
        if any(a < s_end and s_start < b for a, b in [quote_span(q)] for s_start, s_end in spans)
    ]
    assert bad == [], f"quotes resting on a garbled sentence or a lost referent: {bad}"


def test_one_fact_is_not_asked_twice_from_one_quote() -> None:
    by_quote: dict[str, list[str]] = defaultdict(list)
    by_fact: dict[tuple[str, str], list[str]] = defaultdict(list)
    for q in QUESTIONS:
        quote = fold(q["source"]["quote"])
        by_quote[quote].append(q["id"])
        by_fact[(quote, key_signature(q))].append(q["id"])
    twice = [group for group in by_fact.values() if len(group) > 1]
    crowded = [group for group in by_quote.values() if len(group) > MAX_PER_QUOTE]
    assert twice == [], f"the same quote and key asked more than once: {twice}"
    assert crowded == [], f"more than {MAX_PER_QUOTE} questions on one quote: {crowded}"


def test_no_distractor_is_the_key_and_no_option_gives_the_answer_away() -> None:
    bad = []
    for q in of_type("single_choice", "multiple_response"):
        right = {fold(c["text"]) for c in q["choices"] if c.get("correct")}
        wrong = [c["text"] for c in q["choices"] if not c.get("correct")]
        bad += [f"{q['id']}: distractor '{w}' is a key" for w in wrong if fold(w) in right]
        bad += [
            f"{q['id']}: '{c['text']}' is a giveaway option"
            for c in q["choices"]
            if GIVEAWAYS.search(c["text"])
        ]
    for q in of_type("matching"):
        rights = {fold(p["right"]) for p in q["pairs"]}
        bad += [
            f"{q['id']}: distractor '{d}' is a right-hand item"
            for d in q.get("distractors", [])
            if fold(d) in rights
        ]
    assert bad == [], "\n".join(bad)


def test_the_key_of_a_single_choice_is_not_the_longest_option_by_far() -> None:
    bad = []
    for q in of_type("single_choice"):
        key = next(len(c["text"]) for c in q["choices"] if c.get("correct"))
        longest_other = max(len(c["text"]) for c in q["choices"] if not c.get("correct"))
        if key > longest_other * 1.25 and key - longest_other > 8:
            bad.append(q["id"])
    assert bad == [], f"the key is much the longest option (solvable blind): {bad}"


def test_ordering_is_used_only_for_the_four_steps() -> None:
    bad = [q["id"] for q in of_type("ordering") if fold(STEPS) not in fold(q["source"]["quote"])]
    assert bad == [], f"ordering questions on anything but the four steps: {bad}"


def test_short_answers_accept_both_parts_of_an_abbreviation_and_the_singular_and_plural() -> None:
    bad = []
    for q in of_type("short_answer"):
        accepted = {fold(a) for a in q["answers"]}
        prompt = fold(q["prompt"])
        for short, long in ABBREVIATIONS.items():
            forms = (fold(short), fold(long))
            if not accepted & set(forms):
                continue
            # A question asking what an abbreviation stands for must not accept the abbreviation.
            wanted = [f for f in forms if f" {f} " not in f" {prompt} "]
            wanted += (
                [fold(f"{short} ({long})"), fold(f"{long} ({short})")] if len(wanted) == 2 else []
            )
            bad += [f"{q['id']}: does not accept '{f}'" for f in wanted if f not in accepted]
        # The key (the first answer) in the plural must be accepted in the singular too.
        words = fold(q["answers"][0]).split()
        if words and len(words[-1]) > 3 and words[-1].endswith("s"):
            singular = " ".join([*words[:-1], words[-1][:-1]])
            if singular not in accepted:
                bad.append(f"{q['id']}: accepts '{q['answers'][0]}' but not its singular")
    assert bad == [], "\n".join(bad)


# What learners type for the typed questions: each must be marked right by the app's grader.
TYPED_VARIANTS: dict[str, list[Any]] = {
    "intro-car-t-abbreviation": [
        "Chimeric antigen receptor T cells",
        "chimeric antigen receptor T-cell",
        "the chimeric antigen receptor T cells",
        "Chimeric Antigen Receptor T cell therapy",
    ],
    "principle-receptor-target": ["tumor antigens", "Tumour antigen", "the tumor antigens"],
    "application-bcma-antigen": [
        "BCMA",
        "bcma",
        "B-cell maturation antigen",
        "the B cell maturation antigen",
        "BCMA (B cell maturation antigen)",
    ],
    "trials-durable": ["durable", "Durable remission", "a durable remission"],
    "problems-immune-escape": ["immune escape", "Immune escape mechanisms", "immune evasion"],
    "principle-steps-cloze": [
        ["extracted", "engineered", "amplified", "infused"],
        ["removed", "modified", "expanded", "reinfused"],
        ["Extracted", "Engineered", "Amplified", "Infused"],
    ],
}


@pytest.mark.parametrize("qid", sorted(TYPED_VARIANTS))
def test_the_grader_accepts_what_learners_type(qid: str) -> None:
    question = next(q for q in QUESTIONS if q["id"] == qid)
    qtype = REGISTRY[question["type"]]
    spec = {k: v for k, v in question.items() if k in qtype.keys}
    rejected = [r for r in TYPED_VARIANTS[qid] if qtype.grade(spec, r).score < 1]
    assert rejected == [], f"{qid}: right answers marked wrong: {rejected}"


def test_every_typed_question_has_its_variants_listed() -> None:
    typed = ids(of_type("short_answer", "cloze"))
    assert sorted(typed) == sorted(TYPED_VARIANTS), "list what learners type for every new one"


# What learners type that is another thing: each must be marked wrong by the app's grader.
TYPED_WRONG: dict[str, list[Any]] = {
    # Asked what CAR-T stands for, the abbreviation itself is no answer.
    "intro-car-t-abbreviation": [
        "CAR-T",
        "CAR-T cells",
        "chimeric antibody receptor T cells",
        "chimeric antigen receptor B cells",
    ],
    "principle-receptor-target": ["tumor cells", "antigens", "normal antigens"],
    "application-bcma-antigen": [
        "T cell maturation antigen",
        "B cell maturation",
        "SLAMF7",
        "BCMA, SLAMF7",
        "not BCMA",
    ],
    "trials-durable": ["partial", "complete"],
    "problems-immune-escape": ["heterogeneity", "heterogeneity of tumor cells", "immune response"],
    "principle-steps-cloze": [["injected", "engineered", "amplified", "infused"]],
}


def wrong_cases() -> list[Any]:
    return [
        pytest.param(qid, response, id=f"{qid}-{response}")
        for qid, responses in TYPED_WRONG.items()
        for response in responses
    ]


@pytest.mark.parametrize(("qid", "response"), wrong_cases())
def test_the_grader_refuses_what_is_another_thing(qid: str, response: Any) -> None:
    question = next(q for q in QUESTIONS if q["id"] == qid)
    qtype = REGISTRY[question["type"]]
    spec = {k: v for k, v in question.items() if k in qtype.keys}
    assert qtype.grade(spec, response).score < 1, f"{qid}: '{response}' marked right"
