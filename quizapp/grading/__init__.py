"""Answer grading for every question type (pure: no Flask, no database).

``REGISTRY`` maps a type name to its implementation; each one validates a spec, grades a
response, states the correct answer, gives the chance level of a blind guess and digests the
answer so that a changed answer can be told from a reworded question.
"""

from __future__ import annotations

from quizapp.grading.base import Grade, Outcome, Part, QuestionType, Spec, SpecPath, SpecProblem
from quizapp.grading.registry import REGISTRY, UnknownTypeError, get_type

__all__ = [
    "REGISTRY",
    "Grade",
    "Outcome",
    "Part",
    "QuestionType",
    "Spec",
    "SpecPath",
    "SpecProblem",
    "UnknownTypeError",
    "get_type",
]
