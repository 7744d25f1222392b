"""The little languages of a spreadsheet's cells: lists, numeric answers, match settings.

- A list cell separates its items with ``|``; ``\\|`` is a ``|`` inside an item, ``\\*`` a
  ``*`` and ``\\%`` a ``%`` at its start (where ``*`` marks a right choice and ``%50%`` a
  credit) and ``\\\\`` a backslash. Any other backslash is kept as written. Spaces around
  items do not count.
- Partial credit, as GIFT writes it: ``%50%`` before a choice, a partly right answer or a
  number is its credit in percent (``*%50%a | *%50%b | %-50%c`` for a weighed multiple
  response); ``*`` alone in an answer list stands for any other answer, whose feedback is the
  question's ``otherwise``.
- A numeric answer is ``73``, ``73 ± 0.5`` (or ``+-``, ``+/-``), a range ``70..75``, or both
  an answer and its range ``73 (70..75)``. A single comma is a decimal comma (``1,5``).
- Match settings are ``key=value`` pairs separated by ``;``, e.g. ``case=true; typos=0``.

``choice_credits`` is each choice's credit as the grader counts it, for the formats that
write every choice's weight.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from quizapp.grading.numeric import format_number

_NUMBER = r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?(?![.,]?\d)"
_ANSWER = re.compile(
    rf"(?:(?P<answer>{_NUMBER})\s*)?"
    rf"(?:(?:±|\+/-|\+-)\s*(?P<tolerance>{_NUMBER})\s*)?"
    rf"(?:(?P<open>\()?\s*(?P<low>{_NUMBER})\s*\.\.\s*(?P<high>{_NUMBER})\s*(?(open)\)))?"
)
_UNESCAPES = {"|": "|", "*": "*", "%": "%", "\\": "\\"}
_CREDIT = re.compile(r"%(-?\d+(?:[.,]\d+)?)%\s*")
#: An answer list's item that stands for any other answer.
ANY_OTHER = "*"
MATCH_BOOLEANS = ("case", "accents", "punctuation")
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")


def split_list(cell: str) -> list[str]:
    """Return the items of a list cell (an empty cell has none); empty items are kept."""
    if not cell.strip():
        return []
    items: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(cell):
        char = cell[i]
        if char == "\\" and i + 1 < len(cell):
            current.append(char + cell[i + 1])
            i += 2
            continue
        if char == "|":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    items.append("".join(current))
    return [item.strip() for item in items]


def unescape_item(item: str) -> str:
    """Return a list item with its escapes replaced (an unknown one stays as written)."""
    return re.sub(r"\\(.)", lambda m: _UNESCAPES.get(m.group(1), m.group(0)), item)


def escape_item(text: str, *, star: bool = False) -> str:
    """Return ``text`` as a list item; ``star`` escapes a leading ``*`` or ``%`` too (the
    marks of a right choice, a credit and any other answer)."""
    escaped = re.sub(r"\\(?=[|*%\\])", r"\\\\", text.strip()).replace("|", "\\|")
    return "\\" + escaped if star and escaped[:1] in ("*", "%") else escaped


def split_credit(item: str) -> tuple[float | None, str]:
    """An item's credit (``%50%`` before it: 0.5; None without one) and the rest of it."""
    found = _CREDIT.match(item)
    if found is None:
        return None, item
    return float(found[1].replace(",", ".")) / 100, item[found.end() :]


def credit_mark(credit: float) -> str:
    """``%50%`` for a credit of 0.5."""
    return f"%{format_number(round(credit * 100, 6))}%"


def join_list(items: list[str]) -> str:
    """Return items as a list cell: ``a | b``, an empty item as nothing (``| | c``)."""
    return "|".join(f" {item} " if item else " " for item in items).strip()


def read_number(text: str) -> int | float | None:
    """Return a number written in a cell (an int when written without a decimal mark)."""
    text = text.strip()
    if not re.fullmatch(_NUMBER, text):
        return None
    if text.lstrip("+-").isdigit():
        return int(text)
    return float(text.replace(",", "."))


def read_numeric(cell: str) -> dict[str, Any] | None:
    """Return the numeric spec keys a cell gives (answer, tolerance, range), or None."""
    found = _ANSWER.fullmatch(cell.strip())
    if found is None or not (found["answer"] or found["low"]):
        return None
    spec: dict[str, Any] = {}
    if found["answer"]:
        spec["answer"] = read_number(found["answer"])
    if found["tolerance"]:
        spec["tolerance"] = read_number(found["tolerance"])
    if found["low"]:
        spec["range"] = [read_number(found["low"]), read_number(found["high"])]
    return spec


def write_numeric(spec: Mapping[str, Any]) -> str:
    """Return the cell for a numeric spec's answer, tolerance and range."""
    parts = []
    if "answer" in spec:
        parts.append(_number(spec["answer"]))
    if "tolerance" in spec:
        parts.append(f"± {_number(spec['tolerance'])}")
    if "range" in spec:
        low, high = (_number(v) for v in spec["range"])
        parts.append(f"({low}..{high})" if "answer" in spec else f"{low}..{high}")
    return " ".join(parts)


def _number(value: object) -> str:
    return format_number(float(value)) if isinstance(value, int | float) else str(value)


def read_boolean(cell: str) -> bool | None:
    word = cell.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def read_match(cell: str) -> tuple[dict[str, Any], list[str]]:
    """Return the match settings of a cell and a message for each setting it cannot read."""
    rules: dict[str, Any] = {}
    errors: list[str] = []
    for part in filter(None, (p.strip() for p in cell.split(";"))):
        key, _, value = (s.strip().lower() for s in part.partition("="))
        if key in MATCH_BOOLEANS and read_boolean(value) is not None:
            rules[key] = read_boolean(value)
        elif key == "typos" and value in ("auto", "0", "1", "2"):
            rules[key] = value if value == "auto" else int(value)
        else:
            errors.append(
                f"match setting '{part}' is not one of case=, accents=, punctuation= "
                "(true or false) or typos= (auto, 0, 1 or 2)"
            )
    return rules, errors


def write_match(rules: Mapping[str, Any]) -> str:
    def word(value: object) -> str:
        return str(value).lower() if isinstance(value, bool) else str(value)

    return "; ".join(f"{key}={word(value)}" for key, value in rules.items())


def choice_credits(choices: Sequence[Mapping[str, Any]]) -> list[float] | None:
    """Each choice's credit when any choice has one (None otherwise), as the grader counts
    them: a right choice without one shares what the others leave of 1, a wrong one has 0."""
    if not any("credit" in choice for choice in choices):
        return None
    right = [bool(choice.get("correct")) for choice in choices]
    given = [float(c["credit"]) if "credit" in c else None for c in choices]
    unset = sum(1 for g, r in zip(given, right, strict=True) if r and g is None)
    left = 1.0 - sum(g for g, r in zip(given, right, strict=True) if r and g is not None)
    share = left / unset if unset else 0.0
    return [
        g if g is not None else (share if r else 0.0) for g, r in zip(given, right, strict=True)
    ]
