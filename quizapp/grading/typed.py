"""Types answered by typing: short answer and cloze (fill in the gaps)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from quizapp.grading.base import Grade, Part, QuestionType, Spec, SpecProblem, squash
from quizapp.grading.checks import Checker
from quizapp.grading.textmatch import MatchRules, TextMatch, check_rules, match_text, normalise

BLANK = "_____"


def _spelling_note(match: TextMatch | None) -> tuple[str, ...]:
    if match is None or match.typos == 0:
        return ()
    return (f"Accepted, but mind the spelling: {match.answer}",)


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


class ShortAnswer(QuestionType):
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

    def grade(self, spec: Spec, response: object) -> Grade:
        given = response if isinstance(response, str) else ""
        match = match_text(given, spec["answers"], MatchRules.from_spec(spec.get("match")))
        expected = match.answer if match else str(spec["answers"][0])
        return Grade(
            score=1.0 if match else 0.0,
            correct_answer=self.correct_answer_text(spec),
            parts=(Part(0, match is not None, given, expected),),
            feedback=_spelling_note(match),
        )

    def correct_answer_text(self, spec: Spec) -> str:
        return str(spec["answers"][0])

    def answer_key(self, spec: Spec) -> object:
        # Only the answer shown as correct: adding an alternative spelling keeps the memory.
        return squash(str(spec["answers"][0]))


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

    def grade(self, spec: Spec, response: object) -> Grade:
        cloze = read_cloze(spec["text"])
        rules = MatchRules.from_spec(spec.get("match"))
        given = _gap_responses(response, len(cloze.gaps))
        matches = [match_text(g, gap, rules) for g, gap in zip(given, cloze.gaps, strict=True)]
        parts = tuple(
            Part(i, m is not None, given[i], m.answer if m else cloze.gaps[i][0])
            for i, m in enumerate(matches)
        )
        return Grade(
            score=sum(p.correct for p in parts) / len(parts),
            correct_answer=self.correct_answer_text(spec),
            parts=parts,
            feedback=tuple(note for m in matches for note in _spelling_note(m)),
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
