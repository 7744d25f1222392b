"""Writing a set as GIFT: each topic a ``$CATEGORY:``, each question a block.

Ids and tags go in ``// [id:...]`` and ``// [tag:...]`` comments, the explanation in the
general feedback ``####``. Line breaks in a text are written ``\\n``, so that no text can end
a block early. Ordering questions are written as Moodle's qtype_ordering plugin writes them
(``{>N ALL VERTICAL grading`` then the items, one a line, in the right order). What GIFT
cannot hold is reported: cloze questions with more than one gap are skipped; a numeric unit,
``match`` settings and ``all_or_nothing`` scoring (of a multiple response) are left out with a
warning. Partial credit is written in GIFT's weights: ``~%50%`` for
a partly right choice, each choice's ``credit`` in a multiple response, ``=%50%`` for partly
right short answers and numbers, and the catch-alls ``=%0%*#...`` and ``~#...`` for the feedback
for any other answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from quizapp.bank.model import QuestionDoc, SetDoc
from quizapp.formats.categories import category_path
from quizapp.formats.cells import choice_credits
from quizapp.formats.gift_answers import split_format
from quizapp.formats.gift_text import escape
from quizapp.formats.report import Report
from quizapp.grading.cloze import Gap, read_gaps
from quizapp.grading.numeric import format_number

_READ_BACK_AS = {"choice": "a single-choice question", "numeric": "a numeric question"}
DEFAULT_MATCH = {"case": False, "accents": False, "punctuation": False, "typos": "auto"}


def text(value: str) -> str:
    """Return ``value`` escaped; a leading ``[format]`` is doubled so that it stays text."""
    written = escape(value.strip())
    found, _ = split_format(written)
    return f"[{found}]{written}" if found else written


def _answer(mark: str, value: str, feedback: str = "", weight: str = "") -> str:
    """Return one answer; a text starting with '%' gets its weight written, to stay text."""
    if not weight and value.lstrip().startswith("%"):
        weight = "100" if mark == "=" else "0"
    written = f"{mark}%{weight}%" if weight else mark
    return written + text(value) + (f"#{text(feedback)}" if feedback else "")


def _number(value: object) -> str:
    return format_number(float(value)) if isinstance(value, int | float) else str(value)


def _weight(share: float) -> str:
    return f"{share:.5f}".rstrip("0").rstrip(".")


def _head(question: QuestionDoc, written: str) -> str:
    """Return the ``::title::``; an empty one when the text would otherwise read as a comment."""
    if question.title:
        return f"::{text(question.title)}::"
    return "::::" if written.lstrip().startswith("//") else ""


def _comment_value(value: str) -> bool:
    return "]" not in value and "\n" not in value


class GiftWriter:
    """Writes one set, reporting skipped questions as problems and losses as warnings."""

    def __init__(self, doc: SetDoc, report: Report) -> None:
        self.doc = doc
        self.report = report
        self.titles = {t.id: t.title for t in doc.topics}
        self.writers: Mapping[str, Callable[[QuestionDoc], list[str] | None]] = {
            "single_choice": self.single_choice,
            "multiple_response": self.multiple_response,
            "true_false": self.true_false,
            "short_answer": self.short_answer,
            "numeric": self.numeric,
            "matching": self.matching,
            "ordering": self.ordering,
        }

    def write(self) -> str:
        blocks: list[str] = []
        topic = None
        for question in self.doc.questions:
            block = self.question(question)
            if block is None:
                continue
            if question.topic != topic:
                topic = question.topic
                blocks.append(self.category(topic))
            blocks.append(block)
        if any(q.source.quote or q.source.section for q in self.doc.questions):
            self.report.warn(0, "GIFT has no source references: sections and quotes are left out")
        return "\n\n".join(blocks) + "\n" if blocks else ""

    def category(self, topic: str) -> str:
        path = category_path(self.titles.get(topic, topic))
        return f"// [id:{topic}]\n$CATEGORY: {path}"

    def warn(self, question: QuestionDoc, message: str) -> None:
        self.report.warn(question.line, f"question '{question.id}': {message}")

    def skip(self, question: QuestionDoc, message: str) -> None:
        self.report.problem(question.line, f"question '{question.id}' is left out: {message}")

    def question(self, question: QuestionDoc) -> str | None:
        if question.type == "cloze":
            body = self.cloze(question)
            return None if body is None else self.comments(question) + body
        writer = self.writers.get(question.type)
        if writer is None:
            self.skip(question, f"GIFT has no {question.type} questions")
            return None
        answers = writer(question)
        if answers is None:
            return None
        if question.explanation.strip():
            answers.append(f"####{text(question.explanation)}")
        prompt = text(question.prompt)
        lines = "\n".join(answers)
        return f"{self.comments(question)}{_head(question, prompt)}{prompt} {{\n{lines}\n}}"

    def comments(self, question: QuestionDoc) -> str:
        lines = [f"// [id:{question.id}]"] if _comment_value(question.id) else []
        tags = [tag for tag in question.tags if _comment_value(tag)]
        for tag in question.tags:
            if tag not in tags:
                self.warn(question, f"tag '{tag}' cannot be written in a GIFT comment")
        if tags:
            lines.append("// " + " ".join(f"[tag:{tag}]" for tag in tags))
        return "".join(line + "\n" for line in lines)

    def single_choice(self, question: QuestionDoc) -> list[str]:
        return [
            _answer(
                "=" if c.get("correct") else "~",
                c["text"],
                c.get("feedback", ""),
                weight=_weight(c["credit"] * 100)
                if not c.get("correct") and c.get("credit")
                else "",
            )
            for c in question.spec["choices"]
        ]

    def multiple_response(self, question: QuestionDoc) -> list[str]:
        """Each choice with its weight: its credit, or 100/n for a right one and -100/n for a
        wrong one (the app's own scoring)."""
        choices = question.spec["choices"]
        share = 100 / max(1, sum(bool(c.get("correct")) for c in choices))
        if question.spec.get("scoring") == "all_or_nothing":
            self.warn(question, "GIFT has no all-or-nothing scoring: written with partial credit")
        credits = choice_credits(choices)
        if credits is None:
            weights = [share if c.get("correct") else -share for c in choices]
        else:
            weights = [credit * 100 for credit in credits]
        return [
            _answer("~", c["text"], c.get("feedback", ""), weight=_weight(w) if w else "")
            for c, w in zip(choices, weights, strict=True)
        ]

    def true_false(self, question: QuestionDoc) -> list[str]:
        spec = question.spec
        answer = bool(spec["answer"])
        right = spec.get("feedback_true" if answer else "feedback_false", "")
        wrong = spec.get("feedback_false" if answer else "feedback_true", "")
        feedback = f"#{text(wrong)}#{text(right)}" if right else f"#{text(wrong)}" if wrong else ""
        return ["TRUE" + feedback if answer else "FALSE" + feedback]

    def short_answer(self, question: QuestionDoc) -> list[str]:
        """The accepted answers, the partly right ones with their weight, and the catch-all
        ``=%0%*`` for the feedback for any other answer."""
        self.match(question)
        spec = question.spec
        lines = [_answer("=", answer) for answer in spec["answers"]]
        lines += [
            _answer("=", p["text"], p.get("feedback", ""), weight=_weight(p["credit"] * 100))
            for p in spec.get("partial", ())
        ]
        if spec.get("otherwise"):
            lines.append(_answer("=", "*", spec["otherwise"], weight="0"))
        return lines

    def match(self, question: QuestionDoc) -> None:
        rules: Mapping[str, Any] = question.spec.get("match") or {}
        if any(rules.get(key, default) != default for key, default in DEFAULT_MATCH.items()):
            self.warn(question, "GIFT has no match settings: the defaults will apply")

    def numeric(self, question: QuestionDoc) -> list[str]:
        return self.numbers(question, question.spec)

    def numbers(self, question: QuestionDoc, spec: Mapping[str, Any]) -> list[str]:
        """The answer of a numeric question (or gap): ``#x:t`` alone, or with partly right
        numbers ``#`` then ``=x:t``, ``=%50%y:t#feedback`` and the catch-all ``~#feedback``."""
        if spec.get("unit"):
            self.warn(question, f"GIFT has no units: '{spec['unit']}' is left out")
        answer = self.number(question, spec)
        if not spec.get("partial") and not spec.get("otherwise"):
            return [f"#{answer}"]
        lines = ["#", f"={answer}"]
        for entry in spec.get("partial", ()):
            said = f"#{text(entry['feedback'])}" if entry.get("feedback") else ""
            weight = _weight(entry["credit"] * 100)
            lines.append(f"=%{weight}%{self.number(question, entry)}{said}")
        if spec.get("otherwise"):
            lines.append(f"~#{text(spec['otherwise'])}")
        return lines

    def number(self, question: QuestionDoc, spec: Mapping[str, Any]) -> str:
        """One number as GIFT writes it: ``x``, ``x:tolerance`` or ``lo..hi``."""
        if "range" in spec:
            if "answer" in spec:
                self.warn(question, "GIFT has an answer or a range: the range is written")
            low, high = spec["range"]
            return f"{_number(low)}..{_number(high)}"
        if "tolerance" in spec:
            return f"{_number(spec['answer'])}:{_number(spec['tolerance'])}"
        return _number(spec["answer"])

    def ordering(self, question: QuestionDoc) -> list[str]:
        """qtype_ordering's block: every item shown, in a column, graded as the app grades."""
        items = [str(item) for item in question.spec["items"]]
        grading = (
            "ALL_OR_NOTHING"
            if question.spec.get("scoring") == "all_or_nothing"
            else "LONGEST_ORDERED_SUBSET"
        )
        return [f">{len(items)} ALL VERTICAL {grading}", *(text(item) for item in items)]

    def matching(self, question: QuestionDoc) -> list[str] | None:
        pairs = question.spec["pairs"]
        if any("->" in str(pair["left"]) for pair in pairs):
            self.skip(question, "a left-hand item contains '->', which GIFT cannot write")
            return None
        lines = [f"={text(p['left'])} -> {text(p['right'])}" for p in pairs]
        return lines + [f"= -> {text(d)}" for d in question.spec.get("distractors", [])]

    def cloze(self, question: QuestionDoc) -> str | None:
        """Write a one-gap cloze question as a missing-word question: a typed gap as short
        answers, a choice gap as choices, a numeric gap as a number."""
        cloze = read_gaps(question.spec)
        if len(cloze.gaps) != 1:
            self.skip(
                question,
                f"it has {len(cloze.gaps)} gaps and a GIFT missing-word question has one",
            )
            return None
        gap = cloze.gaps[0]
        before, after = cloze.texts
        if question.prompt.strip():
            before = f"{question.prompt.strip()}\n{before}"
        if gap.kind == "choice" and sum(c.credit >= 1 for c in gap.choices) > 1:
            self.skip(question, "its gap has several right choices and GIFT's choices have one")
            return None
        if not after.strip():
            what = _READ_BACK_AS.get(gap.kind, "a short answer")
            self.warn(question, f"its gap ends the text, so GIFT reads it back as {what}")
        answers = " ".join(self.gap_answers(question, gap))
        if question.explanation.strip():
            answers += f" ####{text(question.explanation)}"
        before = escape(before)
        return f"{_head(question, before)}{before}{{{answers}}}{escape(after)}"

    def gap_answers(self, question: QuestionDoc, gap: Gap) -> list[str]:
        """The answers of a missing-word question's one gap."""
        if gap.kind == "choice":
            if gap.feedback:
                self.warn(
                    question,
                    "the gap's feedback is written as the feedback of each choice that is not "
                    "right and has none (GIFT gives feedback per choice)",
                )
            return [
                _answer(
                    "=" if c.credit >= 1 else "~",
                    c.text,
                    c.feedback or (gap.feedback if c.credit < 1 else ""),
                    weight="" if c.credit >= 1 or c.credit <= 0 else _weight(c.credit * 100),
                )
                for c in gap.choices
            ]
        if gap.feedback:
            self.warn(question, "GIFT has no feedback for a gap filled wrong: it is left out")
        if gap.kind == "numeric":
            return self.numbers(question, gap.number or {})
        self.match(question)
        return [_answer("=", answer) for answer in gap.answers]
