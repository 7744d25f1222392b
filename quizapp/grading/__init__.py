"""The question types (pure: no Flask, no database).

``REGISTRY`` maps a type name to its ``QuestionType``, which holds everything that differs by
type: it validates a spec, presents the answer area (rendered by its partial,
``templates/questiontypes/<name>.html``), reads the submitted form back, grades a response,
describes it in words and per part, states the correct answer, gives the chance level of a
blind guess and digests the answer so that a changed answer can be told from a reworded
question.
"""

from __future__ import annotations

from quizapp.grading.base import Grade, Outcome, Part, QuestionType, Spec, SpecPath, SpecProblem
from quizapp.grading.registry import REGISTRY, UnknownTypeError, get_type
from quizapp.grading.wording import LANGUAGES

__all__ = [
    "LANGUAGES",
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
