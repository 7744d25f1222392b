"""Where a document's sections and sentences are, for drafting questions from it.

Sections are found by their headings (Markdown ``#`` headings and underlined ones, Markdown's
and reStructuredText's ``====``/``----``, if there are any, else numbered ones such as
"2. Title", "2.1 Title", "IV. Title" or "Fourth, title", indented or not); sentences are split
at their stops (not at an abbreviation's or an initial's), each list item being one. Code
blocks (fenced, indented, or after reStructuredText's ``::``), tables, quotations and
directives are not prose and give no sentences. ``usable`` keeps the
sentences a draft may quote, ``fragments`` the stretches of a sentence between lost text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

LOST = "**"
MIN_SENTENCE_WORDS = 4
MAX_SENTENCE_WORDS = 60
MAX_HEADING_WORDS = 12
MAX_INLINE_HEADING_WORDS = 5

_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "vs", "dr", "mr", "mrs", "ms", "prof", "fig", "no", "st", "al", "cf", "approx"}
    | {"jr", "sr", "inc", "ltd", "co", "pp", "vol", "ca", "resp", "ref", "eq", "sec", "ch"}
    | {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)

_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_UNDERLINE = re.compile(r"^[ \t]*(?P<mark>[=\-~^*#+`])(?P=mark){2,}[ \t]*$")
_MARKER = re.compile(
    r"^(?P<marker>\d{1,2}(?:\.\d{1,2})*[.)]|\d{1,2}(?:\.\d{1,2})+|(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})[.)]"
    r"|(?P<ordinal>First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth),)"
    r"[ \t]+(?P<rest>\S.*)$"
)
_INLINE_HEAD = re.compile(r"(?P<head>[A-Z][^.!?:]{0,60}?)[.:][ \t]+(?=[A-Z])")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?=\S)")
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z0-9])")
FINAL_STOP = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")
_MARKUP = ("`", "](", "<", "|", "[[", "]]", "*")


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
    indent = len(line) - len(line.lstrip(" \t"))
    offset, line = offset + indent, line[indent:]
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


def _underlined(lines: list[tuple[int, str]]) -> Iterator[_Heading]:
    """Headings underlined (and perhaps overlined) with ``====``, ``----``, ``~~~``..."""
    for n in range(1, len(lines)):
        offset, line = lines[n]
        under = _UNDERLINE.match(line)
        (at, title), before = lines[n - 1], lines[n - 2][1] if n > 1 else ""
        if under is None or not title.strip() or _UNDERLINE.match(title):
            continue
        # A title line follows a blank line (or an overline) and is about as long as its rule.
        opens = not before.strip() or _UNDERLINE.match(before) is not None or n == 1
        long_enough = len(line.strip()) >= max(3.0, 0.5 * len(title.strip()))
        short_title = len(title.split()) <= MAX_HEADING_WORDS * 2
        if opens and long_enough and short_title and at + len(title) + 1 == offset:
            yield _Heading(at, title.strip().rstrip(" .:"), offset + len(line))


def _headings(text: str) -> list[_Heading]:
    """Find the headings: Markdown ``#`` and underlined ones if there are any, else numbered."""
    lines = list(_outside_fences(text))
    marked = [h for offset, line in lines if (h := _markdown_heading(offset, line))]
    marked += _underlined(lines)
    if marked:
        return sorted(marked, key=lambda h: h.offset)
    return [heading for offset, line in lines if (heading := _numbered_heading(offset, line))]


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
    for offset, line in _prose_lines(text[start:end]):
        at = start + offset
        item = _LIST_ITEM.match(line)
        skip = (
            not line.strip()
            or line.lstrip().startswith(("|", ">", ".. "))
            or bool(_UNDERLINE.match(line))
        )
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


def _prose_lines(text: str) -> Iterator[tuple[int, str]]:
    """The lines outside code: fences, indented blocks after a blank line or a ``::``."""
    blank, code_indent, in_list = True, -1, False
    for offset, line in _outside_fences(text):
        indent = len(line) - len(line.lstrip(" \t"))
        if not line.strip():
            blank = True
            yield offset, ""
            continue
        if code_indent >= 0 and indent > code_indent:
            continue
        code_indent = -1
        if blank and indent >= 4 and not in_list:
            code_indent = indent - 1
            continue
        in_list = bool(_LIST_ITEM.match(line)) or (in_list and indent > 0)
        blank = False
        yield offset, line
        if line.rstrip().endswith("::"):
            code_indent = indent


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


def usable(sentence: Sentence) -> bool:
    """Whether a sentence is plain, complete prose that drafts can quote and show."""
    plain = sentence.text.replace(LOST, "")
    if any(mark in plain for mark in _MARKUP):
        return False
    if not MIN_SENTENCE_WORDS <= len(sentence.text.split()) <= MAX_SENTENCE_WORDS:
        return False
    if plain.count("(") != plain.count(")") or not re.match(r"[\"'\u201c(]?[A-Z0-9]", plain):
        return False  # a piece of a sentence, or one cut from its parenthesis
    letters = [ch for ch in plain if ch.isalpha()]
    if sum(ch.isupper() for ch in letters) > 0.6 * len(letters):
        return False  # a sentence in capitals (legal boilerplate) is shouted, not taught
    return sentence.listed or FINAL_STOP.search(sentence.text) is not None


_NEEDS_CONTEXT = re.compile(
    r"^(?:[\"'(]?(?:These|Those|They|It|Each|Such|Both|Another|Here|Then|Copyright|Others?"
    r"|See|Also|If\s+this|If\s+that|In\s+particular|The\s+others?|Similar(?:ly)?|Source)\b"
    r"|[\"'(]?(?:This|That)\s+(?!PEP\b|document\b|library\b|package\b|module\b)[a-z]"
    r"|\(\d+\)|[\"']?\d)"
    r"|\b(?:these|those|their|they|them)\b|\bsuch\s+(?!as\b)[a-z]|\b(?:above|below|here)\b"
    r"|://|\blike\s+this\b|\bthis\s+way\b|\bthe\s+following\b"
    # a citation: "Author, “Title”, Journal (2015-02-26)", "Smith AB, Jones CD", "pp. 26"
    r"|\(\d{4}(?:-\d\d){0,2}\)|\b[A-Z][a-z]+ [A-Z]{1,2},|\bpp?\.\s*\d",
)
_GARBLED_CODE = re.compile(
    r"['\"]{2}|'[^\w\s']{1,3}'|'\w?['\"]|\w'[-+\d]|[\u201c\u201d\"]'|'[\u201c\u201d\"]"
)
"""Code that does not read as words once its marks are quotation marks: "'-'0600", "'.'"."""


def complete(sentence: Sentence) -> bool:
    """Whether a usable sentence can be read alone: a question can be drafted from it.

    It ends with a stop (a list item "Providing support on IRC" is a fragment), and it
    neither leans on the sentences around it ("These ...", "described above"), nor opens
    with a footnote mark or a date, nor points at an address.
    """
    plain = sentence.text.replace(LOST, "")
    if sentence.listed and re.match(r"[A-Z][a-z]+ing\b|[A-Z][\w ]{0,30}\s--?\s", plain):
        return False  # a list item "Changing ...", "Preamble -- ...": no verb, no sentence
    if _GARBLED_CODE.search(plain):
        return False
    digits = sum(ch.isdigit() for ch in plain)
    if digits > 0.15 * len(plain.replace(" ", "")):
        return False  # "Proc Royal Soc A. 2021;477:20200776.": a reference, not prose
    return FINAL_STOP.search(plain) is not None and _NEEDS_CONTEXT.search(plain) is None


def fragments(text: str, sentence: Sentence) -> list[tuple[int, int]]:
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
