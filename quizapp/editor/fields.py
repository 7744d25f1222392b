"""A question type's own part (its ``spec``) as the fields of an HTML form, and back.

Pure and Flask-free. The editor shows one form per question type; each field holds one
string (a checkbox holds "on" or nothing; a list of answers is one line each). ``values``
turns a spec into field values; ``read`` turns posted values back into a spec, with the
field each part of the spec was read from, so that a problem the one validator
(``quizapp.bank.validate``) finds in the spec is shown beside its field.

Repeated parts (choices, pairs, partly right answers, cloze gaps) are numbered rows:
``choice-0-text``, ``choice-1-text``... A row left blank is no part of the spec, so a form
always offers a few empty rows to add one without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Form = Mapping[str, str]
KeyPath = tuple[str | int, ...]
Values = dict[str, str]

EXTRA_ROWS = 2
"""Empty rows offered below the filled ones."""
MIN_ROWS = 4
TYPOS = ("auto", "0", "1", "2")
DEFAULT_MATCH: dict[str, Any] = {
    "case": False,
    "accents": False,
    "punctuation": False,
    "typos": "auto",
}
"""The match rules a spec without ``match`` has (``quizapp.grading.textmatch.MatchRules``)."""


@dataclass
class Read:
    """A spec read from a form, and where each of its parts was read from."""

    spec: dict[str, Any] = field(default_factory=dict)
    fields: dict[KeyPath, str] = field(default_factory=dict)

    def put(self, path: KeyPath, value: Any, name: str) -> None:
        target: Any = self.spec
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        self.fields[path] = name


def _text(form: Form, name: str) -> str:
    return (form.get(name) or "").strip()


def _lines(form: Form, name: str) -> list[str]:
    return [line.strip() for line in (form.get(name) or "").splitlines() if line.strip()]


def _number(text: str) -> float | int | str:
    """A number as written ("1,5" too); the text itself when it is none, for the validator
    to name."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text and "," not in text else value


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    return str(value)


def _checked(form: Form, name: str) -> bool:
    return bool(form.get(name))


def row_count(form: Form, prefix: str, filled: int = 0) -> int:
    """How many rows of ``prefix`` to show: the rows posted (or ``filled``), plus room."""
    posted = _text(form, f"rows-{prefix}")
    shown = int(posted) if posted.isdigit() else filled + EXTRA_ROWS
    return max(MIN_ROWS, min(shown, 60))


def _rows(form: Form, prefix: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The posted rows of ``prefix`` that are not blank: (row number, {column: value})."""
    out = []
    for i in range(row_count(form, prefix)):
        row = {c: _text(form, f"{prefix}-{i}-{c}") for c in columns}
        if any(row.values()):
            out.append((i, row))
    return out


# --- choices (single choice, multiple response)


def _choice_values(spec: Mapping[str, Any], single: bool) -> Values:
    values: Values = {}
    choices = spec.get("choices") or []
    for i, choice in enumerate(choices):
        values[f"choice-{i}-text"] = _shown(choice.get("text"))
        values[f"choice-{i}-feedback"] = _shown(choice.get("feedback"))
        values[f"choice-{i}-credit"] = _shown(choice.get("credit"))
        if choice.get("correct") is True:
            if single:
                values["correct"] = str(i)
            else:
                values[f"choice-{i}-correct"] = "on"
    values["rows-choice"] = str(max(MIN_ROWS, len(choices) + EXTRA_ROWS))
    return values


def _read_choices(form: Form, single: bool) -> Read:
    read = Read({"choices": []}, {("choices",): "choice-0-text"})
    for k, (i, row) in enumerate(_rows(form, "choice", ("text", "feedback", "credit"))):
        read.spec["choices"].append({})
        read.put(("choices", k, "text"), row["text"], f"choice-{i}-text")
        correct = (
            _text(form, "correct") == str(i) if single else _checked(form, f"choice-{i}-correct")
        )
        if correct:
            read.put(
                ("choices", k, "correct"), True, "correct" if single else f"choice-{i}-correct"
            )
        if row["credit"]:
            read.put(("choices", k, "credit"), _number(row["credit"]), f"choice-{i}-credit")
        if row["feedback"]:
            read.put(("choices", k, "feedback"), row["feedback"], f"choice-{i}-feedback")
    return read


def _single_values(spec: Mapping[str, Any]) -> Values:
    return _choice_values(spec, single=True)


def _single_read(form: Form) -> Read:
    return _read_choices(form, single=True)


def _multiple_values(spec: Mapping[str, Any]) -> Values:
    return {**_choice_values(spec, single=False), "scoring": _shown(spec.get("scoring"))}


def _multiple_read(form: Form) -> Read:
    read = _read_choices(form, single=False)
    if _text(form, "scoring"):
        read.put(("scoring",), _text(form, "scoring"), "scoring")
    return read


# --- true / false


def _true_false_values(spec: Mapping[str, Any]) -> Values:
    answer = spec.get("answer")
    return {
        # "truth", not "answer": the preview's own answer field (the learner's) is called so
        "truth": "" if not isinstance(answer, bool) else ("true" if answer else "false"),
        "feedback_true": _shown(spec.get("feedback_true")),
        "feedback_false": _shown(spec.get("feedback_false")),
    }


def _true_false_read(form: Form) -> Read:
    read = Read()
    answer = _text(form, "truth")
    read.put(("answer",), {"true": True, "false": False}.get(answer, answer or None), "truth")
    for key in ("feedback_true", "feedback_false"):
        if _text(form, key):
            read.put((key,), _text(form, key), key)
    return read


# --- typed answers: the match rules, partly right answers, the catch-all


def _match_values(spec: Mapping[str, Any]) -> Values:
    rules = {**DEFAULT_MATCH, **(spec.get("match") or {})}
    values = {f"match-{key}": _shown(rules[key]) for key in ("case", "accents", "punctuation")}
    values["match-typos"] = _shown(rules["typos"])
    return values


def _read_match(form: Form, read: Read) -> None:
    rules: dict[str, Any] = {
        key: _checked(form, f"match-{key}") for key in ("case", "accents", "punctuation")
    }
    typos = _text(form, "match-typos") or "auto"
    rules["typos"] = int(typos) if typos.isdigit() else typos
    changed = {key: value for key, value in rules.items() if value != DEFAULT_MATCH[key]}
    if changed:
        read.put(("match",), {}, "match-case")
        for key, value in changed.items():
            read.put(("match", key), value, f"match-{key}")


def _partial_values(spec: Mapping[str, Any], columns: tuple[str, ...]) -> Values:
    values: Values = {"otherwise": _shown(spec.get("otherwise"))}
    partial = spec.get("partial") or []
    for i, entry in enumerate(partial):
        for column in columns:
            if column in ("low", "high"):
                bounds = entry.get("range") or [None, None]
                values[f"partial-{i}-{column}"] = _shown(bounds[0 if column == "low" else 1])
            else:
                values[f"partial-{i}-{column}"] = _shown(entry.get(column))
    values["rows-partial"] = str(max(MIN_ROWS, len(partial) + EXTRA_ROWS))
    return values


def _read_partial(form: Form, read: Read, columns: tuple[str, ...]) -> None:
    rows = _rows(form, "partial", columns)
    if rows:
        read.put(("partial",), [], "partial-0-credit")
    for k, (i, row) in enumerate(rows):
        read.spec["partial"].append({})
        for column in columns:
            value = row[column]
            if not value or column in ("low", "high"):
                continue
            shown = value if column in ("text", "feedback") else _number(value)
            read.put(("partial", k, column), shown, f"partial-{i}-{column}")
        if row.get("low") or row.get("high"):
            bounds = [_number(row.get("low", "")), _number(row.get("high", ""))]
            read.put(("partial", k, "range"), bounds, f"partial-{i}-low")
    if _text(form, "otherwise"):
        read.put(("otherwise",), _text(form, "otherwise"), "otherwise")


def _short_values(spec: Mapping[str, Any]) -> Values:
    return {
        "answers": "\n".join(_shown(a) for a in spec.get("answers") or []),
        **_match_values(spec),
        **_partial_values(spec, ("text", "credit", "feedback")),
    }


def _short_read(form: Form) -> Read:
    read = Read()
    read.put(("answers",), _lines(form, "answers"), "answers")
    _read_match(form, read)
    _read_partial(form, read, ("text", "credit", "feedback"))
    return read


# --- numbers


NUMBER_COLUMNS = ("answer", "tolerance", "low", "high", "credit", "feedback")


def _answer_name(prefix: str) -> str:
    # Not "answer" at the top: the preview's own answer field (the learner's) is called so.
    return f"{prefix}answer" if prefix else "value"


def _number_values(spec: Mapping[str, Any], prefix: str = "") -> Values:
    bounds = spec.get("range") or [None, None]
    return {
        _answer_name(prefix): _shown(spec.get("answer")),
        f"{prefix}tolerance": _shown(spec.get("tolerance")),
        f"{prefix}low": _shown(bounds[0]),
        f"{prefix}high": _shown(bounds[1]),
        f"{prefix}unit": _shown(spec.get("unit")),
    }


def _read_number(form: Form, read: Read, path: KeyPath = (), prefix: str = "") -> None:
    for key, name in (("answer", _answer_name(prefix)), ("tolerance", f"{prefix}tolerance")):
        if _text(form, name):
            read.put((*path, key), _number(_text(form, name)), name)
    low, high = _text(form, f"{prefix}low"), _text(form, f"{prefix}high")
    if low or high:
        read.put((*path, "range"), [_number(low), _number(high)], f"{prefix}low")
    if _text(form, f"{prefix}unit"):
        read.put((*path, "unit"), _text(form, f"{prefix}unit"), f"{prefix}unit")


def _numeric_values(spec: Mapping[str, Any]) -> Values:
    return {**_number_values(spec), **_partial_values(spec, NUMBER_COLUMNS)}


def _numeric_read(form: Form) -> Read:
    read = Read()
    _read_number(form, read)
    _read_partial(form, read, NUMBER_COLUMNS)
    read.fields.setdefault(("answer",), "value")
    return read


# --- cloze


def choice_lines(choices: list[Mapping[str, Any]]) -> str:
    """A drop-down gap's choices, one a line: ``= right``, ``50% partly right``, ``wrong``,
    each with an optional ``// feedback``."""
    lines = []
    for choice in choices:
        mark = "= " if choice.get("correct") is True else ""
        credit = choice.get("credit")
        if isinstance(credit, float | int) and choice.get("correct") is not True:
            mark = f"{_shown(round(credit * 100, 6))}% "
        feedback = f" // {choice['feedback']}" if choice.get("feedback") else ""
        lines.append(f"{mark}{choice.get('text', '')}{feedback}")
    return "\n".join(lines)


def read_choice_lines(text: str) -> list[dict[str, Any]]:
    """The reverse of ``choice_lines``."""
    choices: list[dict[str, Any]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        choice: dict[str, Any] = {}
        body, _, feedback = line.partition(" // ")
        if body.startswith("="):
            choice["correct"] = True
            body = body[1:]
        else:
            head, _, rest = body.partition("% ")
            number = _number(head)
            if rest and not isinstance(number, str):
                choice["credit"] = number / 100
                body = rest
        choice = {"text": body.strip(), **choice}
        if feedback.strip():
            choice["feedback"] = feedback.strip()
        choices.append(choice)
    return choices


GAP_COLUMNS = (
    "kind",
    "answers",
    "choices",
    "answer",
    "tolerance",
    "low",
    "high",
    "unit",
    "weight",
    "feedback",
)


def _cloze_values(spec: Mapping[str, Any]) -> Values:
    values: Values = {"text": _shown(spec.get("text")), **_match_values(spec)}
    gaps = spec.get("gaps") or []
    for i, gap in enumerate(gaps):
        kind = gap.get("kind", "typed")
        values[f"gap-{i}-kind"] = kind
        values[f"gap-{i}-answers"] = "\n".join(gap.get("answers") or [])
        values[f"gap-{i}-choices"] = choice_lines(gap.get("choices") or [])
        values[f"gap-{i}-shuffle"] = _shown(gap.get("shuffle"))
        values.update(_number_values(gap, f"gap-{i}-"))
        values[f"gap-{i}-weight"] = _shown(gap.get("weight"))
        values[f"gap-{i}-feedback"] = _shown(gap.get("feedback"))
    values["rows-gap"] = str(max(MIN_ROWS, len(gaps) + EXTRA_ROWS))
    return values


def _cloze_read(form: Form) -> Read:
    read = Read()
    read.put(("text",), _text(form, "text"), "text")
    _read_match(form, read)
    rows = [
        (i, row)
        for i, row in _rows(form, "gap", GAP_COLUMNS)
        if any(value for column, value in row.items() if column != "kind")
    ]
    if rows:
        read.put(("gaps",), [], "gap-0-kind")
    for k, (i, row) in enumerate(rows):
        read.spec["gaps"].append({})
        name = f"gap-{i}-"
        kind = row["kind"] or "typed"
        if kind != "typed":
            read.put(("gaps", k, "kind"), kind, f"{name}kind")
        if kind == "typed":
            read.put(("gaps", k, "answers"), _lines(form, f"{name}answers"), f"{name}answers")
        elif kind == "choice":
            read.put(("gaps", k, "choices"), read_choice_lines(row["choices"]), f"{name}choices")
            if _checked(form, f"{name}shuffle"):
                read.put(("gaps", k, "shuffle"), True, f"{name}shuffle")
        else:
            _read_number(form, read, ("gaps", k), name)
        if row["weight"]:
            read.put(("gaps", k, "weight"), _number(row["weight"]), f"{name}weight")
        if row["feedback"]:
            read.put(("gaps", k, "feedback"), row["feedback"], f"{name}feedback")
    return read


# --- matching and ordering


def _matching_values(spec: Mapping[str, Any]) -> Values:
    pairs = spec.get("pairs") or []
    values: Values = {"distractors": "\n".join(spec.get("distractors") or [])}
    for i, pair in enumerate(pairs):
        values[f"pair-{i}-left"] = _shown(pair.get("left"))
        values[f"pair-{i}-right"] = _shown(pair.get("right"))
    values["rows-pair"] = str(max(MIN_ROWS, len(pairs) + EXTRA_ROWS))
    return values


def _matching_read(form: Form) -> Read:
    read = Read({"pairs": []}, {("pairs",): "pair-0-left"})
    for k, (i, row) in enumerate(_rows(form, "pair", ("left", "right"))):
        read.spec["pairs"].append({})
        read.put(("pairs", k, "left"), row["left"], f"pair-{i}-left")
        read.put(("pairs", k, "right"), row["right"], f"pair-{i}-right")
    if _lines(form, "distractors"):
        read.put(("distractors",), _lines(form, "distractors"), "distractors")
    return read


def _ordering_values(spec: Mapping[str, Any]) -> Values:
    return {
        "items": "\n".join(_shown(item) for item in spec.get("items") or []),
        "scoring": _shown(spec.get("scoring")),
    }


def _ordering_read(form: Form) -> Read:
    read = Read()
    read.put(("items",), _lines(form, "items"), "items")
    if _text(form, "scoring"):
        read.put(("scoring",), _text(form, "scoring"), "scoring")
    return read


@dataclass(frozen=True)
class SpecFields:
    """How one question type's spec is shown in its form and read back."""

    values: Callable[[Mapping[str, Any]], Values]
    read: Callable[[Form], Read]


SPEC_FIELDS: dict[str, SpecFields] = {
    "single_choice": SpecFields(_single_values, _single_read),
    "multiple_response": SpecFields(_multiple_values, _multiple_read),
    "true_false": SpecFields(_true_false_values, _true_false_read),
    "short_answer": SpecFields(_short_values, _short_read),
    "cloze": SpecFields(_cloze_values, _cloze_read),
    "matching": SpecFields(_matching_values, _matching_read),
    "ordering": SpecFields(_ordering_values, _ordering_read),
    "numeric": SpecFields(_numeric_values, _numeric_read),
}
"""Every question type's form, by the type's name (the same names as the grading registry)."""


def spec_values(qtype: str, spec: Mapping[str, Any]) -> Values:
    """The form's values for ``spec`` of a ``qtype`` question."""
    return SPEC_FIELDS[qtype].values(spec)


def read_spec(qtype: str, form: Form) -> Read:
    """The spec of a ``qtype`` question from the posted form (blank rows left out)."""
    return SPEC_FIELDS[qtype].read(form)
