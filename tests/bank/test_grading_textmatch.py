"""Typed answers: normalisation, the Damerau-Levenshtein distance and typo forgiveness."""

from __future__ import annotations

import pytest

from quizapp.grading.textmatch import (
    MatchRules,
    allowed_typos,
    damerau_levenshtein,
    match_text,
    normalise,
)

LENIENT = MatchRules()


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("", "abc", 3),
        ("abc", "", 3),
        ("myeloma", "myeloma", 0),
        ("myeloma", "myelona", 1),  # substitution
        ("myeloma", "myloma", 1),  # deletion
        ("myeloma", "myeeloma", 1),  # insertion
        ("myeloma", "myelmoa", 1),  # adjacent swap
        ("ab", "ba", 1),
        ("kitten", "sitting", 3),
        ("ca", "abc", 2),  # unrestricted: the restricted (OSA) variant gives 3
        ("abcdef", "badcfe", 3),
        ("plasma", "lpasam", 2),
    ],
)
def test_damerau_levenshtein(a: str, b: str, distance: int) -> None:
    assert damerau_levenshtein(a, b) == distance
    assert damerau_levenshtein(b, a) == distance


@pytest.mark.parametrize(
    ("rules", "text", "normal"),
    [
        (LENIENT, "  Bone   Marrow ", "bonemarrow"),
        (LENIENT, "CAR-T", "cart"),
        (LENIENT, "Réfractaire", "refractaire"),
        (LENIENT, "B-cell maturation antigen.", "bcellmaturationantigen"),
        (MatchRules(case=True), "CAR-T", "CART"),
        (MatchRules(accents=True), "Réfractaire", "réfractaire"),
        (MatchRules(punctuation=True), "  CAR-T   cells ", "car-t cells"),
        (MatchRules(case=True, accents=True, punctuation=True), " Ré-T ", "Ré-T"),
        (LENIENT, "ﬁbroblast", "fibroblast"),  # compatibility ligature
    ],
)
def test_normalise(rules: MatchRules, text: str, normal: str) -> None:
    assert normalise(text, rules) == normal


@pytest.mark.parametrize(
    ("answer", "rules", "typos"),
    [
        ("bcma", LENIENT, 0),
        ("plasma", LENIENT, 1),
        ("myeloma", LENIENT, 1),
        ("hypercalcemia", LENIENT, 2),
        ("bcma", MatchRules(typos=2), 1),  # capped at a third of the length
        ("ab", MatchRules(typos=2), 0),
        ("hypercalcemia", MatchRules(typos=0), 0),
        ("myeloma", MatchRules(typos=2), 2),
    ],
)
def test_allowed_typos(answer: str, rules: MatchRules, typos: int) -> None:
    assert allowed_typos(answer, rules) == typos


@pytest.mark.parametrize(
    ("response", "accepted", "rules", "matched", "typos"),
    [
        ("bone marrow", ["The bone marrow", "bone marrow"], LENIENT, "bone marrow", 0),
        ("BONE MARROW!", ["bone marrow"], LENIENT, "bone marrow", 0),
        ("bone marow", ["bone marrow"], LENIENT, "bone marrow", 1),
        # British spelling is a variant, not a typo; about one typo per six letters
        ("hypercalcaemia", ["hypercalcemia"], LENIENT, "hypercalcemia", 0),
        ("hypercalcaemai", ["hypercalcemia"], LENIENT, "hypercalcemia", 1),
        ("hyprecalcaemai", ["hypercalcemia"], LENIENT, "hypercalcemia", 2),
        ("hyprecalcmeai", ["hypercalcemia"], LENIENT, None, 0),  # three typos
        ("bcam", ["BCMA"], LENIENT, None, 0),  # four letters: no typo forgiven
        ("cart", ["CAR-T"], LENIENT, "CAR-T", 0),
        ("car-t", ["CAR-T"], MatchRules(punctuation=True), "CAR-T", 0),
        ("car t", ["CAR-T"], MatchRules(punctuation=True), None, 0),
        ("car-t", ["CAR-T"], MatchRules(case=True), None, 0),
        ("refractaire", ["réfractaire"], LENIENT, "réfractaire", 0),
        ("refractaire", ["réfractaire"], MatchRules(accents=True, typos=0), None, 0),
        ("plasmo", ["plasma"], MatchRules(typos=0), None, 0),
        ("GPRC5D", ["GPRC5D"], LENIENT, "GPRC5D", 0),
        ("GPRC6D", ["GPRC5D"], LENIENT, None, 0),  # never a typo on a number
        ("GPCR5D", ["GPRC5D"], LENIENT, "GPRC5D", 1),  # a letter swap is a typo
        ("1500", ["1 500"], LENIENT, "1 500", 0),
        ("1600", ["1500"], MatchRules(typos=2), None, 0),
        ("", ["x"], LENIENT, None, 0),
        ("...", ["bone marrow"], LENIENT, None, 0),
    ],
)
def test_match_text(
    response: str, accepted: list[str], rules: MatchRules, matched: str | None, typos: int
) -> None:
    match = match_text(response, accepted, rules)
    if matched is None:
        assert match is None
    else:
        assert match is not None
        assert (match.answer, match.typos) == (matched, typos)


def test_match_text_prefers_the_closest_answer() -> None:
    match = match_text("myelome", ["myeloma", "myelome"], LENIENT)
    assert match is not None
    assert (match.answer, match.typos) == ("myelome", 0)


@pytest.mark.parametrize(
    ("spec", "rules"),
    [
        (None, MatchRules()),
        ({}, MatchRules()),
        ({"case": True, "typos": 0}, MatchRules(case=True, typos=0)),
        (
            {"accents": True, "punctuation": True, "typos": "auto"},
            MatchRules(accents=True, punctuation=True),
        ),
    ],
)
def test_rules_from_spec(spec: object, rules: MatchRules) -> None:
    assert MatchRules.from_spec(spec) == rules
