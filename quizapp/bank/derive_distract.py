"""Distractors of the same kind as a hidden term, none of which the document says is right.

A term's kind is told by the document itself, not by its spelling: the other items of an
enumeration it belongs to ("products such as A and B"), terms with the same head noun ("...
antigen", "... receptor"), and, for abbreviations and names, the others of the section it
is in. Each candidate is then put in the hidden term's place: if the document anywhere says
the words around the blank with the candidate there ("targets BCMA", "SLAMF7 is"), the
candidate would be true as well, and it is refused.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from quizapp.bank.derive_salience import STOPWORDS, Salience
from quizapp.bank.derive_sections import Sentence
from quizapp.bank.derive_terms import Lexicon, Occurrence, Term, term_key

__all__ = ["SWAPPABLE", "distractors", "stated_true"]

MAX_DISTRACTORS = 3
SWAPPABLE = {
    "acronym": ("acronym",),
    "name": ("name",),
    "expansion": ("expansion", "term"),
    "term": ("term", "expansion"),
    "keyword": ("keyword",),
    "example": ("example", "keyword", "term", "expansion"),
    "number": (),
}
"""Which kinds may stand in for a term of each kind."""

_WORDS = re.compile(r"[\w'-]+")


def _head(key: str) -> str:
    """The noun a term is about: "receptor" in "antigen receptor", "heterogeneity of cells"."""
    words = key.split()
    if "of" in words[1:]:
        words = words[: words.index("of", 1)]
    return words[-1] if words else ""


def _suffix(key: str) -> str:
    return key[-4:] if len(key) >= 7 else key


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _mentions(text: str, term: Term) -> bool:
    words = r"\s+".join(re.escape(w) for w in term.text.split())
    return re.search(rf"(?<![A-Za-z0-9]){words}(?:s|es)?(?![A-Za-z0-9])", text, re.I) is not None


def _context(text: str, sentence: Sentence, occ: Occurrence) -> tuple[str, str]:
    """The content words just before and just after an occurrence, within its sentence."""
    before = _WORDS.findall(text[sentence.start : occ.start])
    after = _WORDS.findall(text[occ.end : sentence.end])
    left = (
        before[-3:]
        if before[-2:] and all(w.lower() in STOPWORDS for w in before[-2:])
        else before[-2:]
    )
    right = after[:3] if after[:2] and all(w.lower() in STOPWORDS for w in after[:2]) else after[:2]
    return " ".join(left).lower(), " ".join(right).lower()


def stated_true(flat: str, context: tuple[str, str], candidate: Term) -> bool:
    """Whether the document says the blank's neighbours with ``candidate`` in the blank.

    ``flat`` is the document in lower case, single-spaced, without punctuation but hyphens.
    """
    name = " ".join(_WORDS.findall(candidate.text.lower()))
    left, right = context
    for phrase in (f"{left} {name}" if left else "", f"{name} {right}" if right else ""):
        if phrase and re.search(rf"(?<![\w-]){re.escape(phrase)}(?:s|es)?(?![\w-])", flat):
            return True
    return False


def flatten(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def distractors(
    *,
    text: str,
    flat: str,
    lexicon: Lexicon,
    salience: Salience,
    section_text: str,
    sentence: Sentence,
    occ: Occurrence,
    count: int = MAX_DISTRACTORS,
) -> list[Term]:
    """Up to ``count`` terms of the key's kind, related to it, and false in its place."""
    key = occ.term.key
    banned = {key, term_key(lexicon.alias.get(key, ""))} | salience.subject
    # Items of the same enumeration, or of another enumeration of the same noun, are of a kind.
    nouns = {noun for noun, items in lexicon.lists if key in items and noun}
    siblings = {k for noun, items in lexicon.lists if key in items or noun in nouns for k in items}
    context = _context(text, sentence, occ)
    scored: list[tuple[float, str, Term]] = []
    for term in lexicon.of_kind(SWAPPABLE[occ.term.kind]):
        if term.key in banned or term.key in key or key in term.key:
            continue
        if _mentions(sentence.text, term):
            continue
        score = 0.0
        if term.key in siblings:
            score += 3
        if " " in key and _head(term.key) == _head(key):
            score += 2
        if " " not in key + term.key and _suffix(term.key) == _suffix(key):
            score += 1
        if occ.term.kind == "acronym" and _mentions(section_text, term):
            score += 1
        if score < 1 or stated_true(flat, context, term):
            continue
        if (
            term.kind == "acronym"
            and salience.counts.get(term.key, 0) < 2
            and term.key not in lexicon.alias
        ):
            continue  # "FR" once, from "Stephenson FR": initials, not an abbreviation of a kind
        scored.append((-score, _digest(key, sentence.text, term.key), term))
    scored.sort(key=lambda item: item[:2])
    return [term for _, _, term in scored[:count]]


def plural(text: str) -> bool:
    last = text.split()[-1].lower() if text.split() else ""
    return last.endswith("s") and not last.endswith("ss")


def same_number(terms: Sequence[Term], like: str) -> list[Term]:
    """The terms that agree in number with ``like`` first (a plural blank, plural options)."""
    return sorted(terms, key=lambda t: plural(t.text) != plural(like))
