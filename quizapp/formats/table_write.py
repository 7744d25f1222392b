"""Questions as table rows: the cells of each column for one question (see ``table``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from quizapp.bank.model import QuestionDoc
from quizapp.formats.cells import (
    ANY_OTHER,
    credit_mark,
    escape_item,
    join_list,
    write_match,
    write_numeric,
)

Cells = dict[str, str]


def _feedback_cell(feedback: list[str], cells: Cells) -> Cells:
    """The feedback column: one item per item of the list it goes with (trailing blanks cut)."""
    items = [escape_item(text) for text in feedback]
    while items and not items[-1]:
        items.pop()
    if items:
        cells["feedback"] = join_list(items)
    return cells


def _choices(spec: Mapping[str, Any]) -> Cells:
    choices = spec["choices"]
    cells = {
        "choices": join_list(
            [
                ("*" if c.get("correct") else "")
                + (credit_mark(float(c["credit"])) if "credit" in c else "")
                + escape_item(str(c["text"]), star=True)
                for c in choices
            ]
        )
    }
    _feedback_cell([str(c.get("feedback", "")) for c in choices], cells)
    if "scoring" in spec:
        cells["scoring"] = str(spec["scoring"])
    return cells


def _true_false(spec: Mapping[str, Any]) -> Cells:
    cells = {"answer": "true" if spec["answer"] else "false"}
    feedback = [escape_item(str(spec.get(k, ""))) for k in ("feedback_true", "feedback_false")]
    if any(feedback):
        cells["feedback"] = join_list(feedback if feedback[1] else feedback[:1])
    return cells


def _match(spec: Mapping[str, Any], cells: Cells) -> Cells:
    if "match" in spec:
        cells["match"] = write_match(spec["match"])
    return cells


def _partly_right(
    spec: Mapping[str, Any], items: list[str], written: Callable[[Mapping[str, Any]], str]
) -> Cells:
    """The answer list after its right answers: the partly right ones with their credit, and
    ``*`` for any other answer; the feedback column holds their feedback, item for item."""
    feedback = [""] * len(items)
    for entry in spec.get("partial", ()):
        items.append(credit_mark(float(entry["credit"])) + written(entry))
        feedback.append(str(entry.get("feedback", "")))
    if spec.get("otherwise"):
        items.append(ANY_OTHER)
        feedback.append(str(spec["otherwise"]))
    return _feedback_cell(feedback, {"answer": join_list(items)})


def _short_answer(spec: Mapping[str, Any]) -> Cells:
    answers = [escape_item(str(a), star=True) for a in spec["answers"]]
    return _match(
        spec,
        _partly_right(spec, answers, lambda entry: escape_item(str(entry["text"]), star=True)),
    )


def _cloze(spec: Mapping[str, Any]) -> Cells:
    return _match(spec, {"answer": str(spec["text"])})


def _matching(spec: Mapping[str, Any]) -> Cells:
    pairs = [
        f"{escape_item(str(p['left']))} -> {escape_item(str(p['right']))}" for p in spec["pairs"]
    ]
    extra = [escape_item(str(d)) for d in spec.get("distractors", [])]
    return {"choices": join_list(pairs + extra)}


def _ordering(spec: Mapping[str, Any]) -> Cells:
    cells = {"choices": join_list([escape_item(str(item)) for item in spec["items"]])}
    if "scoring" in spec:
        cells["scoring"] = str(spec["scoring"])
    return cells


def _numeric(spec: Mapping[str, Any]) -> Cells:
    cells = _partly_right(spec, [write_numeric(spec)], write_numeric)
    if spec.get("unit"):
        cells["unit"] = str(spec["unit"])
    return cells


SPEC_WRITERS: Mapping[str, Callable[[Mapping[str, Any]], Cells]] = {
    "single_choice": _choices,
    "multiple_response": _choices,
    "true_false": _true_false,
    "short_answer": _short_answer,
    "cloze": _cloze,
    "matching": _matching,
    "ordering": _ordering,
    "numeric": _numeric,
}


def unwritable(question: QuestionDoc) -> str:
    """Say why a question cannot be a row ('' when it can)."""
    if question.type not in SPEC_WRITERS:
        return f"the table has no {question.type} questions"
    if question.type == "matching":
        spec = question.spec
        texts = [str(p["left"]) for p in spec["pairs"]] + [
            str(d) for d in spec.get("distractors", [])
        ]
        if any("->" in text for text in texts):
            return "a left-hand item or a distractor contains '->'"
    return ""


def row_cells(question: QuestionDoc, topic_title: str) -> Cells:
    """Return the cells of the question's row, by column name (empty cells left out)."""
    cells: Cells = {
        "id": question.id,
        "topic": topic_title,
        "topic_id": question.topic,
        "type": question.type,
        "title": question.title,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "tags": join_list([escape_item(tag) for tag in question.tags]),
        "source_section": question.source.section,
        "source_quote": question.source.quote,
    }
    return cells | SPEC_WRITERS[question.type](question.spec)
