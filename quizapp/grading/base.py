"""What every question type provides, and the grade it hands back."""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from quizapp.grading.presenting import Form, FormFields, PartLine, Presented

Spec = Mapping[str, Any]
"""The type-specific part of a question (choices, answers, tolerance...), as written in the file."""

SpecPath = tuple[str | int, ...]
"""Where in a spec something is, e.g. ``("choices", 2, "text")`` (indices count from 0)."""

Outcome = Literal["correct", "partial", "wrong"]


@dataclass(frozen=True)
class SpecProblem:
    """One problem in a spec; ``path`` lets the file reader point at the right line."""

    path: SpecPath
    message: str


@dataclass(frozen=True)
class Part:
    """How one part of a response fared: a choice, a gap, a pair, an item or the whole answer.

    For choices, ``given`` is the choice's text when the learner picked it and ``expected`` is
    its text when it is a correct choice (each is empty otherwise), so ``correct`` says whether
    the learner treated that choice rightly.
    """

    index: int
    correct: bool
    given: str
    expected: str


def outcome_of(score: float) -> Outcome:
    """Name a score: 1 is correct, 0 is wrong, anything between is partial."""
    if score >= 1:
        return "correct"
    if score <= 0:
        return "wrong"
    return "partial"


@dataclass(frozen=True)
class Grade:
    """The result of grading one response.

    Attributes:
        score: in [0, 1], rounded to 6 decimals.
        correct_answer: the correct answer in words, to show after the attempt.
        parts: per-part results (choices, gaps, pairs, items).
        feedback: the feedback strings the author wrote for what the learner did.
        outcome: derived from ``score``.
    """

    score: float
    correct_answer: str
    parts: tuple[Part, ...] = ()
    feedback: tuple[str, ...] = ()
    outcome: Outcome = field(init=False)

    def __post_init__(self) -> None:
        if not 0 <= self.score <= 1:
            raise ValueError(f"score {self.score} is outside [0, 1]")
        object.__setattr__(self, "score", round(self.score, 6))
        object.__setattr__(self, "outcome", outcome_of(self.score))


def squash(text: str) -> str:
    """Collapse whitespace and case, for comparisons that must ignore rewording of that kind."""
    return " ".join(text.split()).casefold()


class QuestionType(ABC):
    """A question type: everything that differs from one type to another.

    How its spec is checked; how its answer area is shown (``present`` and the partial named
    by ``template``), how the submitted form is read back and how a response is graded,
    described and split into feedback lines; the chance of a blind guess and the digest of
    the answer. A new type is a subclass listed in the registry, plus its partial.

    Every method but ``validate`` and ``check`` expects a spec that ``validate`` accepted.
    None raises on a malformed response: whatever cannot be read counts as wrong.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    keys: ClassVar[frozenset[str]]
    prompt_optional: ClassVar[bool] = False
    """True when the spec itself can serve as the prompt (see ``default_prompt``)."""
    focus_submit: ClassVar[bool] = False
    """True when the answer is picked, not typed: the submit button then has the focus, so
    that Enter submits after a pick with the number keys (otherwise the first field has it)."""

    @property
    def template(self) -> str:
        """The partial that renders the answer area, found by the type's name."""
        return f"questiontypes/{self.name}.html"

    def validate(self, spec: Spec) -> list[SpecProblem]:
        """Return every problem in ``spec`` (an empty list when it is valid)."""
        problems = [
            SpecProblem(
                (key,),
                f"unknown key '{key}' (besides the common fields, a {self.name} question "
                f"takes: {', '.join(sorted(self.keys))})",
            )
            for key in spec
            if key not in self.keys
        ]
        return problems + self.check(spec)

    @abstractmethod
    def check(self, spec: Spec) -> list[SpecProblem]:
        """Return the problems in the type's own keys."""

    @abstractmethod
    def grade(
        self, spec: Spec, response: object, *, others: Sequence[str] = (), language: str = "en"
    ) -> Grade:
        """Grade a response as the web layer submits it (see the format notes).

        ``others`` are the accepted answers of the set's other typed questions
        (``typed_answers``): a typed answer's typo is not forgiven when it makes the
        response one of them. ``language`` is the set's (``LANGUAGES``): its leading articles
        are dropped, and only in English are other forms of a word (``technologies`` for
        ``technology``) accepted. Types that are not typed ignore both.
        """

    @abstractmethod
    def correct_answer_text(self, spec: Spec) -> str:
        """Return the correct answer in words."""

    @abstractmethod
    def answer_key(self, spec: Spec) -> object:
        """Return the JSON-serialisable part of the spec that defines the correct answer."""

    def present(self, spec: Spec, seed: int) -> Presented:
        """Return the view of the answer area, any options in an order fixed by ``seed``."""
        return Presented(self.template, self.focus_submit)

    @abstractmethod
    def read(self, spec: Spec, form: Form) -> object:
        """Return the response a submitted form carries, in the shape ``grade`` expects."""

    @abstractmethod
    def form_fields(self, response: object) -> FormFields:
        """Return the form fields that submit ``response``: what ``read`` reads back."""

    @abstractmethod
    def describe(self, spec: Spec, response: object) -> str:
        """Return a response in words, as the feedback shows it."""

    def part_lines(self, spec: Spec, grade: Grade) -> list[PartLine]:
        """Return the per-part feedback lines (none for a type answered in one part)."""
        return []

    @abstractmethod
    def sample_responses(self, spec: Spec) -> list[object]:
        """Return a few responses as ``read`` returns them: the correct one first, then wrong
        or partly right ones (the web benchmark submits them)."""

    def typed_answers(self, spec: Spec) -> tuple[str, ...]:
        """Return the accepted answers of a typed question (every gap's for a cloze).

        A caller that grades within a set passes those of the set's other questions to
        ``grade`` as ``others``.
        """
        return ()

    def choices(self, spec: Spec) -> tuple[tuple[str, bool], ...] | None:
        """Return each choice's text and whether it is correct, in canonical order, for the
        item analysis of a class; None for a type not answered by picking choices."""
        return None

    def typed_parts(self, spec: Spec) -> int:
        """How many fields the learner types an answer into (a cloze's gaps; 0 when the
        answer is not typed, or is a number)."""
        return 0

    def is_typed_part(self, spec: Spec, part: int) -> bool:
        """Whether the learner types the answer of ``part`` (an accepted answer can be
        added to it: ``with_accepted``)."""
        return 0 <= part < self.typed_parts(spec)

    def typed_response(self, spec: Spec, part: int, text: str) -> object:
        """The response that types ``text`` into ``part`` and leaves the others empty."""
        return text

    def with_accepted(self, spec: Spec, part: int, answer: str) -> dict[str, Any] | None:
        """Return the spec with ``answer`` accepted too for part ``part`` (the gap of a
        cloze), or None for a type whose answers are not typed. The result is unchecked: a
        caller validates it like any spec."""
        return None

    def picked(self, response: object) -> tuple[int, ...] | None:
        """Return the positions in ``choices`` that ``response`` picked (a class's wrong
        choices are counted from them); None for a type not answered by picking choices."""
        return None

    def chance(self, spec: Spec) -> float | None:
        """Return the probability of a blind guess being right, or None if not guessable."""
        return None

    def default_prompt(self, spec: Spec) -> str:
        """Return the prompt to use when the question has none ('' when one is required)."""
        return ""

    def answer_digest(self, spec: Spec) -> str:
        """Return a sha256 hex digest of the answer only.

        Rewording the prompt, the explanation, the feedback or a distractor leaves it as is;
        changing what is correct changes it (and so restarts learners' memory of the question).
        """
        payload = json.dumps(
            {"type": self.name, "answer": self.answer_key(spec)},
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
