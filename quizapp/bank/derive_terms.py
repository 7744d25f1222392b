"""The key terms of a document: acronyms and their long forms, names, defined terms, keywords.

Numbers are never key terms (a blank on "2" or "1995" tests no understanding), nor are words
of everyday English that happen to be capitalised ("The", "Notes") or in capitals ("MUST",
"NOT"); keywords are the recurring lower-case words that ordinary English rarely uses.

Each sentence is searched for terms (``Term``, found as an ``Occurrence`` at a place of the
text); ``build_lexicon`` gathers the terms of the whole document by kind, with the acronyms it
spells out (``Definition``), so that a draft can hide a term and offer others of its kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from quizapp.bank.derive_salience import STOPWORDS, common_word, zipf
from quizapp.bank.derive_sections import LOST, Sentence, fragments

MAX_EXAMPLE_WORDS = 6

_KIND_RANK = {
    "expansion": 0,
    "acronym": 1,
    "name": 2,
    "term": 3,
    "keyword": 4,
    "example": 5,
    "number": 6,
}
"""When one span or key is found as two kinds, the lower rank wins."""

_STOPWORDS = frozenset({"of", "and", "the", "for", "in", "on", "to", "a", "an", "with", "by"})
_NOT_DEFINED = frozenset(
    {"this", "these", "that", "those", "it", "they", "there", "here", "such", "which", "what"}
    | {"one", "each", "another", "its", "their", "our", "his", "her", "he", "she", "we", "you"}
)
_SENTENCE_STARTERS = frozenset(
    {"the", "a", "an", "in", "at", "on", "of", "for", "to", "by", "from", "with", "as", "this"}
    | {"there", "because", "though", "whereas", "unlike", "like", "both", "all", "some", "many"}
    | {"these", "that", "those", "it", "its", "after", "before", "when", "while", "although"}
    | {"however", "therefore", "thus", "currently", "today", "since", "during", "if", "but"}
)

_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'\u2019][A-Za-z0-9]+)*")
_CAP = r"[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:-[A-Z][a-z]+)?"
_NAME = re.compile(
    rf"(?<![\w-]){_CAP}(?:\s+(?:(?:of|de|la|le|von|van|der|da|du)\s+)?{_CAP})*(?![\w-])"
)
_LETTER_TERM = re.compile(r"(?<![\w-])(?![AI]\s)[A-Z]\s+[a-z]{3,}(?![\w-])")
"""A capital letter naming a kind of thing: T cells, B cell, G protein (not "A router")."""
_ROMAN = re.compile(r"^(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
_ABBR_AFTER = re.compile(r"\((?P<abbr>[A-Za-z0-9][A-Za-z0-9-]{1,11})(?:[,;][^()]*)?\)")
_ABBR_BEFORE = re.compile(
    r"(?<![\w-])(?P<abbr>[A-Za-z0-9][A-Za-z0-9-]{1,11})\s+\((?P<long>[^()]{3,80})\)"
)
_SUCH_AS = re.compile(r"\bsuch as\s+(?P<items>[^.;:()]+?)(?=,?\s+etc\b|[.;:()]|$)", re.IGNORECASE)
_LIST_NOUN = re.compile(r"([A-Za-z][\w-]*)\s*,?\s+such\s+as\s+(?:the\s+|an?\s+)?$", re.I)
_LIST_SEPARATOR = re.compile(r",\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+")
_DEFINITION = re.compile(
    r"^(?:(?:The|A|An)\s+)?(?P<term>[A-Za-z][\w'-]*(?:\s+[\w'-]+){0,4}?)"
    r"(?:\s+\([^()]{1,40}\))?\s+(?:is|are)\s+(?:a|an|the)\s+\w"
)


@dataclass(frozen=True)
class Term:
    """A key term; ``kind`` is acronym, expansion (of an acronym), term (defined), name, number."""

    text: str
    kind: str

    def __post_init__(self) -> None:
        # A term wrapped over two lines is still one term: keep its words, single-spaced.
        object.__setattr__(self, "text", " ".join(self.text.split()))

    @property
    def key(self) -> str:
        return term_key(self.text)


@dataclass(frozen=True)
class Occurrence:
    """Where a term occurs: ``text[start:end]`` is the term as written there."""

    start: int
    end: int
    term: Term


def term_key(text: str) -> str:
    """The identity of a term: case, spacing and a final plural -s do not matter."""
    key = " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())
    return key[:-1] if len(key) > 3 and key.endswith("s") and not key.endswith("ss") else key


def is_acronym(word: str) -> bool:
    """Whether ``word`` looks like an abbreviation: CAR-T, BCMA, SLAMF7, mRNA; not IV or Hello."""
    if not re.fullmatch(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", word) or _ROMAN.match(word):
        return False
    uppers = sum(ch.isupper() for ch in word)
    return uppers >= 2 and re.search(r"[a-z]{2}", word) is None and len(word) <= 12


def _letters(abbr: str) -> str:
    return re.sub(r"[^a-z0-9]", "", abbr.lower())


def _pieces(words: Sequence[str]) -> tuple[str, ...]:
    """The lower-cased word pieces (split at hyphens) whose initials may spell an acronym."""
    return tuple(p for w in words for p in re.split(r"[^a-z0-9]+", w.lower()) if p)


def _prefixes(piece: str, letters: str, inner: bool) -> Iterator[int]:
    """How many of ``letters`` a word piece may stand for (its initial, then inner letters)."""
    yield 1
    if inner:
        at, n = 1, 1
        while n < len(letters) and (found := piece.find(letters[n], at)) != -1:
            at, n = found + 1, n + 1
            yield n


def _spells(pieces: tuple[str, ...], letters: str, inner: bool) -> bool:
    """Whether the initials of ``pieces`` spell ``letters`` (one spare word may trail)."""
    if not letters:
        return len(pieces) <= 1
    if not pieces:
        return False
    head, rest = pieces[0], pieces[1:]
    if head[0] == letters[0] and any(
        _spells(rest, letters[n:], inner) for n in _prefixes(head, letters, inner)
    ):
        return True
    return head in _STOPWORDS and _spells(rest, letters, inner)


def _long_form_before(text: str, start: int, end: int, abbr: str) -> tuple[int, int] | None:
    """The span of the words just before ``end`` that ``abbr`` abbreviates, if any."""
    words = list(_WORD.finditer(text, start, end))
    letters = _letters(abbr)
    if not words or text[words[-1].end() : end].strip():
        return None
    for inner in (False, True):
        for count in range(1, min(len(words), len(letters) + 3) + 1):
            chosen = words[-count:]
            if _spells(_pieces([w.group() for w in chosen]), letters, inner):
                return chosen[0].start(), chosen[-1].end()
    return None


@dataclass(frozen=True)
class Definition:
    abbr: Occurrence
    long: Occurrence
    span: tuple[int, int]


def _abbreviations(text: str, frag: tuple[int, int]) -> Iterator[Definition]:
    """Find "long form (ABBR)" and "ABBR (long form)" inside one fragment."""
    a, b = frag
    for m in _ABBR_AFTER.finditer(text, a, b):
        abbr = m["abbr"]
        span = _long_form_before(text, a, m.start(), abbr) if is_acronym(abbr) else None
        if span:
            yield Definition(
                Occurrence(m.start("abbr"), m.end("abbr"), Term(abbr, "acronym")),
                Occurrence(*span, Term(text[span[0] : span[1]], "expansion")),
                (span[0], m.end()),
            )
    for m in _ABBR_BEFORE.finditer(text, a, b):
        long = m["long"].strip()
        if is_acronym(m["abbr"]) and _spells(_pieces(long.split()), _letters(m["abbr"]), False):
            lo = m.start("long") + m["long"].index(long)
            yield Definition(
                Occurrence(m.start("abbr"), m.end("abbr"), Term(m["abbr"], "acronym")),
                Occurrence(lo, lo + len(long), Term(long, "expansion")),
                (m.start(), m.end()),
            )


def examples(text: str, frag: tuple[int, int]) -> Iterator[Occurrence]:
    """The items of a list introduced by "such as" (symptoms such as A, B, and C)."""
    for m in _SUCH_AS.finditer(text, *frag):
        items = []
        pos = m.start("items")
        for piece in _LIST_SEPARATOR.split(m["items"]):
            at = text.index(piece, pos) if piece else pos
            pos = at + len(piece)
            item = re.sub(r"^(?:the|a|an)\s+", "", piece.strip(), flags=re.IGNORECASE)
            item = re.sub(r"\s*\([^()]*\)?$", "", item)
            if item:
                start = text.index(item, at)
                items.append(Occurrence(start, start + len(item), Term(item, "example")))
        # Items are words: a list of code ("such as `virtualenv` or `conda`") is none.
        worded = all(re.fullmatch(r"\w[\w\s'\u2019-]*", o.term.text) for o in items)
        if (
            len(items) >= 2
            and worded
            and all(word_count(o.term.text) <= MAX_EXAMPLE_WORDS for o in items)
        ):
            yield from items


def list_noun(text: str, start: int) -> str:
    """The noun an enumeration illustrates: "symptoms" in "symptoms such as ..."."""
    before = _LIST_NOUN.search(text[max(start - 80, 0) : start])
    return before.group(1) if before else ""


def defined_term(text: str, sentence: Sentence) -> Occurrence | None:
    """The X of a sentence "X is a/an/the ...", if the sentence defines something."""
    match = _DEFINITION.match(sentence.text)
    if match is None or LOST in sentence.text[: match.end()]:
        return None
    term = match["term"]
    words = [w.lower() for w in term.split()]
    if words[0] in _SENTENCE_STARTERS or any(w in _NOT_DEFINED for w in words) or len(term) < 3:
        return None
    start = sentence.start + match.start("term")
    kind = "acronym" if is_acronym(term) else "term"
    return Occurrence(start, start + len(term), Term(term, kind))


# ---------------------------------------------------------------- the lexicon


@dataclass
class Lexicon:
    """Every term of the document by key, its kind, and the acronym <-> long form pairs."""

    terms: dict[str, Term] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)
    definitions: list[tuple[Sentence, Definition]] = field(default_factory=list)
    lists: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    """Each enumeration's noun and its items' keys ("symptoms such as A, B and C")."""

    def add(self, term: Term) -> None:
        # A defined term that turns out to spell out an acronym is an expansion, and so on.
        known = self.terms.get(term.key)
        if known is None or _KIND_RANK[term.kind] < _KIND_RANK[known.kind]:
            self.terms[term.key] = Term(known.text if known else term.text, term.kind)

    def of_kind(self, kinds: Sequence[str]) -> list[Term]:
        return [t for t in self.terms.values() if t.kind in kinds]


def spelled_patterns(lexicon: Lexicon) -> list[tuple[re.Pattern[str], Term]]:
    """Search patterns for the long forms and defined terms (case-insensitive, plural -s)."""
    spelled = ("expansion", "term", "example", "keyword")
    terms = [t for t in lexicon.terms.values() if t.kind in spelled]
    terms.sort(key=lambda t: -len(t.text))
    return [(_spelled(t.text), t) for t in terms]


def _spelled(text: str) -> re.Pattern[str]:
    """Find ``text`` as whole words, in any case, over line breaks, with a plural -s or -es."""
    words = r"\s+".join(re.escape(w) for w in text.split())
    return re.compile(rf"(?<![\w-]){words}(?:s|es)?(?![\w-])", re.IGNORECASE)


def _candidates(
    text: str, frag: tuple[int, int], first: bool, spelled: list[tuple[re.Pattern[str], Term]]
) -> Iterator[Occurrence]:
    """Every possible term occurrence in a fragment, overlapping ones included."""
    a, b = frag
    for pattern, term in spelled:
        for m in pattern.finditer(text, a, b):
            yield Occurrence(m.start(), m.end(), Term(m.group(), term.kind))
    for m in re.finditer(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", text[a:b]):
        yield from _acronyms_in(a + m.start(), m.group())
    for m in _NAME.finditer(text, a, b):
        if name := _name_at(text, m, sentence_start=first and m.start() == a):
            yield name
    for m in _LETTER_TERM.finditer(text, a, b):
        if m.group().split()[-1].lower() not in STOPWORDS:  # "T cells", not "Z that"
            yield Occurrence(m.start(), m.end(), Term(m.group(), "term"))


def _acronyms_in(at: int, token: str) -> Iterator[Occurrence]:
    """The acronym a token is, or the acronyms among its hyphenated parts (BCMA-negative)."""
    if is_acronym(token) and not _capitalised_word(token):
        yield Occurrence(at, at + len(token), Term(token, "acronym"))
        return
    pos = at
    for part in token.split("-"):
        if is_acronym(part) and not _capitalised_word(part):
            yield Occurrence(pos, pos + len(part), Term(part, "acronym"))
        pos += len(part) + 1


def _capitalised_word(token: str) -> bool:
    """A word in capitals ("MUST", "DOMAIN", a file's "CHANGELOG"), not an abbreviation."""
    if token.isalpha() and token.isupper() and len(token) >= 6:
        return True
    return common_word(token) or (len(token) >= 4 and token.isalpha() and zipf(token) >= 3.0)


def _name_at(text: str, match: re.Match[str], *, sentence_start: bool) -> Occurrence | None:
    """A capitalised name, unless it is only capitalised because it starts the sentence."""
    words = match.group().split()
    start = match.start()
    if sentence_start:
        if len(words) > 1 and common_word(words[0]) and words[0].lower() not in _SENTENCE_STARTERS:
            start = match.start() + match.group().index(words[1])
            words = words[1:]
        if len(words) == 1 and start == match.start():
            return None
        if words[0].lower() in _SENTENCE_STARTERS:
            start = match.start() + match.group().index(words[1])
            words = words[1:]
            if len(words) == 1:
                return None
    if len(words) == 1 and (len(words[0]) < 3 or common_word(words[0])):
        return None
    return Occurrence(start, match.end(), Term(text[start : match.end()], "name"))


def _resolve(candidates: list[Occurrence]) -> list[Occurrence]:
    """Keep the longest of overlapping occurrences, earliest first."""
    kept: list[Occurrence] = []

    def rank(o: Occurrence) -> tuple[int, int, int]:
        return -(o.end - o.start), _KIND_RANK[o.term.kind], o.start

    for occ in sorted(candidates, key=rank):
        if all(occ.end <= k.start or occ.start >= k.end for k in kept):
            kept.append(occ)
    return sorted(kept, key=lambda o: o.start)


def _as_listed(occ: Occurrence, sentence: Sentence) -> Term:
    """The term as an option lists it: without the capital it has only for starting a sentence."""
    return Term(lowered(occ.term.text, occ.start == sentence.start), occ.term.kind)


def build_lexicon(text: str, sentences: list[Sentence], vocabulary: Sequence[Term] = ()) -> Lexicon:
    """Collect the definitions and ``vocabulary`` first, then every term of a usable fragment."""
    lexicon = Lexicon()
    for sentence in sentences:
        if (defined := defined_term(text, sentence)) is not None:
            lexicon.add(_as_listed(defined, sentence))
        for frag in fragments(text, sentence):
            listed = list(examples(text, frag))
            for example in listed:
                lexicon.add(example.term)
            if listed:
                noun = list_noun(text, listed[0].start)
                lexicon.lists.append((term_key(noun), tuple(o.term.key for o in listed)))
            for definition in _abbreviations(text, frag):
                lexicon.add(definition.abbr.term)
                lexicon.add(_as_listed(definition.long, sentence))
                lexicon.alias.setdefault(definition.abbr.term.key, definition.long.term.text)
                lexicon.alias.setdefault(definition.long.term.key, definition.abbr.term.text)
                lexicon.definitions.append((sentence, definition))
    for found in vocabulary:
        lexicon.add(found)
    spelled = spelled_patterns(lexicon)
    for sentence in sentences:
        for occ in occurrences(text, sentence, spelled):
            # Next to lost text a term may be cut short: it can be neither answer nor option.
            if not touches_lost(text, occ):
                lexicon.add(occ.term)
    return lexicon


def occurrences(
    text: str, sentence: Sentence, spelled: list[tuple[re.Pattern[str], Term]]
) -> list[Occurrence]:
    found: list[Occurrence] = []
    for frag in fragments(text, sentence):
        first = frag[0] == sentence.start
        found += _resolve(list(_candidates(text, frag, first, spelled)))
    return found


def touches_lost(text: str, occ: Occurrence) -> bool:
    return text[max(occ.start - 2, 0) : occ.start] == LOST or text[occ.end : occ.end + 2] == LOST


def word_count(text: str) -> int:
    return len(text.split())


def lowered(text: str, at_sentence_start: bool) -> str:
    """Undo the capital a long form has only because it starts its sentence."""
    words = text.split()
    capital_only_first = len(words) > 1 and all(w[:1].islower() for w in words[1:])
    if at_sentence_start and capital_only_first and not is_acronym(words[0]):
        return text[:1].lower() + text[1:]
    return text
