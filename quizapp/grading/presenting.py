"""What a question type hands the web layer: the view of its answer area, how it reads a form.

Kept here rather than in ``quizapp.study`` because every type builds these for itself (see
``QuestionType.present``, ``read``, ``part_lines``) and this package may not import the web
layer. Still pure: plain data and the form as a mapping, no Flask.

Options are shuffled by a seed so that the order is stable across a reload but differs between
questions; every option keeps its canonical index (its position in the spec), and that index is
what forms submit.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Form = Mapping[str, Sequence[str]]
"""Submitted form fields, each with all its values (``werkzeug.MultiDict.to_dict(flat=False)``)."""

FormFields = list[tuple[str, str]]
"""The (name, value) pairs a browser submits, in order; a name may come more than once."""


@dataclass(frozen=True)
class Option:
    index: int
    text: str


@dataclass(frozen=True)
class GapView:
    """What the template needs of one cloze gap: its kind (typed, choice, numeric), the
    options of a list (in the order shown, each with its canonical index), a number's unit."""

    kind: str
    options: tuple[Option, ...] = ()
    unit: str = ""


@dataclass(frozen=True)
class Presented:
    """What a type's template needs to render its answer area.

    Attributes:
        template: the type's partial, included by the study page.
        focus_submit: the submit button takes the focus (see ``QuestionType.focus_submit``).
        options: choices, right-hand options or items, in the order shown.
        segments: cloze: the text around the gaps (one more than gaps).
        gaps: cloze: each gap's kind and options.
        lefts: matching: the left-hand items, in spec order.
        unit: numeric: the unit the answer is in.
    """

    template: str
    focus_submit: bool
    options: tuple[Option, ...] = ()
    segments: tuple[str, ...] = ()
    gaps: tuple[GapView, ...] = ()
    lefts: tuple[str, ...] = ()
    unit: str = ""

    @property
    def gap_count(self) -> int:
        return max(0, len(self.segments) - 1)


@dataclass(frozen=True)
class PartLine:
    """One line of the per-part feedback: what it says and whether it was right."""

    text: str
    correct: bool


def shuffled(count: int, seed: int) -> list[int]:
    """Return the indices ``0..count-1`` in an order fixed by ``seed``."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order


def shuffled_options(texts: Sequence[str], seed: int) -> tuple[Option, ...]:
    """Return ``texts`` as options, each with its canonical index, in an order fixed by ``seed``."""
    return tuple(Option(i, texts[i]) for i in shuffled(len(texts), seed))


def first_value(form: Form, name: str) -> str:
    """Return the first value submitted for ``name``, stripped ('' when there is none)."""
    values = form.get(name) or [""]
    return str(values[0]).strip()


def int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
