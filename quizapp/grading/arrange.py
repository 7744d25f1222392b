"""Types answered by arranging: matching pairs and ordering a sequence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from quizapp.grading.base import Grade, Part, QuestionType, Spec, SpecProblem, squash
from quizapp.grading.checks import Checker
from quizapp.grading.choice import SCORING, as_index, as_list
from quizapp.grading.presenting import (
    Form,
    FormFields,
    Option,
    PartLine,
    Presented,
    first_value,
    int_or_none,
    shuffled,
    shuffled_options,
)

PAIR_KEYS = frozenset({"left", "right"})


def _pairs(spec: Spec) -> Sequence[Mapping[str, Any]]:
    pairs: Sequence[Mapping[str, Any]] = spec["pairs"]
    return pairs


def options(spec: Spec) -> list[str]:
    """Return the canonical right-hand options: the pairs' rights in order, then distractors."""
    return [str(p["right"]) for p in _pairs(spec)] + [str(d) for d in spec.get("distractors", [])]


class Matching(QuestionType):
    """Match each left-hand item with its right-hand partner; score = fraction matched."""

    name: ClassVar[str] = "matching"
    label: ClassVar[str] = "Matching"
    keys: ClassVar[frozenset[str]] = frozenset({"pairs", "distractors"})

    def check(self, spec: Spec) -> list[SpecProblem]:
        checker = Checker()
        lefts: list[tuple[tuple[str | int, ...], str]] = []
        rights: list[tuple[tuple[str | int, ...], str]] = []
        entries = checker.items(spec.get("pairs"), ("pairs",), "pairs", minimum=2)
        for i, entry in enumerate(entries):
            pair = checker.mapping(entry, ("pairs", i), f"pair {i + 1}", PAIR_KEYS)
            for side, found in (("left", lefts), ("right", rights)):
                path = ("pairs", i, side)
                found.append((path, checker.text(pair.get(side), path, f"pair {i + 1} {side}")))
        if "distractors" in spec:
            extra = checker.items(spec["distractors"], ("distractors",), "distractors", 1)
            rights += [
                (("distractors", i), checker.text(d, ("distractors", i), f"distractor {i + 1}"))
                for i, d in enumerate(extra)
            ]
        checker.distinct(lefts, "left-hand item")
        checker.distinct(rights, "right-hand option")
        return checker.problems

    def grade(
        self, spec: Spec, response: object, *, others: Sequence[str] = (), language: str = "en"
    ) -> Grade:
        shown = options(spec)
        given = list(response) if isinstance(response, list | tuple) else []
        parts = []
        for i, pair in enumerate(_pairs(spec)):
            picked = as_index(given[i], len(shown)) if i < len(given) else None
            text = shown[picked] if picked is not None else ""
            parts.append(Part(i, picked == i, text, str(pair["right"])))
        return Grade(
            score=sum(p.correct for p in parts) / len(parts),
            correct_answer=self.correct_answer_text(spec),
            parts=tuple(parts),
        )

    def correct_answer_text(self, spec: Spec) -> str:
        return "; ".join(f"{p['left']} → {p['right']}" for p in _pairs(spec))

    def answer_key(self, spec: Spec) -> object:
        return sorted([squash(str(p["left"])), squash(str(p["right"]))] for p in _pairs(spec))

    def present(self, spec: Spec, seed: int) -> Presented:
        return replace(
            super().present(spec, seed),
            lefts=_lefts(spec),
            options=shuffled_options(options(spec), seed),
        )

    def read(self, spec: Spec, form: Form) -> object:
        return [int_or_none(first_value(form, f"match-{i}")) for i in range(len(_pairs(spec)))]

    def form_fields(self, response: object) -> FormFields:
        return [(f"match-{i}", str(pick)) for i, pick in enumerate(as_list(response))]

    def describe(self, spec: Spec, response: object) -> str:
        shown = options(spec)
        picks = as_list(response)
        lines = []
        for i, pair in enumerate(_pairs(spec)):
            pick = picks[i] if i < len(picks) else None
            right = shown[pick] if isinstance(pick, int) and 0 <= pick < len(shown) else "(none)"
            lines.append(f"{pair['left']} → {right}")
        return "; ".join(lines)

    def part_lines(self, spec: Spec, grade: Grade) -> list[PartLine]:
        lefts = _lefts(spec)
        return [
            PartLine(
                f"{lefts[p.index]} → {p.given or '(none)'}"
                + ("" if p.correct else f" (should be {p.expected})"),
                p.correct,
            )
            for p in grade.parts
        ]

    def sample_responses(self, spec: Spec) -> list[object]:
        return _arrangements(len(_pairs(spec)))


def _lefts(spec: Spec) -> tuple[str, ...]:
    return tuple(str(p["left"]) for p in _pairs(spec))


def _arrangements(count: int) -> list[object]:
    """The right arrangement of ``count`` things, then three wrong ones."""
    order = list(range(count))
    swapped = [1, 0, *order[2:]]
    return [order, swapped, order[1:] + order[:1], order[::-1]]


def longest_in_order(sequence: Sequence[int]) -> list[int]:
    """Return the positions in ``sequence`` of one of its longest increasing subsequences."""
    if not sequence:
        return []
    length = [1] * len(sequence)
    before = [-1] * len(sequence)
    for i, value in enumerate(sequence):
        for j in range(i):
            if sequence[j] < value and length[j] + 1 > length[i]:
                length[i], before[i] = length[j] + 1, j
    position = max(range(len(sequence)), key=length.__getitem__)
    chain = []
    while position != -1:
        chain.append(position)
        position = before[position]
    return chain[::-1]


class Ordering(QuestionType):
    """Put items in order. Partial credit (the default) rewards the longest run kept in order.

    With n items and L the length of the longest subsequence of the response that is in the
    right relative order, the score is (L - 1) / (n - 1): the right order scores 1, the reverse
    order 0, and one item out of place among five scores 0.75. ``scoring: all_or_nothing``
    gives 1 for the exact order only. Each part tells whether that item is in the kept run.
    """

    name: ClassVar[str] = "ordering"
    label: ClassVar[str] = "Ordering"
    keys: ClassVar[frozenset[str]] = frozenset({"items", "scoring"})
    focus_submit: ClassVar[bool] = True

    def check(self, spec: Spec) -> list[SpecProblem]:
        checker = Checker()
        entries = checker.items(spec.get("items"), ("items",), "items", minimum=2)
        texts = [
            (("items", i), checker.text(e, ("items", i), f"item {i + 1}"))
            for i, e in enumerate(entries)
        ]
        checker.distinct(texts, "item")
        checker.option(spec.get("scoring"), ("scoring",), "scoring", SCORING)
        return checker.problems

    def grade(
        self, spec: Spec, response: object, *, others: Sequence[str] = (), language: str = "en"
    ) -> Grade:
        items = _items(spec)
        order = _unique_indices(response, len(items))
        kept = {order[p] for p in longest_in_order(order)}
        parts = tuple(
            Part(pos, index in kept, items[index], items[pos] if pos < len(items) else "")
            for pos, index in enumerate(order)
        )
        if spec.get("scoring") == "all_or_nothing":
            score = 1.0 if order == list(range(len(items))) else 0.0
        else:
            score = max(0, len(kept) - 1) / (len(items) - 1)
        return Grade(score, self.correct_answer_text(spec), parts)

    def correct_answer_text(self, spec: Spec) -> str:
        return " → ".join(str(item) for item in spec["items"])

    def answer_key(self, spec: Spec) -> object:
        return [squash(str(item)) for item in spec["items"]]

    def present(self, spec: Spec, seed: int) -> Presented:
        items = _items(spec)
        order = shuffled(len(items), seed)
        if order == sorted(order) and len(order) > 1:  # never show the answer as the start
            order = order[1:] + order[:1]
        return replace(
            super().present(spec, seed), options=tuple(Option(i, items[i]) for i in order)
        )

    def read(self, spec: Spec, form: Form) -> object:
        """Read the order from the script-driven list, or from the per-item position selects."""
        scripted = first_value(form, "order")
        if scripted:
            return [i for i in (int_or_none(v) for v in scripted.split(",")) if i is not None]
        positions: list[tuple[int, int]] = []
        for index in range(len(spec["items"])):
            pos = int_or_none(first_value(form, f"pos-{index}"))
            if pos is not None:
                positions.append((pos, index))
        return [index for _, index in sorted(positions)]

    def form_fields(self, response: object) -> FormFields:
        return [("order", ",".join(str(i) for i in as_list(response)))]

    def describe(self, spec: Spec, response: object) -> str:
        items = _items(spec)
        order = as_list(response)
        return " → ".join(items[i] for i in order if isinstance(i, int) and 0 <= i < len(items))

    def part_lines(self, spec: Spec, grade: Grade) -> list[PartLine]:
        return [
            PartLine(
                f"{p.index + 1}. {p.given}" + ("" if p.correct else " (out of order)"), p.correct
            )
            for p in grade.parts
        ]

    def sample_responses(self, spec: Spec) -> list[object]:
        return _arrangements(len(spec["items"]))


def _items(spec: Spec) -> list[str]:
    return [str(item) for item in spec["items"]]


def _unique_indices(response: object, count: int) -> list[int]:
    """Return the valid indices of a list response in order, each only the first time."""
    seen: list[int] = []
    for item in response if isinstance(response, list | tuple) else []:
        index = as_index(item, count)
        if index is not None and index not in seen:
            seen.append(index)
    return seen
