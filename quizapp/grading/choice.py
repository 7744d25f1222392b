"""Types answered by picking: single choice, multiple response and true/false."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from quizapp.grading.base import Grade, Part, QuestionType, Spec, SpecProblem, squash
from quizapp.grading.checks import Checker
from quizapp.grading.presenting import (
    Form,
    FormFields,
    Option,
    PartLine,
    Presented,
    first_value,
    int_or_none,
    shuffled_options,
)

CHOICE_KEYS = frozenset({"text", "correct", "credit", "feedback"})
SCORING = ("partial", "all_or_nothing")


def as_index(response: object, count: int) -> int | None:
    """Return ``response`` if it is a valid index into ``count`` options, else None."""
    if isinstance(response, int) and not isinstance(response, bool) and 0 <= response < count:
        return response
    return None


def _indices(items: list[object]) -> tuple[int, ...]:
    """The items that are choice positions (anything else a malformed response holds is not)."""
    return tuple(i for i in items if isinstance(i, int) and not isinstance(i, bool) and i >= 0)


def as_list(response: object) -> list[object]:
    """Return a list response as it is, anything else as an empty list."""
    return response if isinstance(response, list) else []


def as_indices(response: object, count: int) -> set[int]:
    """Return the valid indices in a list response; anything unreadable is dropped."""
    if not isinstance(response, list | tuple):
        return set()
    found = (as_index(item, count) for item in response)
    return {index for index in found if index is not None}


def _choices(spec: Spec) -> Sequence[Mapping[str, Any]]:
    choices: Sequence[Mapping[str, Any]] = spec["choices"]
    return choices


def _is_correct(choice: Mapping[str, Any]) -> bool:
    return bool(choice.get("correct", False))


def _check_choices(spec: Spec, checker: Checker) -> int:
    """Check the ``choices`` list and return how many are marked correct (a choice's
    ``credit`` is checked by the type, whose rule it is)."""
    entries = checker.items(spec.get("choices"), ("choices",), "choices", minimum=2)
    correct = 0
    texts: list[tuple[tuple[str | int, ...], str]] = []
    for i, entry in enumerate(entries):
        path = ("choices", i)
        choice = checker.mapping(entry, path, f"choice {i + 1}", CHOICE_KEYS)
        text = checker.text(choice.get("text"), (*path, "text"), f"choice {i + 1} text")
        texts.append(((*path, "text"), text))
        feedback = choice.get("feedback")
        checker.text(feedback, (*path, "feedback"), f"choice {i + 1} feedback", required=False)
        if "correct" in choice and checker.boolean(
            choice["correct"], (*path, "correct"), f"choice {i + 1} correct"
        ):
            correct += 1
        if "credit" in choice:
            checker.number(choice["credit"], (*path, "credit"), f"choice {i + 1} credit")
    checker.distinct(texts, "choice")
    return correct


def _choice_parts(spec: Spec, picked: set[int]) -> tuple[Part, ...]:
    return tuple(
        Part(
            index=i,
            correct=(i in picked) == _is_correct(choice),
            given=choice["text"] if i in picked else "",
            expected=choice["text"] if _is_correct(choice) else "",
        )
        for i, choice in enumerate(_choices(spec))
    )


def _feedback(spec: Spec, picked: set[int]) -> tuple[str, ...]:
    return tuple(
        str(choice["feedback"])
        for i, choice in enumerate(_choices(spec))
        if i in picked and choice.get("feedback")
    )


def _correct_texts(spec: Spec) -> list[str]:
    return [str(choice["text"]) for choice in _choices(spec) if _is_correct(choice)]


def _texts(spec: Spec) -> list[str]:
    return [str(choice["text"]) for choice in _choices(spec)]


def _credits(spec: Spec) -> list[float] | None:
    """Each choice's credit when the spec gives credits (None when it does not): a right
    choice without one shares what the others leave of 1, a wrong one counts 0."""
    choices = _choices(spec)
    if not any("credit" in choice for choice in choices):
        return None
    given = [choice.get("credit") for choice in choices]
    unset = [i for i, c in enumerate(choices) if _is_correct(c) and "credit" not in c]
    left = 1.0 - sum(float(g) for g, c in zip(given, choices, strict=True) if g and _is_correct(c))
    share = left / len(unset) if unset else 0.0
    return [
        float(g) if g is not None else (share if _is_correct(c) else 0.0)
        for g, c in zip(given, choices, strict=True)
    ]


class _Choices(QuestionType):
    """What the types that pick among the spec's ``choices`` share: the shuffled answer area
    and the choices of the item analysis."""

    focus_submit: ClassVar[bool] = True

    def present(self, spec: Spec, seed: int) -> Presented:
        return replace(super().present(spec, seed), options=shuffled_options(_texts(spec), seed))

    def choices(self, spec: Spec) -> tuple[tuple[str, bool], ...] | None:
        return tuple((str(choice["text"]), _is_correct(choice)) for choice in _choices(spec))


class SingleChoice(_Choices):
    """Pick the one correct choice among several."""

    name: ClassVar[str] = "single_choice"
    label: ClassVar[str] = "Single choice"
    keys: ClassVar[frozenset[str]] = frozenset({"choices"})

    def check(self, spec: Spec) -> list[SpecProblem]:
        checker = Checker()
        correct = _check_choices(spec, checker)
        if isinstance(spec.get("choices"), list | tuple) and correct != 1:
            checker.fail(("choices",), _single_choice_count_message(correct))
        if not checker.problems:
            for i, choice in enumerate(_choices(spec)):
                credit = choice.get("credit")
                if credit is None:
                    continue
                if _is_correct(choice) and credit != 1:
                    checker.fail(("choices", i, "credit"), "the correct choice has full credit (1)")
                elif not _is_correct(choice) and not 0 <= credit < 1:
                    checker.fail(
                        ("choices", i, "credit"),
                        f"a partly right choice has a credit from 0 to 1, not {credit}",
                    )
        return checker.problems

    def grade(
        self, spec: Spec, response: object, *, others: Sequence[str] = (), language: str = "en"
    ) -> Grade:
        picked = as_index(response, len(_choices(spec)))
        chosen = set() if picked is None else {picked}
        score = 0.0
        if picked is not None:
            choice = _choices(spec)[picked]
            score = 1.0 if _is_correct(choice) else float(choice.get("credit", 0.0))
        return Grade(
            score=score,
            correct_answer=self.correct_answer_text(spec),
            parts=_choice_parts(spec, chosen),
            feedback=_feedback(spec, chosen),
        )

    def correct_answer_text(self, spec: Spec) -> str:
        return _correct_texts(spec)[0]

    def answer_key(self, spec: Spec) -> object:
        return squash(_correct_texts(spec)[0])

    def read(self, spec: Spec, form: Form) -> object:
        return int_or_none(first_value(form, "choice"))

    def form_fields(self, response: object) -> FormFields:
        return [("choice", str(response))]

    def describe(self, spec: Spec, response: object) -> str:
        texts = _texts(spec)
        return texts[response] if isinstance(response, int) and 0 <= response < len(texts) else ""

    def sample_responses(self, spec: Spec) -> list[object]:
        right = next(i for i, choice in enumerate(_choices(spec)) if _is_correct(choice))
        return [right, *(i for i in range(len(_choices(spec))) if i != right)]

    def picked(self, response: object) -> tuple[int, ...] | None:
        return _indices([response])

    def chance(self, spec: Spec) -> float | None:
        return 1 / len(_choices(spec))


def _check_credits(spec: Spec, checker: Checker) -> None:
    """Credits of a multiple response: right choices more than 0 and adding up to 1, wrong
    ones from -1 to 0; not with an all-or-nothing scoring."""
    credits = _credits(spec)
    if credits is None:
        return
    if spec.get("scoring") == "all_or_nothing":
        checker.fail(("scoring",), "give either credits or 'scoring: all_or_nothing', not both")
    for i, (choice, credit) in enumerate(zip(_choices(spec), credits, strict=True)):
        if _is_correct(choice) and not 0 < credit <= 1:
            checker.fail(
                ("choices", i, "credit"),
                f"a correct choice's credit is from 0 to 1, not {credit:g}",
            )
        elif not _is_correct(choice) and not -1 <= credit <= 0:
            checker.fail(
                ("choices", i, "credit"), f"a wrong choice's credit is from -1 to 0, not {credit:g}"
            )
    total = sum(c for c, choice in zip(credits, _choices(spec), strict=True) if _is_correct(choice))
    if abs(total - 1) > 0.001:
        checker.fail(("choices",), f"the correct choices' credits add up to {total:g}, not 1")


def _single_choice_count_message(correct: int) -> str:
    if correct == 0:
        return "no choice is marked correct: mark exactly one with 'correct: true'"
    return (
        f"{correct} choices are marked correct, but a single_choice question has exactly one "
        "(use multiple_response for several)"
    )


class MultipleResponse(_Choices):
    """Tick every correct choice; partial credit unless ``scoring: all_or_nothing``.

    Partial credit is (correct choices ticked - wrong choices ticked) / correct choices,
    never below 0, so ticking everything earns nothing when most choices are wrong. Or, as
    Moodle weighs them, each choice has a ``credit``: the right ones' add up to 1, a wrong
    one's is 0 or less (-0.5 takes half a mark away); the score is what the ticked ones add
    up to, from 0 to 1.
    """

    name: ClassVar[str] = "multiple_response"
    label: ClassVar[str] = "Multiple response"
    keys: ClassVar[frozenset[str]] = frozenset({"choices", "scoring"})

    def check(self, spec: Spec) -> list[SpecProblem]:
        checker = Checker()
        correct = _check_choices(spec, checker)
        if isinstance(spec.get("choices"), list | tuple) and correct == 0:
            checker.fail(
                ("choices",), "no choice is marked correct: mark at least one with 'correct: true'"
            )
        checker.option(spec.get("scoring"), ("scoring",), "scoring", SCORING)
        if not checker.problems:
            _check_credits(spec, checker)
        return checker.problems

    def grade(
        self, spec: Spec, response: object, *, others: Sequence[str] = (), language: str = "en"
    ) -> Grade:
        picked = as_indices(response, len(_choices(spec)))
        return Grade(
            score=self._score(spec, picked),
            correct_answer=self.correct_answer_text(spec),
            parts=_choice_parts(spec, picked),
            feedback=_feedback(spec, picked),
        )

    def _score(self, spec: Spec, picked: set[int]) -> float:
        correct = {i for i, choice in enumerate(_choices(spec)) if _is_correct(choice)}
        credits = _credits(spec)
        if credits is not None:
            return min(1.0, max(0.0, sum(credits[i] for i in picked)))
        if spec.get("scoring") == "all_or_nothing":
            return 1.0 if picked == correct else 0.0
        hits, misses = len(picked & correct), len(picked - correct)
        return max(0.0, (hits - misses) / len(correct))

    def correct_answer_text(self, spec: Spec) -> str:
        return "; ".join(_correct_texts(spec))

    def answer_key(self, spec: Spec) -> object:
        return sorted(squash(text) for text in _correct_texts(spec))

    def read(self, spec: Spec, form: Form) -> object:
        picked = (int_or_none(value) for value in form.get("choice", []))
        return sorted({i for i in picked if i is not None})

    def form_fields(self, response: object) -> FormFields:
        return [("choice", str(i)) for i in as_list(response)]

    def describe(self, spec: Spec, response: object) -> str:
        texts = _texts(spec)
        picked = [texts[i] for i in as_list(response) if isinstance(i, int) and 0 <= i < len(texts)]
        return "; ".join(picked) or "nothing selected"

    def part_lines(self, spec: Spec, grade: Grade) -> list[PartLine]:
        lines = []
        for part in grade.parts:
            if part.expected and part.given:
                lines.append(PartLine(f"{part.expected}: ticked, and it is correct", True))
            elif part.expected:
                lines.append(PartLine(f"{part.expected}: correct, but not ticked", False))
            elif part.given:
                lines.append(PartLine(f"{part.given}: ticked, but it is not correct", False))
        return lines

    def sample_responses(self, spec: Spec) -> list[object]:
        rights = [i for i, choice in enumerate(_choices(spec)) if _is_correct(choice)]
        wrong = [i for i in range(len(_choices(spec))) if i not in rights]
        return [rights, rights[:-1] or wrong[:1], sorted(rights[:1] + wrong[:1]), wrong[:1]]

    def picked(self, response: object) -> tuple[int, ...] | None:
        return _indices(as_list(response))


class TrueFalse(QuestionType):
    """Say whether a statement is true; ``feedback_true`` is shown to those who answer true."""

    name: ClassVar[str] = "true_false"
    label: ClassVar[str] = "True or false"
    keys: ClassVar[frozenset[str]] = frozenset({"answer", "feedback_true", "feedback_false"})
    focus_submit: ClassVar[bool] = True

    def check(self, spec: Spec) -> list[SpecProblem]:
        checker = Checker()
        if "answer" not in spec:
            checker.fail((), "answer is missing: write 'answer: true' or 'answer: false'")
        else:
            checker.boolean(spec["answer"], ("answer",), "answer")
        for key in ("feedback_true", "feedback_false"):
            checker.text(spec.get(key), (key,), key, required=False)
        return checker.problems

    def grade(
        self, spec: Spec, response: object, *, others: Sequence[str] = (), language: str = "en"
    ) -> Grade:
        answer = bool(spec["answer"])
        given = response if isinstance(response, bool) else None
        feedback = spec.get("feedback_true" if given else "feedback_false")
        return Grade(
            score=1.0 if given is answer else 0.0,
            correct_answer=self.correct_answer_text(spec),
            parts=(Part(0, given is answer, _word(given), _word(answer)),),
            feedback=(str(feedback),) if given is not None and feedback else (),
        )

    def correct_answer_text(self, spec: Spec) -> str:
        return _word(bool(spec["answer"]))

    def answer_key(self, spec: Spec) -> object:
        return bool(spec["answer"])

    def present(self, spec: Spec, seed: int) -> Presented:
        # Not shuffled: True then False is the order a reader expects.
        return replace(super().present(spec, seed), options=(Option(1, "True"), Option(0, "False")))

    def read(self, spec: Spec, form: Form) -> object:
        return {"1": True, "0": False}.get(first_value(form, "choice"))

    def form_fields(self, response: object) -> FormFields:
        return [("choice", "1" if response else "0")]

    def describe(self, spec: Spec, response: object) -> str:
        return _word(response if isinstance(response, bool) else None)

    def sample_responses(self, spec: Spec) -> list[object]:
        return [bool(spec["answer"]), not spec["answer"]]

    def choices(self, spec: Spec) -> tuple[tuple[str, bool], ...] | None:
        # True first, as ``picked`` counts it.
        answer = bool(spec["answer"])
        return (("True", answer), ("False", not answer))

    def picked(self, response: object) -> tuple[int, ...] | None:
        # positions in ``choices``: True first
        return (0,) if response is True else (1,) if response is False else ()

    def chance(self, spec: Spec) -> float | None:
        return 0.5


def _word(value: bool | None) -> str:
    if value is None:
        return ""
    return "True" if value else "False"
