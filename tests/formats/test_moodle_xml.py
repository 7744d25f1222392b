"""Moodle XML: every supported feature at its line, what is reported, hostile files, round trips."""

from __future__ import annotations

import base64
import dataclasses
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from quizapp.bank.model import Problem, QuestionDoc, SetDoc, SourceDoc, TopicDoc
from quizapp.formats.assemble import NO_SOURCE
from quizapp.formats.base import ImportResult
from quizapp.formats.categories import category_levels, category_path, category_title
from quizapp.formats.ids import content_id
from quizapp.formats.moodle_xml import EXPORTER, IMPORTER, MoodleXmlImporter
from quizapp.formats.moodle_xml_text import ENTITIES_REFUSED, html_to_text, parse_xml
from quizapp.grading import REGISTRY
from tests.formats.support import messages, validate_imported

FIXTURES = Path(__file__).parent / "fixtures"
ALL = FIXTURES / "moodle-all.xml"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def line_of(path: Path, fragment: str, after: str = "") -> int:
    """Return the 1-based line of the first ``fragment`` in the file (after ``after``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0
    if after:
        start = next(i for i, line in enumerate(lines) if after in line)
    for number, line in enumerate(lines[start:], start=start + 1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} is not in {path.name}")


def question_line(name: str) -> int:
    """Return the line of the ``<question`` whose ``<name>`` is ``name``."""
    name_line = line_of(ALL, f"<text>{name}</text>")
    lines = ALL.read_text(encoding="utf-8").splitlines()
    return max(i for i in range(1, name_line + 1) if "<question " in lines[i - 1])


def read(path: Path = ALL, importer: MoodleXmlImporter = IMPORTER) -> ImportResult:
    return importer.read(path.read_bytes(), path.name)


@pytest.fixture(scope="module")
def result() -> ImportResult:
    return read()


@pytest.fixture(scope="module")
def questions(result: ImportResult) -> dict[str, QuestionDoc]:
    assert result.doc is not None
    return {q.id: q for q in result.doc.questions}


# --- every feature ---------------------------------------------------------------------------


def test_the_set_is_named_after_the_file(result: ImportResult) -> None:
    doc = result.doc
    assert doc is not None
    assert (doc.id, doc.title, doc.version) == ("moodle-all", "moodle-all", "1")
    assert [q.id for q in doc.questions] == [
        "cell-powerhouse",
        "organelles-multi",
        "weighted-multi",
        content_id("Prokaryote nucleus", "Bacteria have a nucleus."),
        "genes-dna",
        "chromosomes",
        "cell-size",
        "base-pairs",
        "nucleus-cloze",
        "mixed-cloze",
        "numbers-cloze",
        "mitosis-order",
        "dogma-order",
        content_id("Atomic number", "What is the symbol of *sodium*?"),
    ]


def test_categories_become_topics(result: ImportResult) -> None:
    doc = result.doc
    assert doc is not None
    assert doc.topics == (
        TopicDoc("cell-biology", "Cell biology"),
        # Each category is titled by its whole path: the two "Genetics" stay two topics.
        TopicDoc("cell-biology-genetics", "Cell biology / Genetics"),
        TopicDoc("chemistry-genetics", "Chemistry / Genetics"),
    )
    assert [t.line for t in doc.topics] == [5, 157, 385]
    topics = [q.topic for q in doc.questions]
    assert topics == ["cell-biology"] * 4 + ["cell-biology-genetics"] * 9 + ["chemistry-genetics"]


def test_single_choice_with_image_feedback_and_tags(questions: dict[str, QuestionDoc]) -> None:
    q = questions["cell-powerhouse"]
    assert (q.type, q.title, q.tags) == ("single_choice", "Powerhouse", ("organelles", "energy"))
    assert q.prompt == (
        "<p>Which organelle makes most of the cell's ATP?</p>"
        '<p><img src="media:cell_diagram.png" alt="a cell" width="200"></p>'
    )
    assert q.spec == {
        "choices": [
            {
                "text": "Mitochondrion",
                "feedback": "<p>Right: the <em>mitochondrion</em>.</p>",
                "correct": True,
            },
            {"text": "Nucleus & nucleolus", "feedback": "No, it holds the DNA."},
            {"text": "Ribosome"},
        ]
    }
    assert q.explanation == "<p>Mitochondria make ATP by cellular respiration.</p>"
    assert q.source == NO_SOURCE
    assert q.line == question_line("Powerhouse")
    assert q.line_of(("choices", 1)) == line_of(ALL, '<answer fraction="0"', after="Powerhouse")
    assert q.line_of(("choices", 0)) == line_of(ALL, '<answer fraction="100"', after="Powerhouse")


def test_multiple_response_with_exact_negative_weights(questions: dict[str, QuestionDoc]) -> None:
    q = questions["organelles-multi"]
    assert q.type == "multiple_response"
    assert q.spec == {
        "choices": [
            {"text": "Golgi apparatus", "correct": True},
            {"text": "Lysosome", "correct": True},
            {"text": "Cytoplasm", "feedback": "The cytoplasm is the fluid around them."},
            {"text": "Cell wall"},
        ],
        "scoring": "partial",
    }


def test_multiple_response_with_other_weights_keeps_them_as_credits(
    questions: dict[str, QuestionDoc],
) -> None:
    q = questions["weighted-multi"]
    assert q.spec == {
        "choices": [
            {"text": "Nucleus", "correct": True, "credit": 0.6666667},
            {"text": "Mitochondrion", "correct": True, "credit": 0.3333333},
            {"text": "Ribosome"},
            {"text": "Vacuole", "credit": -1},
        ],
        "scoring": "partial",
    }


def test_true_false_with_both_feedbacks_and_a_content_id(
    questions: dict[str, QuestionDoc],
) -> None:
    q = questions[content_id("Prokaryote nucleus", "Bacteria have a nucleus.")]
    assert q.id == "q-" + "4b53e2f66add"
    assert q.type == "true_false"
    assert q.prompt == "Bacteria have a nucleus."
    assert q.spec == {
        "answer": False,
        "feedback_true": "No: bacteria have no nucleus.",
        "feedback_false": "Right.",
    }
    assert q.explanation == "Bacteria are prokaryotes: their DNA lies free in the cytoplasm."


def test_short_answer_keeps_full_marks_answers_and_case(
    questions: dict[str, QuestionDoc],
) -> None:
    q = questions["genes-dna"]
    assert q.type == "short_answer"
    assert q.spec == {
        "answers": ["DNA", "deoxyribonucleic acid"],
        "partial": [{"text": "nucleic acid", "credit": 0.5, "feedback": "Half right: which one?"}],
        "match": {"case": True},
    }
    assert q.line_of(("partial", 0)) == line_of(ALL, '<answer fraction="50"', after="genes-dna")
    assert q.tags == ("genetics",)
    assert q.line_of(("answers", 1)) == line_of(ALL, "deoxyribonucleic acid</text>") - 1
    # Without usecase the default (case ignored) applies; markdown text is kept as written.
    sodium = questions[content_id("Atomic number", "What is the symbol of *sodium*?")]
    assert sodium.spec == {"answers": ["Na"]}
    assert sodium.prompt == "What is the symbol of *sodium*?"


def test_numerical_answer_tolerance_and_unit(questions: dict[str, QuestionDoc]) -> None:
    assert questions["chromosomes"].spec == {
        "answer": 46.0,
        "tolerance": 0.0,
        "otherwise": "Count the pairs and double.",
    }
    assert questions["cell-size"].spec == {
        "answer": 20.0,
        "tolerance": 10.0,
        "unit": "µm",
        "partial": [{"answer": 50.0, "tolerance": 20.0, "credit": 0.5}],
    }


def test_matching_with_a_distractor(questions: dict[str, QuestionDoc]) -> None:
    q = questions["base-pairs"]
    assert q.spec == {
        "pairs": [
            {"left": "Adenine", "right": "Thymine"},
            {"left": "Cytosine", "right": "Guanine"},
        ],
        "distractors": ["Uracil"],
    }
    assert q.line_of(("distractors", 0)) == line_of(ALL, "<subquestion", after="Guanine")


def test_cloze_gaps_typed_choice_and_numeric(questions: dict[str, QuestionDoc]) -> None:
    nucleus = questions["nucleus-cloze"]
    assert (nucleus.type, nucleus.prompt) == ("cloze", "")
    # The marks are the weights; the feedback of the catch-all wrong answer is the gap's.
    assert nucleus.spec == {
        "text": "The [[1]] holds the [[2]], and [[3]].",
        "gaps": [
            {"answers": ["nucleus"]},
            {"answers": ["DNA", "deoxyribonucleic acid"], "feedback": "Think of genes"},
            {"answers": ["a } brace~tilde"], "weight": 2},
        ],
    }
    assert nucleus.line_of(("gaps", 1)) == line_of(ALL, "{1:SHORTANSWER:=nucleus")
    mixed = questions["mixed-cloze"]
    assert mixed.spec == {
        "text": "Humans have [[1]] chromosomes in [[2]] and [[3]] in [[4]].",
        "gaps": [
            {"kind": "numeric", "answer": 46, "tolerance": 0},
            {
                "kind": "choice",
                "choices": [
                    {"text": "body cells", "correct": True},
                    {"text": "egg cells"},
                    {"text": "sperm cells"},
                ],
            },
            {"kind": "numeric", "answer": 23, "tolerance": 1},
            {"answers": ["Gametes"]},
        ],
        "match": {"case": True},  # its one typed gap is SHORTANSWER_C
    }
    assert mixed.line_of(("gaps", 2)) == line_of(ALL, "{1:NUMERICAL:=23:1}")
    numbers = questions["numbers-cloze"]
    assert numbers.spec == {
        "text": "A human body cell has [[1]] chromosomes in [[2]] pairs.",
        "gaps": [
            {"kind": "numeric", "answer": 46, "tolerance": 0, "weight": 2},
            {"answers": ["23"]},
        ],
        "match": {"case": True},
    }


def test_ordering_items_by_position(questions: dict[str, QuestionDoc]) -> None:
    assert questions["mitosis-order"].spec == {
        "items": ["Prophase", "Metaphase", "Anaphase", "Telophase"],
        "scoring": "all_or_nothing",
    }
    assert questions["dogma-order"].spec == {
        "items": ["DNA", "RNA", "Protein"],
        "scoring": "partial",
    }


def test_every_imported_spec_is_valid(result: ImportResult) -> None:
    assert result.doc is not None
    for q in result.doc.questions:
        assert REGISTRY[q.type].validate(q.spec) == [], q.id


def test_embedded_image_becomes_a_media_file(result: ImportResult) -> None:
    assert len(result.media) == 1
    media = result.media[0]
    assert (media.name, media.content_type, media.data) == ("cell_diagram.png", "image/png", PNG)


# --- what is reported ------------------------------------------------------------------------


def test_types_the_app_lacks_and_unrepresentable_gaps_are_left_out(result: ImportResult) -> None:
    assert result.problems == ()
    assert list(result.left_out) == [
        *[
            Problem(
                "moodle-all.xml",
                question_line(name),
                f"'{name}': the question type '{qtype}' is not one the app has; "
                "the question is not imported",
            )
            for name, qtype in [("Explain osmosis", "essay")]
        ],
        Problem(
            "moodle-all.xml",
            question_line("Reading"),
            "'Reading': a description has no answer: left out",
        ),
        *[
            Problem(
                "moodle-all.xml",
                question_line(name),
                f"'{name}': the question type '{qtype}' is not one the app has; "
                "the question is not imported",
            )
            for name, qtype in [("Dilution", "calculated"), ("Drag words", "ddwtos")]
        ],
    ]
    assert result.doc is not None
    titles = {q.title for q in result.doc.questions}
    assert not titles & {"Explain osmosis", "Reading", "Dilution", "Drag words"}


def test_what_was_changed_is_a_warning(result: ImportResult) -> None:
    messages = [(w.line, w.message) for w in result.warnings]
    assert messages == [
        (
            line_of(ALL, "<text>Right.</text></feedback>", after="genes-dna"),
            "'DNA': the feedback of answer 'DNA' is not kept (the type has no room)",
        ),
        (
            line_of(ALL, "<text>Right.</text></feedback>", after="<text>46</text>"),
            "'Chromosomes': the feedback of answer 46 is not kept (the type has no room)",
        ),
        (
            line_of(ALL, "<text>25</text>") - 1,
            "'Cell size': answer 25 (also 100%) is not kept: the app's numeric question has one "
            "right answer",
        ),
        (
            line_of(ALL, "<unit>", after="<unit_name>µm"),
            "'Cell size': unit 'mm' (multiplier 0.001) is not kept: the app takes answers in one "
            "unit",
        ),
        (
            line_of(ALL, "{1:SHORTANSWER:=nucleus"),
            "'Nucleus cloze': gap 1: answer 'nuclei' (50%) is not kept",
        ),
        (
            line_of(ALL, "{1:SHORTANSWER:=nucleus"),
            "'Nucleus cloze': gap 1: the feedback of its right answers is not kept (a gap's "
            "feedback is shown when the gap is not filled right)",
        ),
        (
            line_of(ALL, "{2:NUMERICAL:=46:0#Right}"),
            "'Numbers cloze': gap 1: the feedback of its right answers is not kept (a gap's "
            "feedback is shown when the gap is not filled right)",
        ),
        (
            question_line("Central dogma"),
            "'Central dogma': grading type ABSOLUTE_POSITION is not kept: the app gives partial "
            "credit for the longest run of items in the right order",
        ),
    ]


# --- hostile and broken files ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line"),
    [("moodle-xxe.xml", 3), ("moodle-billion-laughs.xml", 3)],
)
def test_entity_declarations_are_refused(name: str, line: int) -> None:
    result = read(FIXTURES / name)
    assert result.doc is None
    assert result.problems == (Problem(name, line, ENTITIES_REFUSED),)
    assert ENTITIES_REFUSED == "XML with entity declarations is refused (security)"


def test_a_doctype_without_entities_is_read_and_fetches_nothing() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://127.0.0.1:9/quiz.dtd">\n<quiz>'
        b'<question type="truefalse"><name><text>T</text></name>'
        b"<questiontext><text>Water is wet.</text></questiontext>"
        b'<answer fraction="100"><text>true</text></answer></question></quiz>'
    )
    result = IMPORTER.read(data, "doctype.xml")
    assert result.problems == ()
    assert result.doc is not None
    assert result.doc.questions[0].spec == {"answer": True}


def test_a_truncated_file_is_refused_at_its_end() -> None:
    path = FIXTURES / "moodle-truncated.xml"
    result = read(path)
    assert result.doc is None
    (problem,) = result.problems
    last_line = len(path.read_text(encoding="utf-8").splitlines())
    assert (problem.file, problem.line) == ("moodle-truncated.xml", last_line + 1)
    assert problem.message.startswith("not well-formed XML: ")


def test_a_script_passes_through_as_text_for_the_web_layer_to_sanitise() -> None:
    result = read(FIXTURES / "moodle-script.xml")
    assert result.problems == ()
    assert result.doc is not None
    (q,) = result.doc.questions
    assert q.prompt == (
        '<p>Is this safe?</p><script>alert("upload")</script>'
        '<img src="https://evil.example/x.png" onerror="alert(1)">'
    )
    assert q.explanation == '<a href="javascript:alert(2)">more</a>'
    assert q.spec["feedback_true"] == '<iframe src="https://evil.example"></iframe>'
    assert result.media == ()


@pytest.mark.parametrize(
    ("data", "line", "start"),
    [
        (b"", 1, "not well-formed XML: no element found"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", 1, "not well-formed XML: "),
        (b"<quiz><question></quiz>", 1, "not well-formed XML: mismatched tag"),
        (b"<quiz>\n<a>&nbsp;</a></quiz>", 2, "not well-formed XML: undefined entity"),
        (b'<?xml version="1.0" encoding="nonsense"?><quiz/>', 1, "the XML cannot be read"),
        (
            b"<html>\n<body/></html>",
            1,
            "not a Moodle XML question file: the root element is <html>, not <quiz>",
        ),
    ],
)
def test_broken_files_give_one_clear_problem(data: bytes, line: int, start: str) -> None:
    result = IMPORTER.read(data, "broken.xml")
    assert result.doc is None
    (problem,) = result.problems
    assert (problem.file, problem.line) == ("broken.xml", line)
    assert problem.message.startswith(start), problem.message


def test_a_file_over_the_size_limit_is_refused_unparsed() -> None:
    small = MoodleXmlImporter(max_bytes=100)
    result = small.read(ALL.read_bytes(), "big.xml")
    assert result.doc is None
    assert result.problems == (Problem("big.xml", 0, "the file is larger than 100 bytes"),)


def _with_file(name: str, payload: str, *, text: str = "") -> bytes:
    body = text or f'<img src="@@PLUGINFILE@@/{name}">'
    return (
        '<quiz><question type="truefalse"><name><text>T</text></name>\n'
        f'<questiontext format="html"><text><![CDATA[{body}]]></text>\n'
        f'<file name="{name}" path="/" encoding="base64">{payload}</file></questiontext>\n'
        '<answer fraction="100"><text>true</text></answer></question></quiz>'
    ).encode()


def test_media_limits_and_bad_base64_leave_the_file_out_with_a_warning() -> None:
    encoded = base64.b64encode(PNG).decode()
    small = MoodleXmlImporter(max_media_file_bytes=10)
    result = small.read(_with_file("a.png", encoded), "m.xml")
    assert result.media == ()
    assert [w.message for w in result.warnings] == [
        "'T': the file 'a.png' is larger than 10 bytes: left out",
        "'T': refers to the file 'a.png', which the question does not carry",
    ]
    assert [w.line for w in result.warnings] == [3, 2]
    total = MoodleXmlImporter(max_media_total_bytes=10)
    assert "past 10 bytes" in total.read(_with_file("a.png", encoded), "m.xml").warnings[0].message
    broken = IMPORTER.read(_with_file("a.png", "not base64!"), "m.xml")
    assert broken.warnings[0].message == "'T': the file 'a.png' is not valid base64: left out"


def test_media_names_are_made_safe_and_kept_apart() -> None:
    first = _with_file(
        "../../etc/x y.png",
        base64.b64encode(PNG).decode(),
        text='<img src="@@PLUGINFILE@@/x%20y.png">',
    )
    result = IMPORTER.read(first, "m.xml")
    assert [m.name for m in result.media] == ["x_y.png"]
    assert result.doc is not None
    assert result.doc.questions[0].prompt == '<img src="media:x_y.png">'
    # Two questions with different files of the same name get different names.
    other = PNG + b"\x00"
    first_half = _with_file("a.png", base64.b64encode(PNG).decode()).replace(b"</quiz>", b"")
    second_half = _with_file("a.png", base64.b64encode(other).decode()).replace(b"<quiz>", b"")
    two = first_half + second_half.replace(b"<text>T</text>", b"<text>U</text>")
    result = IMPORTER.read(two, "m.xml")
    names = [m.name for m in result.media]
    assert names[0] == "a.png"
    assert names[1].startswith("a-")
    assert names[1].endswith(".png")
    assert [m.data for m in result.media] == [PNG, other]
    assert result.doc is not None
    assert result.doc.questions[1].prompt == f'<img src="media:{names[1]}">'


def test_a_question_that_is_not_imported_brings_no_media() -> None:
    data = _with_file("a.png", base64.b64encode(PNG).decode()).replace(
        b'type="truefalse"', b'type="essay"'
    )
    result = IMPORTER.read(data, "m.xml")
    assert result.media == ()
    assert result.problems == ()
    assert [p.message for p in result.left_out] == [
        "'T': the question type 'essay' is not one the app has; the question is not imported"
    ]


# --- pieces ----------------------------------------------------------------------------------


def test_parse_xml_notes_the_line_each_element_starts_on() -> None:
    parsed = parse_xml(
        b'<?xml version="1.0"?>\r\n<quiz>\r\n  <question\r\n type="x">'
        b"<a/>\r\n<b/></question>\r\n</quiz>"
    )
    assert parsed.root is not None
    assert [(e.tag, parsed.lines[e]) for e in parsed.root.iter()] == [
        ("quiz", 2),
        ("question", 3),
        ("a", 4),
        ("b", 5),
    ]


@pytest.mark.parametrize(
    ("path", "levels"),
    [
        ("$course$/top/Cell biology", ["Cell biology"]),
        ("$course$/top/A/B", ["A", "B"]),
        ("$course$/top/Iota/Kappa/Lambda", ["Iota", "Kappa", "Lambda"]),
        ("$system$/top/Half//whole", ["Half/whole"]),
        ("$module$/top/A", ["A"]),
        ("$quiz$/top/A", ["A"]),
        ("$cat1$/top/A", ["A"]),
        ("$COURSE$/Top/A", ["A"]),
        ("$course$/A", ["A"]),
        ("$course$/top", []),
        ("$course$/", []),
        ("Plain/Path", ["Plain", "Path"]),
        ("top/Plain", ["Plain"]),
        (" $course$ / top / Spaced  out / B ", ["Spaced out", "B"]),
        ("A//B//C/D", ["A/B/C", "D"]),
        ("A/$x$/B", ["A", "$x$", "B"]),  # a marker is one only at the start
        ("A/top/B", ["A", "top", "B"]),  # and so is Moodle's top
    ],
)
def test_category_levels(path: str, levels: list[str]) -> None:
    assert category_levels(path) == levels
    assert category_title(path) == " / ".join(levels)


@pytest.mark.parametrize(
    ("title", "path"),
    [
        ("Cell biology", "$course$/top/Cell biology"),
        ("Iota / Kappa / Lambda", "$course$/top/Iota/Kappa/Lambda"),
        ("Input/Output", "$course$/top/Input//Output"),
        ("A / x/y / B", "$course$/top/A/x//y/B"),
    ],
)
def test_category_path_is_the_title_written_back(title: str, path: str) -> None:
    assert category_path(title) == path
    assert category_title(path) == title


def _categories(*paths: str) -> ImportResult:
    """A file holding one true/false question in each category of ``paths``."""
    body = "".join(
        f'<question type="category"><category><text>{path}</text></category></question>\n'
        f'<question type="truefalse"><name><text>Q{n}</text></name>'
        f"<questiontext><text>Q{n}?</text></questiontext>"
        '<answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>\n'
        for n, path in enumerate(paths)
    )
    return IMPORTER.read(f"<quiz>\n{body}</quiz>".encode(), "categories.xml")


def test_a_nested_category_is_titled_by_its_whole_path() -> None:
    result = _categories("$course$/top/Iota/Kappa/Lambda", "$system$/top/Iota", "$quiz$/top/Iota")
    assert result.problems == ()
    assert result.doc is not None
    # The same path in another context is the same topic.
    assert [(t.id, t.title) for t in result.doc.topics] == [
        ("iota-kappa-lambda", "Iota / Kappa / Lambda"),
        ("iota", "Iota"),
    ]
    assert [q.topic for q in result.doc.questions] == ["iota-kappa-lambda", "iota", "iota"]


def test_categories_ending_alike_under_other_parents_stay_two_topics() -> None:
    result = _categories("$course$/top/Bio/Cells", "$course$/top/Chem/Cells", "$course$/top/Cells")
    assert result.doc is not None
    assert [(t.id, t.title) for t in result.doc.topics] == [
        ("bio-cells", "Bio / Cells"),
        ("chem-cells", "Chem / Cells"),
        ("cells", "Cells"),
    ]
    assert [q.topic for q in result.doc.questions] == ["bio-cells", "chem-cells", "cells"]


def test_a_slash_inside_a_category_name_is_kept() -> None:
    result = _categories("$course$/top/Input//Output/Disks")
    assert result.doc is not None
    assert [(t.id, t.title) for t in result.doc.topics] == [
        ("input-output-disks", "Input/Output / Disks")
    ]


def test_nested_topics_are_written_as_category_paths_and_read_back() -> None:
    result = _categories(
        "$course$/top/Iota/Kappa/Lambda", "$module$/top/Input//Output", "$course$/top/Iota"
    )
    assert result.doc is not None
    text = EXPORTER.write(result.doc).decode("utf-8")
    assert "<text>$course$/top/Iota/Kappa/Lambda</text>" in text
    assert "<text>$course$/top/Input//Output</text>" in text
    assert "<text>$course$/top/Iota</text>" in text
    back = IMPORTER.read(text.encode(), "categories.xml")
    assert back.doc is not None
    assert back.doc.topics == result.doc.topics
    assert back.doc.questions == result.doc.questions


def test_html_to_text() -> None:
    assert html_to_text("<p>A &amp; B</p>\n<p>C<br>D</p>").text == "A & B C D"
    lines = html_to_text("<p>A &amp;\n B</p><p>C<br>D</p>", lines=True)
    assert lines.text == "A & B\nC\nD"
    assert html_to_text('x <img src="a.png"> y').images == ("a.png",)


def _cloze(text: str) -> ImportResult:
    data = (
        '<quiz><question type="cloze"><name><text>C</text></name>\n'
        f'<questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>'
        "</question></quiz>"
    ).encode()
    return IMPORTER.read(data, "c.xml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{:SA:=a}", "[[a]]"),
        ("{1:MW:%100%a~%100%b~%0%c}", "[[a|b]]"),
        ("{2:SA:=a} {2:SA:=b}", "[[a]] [[b]]"),  # the same marks: no weights
        ("{1:SA:=salt &amp; pepper}", "[[salt & pepper]]"),
        ("x {1:SHORTANSWER:=a\\~b\\#c\\}d\\\\e} y", "x [[a~b#c}d\\e]] y"),
        ("<p>One</p><p>{1:SA:=two}</p>", "One\n[[two]]"),
        ("{1:SA:= spaced  out }", "[[spaced out]]"),
    ],
)
def test_cloze_gaps(text: str, expected: str) -> None:
    result = _cloze(text)
    assert result.problems == ()
    assert result.doc is not None
    assert result.doc.questions[0].spec["text"] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "no gaps here",
            "'C': the cloze text has no embedded answers; the question is not imported",
        ),
        (
            "{1:MULTIRESPONSE:=a~b}",
            "'C': gap 1 (MULTIRESPONSE) lets the learner tick several answers, which the app's "
            "cloze gaps cannot hold (a gap takes one answer); the question is not imported",
        ),
        (
            "{1:FANCY:=a~b}",
            "'C': gap 1 (FANCY) is not a kind of gap the app knows; the question is not imported",
        ),
        ("{1:MC:%50%a~b}", "'C': gap 1 has no answer worth 100%; the question is not imported"),
        (
            "{1:MC:=a}",
            "'C': gap 1 choices needs at least 2 entries, found 1; the question is not imported",
        ),
        (
            "{1:NM:=ten}",
            "'C': gap 1: the answer 'ten' is not a number; the question is not imported",
        ),
        (
            "{1:NM:=10:x}",
            "'C': gap 1: the tolerance in '10:x' is not a number; the question is not imported",
        ),
        ("{1:SA:%50%a}", "'C': gap 1 has no answer worth 100%; the question is not imported"),
    ],
)
def test_cloze_gaps_that_cannot_be_kept(text: str, message: str) -> None:
    result = _cloze(text)
    assert result.doc is not None
    assert result.doc.questions == ()
    assert result.problems == ()
    assert [(p.line, p.message) for p in result.left_out] == [(2, message)]


def test_a_question_not_imported_reports_no_changes() -> None:
    result = _cloze("{1:SA:=a~%50%b#half} {1:MR:=x~y}")
    assert [p.message for p in result.left_out] == [
        "'C': gap 2 (MR) lets the learner tick several answers, which the app's cloze gaps "
        "cannot hold (a gap takes one answer); the question is not imported"
    ]
    assert result.warnings == ()
    kept = _cloze("{1:SA:=a~%50%b}")
    assert [w.message for w in kept.warnings] == ["'C': gap 1: answer 'b' (50%) is not kept"]


def test_a_broken_question_is_left_out_and_the_others_imported() -> None:
    def truefalse(name: str, right: str) -> str:
        return (
            f'<question type="truefalse"><name><text>{name}</text></name>'
            f"<questiontext><text>{name}?</text></questiontext>"
            f'<answer fraction="{right}"><text>true</text></answer></question>\n'
        )

    data = (
        "<quiz>\n" + truefalse("A", "100") + truefalse("B", "x") + truefalse("C", "100") + "</quiz>"
    ).encode()
    result = IMPORTER.read(data, "m.xml")
    assert result.problems == ()
    assert [(p.line, p.message) for p in result.left_out] == [
        (3, "'B': the answer's fraction 'x' is not a number; the question is not imported")
    ]
    assert result.doc is not None
    assert [q.title for q in result.doc.questions] == ["A", "C"]
    assert result.ok_without_left_out


def test_a_question_with_several_faults_is_left_out_once() -> None:
    result = _cloze("{1:MRS:=x~y} {1:MR:=a~b}")
    assert len(result.left_out) == 2
    assert result.doc is not None
    assert result.doc.questions == ()


def test_sniff_prefers_files_with_a_quiz_element() -> None:
    assert IMPORTER.sniff('<?xml version="1.0"?>\n<quiz>') == 2
    assert IMPORTER.sniff("<rss>") == 1


# --- writing ---------------------------------------------------------------------------------


def _question(
    qid: str, topic: str, qtype: str, spec: dict[str, object], **more: str
) -> QuestionDoc:
    return QuestionDoc(
        id=qid,
        topic=topic,
        type=qtype,
        prompt=more.get("prompt", f"Prompt of {qid}?"),
        spec=spec,
        explanation=more.get("explanation", ""),
        source=NO_SOURCE,
        title=more.get("title", ""),
        tags=tuple(more["tags"].split()) if "tags" in more else (),
    )


EVERY_TYPE = SetDoc(
    id="every-type",
    title="every-type",
    description="",
    version="1",
    source=SourceDoc("Imported from every-type.xml", ""),
    topics=(TopicDoc("intro", "Introduction to cells"), TopicDoc("calc", "Sums / products")),
    questions=(
        _question(
            "single",
            "intro",
            "single_choice",
            {
                "choices": [
                    {"text": "A <b> & C", "correct": True, "feedback": "Yes *indeed*."},
                    {"text": "D", "feedback": "<p>No.</p>"},
                ]
            },
            prompt='<p>Look: <img src="media:pic.png"></p>',
            explanation="Because **A**.",
            title="Single",
            tags="one two",
        ),
        _question(
            "multi",
            "intro",
            "multiple_response",
            {
                "choices": [
                    {"text": "A", "correct": True},
                    {"text": "B", "correct": True},
                    {"text": "C", "correct": True},
                    {"text": "D"},
                ],
                "scoring": "partial",
            },
        ),
        _question(
            "multi-all",
            "intro",
            "multiple_response",
            {
                "choices": [{"text": "A", "correct": True}, {"text": "B"}],
                "scoring": "all_or_nothing",
            },
        ),
        _question(
            "tf",
            "intro",
            "true_false",
            {"answer": True, "feedback_true": "Right.", "feedback_false": "<em>No.</em>"},
        ),
        _question(
            "short",
            "intro",
            "short_answer",
            {"answers": ["B*C", "bc"], "match": {"case": True}},
        ),
        _question("short-plain", "calc", "short_answer", {"answers": ["x/y"]}),
        _question(
            "cloze",
            "calc",
            "cloze",
            {"text": "Two {and} [[two|2]]\nmake #[[four~ish|4]] / [[a*b]]."},
            # A cloze prompt of images alone leads the Moodle text and comes back as it was.
            prompt='<img src="media:pic.png">',
        ),
        _question(
            "numeric",
            "calc",
            "numeric",
            {"answer": 1.5, "tolerance": 0.25, "unit": "kg"},
        ),
        _question("numeric-exact", "calc", "numeric", {"answer": -3.0, "tolerance": 0.0}),
        _question(
            "match",
            "calc",
            "matching",
            {
                "pairs": [{"left": "1 < 2", "right": "true"}, {"left": "2 < 1", "right": "false"}],
                "distractors": ["maybe"],
            },
        ),
        _question(
            "match-plain",
            "calc",
            "matching",
            {"pairs": [{"left": "a", "right": "b"}, {"left": "c", "right": "d"}]},
        ),
        _question(
            "order",
            "calc",
            "ordering",
            {"items": ["first & foremost", "second", "third"], "scoring": "partial"},
        ),
        _question(
            "order-all",
            "calc",
            "ordering",
            {"items": ["one", "two"], "scoring": "all_or_nothing"},
        ),
    ),
)


def _same(left: SetDoc, right: SetDoc) -> None:
    assert [dataclasses.replace(t, line=0) for t in left.topics] == list(right.topics)
    assert list(left.questions) == list(right.questions)


def test_every_type_survives_a_round_trip_with_its_image() -> None:
    exported = EXPORTER.export(EVERY_TYPE, {"pic.png": PNG})
    assert exported.skipped == ()
    assert exported.warnings == ()
    back = IMPORTER.read(exported.data, "every-type.xml")
    assert back.problems == ()
    assert back.warnings == ()
    assert back.doc is not None
    _same(back.doc, EVERY_TYPE)
    assert [(m.name, m.data) for m in back.media] == [("pic.png", PNG)]


def test_the_written_file_is_moodle_xml() -> None:
    text = EXPORTER.write(EVERY_TYPE).decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n')
    assert "<text>$course$/top/Sums/products</text>" in text
    assert '<question type="multichoiceset">' in text
    assert '<answer fraction="33.3333333" format="html">' in text
    assert '<answer fraction="-33.3333333" format="html">' in text
    # The cloze text is HTML (escaped again as XML text), the gaps Moodle's embedded answers.
    assert (
        '<text>&lt;img src="@@PLUGINFILE@@/pic.png"&gt;&lt;br&gt;'
        "Two {and} {1:SHORTANSWER:=two~=2}&lt;br&gt;"
        "make #{1:SHORTANSWER:=four\\~ish~=4} / {1:SHORTANSWER:=a\\*b}.</text>"
    ) in text
    assert "<gradingtype>LONGEST_ORDERED_SUBSET</gradingtype>" in text
    assert "<unit_name>kg</unit_name>" in text
    assert "<text>B\\*C</text>" in text
    assert '<questiontext format="markdown">' in text
    assert EXPORTER.extension == ".xml"


def test_the_fixture_survives_a_round_trip(result: ImportResult) -> None:
    assert result.doc is not None
    media = {m.name: m.data for m in result.media}
    exported = EXPORTER.export(result.doc, media)
    assert exported.warnings == ()
    back = IMPORTER.read(exported.data, "moodle-all.xml")
    assert back.problems == ()
    assert back.warnings == ()
    assert back.doc is not None
    _same(back.doc, dataclasses.replace(result.doc, topics=result.doc.topics))
    assert back.media == result.media


def test_what_moodle_cannot_hold_is_reported_when_writing() -> None:
    doc = dataclasses.replace(
        EVERY_TYPE,
        questions=(
            _question("rng", "calc", "numeric", {"range": [1, 3], "answer": 2}),
            _question("fuzzy", "calc", "short_answer", {"answers": ["x"], "match": {"typos": 0}}),
            _question("gap", "calc", "cloze", {"text": "[[a]]"}, prompt="Fill in."),
            _question("img", "calc", "true_false", {"answer": True}, prompt="media:gone.png"),
            _question("odd", "calc", "essay", {}),
        ),
    )
    exported = EXPORTER.export(doc)
    assert [p.message for p in exported.warnings] == [
        "question 'rng': the range [1, 3] is written as 2 ± 1",
        "question 'fuzzy': match options (typos: 0) have no Moodle form: Moodle compares exactly",
        "question 'gap': the prompt is not written: a Moodle cloze question is its text alone",
        "question 'img': the image 'gone.png' is not embedded: the exporter was not given it",
    ]
    assert [p.message for p in exported.skipped] == [
        "question 'odd': type 'essay' has no Moodle form"
    ]
    back = IMPORTER.read(exported.data, "x.xml")
    assert back.doc is not None
    assert back.doc.questions[0].spec == {"answer": 2.0, "tolerance": 1.0}


def test_read_never_raises_on_damaged_files() -> None:
    """Lines dropped or swapped and characters changed give problems, never an exception."""
    chance = random.Random(20_241_125)
    lines = ALL.read_bytes().split(b"\n")
    outcomes = set()
    for turn in range(300):
        damaged = list(lines)
        if turn % 2:
            for _ in range(chance.randint(1, 4)):
                del damaged[chance.randrange(len(damaged))]
            data = b"\n".join(damaged)
        else:
            raw = bytearray(b"\n".join(damaged))
            for _ in range(chance.randint(1, 5)):
                raw[chance.randrange(len(raw))] = chance.choice(b"<>&/\"'{}~=#%:\\x0-.*")
            data = bytes(raw)
        result = IMPORTER.read(data, "damaged.xml")
        assert isinstance(result, ImportResult)
        outcomes.add(result.doc is None)
        if result.doc is not None:
            assert isinstance(EXPORTER.export(result.doc).data, bytes)
    assert outcomes == {True, False}  # both refused and (partly) read files were met


# --- a question exported alone, and Moodle 1.9's pictures --------------------------------------

LONE_QUESTION = b"""<?xml version="1.0" encoding="UTF-8"?>
<question type="truefalse">
  <name><text>Alone</text></name>
  <questiontext format="html"><text>Is a question exported alone read?</text></questiontext>
  <answer fraction="100"><text>true</text></answer>
  <answer fraction="0"><text>false</text></answer>
</question>
"""


def test_a_question_exported_alone_is_read_like_a_quiz_holding_it() -> None:
    result = IMPORTER.read(LONE_QUESTION, "alone.xml")
    assert (result.problems, result.left_out, result.warnings) == ((), (), ())
    assert result.doc is not None
    (question,) = result.doc.questions
    assert (question.line, question.type, question.title, question.prompt) == (
        2,
        "true_false",
        "Alone",
        "Is a question exported alone read?",
    )
    assert dict(question.spec) == {"answer": True}
    assert IMPORTER.sniff(LONE_QUESTION.decode()) == 2


def _moodle_19(picture: str) -> bytes:
    return (
        '<quiz>\n<question type="multichoice">\n<name><text>Cell</text></name>\n'
        '<questiontext format="html"><text>Which cell is shown?</text></questiontext>\n'
        f"{picture}\n<single>true</single>\n"
        '<answer fraction="100"><text>Plasma cell</text></answer>\n'
        '<answer fraction="0"><text>T cell</text></answer>\n</question>\n</quiz>'
    ).encode()


def test_a_moodle_19_picture_is_kept_and_shown_after_the_question_text() -> None:
    encoded = base64.b64encode(PNG).decode()
    data = _moodle_19(
        f"<image>pics/plasma cell.png</image>\n<image_base64>{encoded}</image_base64>"
    )
    result = IMPORTER.read(data, "old.xml")
    assert (result.problems, result.left_out, result.warnings) == ((), (), ())
    assert [(m.name, m.content_type, m.data) for m in result.media] == [
        ("pics_plasma_cell.png", "image/png", PNG)
    ]
    assert result.doc is not None
    assert result.doc.questions[0].prompt == (
        'Which cell is shown? <img src="media:pics_plasma_cell.png" alt="">'
    )
    assert validate_imported(result.doc) == []


def test_a_moodle_19_picture_without_a_name_is_named_by_its_bytes() -> None:
    data = _moodle_19(f"<image_base64>{base64.b64encode(PNG).decode()}</image_base64>")
    result = IMPORTER.read(data, "old.xml")
    assert [m.name for m in result.media] == ["image.png"]
    assert result.doc is not None
    assert result.doc.questions[0].prompt.endswith('<img src="media:image.png" alt="">')


def test_a_moodle_19_picture_the_file_does_not_carry_is_reported() -> None:
    result = IMPORTER.read(_moodle_19("<image>pics/cell.png</image>"), "old.xml")
    assert result.media == ()
    assert messages(result.warnings) == [
        "old.xml:5: 'Cell': the picture 'pics/cell.png' is left out: the file names it on the "
        "Moodle server it came from but does not carry it (<image_base64>)"
    ]
    assert result.doc is not None
    assert result.doc.questions[0].prompt == "Which cell is shown?"


def test_a_moodle_19_picture_that_is_not_base64_is_reported() -> None:
    data = _moodle_19("<image>cell.png</image><image_base64>not base64!</image_base64>")
    result = IMPORTER.read(data, "old.xml")
    assert result.media == ()
    assert messages(result.warnings) == [
        "old.xml:5: 'Cell': the file 'cell.png' is not valid base64: left out"
    ]


# --- Partial credit: Moodle's fractions kept as credits, and written back ----------------------


def _answer(fraction: str, text: str, feedback: str = "", more: str = "") -> str:
    said = f"<feedback><text>{feedback}</text></feedback>" if feedback else ""
    return f'<answer fraction="{fraction}"><text>{text}</text>{said}{more}</answer>'


def _moodle(*questions: tuple[str, str, str]) -> bytes:
    """A quiz of questions given as (Moodle type, name, what follows the question text)."""
    body = "".join(
        f'<question type="{qtype}"><name><text>{name}</text></name>'
        f"<questiontext><text>{name}?</text></questiontext>{rest}</question>\n"
        for qtype, name, rest in questions
    )
    return f"<quiz>\n{body}</quiz>\n".encode()


PARTIAL_XML = _moodle(
    (
        "multichoice",
        "Capital",
        "<single>true</single>"
        + _answer("100", "Paris")
        + _answer("50", "Lyon", "Close.")
        + _answer("0", "Nice"),
    ),
    (
        "multichoice",
        "Primes",
        "<single>false</single>"
        + _answer("70", "2")
        + _answer("30", "3")
        + _answer("-50", "4", "2 x 2.")
        + _answer("0", "9"),
    ),
    (
        "shortanswer",
        "Powerhouse",
        _answer("100", "mitochondria")
        + _answer("25", "chloroplast", "Plants.")
        + _answer("0", "*", "Think of energy."),
    ),
    (
        "numerical",
        "Days",
        _answer("100", "10", more="<tolerance>1</tolerance>")
        + _answer("50", "12", "Close.", "<tolerance>1</tolerance>")
        + _answer("25", "25", more="<tolerance>5</tolerance>")
        + _answer("0", "*", "About ten."),
    ),
)
PARTIAL_SPECS: list[tuple[str, dict[str, object]]] = [
    (
        "single_choice",
        {
            "choices": [
                {"text": "Paris", "correct": True},
                {"text": "Lyon", "credit": 0.5, "feedback": "Close."},
                {"text": "Nice"},
            ]
        },
    ),
    (
        "multiple_response",
        {
            "choices": [
                {"text": "2", "correct": True, "credit": 0.7},
                {"text": "3", "correct": True, "credit": 0.3},
                {"text": "4", "credit": -0.5, "feedback": "2 x 2."},
                {"text": "9"},
            ],
            "scoring": "partial",
        },
    ),
    (
        "short_answer",
        {
            "answers": ["mitochondria"],
            "partial": [{"text": "chloroplast", "credit": 0.25, "feedback": "Plants."}],
            "otherwise": "Think of energy.",
        },
    ),
    (
        "numeric",
        {
            "answer": 10,
            "tolerance": 1,
            "partial": [
                {"answer": 12, "tolerance": 1, "credit": 0.5, "feedback": "Close."},
                {"answer": 25, "tolerance": 5, "credit": 0.25},
            ],
            "otherwise": "About ten.",
        },
    ),
]


def test_partial_credit_is_read_as_credits() -> None:
    result = IMPORTER.read(PARTIAL_XML, "partial.xml")
    assert (result.problems, result.left_out, result.warnings) == ((), (), ())
    assert result.doc is not None
    assert [(q.type, dict(q.spec)) for q in result.doc.questions] == PARTIAL_SPECS
    assert validate_imported(result.doc) == []


def test_partial_credit_is_written_as_moodle_fractions() -> None:
    doc = IMPORTER.read(PARTIAL_XML, "partial.xml").doc
    assert doc is not None
    exported = EXPORTER.export(doc)
    assert (exported.skipped, exported.warnings) == ((), ())
    answers = [
        [
            (
                answer.get("fraction"),
                answer.findtext("text"),
                answer.findtext("feedback/text") or "",
                answer.findtext("tolerance"),
            )
            for answer in question.iter("answer")
        ]
        for question in ET.fromstring(exported.data).iter("question")
        if question.get("type") != "category"
    ]
    assert answers == [
        [("100", "Paris", "", None), ("50", "Lyon", "Close.", None), ("0", "Nice", "", None)],
        [
            ("70", "2", "", None),
            ("30", "3", "", None),
            ("-50", "4", "2 x 2.", None),
            ("0", "9", "", None),
        ],
        [
            ("100", "mitochondria", "", None),
            ("25", "chloroplast", "Plants.", None),
            ("0", "*", "Think of energy.", None),
        ],
        [
            ("100", "10", "", "1"),
            ("50", "12", "Close.", "1"),
            ("25", "25", "", "5"),
            ("0", "*", "About ten.", "0"),
        ],
    ]
    back = IMPORTER.read(exported.data, "back.xml")
    assert (back.problems, back.warnings) == ((), ())
    assert back.doc is not None
    assert [(q.type, dict(q.spec)) for q in back.doc.questions] == PARTIAL_SPECS


def test_partial_credit_that_cannot_be_kept_is_a_warning() -> None:
    data = _moodle(
        (
            "multichoice",
            "Negative",
            "<single>true</single>" + _answer("100", "a") + _answer("-50", "b"),
        ),
        (
            "multichoice",
            "Short of 100",
            "<single>false</single>"
            + _answer("25", "a")
            + _answer("25", "b")
            + _answer("-50", "c"),
        ),
        ("shortanswer", "Star", _answer("100", "a") + _answer("50", "*", "Any.")),
        ("shortanswer", "Minus", _answer("100", "a") + _answer("-50", "b")),
        ("numerical", "Minus number", _answer("100", "1") + _answer("-50", "2")),
        ("truefalse", "Half", _answer("100", "true") + _answer("50", "false")),
    )
    result = IMPORTER.read(data, "t.xml")
    assert result.doc is not None
    assert [dict(q.spec) for q in result.doc.questions] == [
        {"choices": [{"text": "a", "correct": True}, {"text": "b"}]},
        {
            "choices": [
                {"text": "a", "correct": True, "credit": 0.5},
                {"text": "b", "correct": True, "credit": 0.5},
                {"text": "c", "credit": -0.5},
            ],
            "scoring": "partial",
        },
        {"answers": ["a"], "otherwise": "Any."},
        {"answers": ["a"]},
        {"answer": 1.0, "tolerance": 0.0},
        {"answer": True},
    ]
    assert [w.message for w in result.warnings] == [
        "'Negative': choice 'b' took away 50% in Moodle; in the app it is simply wrong",
        "'Short of 100': the right choices' fractions add up to 50%, not 100%: each is taken "
        "as its share of them (so that all of them together earn full marks)",
        "'Star': any other answer ('*') is worth 50% in Moodle; in the app it earns nothing "
        "(its feedback is kept)",
        "'Minus': answer 'b' (-50%) is not kept: the app has no negative credit or wrong "
        "answers with feedback for short answers",
        "'Minus number': answer 2 (-50%) is not kept: the app has no negative credit or wrong "
        "numbers with feedback",
        "'Half': answer 'false' is worth 50% in Moodle; in the app a true/false answer is "
        "right or wrong",
    ]
    assert validate_imported(result.doc) == []


def test_a_range_is_written_without_float_noise() -> None:
    """Issue 13: [3.1415, 3.1425] was written as 3.1420000000000003 ± 0.0004999999999999449."""
    from quizapp.bank.model import QuestionDoc, SetDoc, SourceDoc, SourceRef, TopicDoc

    question = QuestionDoc(
        id="pi",
        topic="t",
        type="numeric",
        prompt="Pi to three decimals?",
        spec={"range": [3.1415, 3.1425]},
        explanation="",
        source=SourceRef("", ""),
    )
    doc = SetDoc("s", "S", "", "1", SourceDoc("", ""), (TopicDoc("t", "T"),), (question,))
    data = EXPORTER.export(doc).data.decode()
    assert "<text>3.142</text>" in data
    assert "<tolerance>0.0005</tolerance>" in data
