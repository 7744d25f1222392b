"""Small readers that check the shape of a spec and collect every problem found."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from quizapp.grading.base import SpecPath, SpecProblem


def kind_of(value: object) -> str:
    """Describe the kind of a YAML value in words an author understands."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


class Checker:
    """Collects the problems found while reading a spec, each with the path it belongs to."""

    def __init__(self) -> None:
        self.problems: list[SpecProblem] = []

    def fail(self, path: SpecPath, message: str) -> None:
        self.problems.append(SpecProblem(path, message))

    def text(self, value: object, path: SpecPath, what: str, *, required: bool = True) -> str:
        """Return ``value`` if it is text; otherwise record why not and return ''."""
        if value is None:
            if required:
                self.fail(path, f"{what} is missing")
            return ""
        if not isinstance(value, str):
            hint = " (put it in quotes)" if isinstance(value, int | float) else ""
            self.fail(path, f"{what} must be text, not {kind_of(value)}{hint}")
            return ""
        if required and not value.strip():
            self.fail(path, f"{what} is empty")
        return value

    def boolean(self, value: object, path: SpecPath, what: str) -> bool | None:
        """Return ``value`` if it is true or false; record a problem for anything else."""
        if isinstance(value, bool):
            return value
        self.fail(path, f"{what} must be true or false, not {kind_of(value)}")
        return None

    def number(self, value: object, path: SpecPath, what: str) -> float | None:
        """Return ``value`` as a float if it is a finite number; record a problem otherwise."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"{what} must be a number, not {kind_of(value)}")
            return None
        if not math.isfinite(value):
            self.fail(path, f"{what} must be a finite number")
            return None
        return float(value)

    def items(self, value: object, path: SpecPath, what: str, minimum: int) -> list[object]:
        """Return ``value`` as a list if it is one with at least ``minimum`` entries."""
        if value is None:
            self.fail(path, f"{what} is missing")
            return []
        if not isinstance(value, list | tuple):
            self.fail(path, f"{what} must be a list, not {kind_of(value)}")
            return []
        if len(value) < minimum:
            entries = "entry" if minimum == 1 else "entries"
            self.fail(path, f"{what} needs at least {minimum} {entries}, found {len(value)}")
        return list(value)

    def mapping(
        self, value: object, path: SpecPath, what: str, allowed: frozenset[str]
    ) -> Mapping[str, object]:
        """Return ``value`` if it is a mapping; report it otherwise, and report unknown keys."""
        if not isinstance(value, Mapping):
            self.fail(path, f"{what} must be a mapping, not {kind_of(value)}")
            return {}
        for key in value:
            if key not in allowed:
                self.fail(
                    (*path, str(key)),
                    f"{what}: unknown key '{key}' (allowed: {', '.join(sorted(allowed))})",
                )
        return value

    def option(self, value: object, path: SpecPath, what: str, options: Iterable[str]) -> None:
        """Record a problem unless ``value`` is absent or one of ``options``."""
        names = list(options)
        if value is not None and value not in names:
            self.fail(path, f"{what} must be one of {', '.join(names)}, not {value!r}")

    def distinct(self, entries: Iterable[tuple[SpecPath, str]], what: str) -> None:
        """Record a problem for each text that repeats an earlier one (ignoring case/spaces)."""
        seen: set[str] = set()
        for path, text in entries:
            key = " ".join(text.split()).casefold()
            if key and key in seen:
                self.fail(path, f"{what} '{text}' appears twice")
            seen.add(key)


PARTIAL_KEYS = frozenset({"credit", "feedback"})


def check_partial(
    value: object, checker: Checker, own: frozenset[str]
) -> list[Mapping[str, object]]:
    """Check a typed type's ``partial`` answers (each with ``credit`` from 0 to 1, exclusive,
    and an optional ``feedback``, plus the type's ``own`` keys) and return the entries."""
    if value is None:
        return []
    entries = checker.items(value, ("partial",), "partial", minimum=1)
    found = []
    for i, entry in enumerate(entries):
        path: SpecPath = ("partial", i)
        answer = checker.mapping(entry, path, f"partial answer {i + 1}", PARTIAL_KEYS | own)
        credit = checker.number(answer.get("credit"), (*path, "credit"), "credit")
        if credit is not None and not 0 < credit < 1:
            checker.fail(
                (*path, "credit"),
                f"a partly right answer's credit is between 0 and 1, not {credit:g}",
            )
        checker.text(answer.get("feedback"), (*path, "feedback"), "feedback", required=False)
        found.append(answer)
    return found


def check_otherwise(spec: Mapping[str, object], checker: Checker) -> None:
    """Check the feedback given for any other answer (Moodle's catch-all ``*``)."""
    checker.text(spec.get("otherwise"), ("otherwise",), "otherwise", required=False)
