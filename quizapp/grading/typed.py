"""Types answered by typing: short answer and cloze (fill in the gaps)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from quizapp.grading.base import Grade, Part, QuestionType, Spec, SpecProblem, squash
from quizapp.grading.checks import Checker
from quizapp.grading.presenting import Form, FormFields, PartLine, Presented, first_value
from quizapp.grading.textmatch import MatchRules, Verdict, check_rules, judge, normalise

BLANK = "_____"


def _notes(verdict: Verdict) -> tuple[str, ...]:
    """What the learner is told about a typed answer: what it was accepted as, or why not."""
    match = verdict.match
    if match is None:
        reason = verdict.reason
        return (reason[0].upper() + reason[1:] + ".",) if reason else ()
    notes: list[str] = []
    if match.forms:
        pairs = " and ".join(f"'{given}' as '{wanted}'" for given, wanted in match.forms)
        notes.append(f"Accepted {pairs}.")
    if match.typos:
        notes.append(f"Accepted, but mind the spelling: {match.answer}")
    return tuple(notes)


class TypedInOneField(QuestionType):
    """A type answered by typing into the one ``answer`` field; the response is the text."""

    def read(self, spec: Spec, form: Form) -> object:
        return first_value(form, "answer")

    def form_fields(self, response: object) -> FormFields:
        return [("answer", str(response))]

    def describe(self, spec: Spec, response: object) -> str:
        return str(response or "")


def _check_accepted(
    answers: Sequence[str], rules: MatchRules, path: tuple[str | int, ...], checker: Checker
) -> None:
    """Report accepted answers that are empty once what does not matter is removed."""
    for i, answer in enumerate(answers):
        if answer.strip() and not normalise(answer, rules):
            checker.fail(
                (*path, i),
                f"accepted answer '{answer}' is empty once punctuation and spaces are ignored",
            )


class ShortAnswer(TypedInOneField):
    """Type the answer; any of the accepted answers counts, compared as ``match`` says."""

    name: ClassVar[str] = "short_answer"
    label: ClassVar[str] = "Short answer"
    keys: ClassVar[frozenset[str]] = frozenset({"answers", "match"})

    def check(self, spec: Spec) -> list[SpecProblem]:
        checker = Checker()
        entries = checker.items(spec.get("answers"), ("answers",), "answers", minimum=1)
        answers = [
            checker.text(entry, ("answers", i), f"accepted answer {i + 1}")
            for i, entry in enumerate(entries)
        ]
        check_rules(spec.get("match"), ("match",), checker)
        if not checker.problems:
            _check_accepted(answers, MatchRules.from_spec(spec.get("match")), ("answers",), checker)
        return checker.problems

    def grade(
        self, spec: Spec, response: object, *, others: Sequence[str] = (), language: str = "en"
    ) -> Grade:
        """Grade a typed answer; ``others`` are the answers of the set's other questions."""
        given = response if isinstance(response, str) else ""
        rules = MatchRules.from_spec(spec.get("match")).for_language(language)
        verdict = judge(given, spec["answers"], rules, others=others, language=language)
        match = verdict.match
        expected = match.answer if match else str(spec["answers"][0])
        return Grade(
            score=1.0 if match else 0.0,
            correct_answer=self.correct_answer_text(spec),
            parts=(Part(0, match is not None, given, expected),),
            feedback=_notes(verdict),
        )

    def correct_answer_text(self, spec: Spec) -> str:
        return str(spec["answers"][0])

    def answer_key(self, spec: Spec) -> object:
        # Only the answer shown as correct: adding an alternative spelling keeps the memory.
        return squash(str(spec["answers"][0]))

    def sample_responses(self, spec: Spec) -> list[object]:
        return [str(spec["answers"][0]), "no idea"]

    def typed_answers(self, spec: Spec) -> tuple[str, ...]:
        return tuple(str(a) for a in spec.get("answers", ()))

    def typed_parts(self, spec: Spec) -> int:
        return 1

    def with_accepted(self, spec: Spec, part: int, answer: str) -> dict[str, Any] | None:
        if part != 0:
            raise ValueError(f"a short answer has one part, not part {part + 1}")
        return {**spec, "answers": [*spec["answers"], answer]}


@dataclass(frozen=True)
class ClozeText:
    """Cloze text split at its gaps: ``texts`` has one more entry than ``gaps``."""

    texts: tuple[str, ...]
    gaps: tuple[tuple[str, ...], ...]
    errors: tuple[str, ...]


def read_cloze(text: str) -> ClozeText:
    """Split ``text`` at its ``[[answer|other answer]]`` gaps, noting every malformed gap."""
    texts: list[str] = []
    gaps: list[tuple[str, ...]] = []
    errors: list[str] = []
    pos = 0
    while (start := text.find("[[", pos)) != -1:
        end = text.find("]]", start + 2)
        while end != -1 and text.startswith("]", end + 2):
            end += 1  # "[[escape [mechanism]]]": the gap ends with an optional word
        if end == -1 or "[[" in text[start + 2 : end]:
            errors.append(f"gap {len(gaps) + 1} is not closed: '[[' without ']]'")
            break
        alternatives = tuple(a.strip() for a in text[start + 2 : end].split("|"))
        errors.extend(_gap_errors(alternatives, len(gaps) + 1))
        texts.append(text[pos:start])
        gaps.append(alternatives)
        pos = end + 2
    texts.append(text[pos:])
    if any("]]" in t for t in texts):
        errors.append("']]' without a matching '[['")
    if not gaps and not errors:
        errors.append("the text has no gaps: mark each one as [[answer]] or [[answer|other]]")
    return ClozeText(tuple(texts), tuple(gaps), tuple(errors))


def _gap_errors(alternatives: tuple[str, ...], number: int) -> list[str]:
    if not any(alternatives):
        return [f"gap {number} is empty"]
    if not all(alternatives):
        return [f"gap {number} has an empty answer (look for a stray '|')"]
    return []


class Cloze(QuestionType):
    """Fill in the gaps of a text; each gap is graded like a short answer.

    The score is the fraction of gaps filled correctly.
    """

    name: ClassVar[str] = "cloze"
    label: ClassVar[str] = "Fill in the gaps"
    keys: ClassVar[frozenset[str]] = frozenset({"text", "match"})
    prompt_optional: ClassVar[bool] = True

    def check(self, spec: Spec) -> list[SpecProblem]:
        checker = Checker()
        text = checker.text(spec.get("text"), ("text",), "text")
        if text.strip():
            for error in read_cloze(text).errors:
                checker.fail(("text",), error)
        check_rules(spec.get("match"), ("match",), checker)
        if not checker.problems:
            answers = [a for gap in read_cloze(text).gaps for a in gap]
            _check_accepted(answers, MatchRules.from_spec(spec.get("match")), ("text",), checker)
        return checker.problems

    def grade(
        self, spec: Spec, response: object, *, others: Sequence[str] = (), language: str = "en"
    ) -> Grade:
        """Grade each gap; a typo never turns one gap's answer into another gap's (or into
        one of ``others``, the answers of the set's other questions)."""
        cloze = read_cloze(spec["text"])
        rules = MatchRules.from_spec(spec.get("match")).for_language(language)
        given = _gap_responses(response, len(cloze.gaps))
        verdicts = [
            judge(g, gap, rules, others=[*_other_gaps(cloze, i), *others], language=language)
            for i, (g, gap) in enumerate(zip(given, cloze.gaps, strict=True))
        ]
        matches = [v.match for v in verdicts]
        parts = tuple(
            Part(i, m is not None, given[i], m.answer if m else cloze.gaps[i][0])
            for i, m in enumerate(matches)
        )
        return Grade(
            score=sum(p.correct for p in parts) / len(parts),
            correct_answer=self.correct_answer_text(spec),
            parts=parts,
            feedback=tuple(note for v in verdicts for note in _notes(v)),
        )

    def correct_answer_text(self, spec: Spec) -> str:
        cloze = read_cloze(spec["text"])
        return _fill(cloze, [gap[0] for gap in cloze.gaps])

    def default_prompt(self, spec: Spec) -> str:
        cloze = read_cloze(spec["text"])
        return _fill(cloze, [BLANK] * len(cloze.gaps))

    def answer_key(self, spec: Spec) -> object:
        # The words hidden in the gaps, not the sentence around them.
        return [squash(gap[0]) for gap in read_cloze(spec["text"]).gaps]

    def present(self, spec: Spec, seed: int) -> Presented:
        return replace(super().present(spec, seed), segments=read_cloze(spec["text"]).texts)

    def read(self, spec: Spec, form: Form) -> object:
        gaps = len(read_cloze(spec["text"]).gaps)
        return [first_value(form, f"gap-{i}") for i in range(gaps)]

    def form_fields(self, response: object) -> FormFields:
        gaps = response if isinstance(response, list) else []
        return [(f"gap-{i}", str(gap)) for i, gap in enumerate(gaps)]

    def describe(self, spec: Spec, response: object) -> str:
        gaps = response if isinstance(response, list) else []
        return " / ".join(str(g) if g else "(empty)" for g in gaps)

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
        gaps = [gap[0] for gap in read_cloze(spec["text"]).gaps]
        return [gaps, gaps[:1] + ["zzz"] * (len(gaps) - 1), ["zzz"] * len(gaps)]

    def typed_answers(self, spec: Spec) -> tuple[str, ...]:
        if not isinstance(spec.get("text"), str):
            return ()
        return tuple(a for gap in read_cloze(spec["text"]).gaps for a in gap)

    def typed_parts(self, spec: Spec) -> int:
        return len(read_cloze(spec["text"]).gaps)

    def typed_response(self, spec: Spec, part: int, text: str) -> object:
        return [text if i == part else "" for i in range(self.typed_parts(spec))]

    def with_accepted(self, spec: Spec, part: int, answer: str) -> dict[str, Any] | None:
        cloze = read_cloze(spec["text"])
        if not 0 <= part < len(cloze.gaps):
            raise ValueError(f"the text has {len(cloze.gaps)} gaps, not a gap {part + 1}")
        if any(mark in answer for mark in ("|", "[[", "]]")):
            raise ValueError("a gap's answer cannot hold '|', '[[' or ']]'")
        gaps = [list(gap) for gap in cloze.gaps]
        gaps[part].append(answer)
        pieces = [cloze.texts[0]]
        for gap, text in zip(gaps, cloze.texts[1:], strict=True):
            pieces += ["[[", "|".join(gap), "]]", text]
        return {**spec, "text": "".join(pieces)}


def _other_gaps(cloze: ClozeText, index: int) -> list[str]:
    own = set(cloze.gaps[index])
    return [a for i, gap in enumerate(cloze.gaps) if i != index for a in gap if a not in own]


def _gap_responses(response: object, count: int) -> list[str]:
    """Return one string per gap from a list response, '' for what is missing or unreadable."""
    given = list(response) if isinstance(response, list | tuple) else []
    given = [g if isinstance(g, str) else "" for g in given[:count]]
    return given + [""] * (count - len(given))


def _fill(cloze: ClozeText, words: Sequence[str]) -> str:
    pieces = [cloze.texts[0]]
    for word, text in zip(words, cloze.texts[1:], strict=True):
        pieces += [word, text]
    return " ".join("".join(pieces).split())
