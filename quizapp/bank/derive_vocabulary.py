"""The vocabulary a document uses as its own: rare recurring words and phrases, named terms.

Besides acronyms, names and definitions (``derive_terms``), a document's key terms are the
lower-case words ordinary English rarely uses that it uses at least twice ("indentation",
"remission"), the recurring phrases of two to four words built on one ("tumor antigens",
"string literals"), and what it names in quotation marks ('are called "attribute
docstrings"'). Adverbs, participles and phrases in mixed case ("Licensee prepares") are not
terms.
"""

from __future__ import annotations

import re

from quizapp.bank.derive_salience import STOPWORDS, common_word, rare_word
from quizapp.bank.derive_sections import LOST, Sentence, fragments
from quizapp.bank.derive_terms import Term, lowered, term_key

__all__ = ["vocabulary"]

MAX_PHRASE_WORDS = 4
_ADJECTIVE = re.compile(r"\w{3}(?:able|ible|ous|ive|ful|less|ical)$")
"""A keyword is a thing, not a quality: "deliverable" or "insignificant" blanks are guesses."""
MAX_NAMED_WORDS = 6
_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'\u2019][A-Za-z0-9]+)*")
_CALLED = re.compile(
    r"\b(?:called|known as|termed|referred to as)\s+"
    r"[\"\u201c](?P<term>[^\"\u201d.,;:]{2,60})[\"\u201d]"
)


def vocabulary(text: str, sentences: list[Sentence]) -> list[Term]:
    """The document's keywords, recurring phrases and named terms."""
    named = [
        Term(m["term"], "term")
        for sentence in sentences
        for m in _CALLED.finditer(sentence.text)
        if LOST not in m["term"] and len(m["term"].split()) <= MAX_NAMED_WORDS
    ]
    return named + _keywords(text, sentences)


def _keywords(text: str, sentences: list[Sentence]) -> list[Term]:
    """The lower-case words rare in everyday English that the document uses at least twice."""
    counts: dict[str, int] = {}
    for sentence in sentences:
        for frag in fragments(text, sentence):
            for m in _WORD.finditer(text, *frag):
                counts[m.group()] = counts.get(m.group(), 0) + 1
    totals: dict[str, int] = {}
    shortest: dict[str, str] = {}
    for word, count in counts.items():
        if rare_word(word) and not _verb_form(word) and not _ADJECTIVE.search(word):
            key = term_key(word)
            totals[key] = totals.get(key, 0) + count
            shortest[key] = min(shortest.get(key, word), word, key=len)
    found = [Term(shortest[key], "keyword") for key, total in totals.items() if total >= 2]
    return found + _phrases(text, sentences)


def _phrases(text: str, sentences: list[Sentence]) -> list[Term]:
    """Recurring phrases of two to four words with a specialist word ("tumor antigens")."""
    counts: dict[str, int] = {}
    written: dict[str, str] = {}
    for sentence in sentences:
        for frag in fragments(text, sentence):
            for n_run, run in enumerate(re.split(r"[^\w\s'-]+", text[frag[0] : frag[1]])):
                words = run.split()
                if n_run == 0 and frag[0] == sentence.start and words:
                    words[0] = lowered(" ".join(words[:2]), True).split()[0]
                for n in range(2, MAX_PHRASE_WORDS + 1):
                    for i in range(len(words) - n + 1):
                        gram = words[i : i + n]
                        if not _phrase_like(gram):
                            continue
                        key = term_key(" ".join(gram))
                        counts[key] = counts.get(key, 0) + 1
                        written.setdefault(key, " ".join(gram))
    recurring = {k for k, c in counts.items() if c >= 2}
    # A phrase inside a longer one that recurs as often is only a piece of it.
    maximal = [
        k
        for k in recurring
        if not any(k != o and f" {k} " in f" {o} " and counts[o] >= counts[k] for o in recurring)
    ]
    return [Term(written[k], "term") for k in maximal]


def _verb_form(word: str) -> bool:
    """An adverb, a participle or a possessive: "optionally", "validating", "object's"."""
    if any(c.isdigit() for c in word) or re.search(r"(?:'s|\u2019s)$", word):
        return True
    return re.search(r"(?:\w{3}ly|\w{4}ing|\w{3}ed)$", word) is not None  # not "string", "bed"


def _phrase_like(words: list[str]) -> bool:
    if any(not re.fullmatch(r"[A-Za-z][\w'-]*", w) for w in words):
        return False
    if words[0].lower() in STOPWORDS or words[-1].lower() in STOPWORDS:
        return False
    if _ADJECTIVE.search(words[-1]):
        return False
    # A term names a thing: no adverb or verb form in it, and it opens with no everyday word.
    if any(_verb_form(w) for w in words):
        return False
    if common_word(words[0]) and not rare_word(words[0].lower()):
        return False
    if any(w.lower() in STOPWORDS and w.lower() != "of" for w in words):
        return False
    # A phrase in mixed case is a name and a verb ("Licensee prepares"), not a term.
    if len({w[:1].isupper() for w in words}) > 1:
        return False
    return any(rare_word(w.lower()) for w in words) and not all(w[:1].isupper() for w in words)
