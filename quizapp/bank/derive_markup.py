"""A document's text without its inline formatting, letter for letter at the same places.

Markdown and reStructuredText mark code, links, emphasis and bold with characters around the
words (`` `code` ``, ``[text](url)``, ``*em*``, ``**bold**``, ``:role:`text```, ``Name_``).
``plain_text`` blanks those marks (and a link's address) with spaces, so that every offset in
the plain text is the same place in the document: drafts show the plain words and still quote
the document verbatim.

``**`` is also the mark of a word lost from the document. It is read as bold only when it
opens before a word and closes after one in the same sentence (``**bold**``); any other ``**``
stays in the plain text, as lost text.
"""

from __future__ import annotations

import re

__all__ = ["MASK", "is_bold_pair", "plain_text", "term_text"]

MASK = "\u00a7"
"""What ``term_text`` writes over code, addresses and identifiers: no term is found there."""

_BOLD = re.compile(
    r"(?<![\w*])\*\*(?=[\w(\[`\"'])(?P<inner>[^*]{1,120}?)(?<=[\w)\]`\"'.!?])\*\*(?![\w*])"
)
_EMPHASIS = re.compile(
    r"(?<![\w*\\])(?P<mark>[*_])(?=[^\s*_])(?P<inner>[^*_\n]{1,80}?)(?<=\S)(?P=mark)(?![\w*])"
)
_CODE = re.compile(r"(?P<ticks>`{1,2})(?=\S)(?P<inner>[^`\n]{1,80}?)(?<=\S)(?P=ticks)(?!`)")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(
    r"\[(?P<inner>[^\]\n]{1,120})\](?P<target>\([^)\s]*(?:\s+\"[^\"\n]*\")?\)|\[[^\]\n]*\])"
)
_ROLE = re.compile(r":[a-z][\w-]*:(?=`)")
_RST_NAMED = re.compile(r"`(?P<inner>[^`<\n]+)`_{1,2}(?!\w)")
_RST_FOOTNOTE = re.compile(r"\s?\[(?:\d+|#[\w-]*|\*)\]_")
_RST_REF = re.compile(r"(?<=\w)_(?=[\s.,;:)]|$)", re.MULTILINE)
_RST_LINK = re.compile(r"`(?P<inner>[^`<\n]+?)\s*<[^>\n]+>`_{1,2}")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] not in "\r\n":
            chars[i] = " "


def _keep_inner(chars: list[str], match: re.Match[str], group: str = "inner") -> None:
    """Blank a match except its ``group``."""
    _blank(chars, match.start(), match.start(group))
    _blank(chars, match.end(group), match.end())


def is_bold_pair(match: re.Match[str]) -> bool:
    """Whether a ``**...**`` pair is bold: it does not run over a sentence's end."""
    inner = match["inner"]
    return _SENTENCE_BREAK.search(inner) is None and re.search(r"\n\s*\n", inner) is None


def plain_text(text: str) -> str:
    """``text`` with its inline formatting marks blanked: same length, same offsets."""
    chars = list(text)
    for m in _IMAGE.finditer(text):
        _blank(chars, m.start(), m.end())
    for m in _RST_LINK.finditer(text):
        _keep_inner(chars, m)
    for m in _RST_NAMED.finditer(text):  # `PEP repository`_ reads "PEP repository"
        _keep_inner(chars, m)
    for m in _RST_FOOTNOTE.finditer(text):  # "[4]_", "[#fn-hi]_": a footnote mark
        _blank(chars, m.start(), m.end())
    for m in _LINK.finditer(text):
        _keep_inner(chars, m)
    roles: set[int] = set()
    for m in _ROLE.finditer(text):
        _blank(chars, m.start(), m.end())
        roles.add(m.end())
        name = m.group()[1:-1]
        if name in ("pep", "rfc"):  # ":pep:`8`" reads "PEP 8"
            chars[m.start() + 1 : m.end() - 1] = list(name.upper())
    for m in _CODE.finditer("".join(chars)):
        # Code reads in quotation marks: `invalid` -> 'invalid', ``__doc__`` -> ' __doc__ ';
        # a role's text is plain: :pep:`8` -> PEP 8.
        _keep_inner(chars, m)
        if m.start() not in roles:
            chars[m.start("inner") - 1] = chars[m.end("inner")] = "'"
    for m in _RST_REF.finditer(text):
        _blank(chars, m.start(), m.end())
    # Bold first: a lost word's ``**`` must not be taken for two emphasis marks.
    current = "".join(chars)
    for m in _BOLD.finditer(current):
        if is_bold_pair(m):
            _keep_inner(chars, m)
    current = "".join(chars)
    for m in _EMPHASIS.finditer(current):
        if "**" not in current[max(m.start() - 1, 0) : m.end() + 1]:
            _keep_inner(chars, m)
    return "".join(chars)


_URL = re.compile(r"\b(?:https?|ftp)://[^\s)>\]]+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*|@[\w.-]+")
_IDENTIFIER = re.compile(
    r"\b\w+(?:(?:[._/]|::)\w+)+(?:\(\))?|\b\w+_\b|\b_\w+"  # a.b, a_b, Asia/Bangkok, f()
)


def term_text(text: str, plain: str) -> str:
    """``plain`` with code spans, addresses and identifiers masked: where no term may be.

    A piece of ``ALLOW_DOMAIN_LITERAL`` or of a URL is not a term of the subject, and a
    blank inside code would ask for spelling, not understanding.
    """
    chars = list(plain)
    for m in _CODE.finditer(text):
        _mask(chars, m.start("inner"), m.end("inner"))
    for pattern in (_URL, _IDENTIFIER):
        for m in pattern.finditer(plain):
            _mask(chars, m.start(), m.end())
    return "".join(chars)


def _mask(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if not chars[i].isspace():
            chars[i] = MASK
