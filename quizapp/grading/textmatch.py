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
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from quizapp.grading.base import SpecPath
from quizapp.grading.checks import Checker
from quizapp.grading.wording import ARTICLES, Word, initials, same_word, words

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
    # Other forms of a word (plural, simple inflections) count: the endings known are English
    # ones, so a set in another language compares whole words.
    inflections: bool = True

    def for_language(self, language: str) -> MatchRules:
        """These rules for a set in ``language``."""
        return replace(self, inflections=language == "en")

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


# --- Matching a response against the accepted answers, word by word -----------------------

#: Prefixes that make opposite or different terms: a typo never turns one into the other.
OPPOSITE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("hyper", "hypo"),
    ("intra", "extra"),
    ("inter", "intra"),
    ("infra", "supra"),
    ("super", "sub"),
    ("endo", "exo"),
    ("hetero", "homo"),
    ("poly", "mono"),
    ("macro", "micro"),
    ("brady", "tachy"),
    ("ana", "cata"),
    ("anti", "pro"),
    ("ante", "post"),
    ("pre", "post"),
    ("pre", "pro"),
    ("over", "under"),
    ("up", "down"),
    ("in", "out"),
    ("in", "ex"),
    ("im", "ex"),
    ("uni", "multi"),
    ("uni", "bi"),
    ("mono", "di"),
    ("bi", "tri"),
    ("di", "tri"),
    ("ab", "ad"),
    ("af", "ef"),
    ("de", "re"),
    ("en", "ex"),
)
#: Endings that make different terms (an excision is not an incision into the organ).
OPPOSITE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ectomy", "otomy"),
    ("ectomy", "ostomy"),
    ("ostomy", "otomy"),
    ("itis", "osis"),
    ("philic", "phobic"),
    ("emia", "uria"),
    ("blast", "clast"),
    ("cyte", "blast"),
)
#: Words that turn an answer into its negation.
NEGATIONS = frozenset({"not", "no", "never", "neither", "nor", "non", "without", "except"})

_SLASH = re.compile(r"\s+/\s+")
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_PARENTHESIS = re.compile(r"^(?P<out>.*?\S)\s*\((?P<in>[^()]*\S[^()]*)\)\s*$")
_LIST = re.compile(r"\s*(?:[,;/&+]|\b(?:or|and|versus|vs)\b)\s*", re.IGNORECASE)
_MAX_OPTIONAL = 6
_SHORT_FOR_SUBSTITUTION = 8
_ABBREVIATION_WORDS = 3


@dataclass(frozen=True)
class TextMatch:
    """The accepted answer a response matched, and how.

    Attributes:
        answer: the accepted answer as the question lists it.
        typos: typos forgiven (0 when the response is a form of the answer).
        forms: (typed word, key word) accepted as forms of one word (``technologies`` for
            ``technology``), to tell the learner.
    """

    answer: str
    typos: int
    forms: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Verdict:
    """The match of a response (None when wrong), and why it was refused when it came close."""

    match: TextMatch | None
    reason: str = ""


@dataclass(frozen=True)
class _Alternative:
    """One way of writing an accepted answer (an abbreviation, the words without the optional
    ones...), in words without leading articles."""

    answer: str
    shown: str
    words: tuple[Word, ...]
    squashed: str


@dataclass(frozen=True)
class _Fit:
    """How a response's words line up with an alternative's: ``blocked`` says why a close
    response is refused ('' when it is accepted)."""

    blocked: str
    typos: int
    forms: tuple[tuple[str, str], ...]

    @property
    def cost(self) -> tuple[bool, int, int]:
        return (bool(self.blocked), self.typos, len(self.forms))

    def then(self, other: _Fit) -> _Fit:
        return _Fit(
            self.blocked or other.blocked, self.typos + other.typos, self.forms + other.forms
        )


_EXACT = _Fit("", 0, ())


def match_text(
    response: str,
    accepted: Sequence[str],
    rules: MatchRules,
    *,
    others: Sequence[str] = (),
    language: str = "en",
) -> TextMatch | None:
    """Return the best accepted answer ``response`` matches under ``rules``, or None."""
    return judge(response, accepted, rules, others=others, language=language).match


def judge(
    response: str,
    accepted: Sequence[str],
    rules: MatchRules | None = None,
    *,
    others: Sequence[str] = (),
    language: str = "en",
) -> Verdict:
    """Grade a typed ``response`` against the ``accepted`` answers of one question.

    Args:
        response: what the learner typed.
        accepted: the accepted answers; each may be written ``ABBR (expansion)``,
            ``one / other`` and mark optional words ``[like this]``.
        rules: what matters when comparing (the question's ``match``).
        others: the accepted answers of the set's other questions (or the cloze's other
            gaps): a typo is not forgiven when it turns the response into one of them.
        language: the set's language, for the leading articles dropped ("en" by default).

    Returns:
        The match, or None with the reason when the response came close but differs in
        what makes a different term (hypo-/hyper-, B/T, a number, a negation, a list).
    """
    rules = rules or MatchRules()
    alternatives = [alt for a in accepted for alt in _alternatives(str(a), rules, language)]
    verdict = _judge_whole(response, alternatives, rules, language)
    match = verdict.match
    if match is not None and match.typos and others:
        other = _exact_other(response, others, rules, language)
        if other is not None:
            return Verdict(None, f"'{response.strip()}' is another answer of this set ({other})")
    if match is not None or verdict.reason:
        return verdict
    return _judge_parts(response, alternatives, rules, language)


def _judge_whole(
    response: str, alternatives: Sequence[_Alternative], rules: MatchRules, language: str
) -> Verdict:
    given = _content(words(response, **_fold_rules(rules)), language)
    if not given:
        return Verdict(None)
    squashed = normalise(response, rules)
    known = _abbreviations(alternatives)
    best: tuple[tuple[bool, int, int, bool, int], _Fit, _Alternative] | None = None
    for index, alt in enumerate(alternatives):
        fit = _align(given, alt.words, rules, known)
        if fit is None or not _within_budget(fit, rules):
            continue
        key = (*fit.cost, alt.squashed != squashed, index)
        if best is None or key < best[0]:
            best = (key, fit, alt)
    if best is None:
        return Verdict(None)
    _, fit, alt = best
    if fit.blocked:
        return Verdict(None, f"close to '{alt.shown}', but {fit.blocked}")
    return Verdict(TextMatch(alt.answer, fit.typos, fit.forms))


def _judge_parts(
    response: str, alternatives: Sequence[_Alternative], rules: MatchRules, language: str
) -> Verdict:
    """Judge a response that did not match as a whole: ``ABBR (expansion)``, a negation, a
    list of candidates."""
    parenthesis = _PARENTHESIS.match(response)
    if parenthesis:
        outer = _judge_whole(parenthesis["out"], alternatives, rules, language).match
        inner = _judge_whole(parenthesis["in"], alternatives, rules, language).match
        if outer is not None and inner is not None:
            return Verdict(TextMatch(outer.answer, outer.typos + inner.typos, outer.forms))
        # "BCMA (B cell maturation antigen)": the expansion is right and spelt out.
        for full, short in ((inner, parenthesis["out"]), (outer, parenthesis["in"])):
            if full is not None and _spells_out(short, full.answer, alternatives, rules):
                return Verdict(full)
    given = words(response, **_fold_rules(rules))
    negations = [w for w in given if w.text.lower() in NEGATIONS]
    if negations and not any(
        w.text.lower() in NEGATIONS for alt in alternatives for w in alt.words
    ):
        rest = " ".join(w.shown for w in given if w.text.lower() not in NEGATIONS)
        if _judge_whole(rest, alternatives, rules, language).match is not None:
            return Verdict(None, f"'{response.strip()}' negates the answer")
    parts = [p for p in _LIST.split(response) if p.strip()]
    if len(parts) > 1:
        matches = [_judge_whole(p, alternatives, rules, language).match for p in parts]
        if all(m is not None for m in matches):
            return Verdict(matches[0])
        if any(m is not None for m in matches):
            return Verdict(None, f"'{response.strip()}' lists several answers: give one")
    return Verdict(None)


def _exact_other(
    response: str, others: Sequence[str], rules: MatchRules, language: str
) -> str | None:
    """The answer of another question that ``response`` is, typos aside, if any."""
    exact = MatchRules(rules.case, rules.accents, rules.punctuation, typos=0)
    given = _content(words(response, **_fold_rules(exact)), language)
    for other in others:
        alternatives = _alternatives(str(other), exact, language)
        for alt in alternatives:
            fit = _align(given, alt.words, exact, _abbreviations(alternatives))
            if fit is not None and not fit.blocked and not fit.typos:
                return f"'{alt.shown}'"
    return None


def _fold_rules(rules: MatchRules) -> dict[str, bool]:
    return {"case": rules.case, "accents": rules.accents, "punctuation": rules.punctuation}


def _within_budget(fit: _Fit, rules: MatchRules) -> bool:
    return fit.blocked != "" or rules.typos is None or fit.typos <= rules.typos


def _content(ws: tuple[Word, ...], language: str) -> tuple[Word, ...]:
    """Drop leading articles, never the last word (an answer may be the letter "a")."""
    articles = ARTICLES.get(language, ARTICLES["en"])
    start = 0
    while start < len(ws) - 1 and ws[start].text.lower() in articles:
        start += 1
    return ws[start:]


@lru_cache(maxsize=4096)
def _alternatives(answer: str, rules: MatchRules, language: str) -> tuple[_Alternative, ...]:
    """Every way of writing ``answer`` (cached: a question's answers are judged again and
    again)."""
    out: dict[tuple[Word, ...], _Alternative] = {}
    for form in _forms(answer):
        ws = _content(words(form, **_fold_rules(rules)), language)
        if ws and ws not in out:
            out[ws] = _Alternative(answer, " ".join(form.split()), ws, normalise(form, rules))
    return tuple(out.values())


def _forms(answer: str) -> list[str]:
    """Expand ``one / other``, optional ``[words]`` and ``ABBR (expansion)`` into plain forms."""
    forms: list[str] = []
    for part in _SLASH.split(answer):
        for plain in _without_optional(part):
            parenthesis = _PARENTHESIS.match(plain)
            if parenthesis:
                outer, inner = parenthesis["out"], parenthesis["in"]
                forms += [f"{outer} {inner}", outer, inner]
            else:
                forms.append(plain)
    return list(dict.fromkeys(" ".join(f.split()) for f in forms if f.strip()))


def _without_optional(text: str) -> list[str]:
    """``[the] immune escape [mechanism]`` -> every combination with and without each."""
    groups = _OPTIONAL.findall(text)
    if not groups or len(groups) > _MAX_OPTIONAL:
        return [text]
    pieces = _OPTIONAL.split(text)  # text, group, text, group, ..., text
    out = []
    for mask in range(1 << len(groups)):
        chosen = [
            piece if i % 2 == 0 or mask >> (i // 2) & 1 else "" for i, piece in enumerate(pieces)
        ]
        out.append("".join(chosen))
    return out


def _abbreviations(alternatives: Sequence[_Alternative]) -> frozenset[str]:
    """The abbreviations an answer names (``CAR-T`` -> ``cart``): only those may stand for
    the words they abbreviate (asked what CAR-T stands for, "CAR-T cells" is no answer)."""
    out = set()
    for alt in alternatives:
        letters = "".join(w.text for w in alt.words)
        if len(alt.words) <= _ABBREVIATION_WORDS and letters.isalpha():
            out.add(letters)
    return frozenset(out)


def _spells_out(
    short: str, answer: str, alternatives: Sequence[_Alternative], rules: MatchRules
) -> bool:
    """Whether ``short`` is the initials of (the first words of) one form of ``answer``."""
    letters = "".join(w.text for w in words(short, **_fold_rules(rules)))
    return any(
        _abbreviates(words(short, **_fold_rules(rules)), alt.words, 0) == len(letters)
        for alt in alternatives
        if alt.answer == answer
    )


def _align(
    given: tuple[Word, ...],
    wanted: tuple[Word, ...],
    rules: MatchRules,
    known: frozenset[str] = frozenset(),
) -> _Fit | None:
    """Line up the response's words with an alternative's, one word, an abbreviation or a
    compound at a time; return the cheapest fit (None when they cannot be lined up)."""

    @cache
    def fit(i: int, j: int) -> _Fit | None:
        if i == len(given) and j == len(wanted):
            return _EXACT
        best: _Fit | None = None
        for step, di, dj in _steps(given, wanted, i, j, rules, known):
            rest = fit(i + di, j + dj)
            if rest is not None:
                total = step.then(rest)
                if best is None or total.cost < best.cost:
                    best = total
        return best

    return fit(0, 0)


def _steps(
    given: tuple[Word, ...],
    wanted: tuple[Word, ...],
    i: int,
    j: int,
    rules: MatchRules,
    known: frozenset[str],
) -> list[tuple[_Fit, int, int]]:
    steps: list[tuple[_Fit, int, int]] = []
    if i < len(given) and j < len(wanted):
        pair = _pair(given[i], wanted[j], rules)
        if pair is not None:
            steps.append((pair, 1, 1))
    if rules.punctuation:
        return steps
    for n in (1, 2, 3):
        # An abbreviation the answer names typed for its words ("CAR-T cells" for "chimeric
        # antigen receptor T cells / CAR-T"); never the other way round, or any words with the
        # right initials would pass for the abbreviation.
        m = _abbreviates(given[i : i + n], wanted, j)
        if m and "".join(w.text for w in given[i : i + n]) in known:
            steps.append((_EXACT, n, m))
    for n in (2, 3, 4):
        # A compound written in one word or in several (stem cell / stemcell, 1 500 / 1500).
        if j + n <= len(wanted) and _joins(given[i : i + 1], wanted[j : j + n]):
            steps.append((_EXACT, 1, n))
        if i + n <= len(given) and _joins(wanted[j : j + 1], given[i : i + n]):
            steps.append((_EXACT, n, 1))
    return steps


def _joins(one: tuple[Word, ...], several: tuple[Word, ...]) -> bool:
    """Whether one word is several written together."""
    return (
        len(one) == 1
        and one[0].canon.startswith(several[0].canon)
        and one[0].canon == "".join(w.canon for w in several)
    )


def _abbreviates(short: tuple[Word, ...], full: tuple[Word, ...], start: int) -> int:
    """How many words of ``full`` from ``start`` the letters of ``short`` abbreviate (0: none)."""
    if not short or start >= len(full) or short[0].text[:1] != full[start].text[:1]:
        return 0
    letters = "".join(w.text for w in short)
    size = len(letters)
    if not short or size < 2 or not letters.isalpha() or start + size > len(full):
        return 0
    expansion = full[start : start + size]
    if not all(w.text.isalpha() for w in expansion) or initials(expansion) != letters:
        return 0
    return size


def _pair(given: Word, wanted: Word, rules: MatchRules) -> _Fit | None:
    """How one typed word matches one key word: the same, a form of it, a typo, or close but
    a different term (blocked)."""
    if given.canon == wanted.canon:
        return _EXACT
    if rules.inflections and same_word(given.canon, wanted.canon):
        return _Fit("", 0, ((given.shown, wanted.shown),))
    distance = _distance(given.canon, wanted.canon)
    if _DIGITS.findall(given.canon) != _DIGITS.findall(wanted.canon):
        return _Fit("numbers must be exact", 0, ()) if distance <= 1 else None
    if "#" in given.canon + wanted.canon:
        return None  # an ordinal (first, 1st) is not a count, and not a typo of one
    allowed = _word_typos(wanted, rules)
    if wanted.letters < 5 or given.letters < 5:
        return _Fit(f"'{given.shown}' is not '{wanted.shown}'", 0, ()) if distance == 1 else None
    different = _different_terms(given.canon.lower(), wanted.canon.lower())
    if different:
        return _Fit(different, 0, ())
    if distance > allowed or not _plausible_typo(given.canon, wanted.canon, distance):
        return None
    return _Fit("", distance, ())


def _plausible_typo(given: str, wanted: str, distance: int) -> bool:
    """Whether a slip of the fingers, not another word, explains the difference.

    Learners rarely mistype the first letter, and a changed letter in a short word is how
    different words differ (stack/stalk, tumour/rumour); a letter dropped, added or two
    swapped are kept as typos there.
    """
    if given[:1] != wanted[:1]:
        return False
    substituted = len(given) == len(wanted) and sorted(given) != sorted(wanted)
    return not (len(wanted) < _SHORT_FOR_SUBSTITUTION and distance == 1 and substituted)


def _word_typos(wanted: Word, rules: MatchRules) -> int:
    """Typos forgiven in one key word: about one per six letters (auto), from 5 letters."""
    if wanted.letters < 5:
        return 0
    if rules.typos is None:
        return max(1, len(wanted.canon) // 6)
    return min(rules.typos, len(wanted.canon) // 3)


def _different_terms(given: str, wanted: str) -> str:
    """Why two close words are different terms ('' when they may be a typo of each other)."""
    for a, b in OPPOSITE_PREFIXES:
        for x, y in ((a, b), (b, a)):
            if (
                given.startswith(x)
                and wanted.startswith(y)
                and _rest_matches(given[len(x) :], wanted[len(y) :])
            ):
                return f"{x}- and {y}- are different terms"
    for a, b in OPPOSITE_SUFFIXES:
        for x, y in ((a, b), (b, a)):
            if (
                given.endswith(x)
                and wanted.endswith(y)
                and _rest_matches(given[: -len(x)], wanted[: -len(y)])
            ):
                return f"-{x} and -{y} are different terms"
    return ""


def _rest_matches(a: str, b: str) -> bool:
    """Whether what follows (or precedes) the prefixes is nearly the same word."""
    return abs(len(a) - len(b)) <= 1 and _distance(a, b) <= 1


@lru_cache(maxsize=65536)
def _distance(a: str, b: str) -> int:
    """The distance between two words, at most 3 (further is as good as unrelated here)."""
    if abs(len(a) - len(b)) > 3:
        return 3 + abs(len(a) - len(b))
    return damerau_levenshtein(a, b)
