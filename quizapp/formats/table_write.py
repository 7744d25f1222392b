"""Questions as table rows: the cells of each column for one question (see ``table``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from quizapp.bank.model import QuestionDoc
from quizapp.formats.cells import (
    escape_item,
    join_list,
    partial_credit,
    write_match,
    write_numeric,
)

Cells = dict[str, str]


def _choices(spec: Mapping[str, Any]) -> Cells:
    choices = spec["choices"]
    cells = {
        "choices": join_list(
            [
                ("*" if c.get("correct") else "") + escape_item(str(c["text"]), star=True)
                for c in choices
            ]
        )
    }
    feedback = [escape_item(str(c.get("feedback", ""))) for c in choices]
    while feedback and not feedback[-1]:
        feedback.pop()
    if feedback:
        cells["feedback"] = join_list(feedback)
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


def _short_answer(spec: Mapping[str, Any]) -> Cells:
    return _match(spec, {"answer": join_list([escape_item(str(a)) for a in spec["answers"]])})


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
    cells = {"answer": write_numeric(spec)}
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


def inexact(question: QuestionDoc) -> str:
    """Say what of the question a row leaves out ('' when nothing): the cells have no form
    for partial credit."""
    return partial_credit(question.spec)


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
