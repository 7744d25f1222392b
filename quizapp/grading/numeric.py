"""Numeric answers with a tolerance or a range, typed leniently ("1,5", "1 500", "42 mg")."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from quizapp.grading.base import Grade, Part, Spec, SpecProblem
from quizapp.grading.checks import Checker, check_otherwise, check_partial
from quizapp.grading.presenting import Presented
from quizapp.grading.typed import TypedInOneField
from quizapp.grading.wording import words

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPING = re.compile(r"[\s']")
# Room for binary floating point: 0.1 + 0.2 must be within 0 of 0.3.
_EPSILON = 1e-9


def parse_number(text: str, unit: str = "") -> float | None:
    """Read a typed number, or return None.

    Spaces and apostrophes group thousands ("1 500"). A single comma is a decimal comma
    ("1,5" is 1.5); with both marks the last one is the decimal mark ("1,500.25", "1.500,25");
    several commas alone group thousands ("1,500,000"). A trailing ``unit`` is allowed.
    """
    value = unicodedata.normalize("NFKC", text).strip().replace("\u2212", "-")
    if unit and value.casefold().endswith(unit.casefold()):
        value = value[: -len(unit)]
    value = _GROUPING.sub("", value)
    value = _decimal_point(value)
    if not _NUMBER.fullmatch(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def number_in_words(text: str, unit: str = "") -> float | None:
    """Read a whole number written in words ("four", "twenty-one", "two hundred"), or None."""
    value = text.strip()
    if unit and value.casefold().endswith(unit.casefold()):
        value = value[: -len(unit)]
    written = words(value)
    if len(written) == 1 and written[0].canon.isdigit():
        return float(written[0].canon)
    return None


def _decimal_point(value: str) -> str:
    """Rewrite decimal commas and grouping marks so that only a '.' decimal point is left."""
    if "," in value and "." in value:
        if value.rfind(",") > value.rfind("."):
            return value.replace(".", "").replace(",", ".")
        return value.replace(",", "")
    if value.count(",") == 1:
        return value.replace(",", ".")
    return value.replace(",", "")


def format_number(value: float) -> str:
    """Write a number without a pointless '.0'."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


class Numeric(TypedInOneField):
    """Type a number: right if within ``tolerance`` of ``answer`` or inside ``range: [lo, hi]``.

    ``partial`` answers earn part of the mark (``{answer, tolerance | range, credit,
    feedback}``, as Moodle's numerical answers do), and ``otherwise`` is the feedback for any
    other number (Moodle's ``*``).
    """

    name: ClassVar[str] = "numeric"
    label: ClassVar[str] = "Number"
    keys: ClassVar[frozenset[str]] = frozenset(
        {"answer", "tolerance", "range", "unit", "partial", "otherwise"}
    )

    def check(self, spec: Spec) -> list[SpecProblem]:
        checker = self._check_value(spec)
        entries = check_partial(spec.get("partial"), checker, _VALUE_KEYS)
        for i, entry in enumerate(entries):
            for problem in self._check_value(entry).problems:
                checker.fail(("partial", i, *problem.path), problem.message)
        check_otherwise(spec, checker)
        return checker.problems

    def _check_value(self, spec: Mapping[str, object]) -> Checker:
        """Check the number that is right: an answer with a tolerance, or a range."""
        checker = Checker()
        answer = None
        if "answer" in spec:
            answer = checker.number(spec["answer"], ("answer",), "answer")
        elif "range" not in spec:
            checker.fail((), "answer is missing: write 'answer: <number>' or 'range: [lo, hi]'")
        if "tolerance" in spec:
            _check_tolerance(spec, checker)
        if "range" in spec:
            _check_range(spec, answer, checker)
        checker.text(spec.get("unit"), ("unit",), "unit", required=False)
        return checker

    def grade(
        self, spec: Spec, response: object, *, others: Sequence[str] = (), language: str = "en"
    ) -> Grade:
        unit = str(spec.get("unit", ""))
        given = str(response) if isinstance(response, str | int | float) else ""
        value = None if isinstance(response, bool) else parse_number(given, unit)
        if value is None and isinstance(response, str):
            value = number_in_words(given, unit)
        right = value is not None and _within(value, spec)
        feedback: tuple[str, ...] = ()
        if value is None and given.strip():
            feedback = (f"'{given}' is not a number",)
        score = 1.0 if right else 0.0
        if value is not None and not right:
            score, feedback = _partly_right(value, spec)
        return Grade(
            score=score,
            correct_answer=self.correct_answer_text(spec),
            parts=(Part(0, right, given, self.correct_answer_text(spec)),),
            feedback=feedback,
        )

    def correct_answer_text(self, spec: Spec) -> str:
        unit = f" {spec['unit']}" if spec.get("unit") else ""
        if "answer" not in spec:
            lo, hi = _bounds(spec)
            return f"between {format_number(lo)} and {format_number(hi)}{unit}"
        text = format_number(float(spec["answer"]))
        if spec.get("tolerance"):
            text += f" ± {format_number(float(spec['tolerance']))}"
        if "range" in spec:
            lo, hi = _bounds(spec)
            text += f" (from {format_number(lo)} to {format_number(hi)})"
        return text + unit

    def answer_key(self, spec: Spec) -> object:
        # The tolerance is leniency, not the answer; a range without an answer is the answer.
        key = spec["answer"] if "answer" in spec else spec["range"]
        numbers = key if isinstance(key, list | tuple) else [key]
        return {"value": [repr(float(n)) for n in numbers], "unit": str(spec.get("unit", ""))}

    def present(self, spec: Spec, seed: int) -> Presented:
        return replace(super().present(spec, seed), unit=str(spec.get("unit") or ""))

    def sample_responses(self, spec: Spec) -> list[object]:
        lo, hi = _bounds(spec)
        value = float(spec["answer"]) if "answer" in spec else (lo + hi) / 2
        return [format_number(value), str(int(abs(hi) * 10 + 1000))]


_VALUE_KEYS = frozenset({"answer", "tolerance", "range"})


def _within(value: float, spec: Mapping[str, Any]) -> bool:
    lo, hi = _bounds(spec)
    return lo - _EPSILON <= value <= hi + _EPSILON


def _partly_right(value: float, spec: Spec) -> tuple[float, tuple[str, ...]]:
    """The best credit of the partly right answers ``value`` falls in, with its feedback; or
    0 and the feedback for any other number."""
    found = [entry for entry in spec.get("partial", ()) if _within(value, entry)]
    if found:
        best = max(found, key=lambda entry: float(entry["credit"]))
        said = str(best.get("feedback") or "")
        return float(best["credit"]), ((said,) if said else ())
    otherwise = str(spec.get("otherwise") or "")
    return 0.0, ((otherwise,) if otherwise else ())


def _bounds(spec: Mapping[str, Any]) -> tuple[float, float]:
    if "range" in spec:
        lo, hi = spec["range"]
        return float(lo), float(hi)
    answer, tolerance = float(spec["answer"]), float(spec.get("tolerance", 0))
    return answer - tolerance, answer + tolerance


def _check_tolerance(spec: Spec, checker: Checker) -> None:
    tolerance = checker.number(spec["tolerance"], ("tolerance",), "tolerance")
    if tolerance is not None and tolerance < 0:
        checker.fail(("tolerance",), f"tolerance must be 0 or more, not {spec['tolerance']}")
    if "range" in spec:
        checker.fail(("tolerance",), "give either tolerance or range, not both")


def _check_range(spec: Spec, answer: float | None, checker: Checker) -> None:
    entries = spec["range"]
    if not isinstance(entries, list | tuple) or len(entries) != 2:
        checker.fail(("range",), "range must be a list of two numbers: [lowest, highest]")
        return
    lo = checker.number(entries[0], ("range", 0), "range start")
    hi = checker.number(entries[1], ("range", 1), "range end")
    if lo is None or hi is None:
        return
    if lo > hi:
        checker.fail(("range",), f"range start {entries[0]} is above its end {entries[1]}")
    elif answer is not None and not lo <= answer <= hi:
        checker.fail(("answer",), f"answer {spec['answer']} is outside range {list(entries)}")
