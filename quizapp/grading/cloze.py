"""Cloze: fill in the gaps of a text. A gap is typed, picked from a list, or a number.

A gap written in the text, ``[[answer|other answer]]``, is typed (graded like a short
answer). Gaps of other kinds, or with a weight or feedback, are described under ``gaps`` and
marked in the text by their number, ``[[1]]``, ``[[2]]``..., in order::

    text: "CAR-T cells are [[1]] from the patient and [[2]] in vitro, about [[3]] days."
    gaps:
      - answers: [extracted, collected]          # typed (the default kind)
      - kind: choice                             # a drop-down list
        choices:
          - {text: amplified, correct: true}
          - {text: frozen, feedback: "They are grown in number, not stored."}
          - {text: halved, credit: 0.5}          # partial credit
        shuffle: true
        weight: 2                                # counts twice in the question's score
      - kind: numeric
        answer: 10
        tolerance: 2
        unit: days

The score is the weighted mean of the gaps' scores. Responses hold one entry per gap: the
typed text, the index of the picked choice (its position under ``choices``), or the number as
typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Literal

from quizapp.grading.base import (
    Grade,
    Part,
    QuestionType,
    Spec,
    SpecPath,
    SpecProblem,
    squash,
)
from quizapp.grading.checks import Checker
from quizapp.grading.numeric import Numeric
from quizapp.grading.presenting import (
    Form,
    FormFields,
    GapView,
    Option,
    PartLine,
    Presented,
    first_value,
    shuffled_options,
)
from quizapp.grading.textmatch import MatchRules, check_rules, judge
from quizapp.grading.typed import BLANK, check_accepted, read_cloze, typed_notes

GapKind = Literal["typed", "choice", "numeric"]
GAP_KINDS: tuple[GapKind, ...] = ("typed", "choice", "numeric")
GAP_KEYS = frozenset(
    {"kind", "answers", "choices", "shuffle", "answer", "tolerance", "range", "unit", "weight"}
    | {"feedback"}
)
CHOICE_KEYS = frozenset({"text", "correct", "credit", "feedback"})
_NUMERIC = Numeric()


@dataclass(frozen=True)
class GapChoice:
    text: str
    credit: float  # 1 for a correct choice, 0 for a wrong one, or partial
    feedback: str = ""


@dataclass(frozen=True)
class Gap:
    """One gap of a (valid) cloze spec."""

    kind: GapKind
    answers: tuple[str, ...] = ()  # typed
    choices: tuple[GapChoice, ...] = ()  # choice
    shuffle: bool = False
    number: Mapping[str, Any] | None = None  # numeric: answer/tolerance/range/unit
    weight: float = 1.0
    feedback: str = ""  # shown when the gap is not filled right

    @property
    def shown_answer(self) -> str:
        """The answer the feedback shows as correct."""
        if self.kind == "choice":
            best = max(self.choices, key=lambda c: c.credit)
            return best.text
        if self.kind == "numeric":
            assert self.number is not None
            return _NUMERIC.correct_answer_text(self.number)
        return self.answers[0]


@dataclass(frozen=True)
class ClozeSpec:
    """A valid cloze spec read: the text around the gaps (one more than gaps) and the gaps."""

    texts: tuple[str, ...]
    gaps: tuple[Gap, ...]


def read_gaps(spec: Spec) -> ClozeSpec:
    """Read a cloze spec that ``Cloze.validate`` accepted."""
    written = read_cloze(str(spec["text"]))
    described = spec.get("gaps")
    if not described:
        return ClozeSpec(written.texts, tuple(Gap("typed", answers=g) for g in written.gaps))
    return ClozeSpec(written.texts, tuple(_gap(entry) for entry in described))


def _gap(entry: Mapping[str, Any]) -> Gap:
    kind: GapKind = entry.get("kind", "typed")
    weight, feedback = float(entry.get("weight", 1)), str(entry.get("feedback", ""))
    if kind == "choice":
        choices = tuple(
            GapChoice(
                str(c["text"]),
                float(c.get("credit", 1.0 if c.get("correct") else 0.0)),
                str(c.get("feedback", "")),
            )
            for c in entry["choices"]
        )
        shuffle = bool(entry.get("shuffle", False))
        return Gap(kind, choices=choices, shuffle=shuffle, weight=weight, feedback=feedback)
    if kind == "numeric":
        number = {k: entry[k] for k in ("answer", "tolerance", "range", "unit") if k in entry}
        return Gap(kind, number=number, weight=weight, feedback=feedback)
    answers = tuple(str(a) for a in entry["answers"])
    return Gap("typed", answers=answers, weight=weight, feedback=feedback)


def _check_gaps(spec: Spec, markers: Sequence[tuple[str, ...]], checker: Checker) -> None:
    entries = checker.items(spec.get("gaps"), ("gaps",), "gaps", minimum=1)
    numbers = [marker[0] if len(marker) == 1 else "|".join(marker) for marker in markers]
    wanted = [str(i + 1) for i in range(len(entries))]
    if numbers != wanted:
        checker.fail(
            ("text",),
            f"with 'gaps', mark them in the text as {', '.join(f'[[{n}]]' for n in wanted)} "
            f"in order (found {', '.join(f'[[{n}]]' for n in numbers) or 'none'})",
        )
    for i, entry in enumerate(entries):
        _check_gap(entry, ("gaps", i), f"gap {i + 1}", checker)


def _check_gap(value: object, path: SpecPath, what: str, checker: Checker) -> None:
    entry = checker.mapping(value, path, what, GAP_KEYS)
    kind = entry.get("kind", "typed")
    checker.option(kind, (*path, "kind"), f"{what} kind", GAP_KINDS)
    if "weight" in entry:
        weight = checker.number(entry["weight"], (*path, "weight"), f"{what} weight")
        if weight is not None and weight <= 0:
            checker.fail((*path, "weight"), f"{what} weight must be more than 0")
    checker.text(entry.get("feedback"), (*path, "feedback"), f"{what} feedback", required=False)
    if "shuffle" in entry:
        checker.boolean(entry["shuffle"], (*path, "shuffle"), f"{what} shuffle")
    own = {"typed": {"answers"}, "choice": {"choices", "shuffle"}, "numeric": set(_NUMERIC.keys)}
    for key in entry:
        if key in GAP_KEYS - {"kind", "weight", "feedback"} and key not in own.get(str(kind), ()):
            checker.fail((*path, str(key)), f"{what}: '{key}' is not for a {kind} gap")
    if kind == "choice":
        _check_choices(entry.get("choices"), (*path, "choices"), what, checker)
    elif kind == "numeric":
        number = {k: v for k, v in entry.items() if k in _NUMERIC.keys}
        for problem in _NUMERIC.check(number):
            checker.fail((*path, *problem.path), f"{what}: {problem.message}")
    elif kind == "typed":
        answers = checker.items(entry.get("answers"), (*path, "answers"), f"{what} answers", 1)
        for j, answer in enumerate(answers):
            checker.text(answer, (*path, "answers", j), f"{what} answer {j + 1}")


def _check_choices(value: object, path: SpecPath, what: str, checker: Checker) -> None:
    entries = checker.items(value, path, f"{what} choices", minimum=2)
    best = 0.0
    texts = []
    for j, raw in enumerate(entries):
        where = (*path, j)
        choice = checker.mapping(raw, where, f"{what} choice {j + 1}", CHOICE_KEYS)
        text = checker.text(choice.get("text"), (*where, "text"), f"{what} choice {j + 1} text")
        texts.append(((*where, "text"), text))
        checker.text(choice.get("feedback"), (*where, "feedback"), "feedback", required=False)
        if "correct" in choice:
            checker.boolean(choice["correct"], (*where, "correct"), f"{what} choice {j + 1}")
        credit = 1.0 if choice.get("correct") is True else 0.0
        if "credit" in choice:
            number = checker.number(choice["credit"], (*where, "credit"), "credit")
            if number is not None and not 0 <= number <= 1:
                checker.fail((*where, "credit"), f"credit must be from 0 to 1, not {number}")
            credit = number if number is not None else credit
        best = max(best, credit)
    checker.distinct(texts, f"{what} choice")
    if entries and best < 1:
        checker.fail(path, f"{what}: no choice is correct (mark one with 'correct: true')")


def _weighted(scores: Sequence[float], gaps: Sequence[Gap]) -> float:
    total = sum(g.weight for g in gaps)
    return sum(s * g.weight for s, g in zip(scores, gaps, strict=True)) / total


def _as_index(value: object, count: int) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < count:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if number < count else None
    return None


def _entries(response: object, count: int) -> list[object]:
    given = list(response) if isinstance(response, list | tuple) else []
    return [*given[:count], *([""] * (count - len(given[:count])))]


class Cloze(QuestionType):
    """Fill in the gaps of a text: typed, drop-down or numeric gaps, each with its weight."""

    name: ClassVar[str] = "cloze"
    label: ClassVar[str] = "Fill in the gaps"
    keys: ClassVar[frozenset[str]] = frozenset({"text", "match", "gaps"})
    prompt_optional: ClassVar[bool] = True

    def check(self, spec: Spec) -> list[SpecProblem]:
        checker = Checker()
        text = checker.text(spec.get("text"), ("text",), "text")
        written = read_cloze(text) if text.strip() else None
        if written is not None:
            for error in written.errors:
                checker.fail(("text",), error)
        check_rules(spec.get("match"), ("match",), checker)
        if written is not None and not written.errors and "gaps" in spec:
            _check_gaps(spec, written.gaps, checker)
        if not checker.problems:
            answers = [a for gap in read_gaps(spec).gaps for a in gap.answers]
            check_accepted(answers, MatchRules.from_spec(spec.get("match")), ("text",), checker)
        return checker.problems

    def grade(
        self, spec: Spec, response: object, *, others: Sequence[str] = (), language: str = "en"
    ) -> Grade:
        """Grade each gap; a typo never turns one gap's answer into another gap's (or into
        one of ``others``, the answers of the set's other questions)."""
        cloze = read_gaps(spec)
        rules = MatchRules.from_spec(spec.get("match")).for_language(language)
        scores: list[float] = []
        parts: list[Part] = []
        feedback: list[str] = []
        for i, (gap, given) in enumerate(
            zip(cloze.gaps, _entries(response, len(cloze.gaps)), strict=True)
        ):
            score, shown, notes = self._grade_gap(cloze, i, gap, given, rules, others, language)
            scores.append(score)
            parts.append(Part(i, score >= 1, shown, gap.shown_answer))
            feedback += notes
            if score < 1 and gap.feedback:
                feedback.append(gap.feedback)
        return Grade(
            score=_weighted(scores, cloze.gaps),
            correct_answer=self.correct_answer_text(spec),
            parts=tuple(parts),
            feedback=tuple(feedback),
        )

    def _grade_gap(
        self,
        cloze: ClozeSpec,
        index: int,
        gap: Gap,
        given: object,
        rules: MatchRules,
        others: Sequence[str],
        language: str,
    ) -> tuple[float, str, list[str]]:
        """The gap's score, the response as shown, and what to tell the learner."""
        if gap.kind == "choice":
            picked = _as_index(given, len(gap.choices))
            if picked is None:
                return 0.0, "", []
            choice = gap.choices[picked]
            return choice.credit, choice.text, [choice.feedback] if choice.feedback else []
        text = given if isinstance(given, str) else ""
        if gap.kind == "numeric":
            assert gap.number is not None
            graded = _NUMERIC.grade(gap.number, text)
            return graded.score, text, list(graded.feedback)
        own = set(gap.answers)
        other_gaps = [a for j, g in enumerate(cloze.gaps) if j != index for a in g.answers]
        verdict = judge(
            text,
            gap.answers,
            rules,
            others=[*(a for a in other_gaps if a not in own), *others],
            language=language,
        )
        return (1.0 if verdict.match else 0.0), text, list(typed_notes(verdict))

    def correct_answer_text(self, spec: Spec) -> str:
        cloze = read_gaps(spec)
        return _fill(cloze.texts, [gap.shown_answer for gap in cloze.gaps])

    def default_prompt(self, spec: Spec) -> str:
        cloze = read_gaps(spec)
        return _fill(cloze.texts, [BLANK] * len(cloze.gaps))

    def answer_key(self, spec: Spec) -> object:
        # The words hidden in the gaps, not the sentence around them: a typed gap's first
        # answer (as for the gaps written in the text), a choice gap's credits, a number.
        key: list[object] = []
        for gap in read_gaps(spec).gaps:
            if gap.kind == "choice":
                key.append(
                    {"choice": [[squash(c.text), c.credit] for c in gap.choices if c.credit]}
                )
            elif gap.kind == "numeric":
                assert gap.number is not None
                key.append({"numeric": _NUMERIC.answer_key(gap.number)})
            else:
                key.append(squash(gap.answers[0]))
        return key

    def present(self, spec: Spec, seed: int) -> Presented:
        cloze = read_gaps(spec)
        views = tuple(
            GapView(
                gap.kind,
                _gap_options(gap, seed + i),
                str((gap.number or {}).get("unit") or ""),
            )
            for i, gap in enumerate(cloze.gaps)
        )
        return replace(super().present(spec, seed), segments=cloze.texts, gaps=views)

    def read(self, spec: Spec, form: Form) -> object:
        response: list[object] = []
        for i, gap in enumerate(read_gaps(spec).gaps):
            value = first_value(form, f"gap-{i}")
            response.append(_as_index(value, len(gap.choices)) if gap.kind == "choice" else value)
        return response

    def form_fields(self, response: object) -> FormFields:
        gaps = response if isinstance(response, list) else []
        return [(f"gap-{i}", "" if gap is None else str(gap)) for i, gap in enumerate(gaps)]

    def describe(self, spec: Spec, response: object) -> str:
        cloze = read_gaps(spec)
        shown = []
        for gap, given in zip(cloze.gaps, _entries(response, len(cloze.gaps)), strict=True):
            if gap.kind == "choice":
                picked = _as_index(given, len(gap.choices))
                shown.append(gap.choices[picked].text if picked is not None else "(none)")
            else:
                shown.append(str(given) if given else "(empty)")
        return " / ".join(shown)

    def part_lines(self, spec: Spec, grade: Grade) -> list[PartLine]:
        if len(grade.parts) == 1:
            return []  # one gap: the answer and the correct answer already say it all
        return [
            PartLine(
                f"Gap {p.index + 1}: “{p.given or '(empty)'}”"
                + ("" if p.correct else f", expected “{p.expected}”"),
                p.correct,
            )
            for p in grade.parts
        ]

    def sample_responses(self, spec: Spec) -> list[object]:
        gaps = read_gaps(spec).gaps
        right = [_sample(gap, right=True) for gap in gaps]
        wrong = [_sample(gap, right=False) for gap in gaps]
        return [right, right[:1] + wrong[1:], wrong]

    def chance(self, spec: Spec) -> float | None:
        # Only picking from lists can be guessed: the chance of every pick being right.
        gaps = read_gaps(spec).gaps
        if not all(gap.kind == "choice" for gap in gaps):
            return None
        chance = 1.0
        for gap in gaps:
            chance *= sum(1 for c in gap.choices if c.credit >= 1) / len(gap.choices)
        return chance if 0 < chance < 1 else None

    def typed_answers(self, spec: Spec) -> tuple[str, ...]:
        if not isinstance(spec.get("text"), str):
            return ()
        return tuple(a for gap in read_gaps(spec).gaps for a in gap.answers)

    def typed_parts(self, spec: Spec) -> int:
        return len(read_gaps(spec).gaps)

    def is_typed_part(self, spec: Spec, part: int) -> bool:
        gaps = read_gaps(spec).gaps
        return 0 <= part < len(gaps) and gaps[part].kind == "typed"

    def typed_response(self, spec: Spec, part: int, text: str) -> object:
        return [text if i == part else "" for i in range(self.typed_parts(spec))]

    def with_accepted(self, spec: Spec, part: int, answer: str) -> dict[str, Any] | None:
        cloze = read_gaps(spec)
        if not 0 <= part < len(cloze.gaps):
            raise ValueError(f"the text has {len(cloze.gaps)} gaps, not a gap {part + 1}")
        if cloze.gaps[part].kind != "typed":
            raise ValueError(f"gap {part + 1} is not typed, it is a {cloze.gaps[part].kind} gap")
        if "gaps" in spec:
            gaps = [dict(g) for g in spec["gaps"]]
            gaps[part]["answers"] = [*gaps[part]["answers"], answer]
            return {**spec, "gaps": gaps}
        if any(mark in answer for mark in ("|", "[[", "]]")):
            raise ValueError("a gap's answer cannot hold '|', '[[' or ']]'")
        pieces = [cloze.texts[0]]
        for i, (gap, text) in enumerate(zip(cloze.gaps, cloze.texts[1:], strict=True)):
            answers = [*gap.answers, answer] if i == part else list(gap.answers)
            pieces += ["[[", "|".join(answers), "]]", text]
        return {**spec, "text": "".join(pieces)}


def _gap_options(gap: Gap, seed: int) -> tuple[Option, ...]:
    if gap.kind != "choice":
        return ()
    texts = [c.text for c in gap.choices]
    if gap.shuffle:
        return shuffled_options(texts, seed)
    return tuple(Option(i, text) for i, text in enumerate(texts))


def _sample(gap: Gap, *, right: bool) -> object:
    if gap.kind == "choice":
        ranked = sorted(range(len(gap.choices)), key=lambda i: -gap.choices[i].credit)
        return ranked[0] if right else ranked[-1]
    if gap.kind == "numeric":
        assert gap.number is not None
        rightly, wrongly = _NUMERIC.sample_responses(gap.number)
        return rightly if right else wrongly
    return gap.answers[0] if right else "zzz"


def _fill(texts: Sequence[str], words: Sequence[str]) -> str:
    pieces = [texts[0]]
    for word, text in zip(words, texts[1:], strict=True):
        pieces += [word, text]
    return " ".join("".join(pieces).split())
