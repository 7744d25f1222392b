"""Draft a question set from any plain-text or Markdown document.

The drafts are a starting point for an instructor to review. Sections become topics. Cloze and
single-choice questions hide a key term (an acronym, a name, a spelled-out or defined term, a
number) in a sentence that carries it; single-choice distractors are other terms of the same
kind from the same document. Definitional sentences ("X is a ...", "long form (ABBR)") give
true/false statements, the false one swapping in another term of the same kind.

Every draft quotes its sentence verbatim. ``**`` marks text lost from the document: no quote
crosses it, and no answer or distractor touches it. (Markdown bold uses the same mark and is
therefore read as lost text too.)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc

__all__ = [
    "Occurrence",
    "Section",
    "Sentence",
    "Term",
    "derive",
    "find_sections",
    "find_sentences",
    "is_acronym",
    "slugify",
    "term_key",
]

LOST = "**"
ELLIPSIS = "…"
BLANK = "_____"
MIN_QUOTE_WORDS = 5
MIN_SENTENCE_WORDS = 4
MAX_SENTENCE_WORDS = 60
MAX_DISTRACTORS = 3
MAX_HEADING_WORDS = 12
MAX_INLINE_HEADING_WORDS = 5
MAX_EXAMPLE_WORDS = 6

KIND_NOUNS = {
    "acronym": "abbreviation",
    "expansion": "term",
    "term": "term",
    "name": "name",
    "number": "number",
    "example": "example",
}
"""The noun a prompt uses for each kind of term."""

_KIND_RANK = {"expansion": 0, "acronym": 1, "name": 2, "term": 3, "example": 4, "number": 5}
"""When one span or key is found as two kinds, the lower rank wins."""

_SWAPPABLE = {
    "acronym": ("acronym",),
    "name": ("name",),
    "number": ("number",),
    "expansion": ("expansion", "term"),
    "term": ("term", "expansion"),
    "example": (),
}
"""Which kinds may stand in for a term of each kind, as a distractor or in a false statement."""

_STOPWORDS = frozenset({"of", "and", "the", "for", "in", "on", "to", "a", "an", "with", "by"})
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "vs", "dr", "mr", "mrs", "ms", "prof", "fig", "no", "st", "al", "cf", "approx"}
    | {"jr", "sr", "inc", "ltd", "co", "pp", "vol", "ca", "resp", "ref", "eq", "sec", "ch"}
)
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

_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_MARKER = re.compile(
    r"^(?P<marker>\d{1,2}(?:\.\d{1,2})*[.)]|(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})[.)]"
    r"|(?P<ordinal>First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth),)"
    r"[ \t]+(?P<rest>\S.*)$"
)
_INLINE_HEAD = re.compile(r"(?P<head>[A-Z][^.!?:]{0,60}?)[.:][ \t]+(?=[A-Z])")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?=\S)")
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
_FINAL_STOP = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
_MARKUP = ("`", "](", "<", "|", "[[", "]]", "*")

_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'\u2019][A-Za-z0-9]+)*")
_CAP = r"[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:-[A-Z][a-z]+)?"
_NAME = re.compile(
    rf"(?<![\w-]){_CAP}(?:\s+(?:(?:of|de|la|le|von|van|der|da|du)\s+)?{_CAP})*(?![\w-])"
)
_NUMBER = re.compile(
    r"(?<![\w.,/-])\d+(?:[.,]\d+)*(?:\s+(?:hundred|thousand|million|billion)\b)?(?![\w]|[.,]\d)"
    r"|(?<![\w-])(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty"
    r"|hundred|thousand|million|billion)(?![\w-])",
    re.IGNORECASE,
)
_LETTER_TERM = re.compile(r"(?<![\w-])(?![AI]\s)[A-Z]\s+[a-z]{3,}(?![\w-])")
"""A capital letter naming a kind of thing: T cells, B cell, G protein (not "A router")."""
_ROMAN = re.compile(r"^(?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$")
_ABBR_AFTER = re.compile(r"\((?P<abbr>[A-Za-z0-9][A-Za-z0-9-]{1,11})\)")
_ABBR_BEFORE = re.compile(
    r"(?<![\w-])(?P<abbr>[A-Za-z0-9][A-Za-z0-9-]{1,11})\s+\((?P<long>[^()]{3,80})\)"
)
_SUCH_AS = re.compile(r"\bsuch as\s+(?P<items>[^.;:()]+?)(?=,?\s+etc\b|[.;:()]|$)", re.IGNORECASE)
_LIST_SEPARATOR = re.compile(r",\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+")
_DEFINITION = re.compile(
    r"^(?:(?:The|A|An)\s+)?(?P<term>[A-Za-z][\w'-]*(?:\s+[\w'-]+){0,4}?)"
    r"(?:\s+\([^()]{1,40}\))?\s+(?:is|are)\s+(?:a|an|the)\s+\w"
)


# ---------------------------------------------------------------- sections


@dataclass(frozen=True)
class Section:
    """A part of the document under one heading.

    ``heading`` is the heading as written (without Markdown's ``#`` marks or a final stop); text
    before the first heading is named by its first line. ``start``/``end`` delimit the text.
    """

    heading: str
    title: str
    start: int
    end: int


@dataclass(frozen=True)
class _Heading:
    offset: int
    text: str
    body: int


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield each line with its offset in ``text``, without its line break."""
    pos = 0
    for raw in text.splitlines(keepends=True):
        yield pos, raw.rstrip("\r\n")
        pos += len(raw)


def _outside_fences(text: str) -> Iterator[tuple[int, str]]:
    """Yield the lines that are not inside (or delimiting) a fenced code block."""
    fenced = False
    for offset, line in _lines(text):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            yield offset, line


def _markdown_heading(offset: int, line: str) -> _Heading | None:
    match = _MD_HEADING.match(line)
    if match is None:
        return None
    return _Heading(offset, match["text"].rstrip(" .:"), offset + len(line))


def _numbered_heading(offset: int, line: str) -> _Heading | None:
    """Read "2. Title", "IV. Title", "Fourth, title" and "I. Title. Body text..." headings."""
    match = _MARKER.match(line)
    if match is None:
        return None
    rest = match["rest"].rstrip()
    one_sentence = re.search(r"[.!?:]\s+\S", rest) is None
    if one_sentence and len(rest.split()) <= MAX_HEADING_WORDS:
        return _Heading(offset, line.strip().rstrip(" .:"), offset + len(line))
    inline = _INLINE_HEAD.match(rest)
    if match["ordinal"] or inline is None:
        return None
    if len(inline["head"].split()) > MAX_INLINE_HEADING_WORDS:
        return None
    head_end = match.start("rest") + inline.end("head")
    return _Heading(offset, line[:head_end].strip(), offset + match.start("rest") + inline.end())


def _headings(text: str) -> list[_Heading]:
    """Find the headings: Markdown ``#`` headings if there are any, else numbered ones."""
    lines = list(_outside_fences(text))
    markdown = any(_MD_HEADING.match(line) for _, line in lines)
    find = _markdown_heading if markdown else _numbered_heading
    return [heading for offset, line in lines if (heading := find(offset, line))]


def _title_of(heading: str) -> str:
    """Turn a heading into a topic title: no numbering, no lost-text marks, capitalised."""
    match = _MARKER.match(heading)
    text = match["rest"] if match else heading
    text = " ".join(text.replace(LOST, " ").split()).rstrip(" .:")
    text = re.sub(r"\s+([),.;:])", r"\1", text)
    return text[:1].upper() + text[1:]


def _opening(text: str, limit: int = 80) -> str:
    """Name the text before the first heading by its first line (cut at a word boundary)."""
    line = next(line for line in text.splitlines() if line.strip())
    words = line.split()
    while len(" ".join(words)) > limit and len(words) > 1:
        words.pop()
    return " ".join(words)


def find_sections(text: str, title: str = "") -> list[Section]:
    """Split ``text`` into sections at its headings; text before any heading comes first."""
    headings = _headings(text)
    first = headings[0].offset if headings else len(text)
    sections = []
    if text[:first].strip():
        sections.append(Section(_opening(text), title or "Introduction", 0, first))
    ends = [h.offset for h in headings[1:]] + [len(text)]
    for heading, end in zip(headings, ends[: len(headings)], strict=True):
        sections.append(Section(heading.text, _title_of(heading.text), heading.body, end))
    return [s for s in sections if text[s.start : s.end].strip() and s.title]


# ---------------------------------------------------------------- sentences


@dataclass(frozen=True)
class Sentence:
    """A sentence of the document: ``text`` is exactly ``document[start:end]``."""

    start: int
    end: int
    text: str
    listed: bool = False


def _paragraphs(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    """Yield (start, end, is_list_item) of the paragraphs and list items in a section."""
    current: list[int] | None = None
    listed = False
    for offset, line in _outside_fences(text[start:end]):
        at = start + offset
        item = _LIST_ITEM.match(line)
        skip = not line.strip() or line.lstrip().startswith(("|", ">"))
        if (skip or item) and current is not None:
            yield current[0], current[1], listed
            current = None
        if skip:
            continue
        if current is None:
            head = item.end() if item else len(line) - len(line.lstrip())
            current, listed = [at + head, at + len(line)], item is not None
        else:
            current[1] = at + len(line)
    if current is not None:
        yield current[0], current[1], listed


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    """Whether a full stop ends a sentence rather than an abbreviation or an initial."""
    before = re.search(r"(\S+)$", text[: match.start()])
    word = before.group(1).lstrip("\"'\u201c\u2018([").lower() if before else ""
    if match.group().startswith(("!", "?")):
        return True
    return word not in _ABBREVIATIONS and not re.fullmatch(r"[a-z]", word)


def _split(text: str, start: int, end: int, listed: bool) -> Iterator[Sentence]:
    chunk = text[start:end]
    pos = 0
    cuts = [m.end() for m in _SENTENCE_END.finditer(chunk) if _is_boundary(chunk, m)]
    for cut in [*cuts, len(chunk)]:
        piece = chunk[pos:cut]
        lead = len(piece) - len(piece.lstrip())
        a, b = start + pos + lead, start + pos + len(piece.rstrip())
        if a < b:
            yield Sentence(a, b, text[a:b], listed)
        pos = cut


def find_sentences(text: str, section: Section) -> list[Sentence]:
    """Split a section's text into sentences (list items count as sentences)."""
    return [
        sentence
        for a, b, listed in _paragraphs(text, section.start, section.end)
        for sentence in _split(text, a, b, listed)
    ]


def _usable(sentence: Sentence) -> bool:
    """Whether a sentence is plain, complete prose that drafts can quote and show."""
    plain = sentence.text.replace(LOST, "")
    if any(mark in plain for mark in _MARKUP):
        return False
    if not MIN_SENTENCE_WORDS <= len(sentence.text.split()) <= MAX_SENTENCE_WORDS:
        return False
    return sentence.listed or _FINAL_STOP.search(sentence.text) is not None


def _fragments(text: str, sentence: Sentence) -> list[tuple[int, int]]:
    """The stretches of a sentence between lost text, trimmed of spaces and stray commas."""
    spans = []
    pos = sentence.start
    for piece in sentence.text.split(LOST):
        a, b = pos, pos + len(piece)
        while a < b and (text[a].isspace() or text[a] in ",;:."):
            a += 1
        while b > a and (text[b - 1].isspace() or text[b - 1] in ",;:"):
            b -= 1
        if a < b:
            spans.append((a, b))
        pos += len(piece) + len(LOST)
    return spans


# ---------------------------------------------------------------- terms


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
class _Definition:
    abbr: Occurrence
    long: Occurrence
    span: tuple[int, int]


def _abbreviations(text: str, frag: tuple[int, int]) -> Iterator[_Definition]:
    """Find "long form (ABBR)" and "ABBR (long form)" inside one fragment."""
    a, b = frag
    for m in _ABBR_AFTER.finditer(text, a, b):
        abbr = m["abbr"]
        span = _long_form_before(text, a, m.start(), abbr) if is_acronym(abbr) else None
        if span:
            yield _Definition(
                Occurrence(m.start("abbr"), m.end("abbr"), Term(abbr, "acronym")),
                Occurrence(*span, Term(text[span[0] : span[1]], "expansion")),
                (span[0], m.end()),
            )
    for m in _ABBR_BEFORE.finditer(text, a, b):
        long = m["long"].strip()
        if is_acronym(m["abbr"]) and _spells(_pieces(long.split()), _letters(m["abbr"]), False):
            lo = m.start("long") + m["long"].index(long)
            yield _Definition(
                Occurrence(m.start("abbr"), m.end("abbr"), Term(m["abbr"], "acronym")),
                Occurrence(lo, lo + len(long), Term(long, "expansion")),
                (m.start(), m.end()),
            )


def _examples(text: str, frag: tuple[int, int]) -> Iterator[Occurrence]:
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
        if len(items) >= 2 and all(_words(o.term.text) <= MAX_EXAMPLE_WORDS for o in items):
            yield from items


def _defined_term(text: str, sentence: Sentence) -> Occurrence | None:
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
class _Lexicon:
    """Every term of the document by key, its kind, and the acronym <-> long form pairs."""

    terms: dict[str, Term] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)
    definitions: list[tuple[Sentence, _Definition]] = field(default_factory=list)

    def add(self, term: Term) -> None:
        # A defined term that turns out to spell out an acronym is an expansion, and so on.
        known = self.terms.get(term.key)
        if known is None or _KIND_RANK[term.kind] < _KIND_RANK[known.kind]:
            self.terms[term.key] = Term(known.text if known else term.text, term.kind)

    def of_kind(self, kinds: Sequence[str]) -> list[Term]:
        return [t for t in self.terms.values() if t.kind in kinds]


def _spelled_patterns(lexicon: _Lexicon) -> list[tuple[re.Pattern[str], Term]]:
    """Search patterns for the long forms and defined terms (case-insensitive, plural -s)."""
    terms = [t for t in lexicon.terms.values() if t.kind in ("expansion", "term", "example")]
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
        yield Occurrence(m.start(), m.end(), Term(m.group(), "term"))
    for m in _NUMBER.finditer(text, a, b):
        yield Occurrence(m.start(), m.end(), Term(m.group(), "number"))


def _acronyms_in(at: int, token: str) -> Iterator[Occurrence]:
    """The acronym a token is, or the acronyms among its hyphenated parts (BCMA-negative)."""
    if is_acronym(token):
        yield Occurrence(at, at + len(token), Term(token, "acronym"))
        return
    pos = at
    for part in token.split("-"):
        if is_acronym(part):
            yield Occurrence(pos, pos + len(part), Term(part, "acronym"))
        pos += len(part) + 1


def _name_at(text: str, match: re.Match[str], *, sentence_start: bool) -> Occurrence | None:
    """A capitalised name, unless it is only capitalised because it starts the sentence."""
    words = match.group().split()
    start = match.start()
    if sentence_start:
        if len(words) == 1:
            return None
        if words[0].lower() in _SENTENCE_STARTERS:
            start = match.start() + match.group().index(words[1])
            words = words[1:]
            if len(words) == 1:
                return None
    if len(words) == 1 and len(words[0]) < 3:
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
    return Term(_lowered(occ.term.text, occ.start == sentence.start), occ.term.kind)


def _build_lexicon(text: str, sentences: list[Sentence]) -> _Lexicon:
    """Collect the definitions first, then every term found in a usable fragment."""
    lexicon = _Lexicon()
    for sentence in sentences:
        if (defined := _defined_term(text, sentence)) is not None:
            lexicon.add(_as_listed(defined, sentence))
        for frag in _fragments(text, sentence):
            for example in _examples(text, frag):
                lexicon.add(example.term)
            for definition in _abbreviations(text, frag):
                lexicon.add(definition.abbr.term)
                lexicon.add(_as_listed(definition.long, sentence))
                lexicon.alias.setdefault(definition.abbr.term.key, definition.long.term.text)
                lexicon.alias.setdefault(definition.long.term.key, definition.abbr.term.text)
                lexicon.definitions.append((sentence, definition))
    spelled = _spelled_patterns(lexicon)
    for sentence in sentences:
        for occ in _occurrences(text, sentence, spelled):
            # Next to lost text a term may be cut short: it can be neither answer nor option.
            if not _touches_lost(text, occ):
                lexicon.add(occ.term)
    return lexicon


def _occurrences(
    text: str, sentence: Sentence, spelled: list[tuple[re.Pattern[str], Term]]
) -> list[Occurrence]:
    found: list[Occurrence] = []
    for frag in _fragments(text, sentence):
        first = frag[0] == sentence.start
        found += _resolve(list(_candidates(text, frag, first, spelled)))
    return found


# ---------------------------------------------------------------- drafting


@dataclass(frozen=True)
class _Context:
    """What every draft of one section needs to know."""

    text: str
    section: Section
    topic: str
    lexicon: _Lexicon


@dataclass(frozen=True)
class _Group:
    """The occurrences of one term in one sentence (with its acronym or long form, if there)."""

    sentence: Sentence
    term: Term
    hidden: tuple[Occurrence, ...]
    quote: tuple[int, int]


def _touches_lost(text: str, occ: Occurrence) -> bool:
    return text[max(occ.start - 2, 0) : occ.start] == LOST or text[occ.end : occ.end + 2] == LOST


def _words(text: str) -> int:
    return len(text.split())


def _groups(ctx: _Context, sentence: Sentence, occs: list[Occurrence]) -> Iterator[_Group]:
    """Group a sentence's occurrences by term; an acronym joins its long form when both occur."""
    by_key: dict[str, list[Occurrence]] = {}
    for occ in occs:
        by_key.setdefault(occ.term.key, []).append(occ)
    frags = _fragments(ctx.text, sentence)
    for key, group in by_key.items():
        partner = term_key(ctx.lexicon.alias.get(key, ""))
        if group[0].term.kind == "acronym" and partner in by_key:
            continue
        hidden = sorted(group + by_key.get(partner, []), key=lambda o: o.start)
        if any(_touches_lost(ctx.text, occ) for occ in hidden):
            continue
        quote = next(f for f in frags if f[0] <= group[0].start < f[1])
        if _words(ctx.text[quote[0] : quote[1]]) >= MIN_QUOTE_WORDS:
            yield _Group(sentence, group[0].term, tuple(hidden), quote)


_ARTICLE = re.compile(r"(?<![\w-])(?P<article>[Aa]n?)\s+$")


def _neutral_article(text: str, start: int, swaps: list[tuple[int, int, str]]) -> None:
    """Write "a(n)" for the article before a hidden term, which would give away its first sound."""
    match = _ARTICLE.search(text, max(start - 4, 0), start)
    if match:
        swaps.append((match.start("article"), match.end("article"), match["article"][0] + "(n)"))


def _article_for(word: str, article: str) -> str:
    """``a`` or ``an`` (keeping the capital) as the first sound of ``word`` asks for."""
    # An abbreviation is read letter by letter: "an SLA", "a UDP"; a word by its vowel.
    vowels = "AEFHILMNORSX" if is_acronym(word.split()[0]) else "aeiouAEIOU"
    wanted = "an" if word[:1] in vowels else "a"
    return wanted.capitalize() if article[:1].isupper() else wanted


def _display(text: str, sentence: Sentence, swaps: Sequence[tuple[int, int, str]]) -> str:
    """The sentence as shown: spans replaced, lost text shown as an ellipsis, spacing tidied."""
    out, pos = [], sentence.start
    for start, end, new in sorted(swaps):
        out += [text[pos:start], new]
        pos = end
    out.append(text[pos : sentence.end])
    shown = "".join(out).replace(LOST, f" {ELLIPSIS} ")
    shown = " ".join(shown.split())
    return re.sub(rf"{ELLIPSIS} ([.,;:!?])", rf"{ELLIPSIS}\1", shown)


def _stable_pick(items: Sequence[Term], salt: str) -> list[Term]:
    """Order ``items`` by a hash of ``salt``: varied across questions, the same every run."""
    return sorted(items, key=lambda t: _digest(salt, t.key))


def _mentions(text: str, term: Term) -> bool:
    """Whether ``text`` names ``term`` anywhere (in any case, plural, or inside BCMA-negative)."""
    words = r"\s+".join(re.escape(w) for w in term.text.split())
    return re.search(rf"(?<![A-Za-z0-9]){words}(?:s|es)?(?![A-Za-z0-9])", text, re.I) is not None


def _plural(text: str) -> bool:
    last = text.split()[-1].lower() if text.split() else ""
    return last.endswith("s") and not last.endswith("ss")


def _distractors(ctx: _Context, group: _Group) -> list[Term]:
    """Other terms of the same kind, none of which occurs in the sentence."""
    banned = {group.term.key, term_key(ctx.lexicon.alias.get(group.term.key, ""))}
    pool = [
        t
        for t in ctx.lexicon.of_kind(_SWAPPABLE[group.term.kind])
        if t.key not in banned
        and not _mentions(group.sentence.text, t)
        and t.key not in group.term.key
        and group.term.key not in t.key
    ]
    picked = _stable_pick(pool, group.term.key + group.sentence.text)
    same_number = [t for t in picked if _plural(t.text) == _plural(group.term.text)]
    rest = [t for t in picked if t not in same_number]
    return (same_number + rest)[:MAX_DISTRACTORS]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _question_id(ctx: _Context, tag: str, *parts: str) -> str:
    return f"{ctx.topic}-{tag}-{_digest(tag, *parts)[:8]}"


def _quote_of(ctx: _Context, span: tuple[int, int]) -> str:
    return ctx.text[span[0] : span[1]]


def _quoted(quote: str) -> str:
    """A quote in curly quotes, followed by a full stop unless it ends with one."""
    text = " ".join(quote.split())
    return f"“{text}”" if _FINAL_STOP.search(text) else f"“{text}”."


def _explain(ctx: _Context, quote: str) -> str:
    return f"In “{ctx.section.title}”, the text says: {_quoted(quote)}"


def _gap(ctx: _Context, occ: Occurrence, hidden: Sequence[Occurrence]) -> str:
    """A cloze gap for one occurrence; it also accepts the term's acronym or long form."""
    answer = " ".join(ctx.text[occ.start : occ.end].split())
    alias = ctx.lexicon.alias.get(occ.term.key, "") if occ.term.kind == "expansion" else ""
    shown = {term_key(ctx.text[o.start : o.end]) for o in hidden}
    if alias and term_key(alias) not in shown:
        return f"[[{answer}|{alias}]]"
    return f"[[{answer}]]"


def _cloze(ctx: _Context, group: _Group) -> QuestionDoc:
    swaps = [(o.start, o.end, _gap(ctx, o, group.hidden)) for o in group.hidden]
    for occ in group.hidden:
        _neutral_article(ctx.text, occ.start, swaps)
    quote = _quote_of(ctx, group.quote)
    blanks = "blanks" if len(group.hidden) > 1 else "blank"
    return QuestionDoc(
        id=_question_id(ctx, "cloze", group.term.key, quote),
        topic=ctx.topic,
        type="cloze",
        prompt=f"Fill in the {blanks} in this sentence from the section “{ctx.section.title}”.",
        spec={"text": _display(ctx.text, group.sentence, swaps)},
        explanation=_explain(ctx, quote),
        source=SourceRef(ctx.section.heading, quote),
    )


def _choice(ctx: _Context, group: _Group, distractors: list[Term]) -> QuestionDoc:
    # The correct option names the first occurrence of the term; a paired acronym is blanked too.
    first = next(o for o in group.hidden if o.term.key == group.term.key)
    answer = " ".join(ctx.text[first.start : first.end].split())
    swaps = [_choice_swap(ctx.text, o, group.term.key) for o in group.hidden]
    _neutral_article(ctx.text, first.start, swaps)
    quote = _quote_of(ctx, group.quote)
    noun = KIND_NOUNS[group.term.kind]
    options = sorted([answer, *(d.text for d in distractors)], key=str.casefold)
    sentence = _display(ctx.text, group.sentence, swaps)
    return QuestionDoc(
        id=_question_id(ctx, "choice", group.term.key, quote),
        topic=ctx.topic,
        type="single_choice",
        prompt=(
            f"Which {noun} completes this sentence from the section “{ctx.section.title}”? "
            f"“{sentence}”"
        ),
        spec={"choices": [_option(o, answer, noun, quote) for o in options]},
        explanation=_explain(ctx, quote),
        source=SourceRef(ctx.section.heading, quote),
    )


def _choice_swap(text: str, occ: Occurrence, key: str) -> tuple[int, int, str]:
    """Blank the term; leave out its acronym when that follows in parentheses ("(MM)")."""
    if occ.term.key == key:
        return occ.start, occ.end, BLANK
    if text[occ.start - 1 : occ.start] == "(" and text[occ.end : occ.end + 1] == ")":
        lead = 2 if text[occ.start - 2 : occ.start - 1].isspace() else 1
        return occ.start - lead, occ.end + 1, ""
    return occ.start, occ.end, text[occ.start : occ.end]


def _option(text: str, answer: str, noun: str, quote: str) -> dict[str, Any]:
    if text == answer:
        return {"text": text, "correct": True, "feedback": f"Right: the text says {_quoted(quote)}"}
    return {
        "text": text,
        "correct": False,
        "feedback": f"No: {text} is another {noun} from the text; this sentence names {answer}.",
    }


def _true_false(
    ctx: _Context, statement: str, answer: bool, quote: str, explanation: str, key: str
) -> QuestionDoc:
    return QuestionDoc(
        id=_question_id(ctx, "tf", key, str(answer), quote),
        topic=ctx.topic,
        type="true_false",
        prompt=statement,
        spec={"answer": answer},
        explanation=explanation,
        source=SourceRef(ctx.section.heading, quote),
    )


def _swap_candidate(ctx: _Context, term: Term, sentence: Sentence) -> Term | None:
    """Another term of the same kind (and number) that the sentence does not mention."""
    banned = {term.key, term_key(ctx.lexicon.alias.get(term.key, ""))}
    pool = [
        t
        for t in ctx.lexicon.of_kind(_SWAPPABLE[term.kind])
        if t.key not in banned
        and not _mentions(sentence.text, t)
        and _plural(t.text) == _plural(term.text)
    ]
    picked = _stable_pick(pool, term.key + sentence.text)
    picked.sort(key=lambda t: t.kind != term.kind)
    return picked[0] if picked else None


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _definition_drafts(ctx: _Context, sentence: Sentence) -> Iterator[QuestionDoc]:
    """A true statement (the sentence itself) and a false one (another term swapped in)."""
    defined = _defined_term(ctx.text, sentence)
    if defined is None or LOST in sentence.text:
        return
    quote = sentence.text
    said = f"The text says: {_quoted(quote)}"
    yield _true_false(ctx, _display(ctx.text, sentence, []), True, quote, said, defined.term.key)
    other = _swap_candidate(ctx, defined.term, sentence)
    if other is None:
        return
    end = defined.end
    after = re.match(r"\s*\([^()]{1,40}\)", ctx.text[end : sentence.end])
    if after:
        end += after.end()
    new = _capitalise(other.text) if defined.start == sentence.start else other.text
    swaps = [(defined.start, end, new)]
    if article := _ARTICLE.search(ctx.text, max(defined.start - 4, 0), defined.start):
        swaps.append((article.start(1), article.end(1), _article_for(new, article[1])))
    statement = _display(ctx.text, sentence, swaps)
    subject = _lowered(defined.term.text, defined.start == sentence.start)
    why = f"False. {said} The statement puts “{other.text}” in place of “{subject}”."
    yield _true_false(ctx, statement, False, quote, why, defined.term.key)


def _lowered(text: str, at_sentence_start: bool) -> str:
    """Undo the capital a long form has only because it starts its sentence."""
    words = text.split()
    capital_only_first = len(words) > 1 and all(w[:1].islower() for w in words[1:])
    if at_sentence_start and capital_only_first and not is_acronym(words[0]):
        return text[:1].lower() + text[1:]
    return text


def _stands_for_drafts(
    ctx: _Context, sentence: Sentence, definition: _Definition
) -> Iterator[QuestionDoc]:
    """True/false on what an abbreviation stands for, the false one naming another acronym."""
    if any(_touches_lost(ctx.text, occ) for occ in (definition.abbr, definition.long)):
        return
    frag = next(f for f in _fragments(ctx.text, sentence) if f[0] <= definition.span[0] < f[1])
    quote = _quote_of(ctx, frag)
    if _words(quote) < MIN_QUOTE_WORDS:
        return
    abbr = definition.abbr.term.text
    long = _lowered(definition.long.term.text, definition.long.start == sentence.start)
    said = f"The text gives {abbr} as the abbreviation of {long}: {_quoted(quote)}"
    key = f"stands-for {definition.abbr.term.key}"
    yield _true_false(ctx, f"In the text, {abbr} stands for {long}.", True, quote, said, key)
    other = _swap_candidate(ctx, definition.abbr.term, sentence)
    if other is not None:
        statement = f"In the text, {other.text} stands for {long}."
        yield _true_false(ctx, statement, False, quote, f"False. {said}", key)


def _term_drafts(
    ctx: _Context, sentence: Sentence, occs: list[Occurrence]
) -> Iterator[QuestionDoc]:
    """One cloze or single-choice draft per key term of the sentence."""
    for group in _groups(ctx, sentence, occs):
        distractors = _distractors(ctx, group)
        coin = int(_digest(group.term.key, group.sentence.text)[0], 16) % 2
        if len(distractors) >= 2 and coin:
            yield _choice(ctx, group, distractors)
        else:
            yield _cloze(ctx, group)


def _section_drafts(ctx: _Context, sentences: list[Sentence]) -> Iterator[QuestionDoc]:
    spelled = _spelled_patterns(ctx.lexicon)
    for sentence in sentences:
        yield from _term_drafts(ctx, sentence, _occurrences(ctx.text, sentence, spelled))
        yield from _definition_drafts(ctx, sentence)
        for definition in _first_definitions(ctx.lexicon, sentence):
            yield from _stands_for_drafts(ctx, sentence, definition)


def _first_definitions(lexicon: _Lexicon, sentence: Sentence) -> list[_Definition]:
    """The abbreviations this sentence is the first in the document to spell out."""
    first: dict[str, tuple[Sentence, _Definition]] = {}
    for where, definition in lexicon.definitions:
        first.setdefault(definition.abbr.term.key, (where, definition))
    return [d for where, d in first.values() if where == sentence]


# ---------------------------------------------------------------- the set


def slugify(text: str, limit: int = 40) -> str:
    """A lower-case id made of words and hyphens, cut at a word boundary."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = "-".join(re.findall(r"[a-z0-9]+", plain.lower()))
    while len(slug) > limit and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:limit]


def _topic_ids(sections: list[Section]) -> list[str]:
    ids: list[str] = []
    for n, section in enumerate(sections, start=1):
        base = slugify(section.title) or f"section-{n}"
        topic = base
        while topic in ids:
            topic = f"{base}-{n}"
        ids.append(topic)
    return ids


def _answer_key(question: QuestionDoc) -> str:
    """What a draft asks for: the hidden term, or the statement a true/false judges."""
    if question.type == "true_false":
        return question.prompt
    if question.type == "single_choice":
        return str(next(c["text"] for c in question.spec["choices"] if c["correct"]))
    return " ".join(re.findall(r"\[\[([^|\]]+)", question.spec["text"]))


def _unique(questions: list[QuestionDoc]) -> list[QuestionDoc]:
    """Drop drafts that ask for the same answer from the same sentence, and repeated ids."""
    seen: set[tuple[str, str]] = set()
    ids: set[str] = set()
    kept = []
    for q in questions:
        key = (term_key(_answer_key(q)), " ".join(q.source.quote.split()))
        if key not in seen and q.id not in ids:
            seen.add(key)
            ids.add(q.id)
            kept.append(q)
    return kept


def derive(text: str, title: str, set_id: str) -> SetDoc:
    """Draft a question set from a plain-text or Markdown document.

    Args:
        text: the document.
        title: the set's title (and the document's, in ``source``).
        set_id: the set's stable id.

    Returns:
        The drafts as a ``SetDoc`` whose source carries ``text`` inline; question ids are
        derived from the content, so deriving the same document again gives the same ids.
    """
    sections = find_sections(text, title)
    per_section = [[s for s in find_sentences(text, sec) if _usable(s)] for sec in sections]
    lexicon = _build_lexicon(text, [s for group in per_section for s in group])
    topics = _topic_ids(sections)
    questions: list[QuestionDoc] = []
    for section, topic, sentences in zip(sections, topics, per_section, strict=True):
        ctx = _Context(text, section, topic, lexicon)
        questions += _section_drafts(ctx, sentences)
    return SetDoc(
        id=set_id,
        title=title,
        description=f"Draft questions derived from “{title}”: review each one before publishing.",
        version="1",
        source=SourceDoc(title=title, text=text),
        topics=tuple(
            TopicDoc(id=topic, title=section.title, section=section.heading)
            for section, topic in zip(sections, topics, strict=True)
        ),
        questions=tuple(_unique(questions)),
    )
