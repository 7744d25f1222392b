"""How much a term says about a document: rare in ordinary English, frequent and spread in it.

Ordinary English is measured by ``wordfreq`` (its Zipf scale: 7 for "the", 3 for "antigen",
0 for a word it has never seen); its word lists ship inside the package, so this stays offline.
A term's weight grows with its rarity, with how often the document uses it and with how many
sections it appears in; the document's own subject (its title's terms, or a term in nearly
every section) is what everything is about, so it is never the answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from wordfreq import zipf_frequency

__all__ = ["RFC_KEYWORDS", "STOPWORDS", "Salience", "common_word", "rare_word", "zipf"]

COMMON_ZIPF = 4.5
"""From here on a word is everyday English ("software" 4.8, "must" 5.7), not a key term."""
RARE_ZIPF = 3.2
"""Below this a lower-case word is specialist vocabulary ("indentation" 2.6, "antigen" 3.2)."""
SUBJECT_SPREAD = 0.6

RFC_KEYWORDS = frozenset(
    {"must", "shall", "should", "may", "required", "recommended", "optional", "not", "shan't"}
)
_STOPWORDS_TEXT = (
    "a an the and or but if then else of to in on at by for with from as into onto over under "
    "is are was were be been being has have had do does did this that these those it its they "
    "them their there here which who whom whose what when where why how all any each every some "
    "such no nor not only own same so than too very can will just also may might must should "
    "would could one two three first second new other more most like unlike via per"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


@lru_cache(maxsize=8192)
def zipf(word: str) -> float:
    """How common ``word`` is in English, on the Zipf scale (0 if unknown)."""
    return float(zipf_frequency(word.lower(), "en"))


def common_word(word: str) -> bool:
    low = word.lower()
    return low in STOPWORDS or low in RFC_KEYWORDS or zipf(low) >= COMMON_ZIPF


def rare_word(word: str) -> bool:
    return len(word) >= 5 and word.islower() and zipf(word) < RARE_ZIPF


def rarity(text: str) -> float:
    """From 0 (all everyday words) up: the mean of (7 - Zipf) over the content words."""
    words = [w for w in _WORD.findall(text) if w.lower() not in STOPWORDS]
    if not words:
        return 0.0
    return sum(max(7.0 - zipf(w), 0.0) for w in words) / len(words)


@dataclass
class Salience:
    """Counts of each term key over the document and its sections, and the subject's keys."""

    counts: dict[str, int] = field(default_factory=dict)
    spread: dict[str, int] = field(default_factory=dict)
    sections: int = 1
    subject: set[str] = field(default_factory=set)

    def observe(self, per_section: Sequence[Iterable[str]]) -> None:
        """Count the term keys found in each section."""
        self.sections = max(len(per_section), 1)
        for keys in per_section:
            seen: set[str] = set()
            for key in keys:
                self.counts[key] = self.counts.get(key, 0) + 1
                seen.add(key)
            for key in seen:
                self.spread[key] = self.spread.get(key, 0) + 1

    def find_subject(self, title_key: str, alias: dict[str, str], key_of: dict[str, str]) -> None:
        """The title's terms, and any term in most sections of a document of three or more."""
        padded = f" {title_key} "
        for key in self.counts:
            in_title = len(key) > 1 and f" {key} " in padded
            everywhere = (
                self.sections >= 3
                and self.spread.get(key, 0) >= SUBJECT_SPREAD * self.sections
                and self.counts[key] >= 4
            )
            if in_title or everywhere:
                self.subject.add(key)
        for key in list(self.subject):
            if key in alias:
                self.subject.add(key_of.get(alias[key], alias[key]))

    def weight(self, key: str, text: str) -> float:
        """How central a term is: rarity x log-frequency x spread over sections."""
        if key in self.subject:
            return 0.0
        count = self.counts.get(key, 1)
        spread = self.spread.get(key, 1)
        return rarity(text) * (1.0 + math.log(count)) * (1.0 + 0.5 * (spread - 1))
