"""Reading an uploaded text file: UTF-8 only, within a line limit, every failure at its line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from quizapp.bank.model import Problem

MAX_LINES = 200_000
"""More lines than this and a text file is refused before it is parsed."""

_BOMS = (b"\xef\xbb\xbf",)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Decoded:
    """The text of a file (None if it is not readable text) and why not."""

    text: str | None
    problems: tuple[Problem, ...] = ()


def decode_text(data: bytes, filename: str, *, max_lines: int = MAX_LINES) -> Decoded:
    """Return ``data`` as text: UTF-8 (a byte-order mark is dropped), no NUL, within ``max_lines``.

    Line ends are made ``\\n`` so that every reader counts lines alike.
    """
    if data.startswith(_UTF16_BOMS):
        return _refuse(filename, 1, "the file is UTF-16 text: save it as UTF-8")
    for bom in _BOMS:
        data = data.removeprefix(bom)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return _refuse(
            filename,
            line,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at column {column}): "
            "save the file as UTF-8",
        )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return _refuse(filename, line, "the file holds a NUL byte: it is not a text file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\n") >= max_lines:
        return _refuse(filename, max_lines + 1, f"the file has more than {max_lines} lines")
    return Decoded(text)


def unclosed_quote(text: str, separator: str) -> bool:
    """Say whether a quoted field of CSV ``text`` opens and is never closed.

    Python's csv reader (not strict) then reads the rest of the file as that one field: the
    records after it are lost, so the file cannot be read, whatever that last record becomes.
    A ``"`` quotes a field only at its start (after a separator or a line break).
    """
    opening = re.compile(r"(?:^|(?<=[\n" + re.escape(separator) + r']))"')
    end = 0
    for found in opening.finditer(text):
        if found.start() < end:
            continue  # inside the quoted field before
        close = found.end()
        while (close := text.find('"', close)) != -1 and text.startswith('""', close):
            close += 2
        if close == -1:
            return True
        end = close + 1
    return False


def _refuse(filename: str, line: int, message: str) -> Decoded:
    return Decoded(None, (Problem(filename, line, message),))
