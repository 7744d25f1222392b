"""Helpers for the format tests: reading fixtures, and validating imported sets."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from quizapp.bank.model import Problem, QuestionDoc, SetDoc
from quizapp.bank.validate import validate_set
from quizapp.bank.yamlformat import read_set
from quizapp.formats import IMPORTERS
from quizapp.formats.assemble import NO_SOURCE
from quizapp.formats.base import ImportResult

FIXTURES = Path(__file__).parent / "fixtures"
BANK = Path(__file__).resolve().parents[2] / "questions" / "car-t-myeloma.yaml"


def validate_imported(doc: SetDoc) -> list[Problem]:
    """Validate an imported set as the app does: ``validate_set(doc, require_source=False)``.

    GIFT, Aiken, Anki and CSV without source columns carry no source document, so imported
    sets have no ``source.text``, their questions no ``source.section``/``source.quote``, and
    a question without general feedback (GIFT) or any Aiken question no explanation.
    Everything else the validator checks (ids, topics, types, specs, prompts) must hold.
    """
    return validate_set(doc, require_source=False)


def read_fixture(importer: str, name: str) -> ImportResult:
    """Import the fixture file ``name`` with the importer called ``importer``."""
    return IMPORTERS[importer].read((FIXTURES / name).read_bytes(), name)


def bank() -> SetDoc:
    """The bundled question set."""
    doc = read_set(BANK).doc
    assert doc is not None
    return doc


def messages(problems: tuple[Problem, ...] | list[Problem]) -> list[str]:
    """Return the problems as ``file:line: message`` strings."""
    return [str(p) for p in problems]


def without_spec_keys(question: QuestionDoc, **drop: Any) -> QuestionDoc:
    """Return the question without the spec keys in ``drop`` whose value equals the one given."""
    spec = {k: v for k, v in question.spec.items() if not (k in drop and drop[k] == v)}
    return dataclasses.replace(question, spec=spec)


def without_source(question: QuestionDoc) -> QuestionDoc:
    return dataclasses.replace(question, source=NO_SOURCE)
