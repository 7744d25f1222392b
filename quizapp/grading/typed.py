"""Types answered by typing one text: short answer; and the reading of the gaps written in a
cloze's text (``read_cloze``; the cloze type itself is ``quizapp.grading.cloze``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from quizapp.grading.base import Grade, Part, QuestionType, Spec, SpecProblem, squash
from quizapp.grading.checks import Checker, check_otherwise, check_partial
from quizapp.grading.presenting import Form, FormFields, first_value
from quizapp.grading.textmatch import MatchRules, Verdict, check_rules, judge, normalise

BLANK = "_____"


def typed_notes(verdict: Verdict) -> tuple[str, ...]:
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


def check_accepted(
    answers: Sequence[str], rules: MatchRules, path: tuple[str | int, ...], checker: Checker
) -> None:
    """Report accepted answers that are empty once what does not matter is removed."""
    for i, answer in enumerate(answers):
        if answer.strip() and not normalise(answer, rules):
            checker.fail(
                (*path, i),
                f"accepted answer '{answer}' is empty once punctuation and spaces are ignored",
            )


def _partly_right(
    given: str,
    spec: Spec,
    rules: MatchRules,
    others: Sequence[str],
    language: str,
    verdict: Verdict,
) -> tuple[float, tuple[str, ...]]:
    """The best credit of the partly right answers ``given`` matches, with its feedback; or
    0 and why not (and the feedback for any other answer)."""
    best: tuple[float, tuple[str, ...]] | None = None
    for entry in spec.get("partial", ()):
        partly = judge(given, [str(entry["text"])], rules, others=others, language=language)
        if partly.match is not None and (best is None or entry["credit"] > best[0]):
            said = str(entry.get("feedback") or "")
            best = float(entry["credit"]), (*typed_notes(partly), *([said] if said else []))
    if best is not None:
        return best
    otherwise = str(spec.get("otherwise") or "")
    return 0.0, (*typed_notes(verdict), *([otherwise] if otherwise else []))


class ShortAnswer(TypedInOneField):
    """Type the answer; any of the accepted answers counts, compared as ``match`` says.

    ``partial`` answers earn part of the mark (``{text, credit, feedback}``), and
    ``otherwise`` is the feedback for any other answer (Moodle's ``*``).
    """

    name: ClassVar[str] = "short_answer"
    label: ClassVar[str] = "Short answer"
    keys: ClassVar[frozenset[str]] = frozenset({"answers", "match", "partial", "otherwise"})

    def check(self, spec: Spec) -> list[SpecProblem]:
        checker = Checker()
        entries = checker.items(spec.get("answers"), ("answers",), "answers", minimum=1)
        answers = [
            checker.text(entry, ("answers", i), f"accepted answer {i + 1}")
            for i, entry in enumerate(entries)
        ]
        check_rules(spec.get("match"), ("match",), checker)
        for i, entry in enumerate(check_partial(spec.get("partial"), checker, frozenset({"text"}))):
            checker.text(entry.get("text"), ("partial", i, "text"), f"partial answer {i + 1} text")
        check_otherwise(spec, checker)
        if not checker.problems:
            check_accepted(answers, MatchRules.from_spec(spec.get("match")), ("answers",), checker)
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
        score, feedback = (1.0, typed_notes(verdict)) if match else (0.0, ())
        if match is None:
            score, feedback = _partly_right(given, spec, rules, others, language, verdict)
        return Grade(
            score=score,
            correct_answer=self.correct_answer_text(spec),
            parts=(Part(0, match is not None, given, expected),),
            feedback=feedback,
        )

    def correct_answer_text(self, spec: Spec) -> str:
        return str(spec["answers"][0])

    def answer_key(self, spec: Spec) -> object:
        # Only the answer shown as correct: adding an alternative spelling keeps the memory.
        return squash(str(spec["answers"][0]))

    def sample_responses(self, spec: Spec) -> list[object]:
        return [str(spec["answers"][0]), "no idea"]

    def typed_answers(self, spec: Spec) -> tuple[str, ...]:
        partly = (str(p["text"]) for p in spec.get("partial", ()) if isinstance(p, Mapping))
        return (*(str(a) for a in spec.get("answers", ())), *partly)

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
