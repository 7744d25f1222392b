"""Forgiving comparison of typed answers: case, accents, punctuation and small typos.

The ``match`` settings of a question say what *matters*: ``case: false`` (the default) means
case is ignored, and likewise for accents and punctuation. Ignoring punctuation also ignores
spacing, so "CAR-T", "CAR T" and "cart" are the same answer. ``typos: auto`` forgives one typo
in answers of 5 or more letters and two from 10 letters; ``typos: 0|1|2`` sets the number.
Typos are never forgiven on numbers: the digits of a response must equal the answer's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from quizapp.grading.base import SpecPath
from quizapp.grading.checks import Checker

MATCH_KEYS = frozenset({"case", "accents", "punctuation", "typos"})
MAX_TYPOS = 2
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class MatchRules:
    """What matters when comparing a typed answer; ``typos=None`` means auto."""

    case: bool = False
    accents: bool = False
    punctuation: bool = False
    typos: int | None = None

    @classmethod
    def from_spec(cls, value: object) -> MatchRules:
        """Read the (validated) ``match`` mapping of a spec; absent keys take the defaults."""
        if not isinstance(value, Mapping):
            return cls()
        typos = value.get("typos", "auto")
        return cls(
            case=bool(value.get("case", False)),
            accents=bool(value.get("accents", False)),
            punctuation=bool(value.get("punctuation", False)),
            typos=None if typos == "auto" else int(typos),
        )


def check_rules(value: object, path: SpecPath, checker: Checker) -> None:
    """Check a ``match`` mapping, recording problems on ``checker``."""
    if value is None:
        return
    rules = checker.mapping(value, path, "match", MATCH_KEYS)
    for key in ("case", "accents", "punctuation"):
        if key in rules:
            checker.boolean(rules[key], (*path, key), f"match.{key}")
    typos = rules.get("typos", "auto")
    valid = typos == "auto" or (
        isinstance(typos, int) and not isinstance(typos, bool) and 0 <= typos <= MAX_TYPOS
    )
    if not valid:
        checker.fail((*path, "typos"), f"match.typos must be auto, 0, 1 or 2, not {typos!r}")


def normalise(text: str, rules: MatchRules) -> str:
    """Return ``text`` with what does not matter under ``rules`` removed."""
    text = unicodedata.normalize("NFKC", text)
    if not rules.accents:
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    if not rules.case:
        text = text.casefold()
    if rules.punctuation:
        text = " ".join(text.split())
    else:
        text = "".join(c for c in text if not c.isspace() and not _is_punctuation(c))
    return unicodedata.normalize("NFC", text)


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def damerau_levenshtein(a: str, b: str) -> int:
    """Return the edit distance between ``a`` and ``b`` counting adjacent swaps as one edit.

    This is the unrestricted distance (Lowrance-Wagner), so "ca" -> "abc" costs 2 where the
    restricted "optimal string alignment" variant would say 3.
    """
    big = len(a) + len(b)
    table = _distance_table(len(a), len(b), big)
    last_row_of: dict[str, int] = {}
    for i in range(1, len(a) + 1):
        last_match_col = 0
        for j in range(1, len(b) + 1):
            k = last_row_of.get(b[j - 1], 0)
            m = last_match_col
            cost = 1
            if a[i - 1] == b[j - 1]:
                cost, last_match_col = 0, j
            table[i + 1][j + 1] = min(
                table[i][j] + cost,
                table[i + 1][j] + 1,
                table[i][j + 1] + 1,
                table[k][m] + (i - k - 1) + 1 + (j - m - 1),
            )
        last_row_of[a[i - 1]] = i
    return table[len(a) + 1][len(b) + 1]


def _distance_table(rows: int, cols: int, big: int) -> list[list[int]]:
    """Build the bordered table: row/column 0 hold ``big``, row/column 1 hold 0, 1, 2..."""
    table = [[big] * (cols + 2) for _ in range(rows + 2)]
    for i in range(rows + 1):
        table[i + 1][1] = i
    for j in range(cols + 1):
        table[1][j + 1] = j
    return table


def allowed_typos(answer: str, rules: MatchRules) -> int:
    """Return how many typos to forgive against a normalised ``answer``.

    Never more than a third of its length, so that a short answer cannot be matched by a
    response that shares little with it, whatever ``typos`` says.
    """
    letters = sum(c.isalpha() for c in answer)
    if rules.typos is None:
        wanted = 2 if letters >= 10 else 1 if letters >= 5 else 0
    else:
        wanted = rules.typos
    return min(wanted, len(answer) // 3)


@dataclass(frozen=True)
class TextMatch:
    """The accepted answer a response matched, and at what distance (typos forgiven)."""

    answer: str
    typos: int


def match_text(response: str, accepted: Sequence[str], rules: MatchRules) -> TextMatch | None:
    """Return the best accepted answer ``response`` matches under ``rules``, or None."""
    given = normalise(response, rules)
    if not given:
        return None
    best: TextMatch | None = None
    for answer in accepted:
        wanted = normalise(answer, rules)
        if not wanted or _DIGITS.findall(given) != _DIGITS.findall(wanted):
            continue
        if abs(len(given) - len(wanted)) > MAX_TYPOS:
            continue
        distance = damerau_levenshtein(given, wanted)
        if distance <= allowed_typos(wanted, rules) and (best is None or distance < best.typos):
            best = TextMatch(answer, distance)
    return best
