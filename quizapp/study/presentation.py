"""How each question type is shown and how its form is read back (pure, Flask-free).

A presenter turns a question's spec into what the template needs, with options shuffled by a
seed so that the order is stable across a reload but differs between questions; every option
keeps its canonical index (its position in the spec), and that index is what forms submit.
A reader turns the submitted form back into the response ``quizapp.grading`` expects.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from quizapp.grading.arrange import options as matching_options
from quizapp.grading.base import Grade
from quizapp.grading.typed import read_cloze

Spec = Mapping[str, Any]
Form = Mapping[str, Sequence[str]]
"""Submitted form fields, each with all its values (``werkzeug.MultiDict.to_dict(flat=False)``)."""


@dataclass(frozen=True)
class Option:
    index: int
    text: str


@dataclass(frozen=True)
class Presented:
    """What a template needs to render one question type's answer area."""

    qtype: str
    options: tuple[Option, ...] = ()
    segments: tuple[str, ...] = ()  # cloze: text around the gaps (one more than gaps)
    lefts: tuple[str, ...] = ()  # matching: the left-hand items, in spec order
    unit: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def gap_count(self) -> int:
        return max(0, len(self.segments) - 1)


def shuffled(count: int, seed: int) -> list[int]:
    """Return the indices ``0..count-1`` in an order fixed by ``seed``."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order


def _texts(items: Sequence[Any], key: str | None = None) -> list[str]:
    return [str(item[key] if key else item) for item in items]


def _shuffled_options(texts: Sequence[str], seed: int) -> tuple[Option, ...]:
    return tuple(Option(i, texts[i]) for i in shuffled(len(texts), seed))


def _present_choices(spec: Spec, seed: int) -> dict[str, Any]:
    return {"options": _shuffled_options(_texts(spec["choices"], "text"), seed)}


def _present_true_false(spec: Spec, seed: int) -> dict[str, Any]:
    return {"options": (Option(1, "True"), Option(0, "False"))}


def _present_cloze(spec: Spec, seed: int) -> dict[str, Any]:
    return {"segments": tuple(read_cloze(str(spec["text"])).texts)}


def _present_matching(spec: Spec, seed: int) -> dict[str, Any]:
    return {
        "lefts": tuple(_texts(spec["pairs"], "left")),
        "options": _shuffled_options(matching_options(spec), seed),
    }


def _present_ordering(spec: Spec, seed: int) -> dict[str, Any]:
    items = _texts(spec["items"])
    order = shuffled(len(items), seed)
    if order == sorted(order) and len(order) > 1:  # never show the answer as the start
        order = order[1:] + order[:1]
    return {"options": tuple(Option(i, items[i]) for i in order)}


def _present_numeric(spec: Spec, seed: int) -> dict[str, Any]:
    return {"unit": str(spec.get("unit") or "")}


def _present_plain(spec: Spec, seed: int) -> dict[str, Any]:
    return {}


PRESENTERS: dict[str, Callable[[Spec, int], dict[str, Any]]] = {
    "single_choice": _present_choices,
    "multiple_response": _present_choices,
    "true_false": _present_true_false,
    "short_answer": _present_plain,
    "cloze": _present_cloze,
    "matching": _present_matching,
    "ordering": _present_ordering,
    "numeric": _present_numeric,
}


def present(qtype: str, spec: Spec, seed: int) -> Presented:
    """Return the view of a question's answer area, shuffled by ``seed``."""
    return Presented(qtype=qtype, **PRESENTERS[qtype](spec, seed))


# Reading forms back ------------------------------------------------------------------------


def _first(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return str(values[0]).strip()


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _read_single(form: Form, spec: Spec) -> object:
    return _int_or_none(_first(form, "choice"))


def _read_multiple(form: Form, spec: Spec) -> object:
    picked = (_int_or_none(v) for v in form.get("choice", []))
    return sorted({i for i in picked if i is not None})


def _read_true_false(form: Form, spec: Spec) -> object:
    value = _first(form, "choice")
    return {"1": True, "0": False}.get(value)


def _read_text(form: Form, spec: Spec) -> object:
    return _first(form, "answer")


def _read_cloze(form: Form, spec: Spec) -> object:
    gaps = len(read_cloze(str(spec["text"])).gaps)
    return [_first(form, f"gap-{i}") for i in range(gaps)]


def _read_matching(form: Form, spec: Spec) -> object:
    return [_int_or_none(_first(form, f"match-{i}")) for i in range(len(spec["pairs"]))]


def _read_ordering(form: Form, spec: Spec) -> object:
    """Read the order from the script-driven list, or from the per-item position selects."""
    count = len(spec["items"])
    scripted = _first(form, "order")
    if scripted:
        return [i for i in (_int_or_none(v) for v in scripted.split(",")) if i is not None]
    positions: list[tuple[int, int]] = []
    for index in range(count):
        pos = _int_or_none(_first(form, f"pos-{index}"))
        if pos is not None:
            positions.append((pos, index))
    return [index for _, index in sorted(positions)]


READERS: dict[str, Callable[[Form, Spec], object]] = {
    "single_choice": _read_single,
    "multiple_response": _read_multiple,
    "true_false": _read_true_false,
    "short_answer": _read_text,
    "cloze": _read_cloze,
    "matching": _read_matching,
    "ordering": _read_ordering,
    "numeric": _read_text,
}


def read_response(qtype: str, spec: Spec, form: Form) -> object:
    """Return the response a submitted form carries, in the shape the grader expects."""
    return READERS[qtype](form, spec)


def is_blank(qtype: str, response: object) -> bool:
    """Whether the learner gave no answer at all (the form is then shown again)."""
    if response is None or response == "":
        return True
    if isinstance(response, list):
        return all(item in (None, "") for item in response) or not response
    return False


# Describing an answer after grading ---------------------------------------------------------


def _choice_texts(spec: Spec) -> list[str]:
    return _texts(spec["choices"], "text")


def _describe_single(spec: Spec, response: object) -> str:
    texts = _choice_texts(spec)
    return texts[response] if isinstance(response, int) and 0 <= response < len(texts) else ""


def _describe_multiple(spec: Spec, response: object) -> str:
    texts = _choice_texts(spec)
    picked = (
        [texts[i] for i in response if isinstance(i, int) and 0 <= i < len(texts)]
        if isinstance(response, list)
        else []
    )
    return "; ".join(picked) or "nothing selected"


def _describe_true_false(spec: Spec, response: object) -> str:
    return {True: "True", False: "False"}.get(response, "") if isinstance(response, bool) else ""


def _describe_text(spec: Spec, response: object) -> str:
    return str(response or "")


def _describe_cloze(spec: Spec, response: object) -> str:
    gaps = response if isinstance(response, list) else []
    return " / ".join(str(g) if g else "(empty)" for g in gaps)


def _describe_matching(spec: Spec, response: object) -> str:
    shown = matching_options(spec)
    picks = response if isinstance(response, list) else []
    lines = []
    for i, pair in enumerate(spec["pairs"]):
        pick = picks[i] if i < len(picks) else None
        right = shown[pick] if isinstance(pick, int) and 0 <= pick < len(shown) else "(none)"
        lines.append(f"{pair['left']} → {right}")
    return "; ".join(lines)


def _describe_ordering(spec: Spec, response: object) -> str:
    items = _texts(spec["items"])
    order = response if isinstance(response, list) else []
    return " → ".join(items[i] for i in order if isinstance(i, int) and 0 <= i < len(items))


DESCRIBERS: dict[str, Callable[[Spec, object], str]] = {
    "single_choice": _describe_single,
    "multiple_response": _describe_multiple,
    "true_false": _describe_true_false,
    "short_answer": _describe_text,
    "cloze": _describe_cloze,
    "matching": _describe_matching,
    "ordering": _describe_ordering,
    "numeric": _describe_text,
}


def describe_response(qtype: str, spec: Spec, response: object) -> str:
    """Return the learner's response in words, as the feedback shows it."""
    return DESCRIBERS[qtype](spec, response)


def humanize_interval(days: float) -> str:
    """Say how far away a review is: '10 minutes', '3 hours', '4 days', '2 months'."""
    minutes = days * 24 * 60
    if minutes < 60:
        n, unit = max(1, round(minutes)), "minute"
    elif minutes < 24 * 60:
        n, unit = round(minutes / 60), "hour"
    elif days < 60:
        n, unit = round(days), "day"
    elif days < 730:
        n, unit = round(days / 30.4), "month"
    else:
        n, unit = round(days / 365.25), "year"
    return f"{n} {unit}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class PartLine:
    """One line of the per-part feedback: what it says and whether it was right."""

    text: str
    correct: bool


def _choice_lines(grade: Grade) -> list[PartLine]:
    lines = []
    for part in grade.parts:
        if part.expected and part.given:
            lines.append(PartLine(f"{part.expected}: ticked, and it is correct", True))
        elif part.expected:
            lines.append(PartLine(f"{part.expected}: correct, but not ticked", False))
        elif part.given:
            lines.append(PartLine(f"{part.given}: ticked, but it is not correct", False))
    return lines


def _gap_lines(grade: Grade) -> list[PartLine]:
    return [
        PartLine(
            f"Gap {p.index + 1}: “{p.given or '(empty)'}”"
            + ("" if p.correct else f", expected “{p.expected}”"),
            p.correct,
        )
        for p in grade.parts
    ]


def _pair_lines(spec: Spec, grade: Grade) -> list[PartLine]:
    lefts = _texts(spec["pairs"], "left")
    return [
        PartLine(
            f"{lefts[p.index]} → {p.given or '(none)'}"
            + ("" if p.correct else f" (should be {p.expected})"),
            p.correct,
        )
        for p in grade.parts
    ]


def _order_lines(grade: Grade) -> list[PartLine]:
    return [
        PartLine(f"{p.index + 1}. {p.given}" + ("" if p.correct else " (out of order)"), p.correct)
        for p in grade.parts
    ]


def describe_parts(qtype: str, spec: Spec, grade: Grade) -> list[PartLine]:
    """Return the per-part feedback lines for the types made of several parts."""
    if qtype == "multiple_response":
        return _choice_lines(grade)
    if qtype == "cloze" and len(grade.parts) > 1:
        return _gap_lines(grade)
    if qtype == "matching":
        return _pair_lines(spec, grade)
    if qtype == "ordering":
        return _order_lines(grade)
    return []
