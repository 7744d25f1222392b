"""Moodle's short-answer wildcard in the app's terms.

In Moodle (and so in GIFT), ``*`` in a short answer matches any characters, and ``\\*`` is a
star. The app has no wildcard; its grader accepts other forms of a word instead (plurals and
simple inflections, in English). So the one common use, a star ending a word (``transplant*``
for "transplant", "transplants", "transplanted"), becomes the word itself; any other star is
kept as written (the grader ignores punctuation) and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNESCAPED_STAR = re.compile(r"(?<!\\)\*")
_WORD_THEN_STAR = re.compile(r"^(?P<before>.*?(?P<word>[^\W\d_]{3,}))\*$")


@dataclass(frozen=True)
class Wildcard:
    """A Moodle answer as the app keeps it, and what the import report says of it (or '')."""

    answer: str
    note: str = ""


def read_wildcard(text: str) -> Wildcard:
    """The app's answer for the Moodle short answer ``text``."""
    stars = _UNESCAPED_STAR.findall(text)
    plain = text.replace("\\*", "*")
    if not stars:
        return Wildcard(plain)
    ending = _WORD_THEN_STAR.match(text)
    if len(stars) == 1 and ending is not None:
        word = ending["word"]
        return Wildcard(
            ending["before"].replace("\\*", "*"),
            f"answer '{text}': the wildcard '*' after '{word}' is read as '{word}', whose "
            "plural and simple inflections the app accepts (in English), but no other ending",
        )
    return Wildcard(
        plain, f"answer '{text}' has a '*' wildcard the app cannot express: it is kept as written"
    )
