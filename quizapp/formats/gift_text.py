"""GIFT's escapes: finding the marks that are not escaped, and escaping text for writing.

A backslash escapes the character after it. ``\\~ \\= \\# \\{ \\} \\:`` stand for the mark
itself, ``\\\\`` for a backslash and ``\\n`` for a line break. Any other backslash is kept as
written (Moodle does the same, and TeX such as ``\\(x^2\\)`` needs it), and reported.
"""

from __future__ import annotations

from collections.abc import Iterator

ESCAPES = {"~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "\\": "\\", "n": "\n"}
MARKS = "~=#{}:"


def find_unescaped(text: str, token: str, start: int = 0, end: int | None = None) -> int:
    """Return where ``token`` first occurs unescaped in ``text[start:end]``, or -1."""
    stop = len(text) if end is None else end
    i = start
    while i < stop:
        if text[i] == "\\":
            i += 2
        elif text.startswith(token, i) and i + len(token) <= stop:
            return i
        else:
            i += 1
    return -1


def find_any(text: str, marks: str, start: int = 0) -> Iterator[int]:
    """Yield where each unescaped character of ``marks`` occurs in ``text`` from ``start``."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in marks:
            yield i
        i += 1


def unknown_escapes(text: str) -> Iterator[tuple[int, str]]:
    """Yield the position and the two characters of every escape GIFT does not know."""
    i = text.find("\\")
    while i != -1:
        follower = text[i + 1 : i + 2]
        if follower not in ESCAPES:
            yield i, "\\" + follower
            i = text.find("\\", i + 1)
        else:
            i = text.find("\\", i + 2)


def unescape(text: str) -> str:
    """Return ``text`` with its escapes replaced (an unknown one stays as written)."""
    out: list[str] = []
    i = 0
    while (found := text.find("\\", i)) != -1:
        out.append(text[i:found])
        follower = text[found + 1 : found + 2]
        out.append(ESCAPES.get(follower, "\\" + follower))
        i = found + 2
    out.append(text[i:])
    return "".join(out)


def escape(text: str) -> str:
    """Return ``text`` with every GIFT mark, backslash and line break escaped."""
    out = text.replace("\\", "\\\\")
    for mark in MARKS:
        out = out.replace(mark, "\\" + mark)
    return out.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
