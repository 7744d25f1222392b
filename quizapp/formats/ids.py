"""Stable ids for imported sets, topics and questions.

An id the file gives is kept, lower-cased and with every character the app does not allow in
ids made a '-' (``Q 12/a`` becomes ``q-12-a``). A question without one gets an id made from its
content, ``q-`` and the first 12 hex digits of the sha256 of its title and prompt, so that
uploading the file again (even reordered or with other answers) finds the same question.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from quizapp.bank.validate import MAX_ID

_NOT_ID = re.compile(r"[^a-z0-9._-]+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
HASH_DIGITS = 12


def _ascii_lower(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def slug(text: str, *, limit: int = 60) -> str:
    """Return ``text`` as lower-case ASCII words joined by '-' ('' when nothing is left)."""
    return _NOT_WORD.sub("-", _ascii_lower(text)).strip("-")[:limit].strip("-")


def clean_id(text: str) -> str:
    """Return a file's own id in the app's id alphabet ('' when nothing is left)."""
    cleaned = _NOT_ID.sub("-", _ascii_lower(text.strip()))
    return cleaned.lstrip("._-")[:MAX_ID].rstrip("._-")


def content_id(title: str, prompt: str) -> str:
    """Return the id of a question that has none: a short hash of its title and prompt."""
    payload = f"{' '.join(title.split())}\n{' '.join(prompt.split())}"
    return "q-" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:HASH_DIGITS]


class IdBook:
    """Hands out ids, adding ``-2``, ``-3``... to one already handed out."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def keep(self, given: str) -> str:
        """Return ``given`` as it is (a repeat is the validator's to report), noting it taken."""
        self._taken.add(given)
        return given

    def take(self, wanted: str) -> str:
        """Return ``wanted``, or the first free ``wanted-N``."""
        found, number = wanted, 1
        while found in self._taken:
            number += 1
            found = f"{wanted[: MAX_ID - len(str(number)) - 1]}-{number}"
        self._taken.add(found)
        return found
