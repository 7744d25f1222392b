"""The question types by name: the one place that lists them."""

from __future__ import annotations

from quizapp.grading.arrange import Matching, Ordering
from quizapp.grading.base import QuestionType
from quizapp.grading.choice import MultipleResponse, SingleChoice, TrueFalse
from quizapp.grading.cloze import Cloze
from quizapp.grading.numeric import Numeric
from quizapp.grading.typed import ShortAnswer

REGISTRY: dict[str, QuestionType] = {
    qtype.name: qtype
    for qtype in (
        SingleChoice(),
        MultipleResponse(),
        TrueFalse(),
        ShortAnswer(),
        Cloze(),
        Matching(),
        Ordering(),
        Numeric(),
    )
}

#: Types a blind guess can answer (those that say what a guess's chance is).
GUESSABLE_TYPES: frozenset[str] = frozenset(
    name for name, qtype in REGISTRY.items() if type(qtype).chance is not QuestionType.chance
)


def guess_options(qtype: str, spec: dict[str, object]) -> int | None:
    """How many options a blind guesser picks from (None for a type that cannot be guessed)."""
    chance = get_type(qtype).chance(spec)
    return round(1 / chance) if chance else None


class UnknownTypeError(KeyError):
    """Raised for a question type name that is not in the registry."""


def get_type(name: str) -> QuestionType:
    """Return the question type called ``name``."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownTypeError(name) from None
