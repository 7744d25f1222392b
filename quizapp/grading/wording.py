"""Words of a typed answer in a comparable form: spelling variants, numbers, inflection.

A typed answer is split into words; each word keeps what the learner typed (to quote it back)
and gets a canonical form: British spellings written the American way (``tumour`` ->
``tumor``, ``haematology`` -> ``hematology``, ``centre`` -> ``center``, ``analyse`` ->
``analyze``, ``catalogue`` -> ``catalog``), number words as digits (``twenty-one`` -> ``21``,
``first`` and ``1st`` -> ``#1``), and a stem for inflection (``technologies`` and
``technology`` share ``technolog``). The rules apply to the key and the response alike, so
a rule only has to be consistent, not to know every word.

Stems come from the Snowball English (Porter2) stemmer of ``snowballstemmer``: pure Python, a
few hundred kilobytes, maintained by the Snowball project and used by Sphinx's search. A
dictionary lemmatiser (spaCy, NLTK's WordNet) would be more exact but needs model data and
megabytes of downloads for what is a tie-break between forms of one word. Porter2 also merges
some words a teacher tells apart (``activity``/``active``), so two words count as forms of one
only when their stems agree *and* what differs is an ending of inflection (see ``INFLECTIONS``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]

_WORD = re.compile(r"[^\W_]+")
_CONSONANT = "bcdfghjklmnpqrstvwxz"

#: Leading articles dropped before comparing, by the language of the set.
ARTICLES: dict[str, frozenset[str]] = {
    "en": frozenset({"the", "a", "an"}),
    "fr": frozenset({"le", "la", "les", "l", "un", "une", "des", "du", "de"}),
    "de": frozenset({"der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem"}),
    "es": frozenset({"el", "la", "los", "las", "un", "una", "unos", "unas"}),
    "it": frozenset({"il", "lo", "la", "i", "gli", "le", "l", "un", "uno", "una"}),
}

#: The languages a set may be in (ISO 639-1 code: name): those whose articles are known.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
}

#: Endings by which two forms of one word may differ once their stems agree.
INFLECTIONS = frozenset(
    {"", "s", "es", "ies", "y", "e", "ed", "d", "ied", "ing", "ings", "ion", "ions", "ation"}
    | {"ations", "ly"}
)

#: Plurals Porter2 does not reduce (Latin and Greek ones are common in science).
IRREGULAR = {
    "analyses": "analysis",
    "diagnoses": "diagnosis",
    "prognoses": "prognosis",
    "metastases": "metastasis",
    "theses": "thesis",
    "hypotheses": "hypothesis",
    "crises": "crisis",
    "bacteria": "bacterium",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "mitochondria": "mitochondrion",
    "nuclei": "nucleus",
    "fungi": "fungus",
    "stimuli": "stimulus",
    "bacilli": "bacillus",
    "vertebrae": "vertebra",
    "larvae": "larva",
    "algae": "alga",
    "indices": "index",
    "matrices": "matrix",
    "appendices": "appendix",
    "children": "child",
    "women": "woman",
    "men": "man",
    "mice": "mouse",
    "teeth": "tooth",
    "feet": "foot",
    "geese": "goose",
    "lice": "louse",
    "people": "person",
}

#: British words the suffix rules below do not cover.
SPELLINGS = {
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "pretence": "pretense",
    "grey": "gray",
    "programme": "program",
    "programmes": "programs",
    "aluminium": "aluminum",
    "sulphur": "sulfur",
    "sulphate": "sulfate",
    "manoeuvre": "maneuver",
    "mould": "mold",
    "plough": "plow",
    "cheque": "check",
    "tyre": "tire",
    "judgement": "judgment",
    "ageing": "aging",
}

# British -> American spelling by rule; each applies only to words of 5 letters or more, so
# four, hour, tour, rogue and toe keep their letters.
_SPELLING_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=[a-z]{2})our(?=(?:s|ed|ing|ite|ites|able|er|ers|ful|less)?$)"), "or"),
    (re.compile(r"(?<=[a-z][" + _CONSONANT + r"])([bt])re(s|d)?$"), r"\1er\2"),
    (re.compile(r"(?<=[a-z]{2})is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z])ys(e|es|ed|ing|er|ers)$"), r"yz\1"),
    (re.compile(r"(?<=[" + _CONSONANT + r"])ae(?=[" + _CONSONANT + r"])"), "e"),
    (re.compile(r"(?:^|(?<=[" + _CONSONANT + r"]))oe(?=[" + _CONSONANT + r"])"), "e"),
    (re.compile(r"(?<=[a-z]{2})(og|gog)ue(s)?$"), r"\1\2"),
)

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINALS = [
    "zeroth",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
]
_TENTHS = [
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
]
NUMBER_WORDS: dict[str, int] = {w: n for n, w in enumerate(_UNITS)} | {
    w: 20 + 10 * n for n, w in enumerate(_TENS)
}
ORDINAL_WORDS: dict[str, int] = {w: n for n, w in enumerate(_ORDINALS)} | {
    w: 20 + 10 * n for n, w in enumerate(_TENTHS)
}
_ORDINAL_DIGITS = re.compile(r"(\d+)(?:st|nd|rd|th)")
_MULTIPLIERS = {"hundred": 100, "thousand": 1000}

_STEMMER = snowballstemmer.stemmer("english")


@dataclass(frozen=True)
class Word:
    """One word of an answer.

    Attributes:
        shown: as typed (case and accents kept), to quote back to the learner.
        text: as compared: case and accents removed unless they matter.
        canon: ``text`` with spelling variants and numbers written one way.
        stem: the Porter2 stem of ``canon`` (``canon`` itself for numbers and codes).
    """

    shown: str
    text: str
    canon: str
    stem: str

    @property
    def letters(self) -> int:
        """How many letters (not digits) the word has."""
        return sum(c.isalpha() for c in self.canon)

    @property
    def has_digits(self) -> bool:
        return any(c.isdigit() for c in self.canon)


def fold(text: str, *, case: bool = False, accents: bool = False) -> str:
    """Return ``text`` without the case and accents that do not matter."""
    text = unicodedata.normalize("NFKC", text)
    if not accents:
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    if not case:
        text = text.casefold()
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=8192)
def american(word: str) -> str:
    """Return the American spelling of a lowercase British ``word`` (the word when none)."""
    if word in SPELLINGS:
        return SPELLINGS[word]
    if len(word) < 5 or not word.isalpha():
        return word
    for pattern, replacement in _SPELLING_RULES:
        word = pattern.sub(replacement, word)
    return word


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """Return the stem of a lowercase canonical ``word`` (codes and numbers are their own)."""
    if not word.isalpha() or len(word) < 3:
        return word
    return str(_STEMMER.stemWord(IRREGULAR.get(word, word)))


def same_word(a: str, b: str) -> bool:
    """Whether two different lowercase words are forms of one (``technology``/``technologies``).

    Their stems agree and each differs from the letters they share only by an inflection.
    """
    if a == b:
        return True
    if IRREGULAR.get(a, a) == IRREGULAR.get(b, b):
        return True
    if stem(a) != stem(b) or not a.isalpha():
        return False
    shared = _common_prefix(a, b)
    return a[shared:] in INFLECTIONS and b[shared:] in INFLECTIONS


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def words(
    text: str, *, case: bool = False, accents: bool = False, punctuation: bool = False
) -> tuple[Word, ...]:
    """Split ``text`` into words: at spaces only when ``punctuation`` matters, else at anything
    but letters and digits. Number words become digits (``twenty one`` is one word, ``21``)."""
    text = unicodedata.normalize("NFKC", text).replace("&", " and ")
    pieces = text.split() if punctuation else _WORD.findall(text)
    return _numbers(tuple(_word(p, case=case, accents=accents) for p in pieces))


def _word(piece: str, *, case: bool, accents: bool) -> Word:
    text = fold(piece, case=case, accents=accents)
    lower = text.lower()
    canon = american(lower)
    if lower in NUMBER_WORDS:
        canon = str(NUMBER_WORDS[lower])
    elif lower in ORDINAL_WORDS:
        canon = f"#{ORDINAL_WORDS[lower]}"
    elif ordinal := _ORDINAL_DIGITS.fullmatch(lower):
        canon = f"#{int(ordinal.group(1))}"
    if case and canon == american(lower) and canon == lower:
        canon = text  # case matters: keep it
    return Word(piece, text, canon, stem(canon.lower()) if canon.isalpha() else canon)


def _numbers(ws: tuple[Word, ...]) -> tuple[Word, ...]:
    """Join number words that make one number: ``twenty one`` -> 21, ``two hundred`` -> 200."""
    out: list[Word] = []
    for w in ws:
        prev = out[-1] if out else None
        lower = w.text.lower()
        if prev is not None and prev.canon.isdigit() and prev.text.lower() in _JOINABLE:
            value = int(prev.canon)
            if lower in _MULTIPLIERS and value < 100:
                out[-1] = _number(f"{prev.shown} {w.shown}", value * _MULTIPLIERS[lower])
                continue
            if lower in _DIGIT_WORDS and value >= 20 and value % 10 == 0:
                out[-1] = _number(f"{prev.shown} {w.shown}", value + NUMBER_WORDS[lower])
                continue
        out.append(w)
    return tuple(out)


_JOINABLE = frozenset(NUMBER_WORDS)
_DIGIT_WORDS = frozenset(w for w, n in NUMBER_WORDS.items() if 0 < n < 10)


def _number(shown: str, value: int) -> Word:
    digits = str(value)
    return Word(shown, digits, digits, digits)


def initials(ws: Sequence[Word]) -> str:
    """The first letters of ``ws`` (``B cell maturation antigen`` -> ``bcma``)."""
    return "".join(w.text[:1] for w in ws)
