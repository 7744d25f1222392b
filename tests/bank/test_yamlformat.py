"""The YAML format: reading with line numbers, problems of shape, and writing back."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from quizapp.bank.model import Problem, QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc
from quizapp.bank.validate import validate_set
from quizapp.bank.yamlformat import dump_set, parse_set, read_set, set_files, write_set

FIXTURES = Path(__file__).parent / "fixtures"
DEMO = FIXTURES / "demo.yaml"


def line_of(text: str, fragment: str) -> int:
    """Return the 1-based number of the first line of ``text`` containing ``fragment``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} is not in the text")


def test_reads_the_demo_set() -> None:
    parsed = read_set(DEMO)
    assert parsed.problems == ()
    doc = parsed.doc
    assert doc is not None
    assert (doc.id, doc.title, doc.version) == ("demo", "Demo set", "2")
    assert doc.source.file == "demo.source.txt"
    assert doc.source.text == (FIXTURES / "demo.source.txt").read_text(encoding="utf-8")
    assert doc.topics == (
        TopicDoc("origins", "Origins", "1. Origins"),
        TopicDoc("treatment", "Treatment", "2. Treatment"),
    )
    assert [q.id for q in doc.questions] == ["q-origin", "q-count", "q-target", "q-steps"]
    target = doc.questions[2]
    assert target.spec == {"answers": ["BCMA", "B cell maturation antigen"], "match": {"typos": 0}}
    assert target.source == SourceRef("2. Treatment", "The main target is BCMA")
    assert doc.questions[1].tags == ("counting",)
    assert doc.questions[3].prompt == ""
    assert doc.questions[3].explanation == "First extracted,\nthen engineered.\n"


def test_keeps_the_line_of_every_value() -> None:
    text = DEMO.read_text(encoding="utf-8")
    doc = read_set(DEMO).doc
    assert doc is not None
    origin = doc.questions[0]
    assert origin.line == line_of(text, "- id: q-origin")
    assert origin.line_of(("choices", 1)) == line_of(text, "- text: The lymph nodes")
    assert origin.line_of(("choices", 0, "feedback")) == line_of(text, "feedback: Right.")
    assert origin.line_of(("source", "quote")) == line_of(text, 'quote: "Multiple myeloma')
    # A path that was not written falls back to its nearest written ancestor.
    assert origin.line_of(("choices", 0, "nothing")) == line_of(text, "- text: The bone marrow")
    assert origin.line_of(("answers",)) == origin.line
    assert doc.topics[1].line == line_of(text, "- id: treatment")
    assert doc.line_of(("source", "file")) == line_of(text, "file: demo.source.txt")
    assert doc.file == str(DEMO)


def test_only_true_and_false_are_booleans() -> None:
    text = """
id: demo
version: 1.10
description: 2024-01-01
questions:
  - id: q
    choices:
      - text: No
      - text: yes
        correct: true
      - text: off
        correct: False
"""
    doc = parse_set(text).doc
    assert doc is not None
    assert doc.version == "1.10"
    assert doc.description == "2024-01-01"
    assert doc.questions[0].spec["choices"] == [
        {"text": "No"},
        {"text": "yes", "correct": True},
        {"text": "off", "correct": False},
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("id: [unclosed\ntitle: x\n", 2, "not valid YAML"),
        ("", 1, "the file is empty"),
        ("# only a comment\n", 1, "the file is empty"),
        ("- a\n- b\n", 1, "the file must be a mapping"),
        ("id: a\n---\nid: b\n", 2, "not valid YAML"),
    ],
)
def test_unreadable_files_give_one_problem(text: str, line: int, message: str) -> None:
    parsed = parse_set(text, "bad.yaml")
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert (problem.file, problem.line) == ("bad.yaml", line)
    assert message in problem.message


def test_problems_of_shape_are_all_reported_with_their_lines() -> None:
    text = """id: demo
id: again
colour: blue
source: a string
topics:
  - just a name
questions:
  - id: q1
    type: [single_choice]
    source:
      section: A
      page: 3
    tags: [one, 2, ""]
  - 42
? [a, b]
: complex key
"""
    parsed = parse_set(text, "shape.yaml")
    found = [(p.line, p.message) for p in parsed.problems]
    assert found == [
        (2, "'id' is given twice"),
        (
            3,
            "unknown key 'colour' in the file "
            "(allowed: id, title, description, version, language, source, topics, questions)",
        ),
        (4, "source must be a mapping of keys to values, not text"),
        (6, "a topic must be a mapping of keys to values, not text"),
        (9, "type must be text, not a list"),
        (12, "unknown key 'page' in the question's source (allowed: section, quote)"),
        (13, "a tag must be non-empty text, not a number"),
        (13, "a tag must be non-empty text, not text"),
        (14, "a question must be a mapping of keys to values, not a number"),
        (15, "a key must be text, not a list"),
    ]
    assert parsed.doc is not None
    assert parsed.doc.questions[0].tags == ("one",)


def test_an_alias_that_contains_itself_is_a_problem_not_a_crash() -> None:
    parsed = parse_set("id: demo\ndescription: &loop [*loop]\n")
    assert any("refers to itself" in p.message for p in parsed.problems)


def test_unknown_tags_are_problems() -> None:
    parsed = parse_set("id: !!python/object:os.system x\n")
    assert [p.line for p in parsed.problems] == [1]
    assert "unsupported YAML tag" in parsed.problems[0].message


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("file: missing.txt", 4, "source file 'missing.txt' cannot be read: not found"),
        ("file: ../outside.txt", 4, "must be in the set file's folder or below"),
        ("file: /etc/hostname", 4, "must be in the set file's folder or below"),
        ("file: demo.source.txt\n  text: inline", 5, "give either file or text, not both"),
    ],
)
def test_source_file_problems(tmp_path: Path, source: str, line: int, message: str) -> None:
    folder = tmp_path / "sets"
    folder.mkdir()
    (folder / "demo.source.txt").write_text("The text.", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("Secret.", encoding="utf-8")
    path = folder / "set.yaml"
    path.write_text(f"id: demo\nsource:\n  title: T\n  {source}\n", encoding="utf-8")
    parsed = read_set(path, name="set.yaml")
    assert [(p.file, p.line) for p in parsed.problems] == [("set.yaml", line)]
    assert message in parsed.problems[0].message
    assert parsed.doc is not None
    assert "Secret" not in parsed.doc.source.text


def test_a_source_file_needs_a_folder_to_be_read_from() -> None:
    parsed = parse_set("id: demo\nsource:\n  file: demo.source.txt\n")
    assert [p.line for p in parsed.problems] == [3]
    assert "paste the text instead" in parsed.problems[0].message


def test_reading_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    parsed = read_set(tmp_path / "nope.yaml")
    assert parsed.doc is None
    assert "cannot read the file" in parsed.problems[0].message


def test_round_trip_of_the_demo_set(tmp_path: Path) -> None:
    doc = read_set(DEMO).doc
    assert doc is not None
    (tmp_path / "demo.source.txt").write_text(doc.source.text, encoding="utf-8")
    write_set(doc, tmp_path / "demo.yaml")
    again = read_set(tmp_path / "demo.yaml")
    assert again.problems == ()
    assert again.doc == doc
    assert "file: demo.source.txt" in (tmp_path / "demo.yaml").read_text(encoding="utf-8")


def test_round_trip_with_the_source_inline() -> None:
    doc = read_set(DEMO).doc
    assert doc is not None
    text = dump_set(doc, inline_source=True)
    assert "text: |" in text
    again = parse_set(text).doc
    assert again == dataclasses.replace(doc, source=dataclasses.replace(doc.source, file=""))


def _awkward_set() -> SetDoc:
    """A set whose text needs quoting, escaping and literal blocks to survive YAML."""
    spec = {
        "choices": (
            {"text": "yes", "correct": True, "feedback": "Line one\nline two"},
            {"text": "1.10"},
            {"text": "null"},
            {"text": "- a dash: and a colon"},
            {"text": "  leading and trailing spaces  "},
            {"text": "#not a comment"},
            {"text": "ünïcødé → ✓"},
        )
    }
    question = QuestionDoc(
        id="q.1_x",
        topic="t",
        type="single_choice",
        title="A title",
        prompt="Which one?\n\nTwo paragraphs, the second   with spaces.",
        spec=spec,
        explanation="'Quoted' and \"double\" and a tab\there.",
        source=SourceRef("S: one", "no"),
        tags=("true", "x"),
    )
    return SetDoc(
        id="odd",
        title="Odd: a set",
        description="",
        version="007",
        source=SourceDoc(title="Doc", text="Line\n\n  indented line\ntrailing space \n"),
        topics=(TopicDoc("t", "on"),),
        questions=(question, dataclasses.replace(question, id="q2", prompt="", tags=())),
    )


def test_round_trip_keeps_awkward_text_exactly() -> None:
    doc = _awkward_set()
    text = dump_set(doc)
    again = parse_set(text)
    assert again.problems == ()
    assert again.doc is not None
    expected_spec = {"choices": [dict(c) for c in doc.questions[0].spec["choices"]]}
    assert again.doc == dataclasses.replace(
        doc,
        questions=tuple(dataclasses.replace(q, spec=expected_spec) for q in doc.questions),
    )


def test_written_sets_read_well() -> None:
    doc = read_set(DEMO).doc
    assert doc is not None
    text = dump_set(doc)
    assert text.startswith("id: demo\ntitle: Demo set\n")
    assert "\n\n  - id: q-count\n    topic: origins\n    type: numeric\n" in text
    assert "    explanation: |\n      First extracted,\n      then engineered.\n" in text
    assert "      - text: 'No'\n" in text


def test_set_files_expands_folders(tmp_path: Path) -> None:
    for name in ("b.yaml", "a.yml", "notes.txt"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yaml").write_text("", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    files, problems = set_files([tmp_path, tmp_path / "sub" / "c.yaml", empty, tmp_path / "x"])
    assert files == [tmp_path / "a.yml", tmp_path / "b.yaml", tmp_path / "sub" / "c.yaml"]
    assert problems == [
        Problem(str(empty), 0, "no *.yaml files in this folder"),
        Problem(str(tmp_path / "x"), 0, "no such file or folder"),
    ]


def test_problem_reads_as_file_line_message() -> None:
    assert str(Problem("questions/a.yaml", 12, "unknown type 'x'")) == (
        "questions/a.yaml:12: unknown type 'x'"
    )


def test_a_sets_language_is_read_checked_and_written_back() -> None:
    text = DEMO.read_text().replace("version:", "language: fr\nversion:", 1)
    doc = parse_set(text).doc
    assert doc is not None
    assert doc.language == "fr"
    assert "language: fr" in dump_set(doc, inline_source=True)
    # English, the default, is not written.
    assert "language:" not in dump_set(dataclasses.replace(doc, language="en"), inline_source=True)


def test_an_unknown_language_is_a_problem_on_its_line(tmp_path: Path) -> None:
    text = DEMO.read_text().replace("version:", "language: klingon\nversion:", 1)
    path = tmp_path / "demo.yaml"
    path.write_text(text)
    (tmp_path / "demo.source.txt").write_text((FIXTURES / "demo.source.txt").read_text())
    doc = read_set(path).doc
    assert doc is not None
    problems = validate_set(doc)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (line_of(text, "language: klingon"), "unknown language 'klingon'")
    ]
