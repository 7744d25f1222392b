"""Sets imported from formats without a source document: references are optional, not lax."""

from __future__ import annotations

from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc
from quizapp.bank.validate import validate_set


def _set(source_text: str, ref: SourceRef, explanation: str = "") -> SetDoc:
    question = QuestionDoc(
        id="q1",
        topic="t",
        type="true_false",
        prompt="Water boils at 100 °C at sea level.",
        spec={"answer": True},
        explanation=explanation,
        source=ref,
    )
    return SetDoc(
        "imported",
        "Imported",
        "",
        "1",
        SourceDoc("", source_text),
        (TopicDoc("t", "T"),),
        (question,),
    )


def test_own_format_requires_document_explanation_and_reference() -> None:
    messages = [p.message for p in validate_set(_set("", SourceRef("", "")))]
    assert any("source document is missing" in m for m in messages)
    assert any("explanation is missing" in m for m in messages)
    assert any("source quote is missing" in m for m in messages)


def test_imported_sets_may_lack_them() -> None:
    assert validate_set(_set("", SourceRef("", "")), require_source=False) == []


def test_a_given_reference_is_still_checked() -> None:
    doc = _set("# Boiling\nWater boils at 100 °C.", SourceRef("Boiling", "Water freezes"))
    messages = [p.message for p in validate_set(doc, require_source=False)]
    assert any("source quote is not in the document" in m for m in messages)


def test_hostile_yaml_gives_problems_not_exceptions() -> None:
    from quizapp.bank.yamlformat import parse_set

    control = parse_set("id: a\ntitle: b\x07\n", "bad.yaml")
    assert control.doc is None
    assert str(control.problems[0]) == "bad.yaml:2: not valid YAML: character U+0007 is not allowed"
    deep = parse_set("[" * 5000, "deep.yaml")
    assert deep.doc is None
    assert "nested too deeply" in str(deep.problems[0])
