"""Anki's text export: headers, Basic and Cloze notes, decks, tags and guids."""

from __future__ import annotations

import hashlib

import pytest

from quizapp.bank.model import QuestionDoc, SourceRef
from quizapp.formats import importer_for
from quizapp.formats.anki_text import IMPORTER, read_header
from quizapp.formats.report import Report
from tests.formats.support import messages, read_fixture, validate_imported

NONE = SourceRef("", "")


def test_notes_become_questions() -> None:
    result = read_fixture("anki_text", "anki-notes.txt")
    assert result.doc is not None
    assert [(t.id, t.title) for t in result.doc.topics] == [
        ("biology-cells", "Biology / Cells"),
        ("biology", "Biology"),
    ]
    assert [(q.line, q) for q in result.doc.questions] == [
        (7, QuestionDoc("anki-10291f44d016", "biology-cells", "short_answer",
                        "What does <b>ATP</b> stand for?",
                        {"answers": ["Adenosine triphosphate"]}, "", NONE,
                        tags=("bio", "energy"))),
        (8, QuestionDoc("anki-3fcb585f6d2f", "biology-cells", "short_answer",
                        "Powerhouse of the cell?", {"answers": ["the mitochondrion"]}, "", NONE,
                        tags=("bio",))),
        (9, QuestionDoc("anki-8dfaa5fa377f-c1", "biology", "cloze", "",
                        {"text": "[[Paris]] (hint: a city) is the capital of France; [[Paris]] "
                                 "is on the Seine."},
                        "<i>Back extra</i> becomes the explanation.", NONE, tags=("geo",))),
        (9, QuestionDoc("anki-8dfaa5fa377f-c2", "biology", "cloze", "",
                        {"text": "Paris is the capital of [[France]]; Paris is on the Seine."},
                        "<i>Back extra</i> becomes the explanation.", NONE, tags=("geo",))),
        (10, QuestionDoc("anki-4bd77cffb0da", "biology", "cloze", "",
                         {"text": 'A note over\n[[two]] lines, with a "quote"'}, "", NONE)),
        (13, QuestionDoc("anki-e7863eec1ecc", "biology", "short_answer",
                         "Is <script>alert(1)</script> kept?", {"answers": ["yes"]}, "", NONE)),
    ]  # fmt: skip
    assert validate_imported(result.doc) == []


def test_guids_that_differ_by_case_give_different_ids() -> None:
    doc = read_fixture("anki_text", "anki-notes.txt").doc
    assert doc is not None
    assert doc.questions[0].id != doc.questions[1].id


def test_unsupported_note_types_are_left_out_and_hints_reported_at_their_line() -> None:
    result = read_fixture("anki_text", "anki-notes.txt")
    assert result.problems == ()
    assert messages(result.left_out) == [
        "anki-notes.txt:12: note type 'Image Occlusion' is not supported (only Basic and Cloze "
        "notes): '<img src=\"cell.png\">'"
    ]
    assert messages(result.warnings) == [
        "anki-notes.txt:9: the hint 'a city' is written after its gap, as '(hint: a city)': "
        "the app's gaps have no hints"
    ]


def test_a_file_without_headers_guesses_tabs_and_note_types() -> None:
    result = read_fixture("anki_text", "anki-plain.txt")
    assert result.problems == ()
    assert result.doc is not None
    assert [(q.line, q.type, q.prompt, dict(q.spec)) for q in result.doc.questions] == [
        (1, "short_answer", "<i>Kiwi</i>", {"answers": ["A bird"]}),
        (2, "cloze", "", {"text": "What is [[H2O]]?"}),
    ]


def test_header_defaults_and_broken_cloze_notes() -> None:
    result = read_fixture("anki_text", "anki-cloze.txt")
    assert result.problems == ()
    assert messages(result.left_out) == [
        "anki-cloze.txt:8: a cloze deletion '{{c1::' is not closed by '}}': '{{c1::broken cloze'",
        "anki-cloze.txt:9: a Cloze note without any {{c1::...}} deletion: 'No deletion at all'",
        "anki-cloze.txt:10: cloze answer '' is empty or holds '|', '[[' or ']]': "
        "'empty {{c1::}} gap'",
        "anki-cloze.txt:11: nested cloze deletions are not supported: "
        "'{{c1::a {{c2::nested}} one}}'",
    ]
    assert result.doc is not None
    assert [
        (q.line, q.topic, q.spec, q.explanation, q.tags) for q in result.doc.questions
    ] == [
        (7, "chemistry-water", {"text": "[[Two]] hydrogen atoms and one oxygen atom"}, "H2O",
         ("water", "chem")),
        (7, "chemistry-water", {"text": "Two hydrogen atoms and [[one]] oxygen atom"}, "H2O",
         ("water", "chem")),
    ]  # fmt: skip
    # Without a guid, each card's id is made from its own text: two, not one.
    assert len({q.id for q in result.doc.questions}) == 2


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("#separator:tab\n#deck column:x\nA\tB\n",
         "t.txt:2: #deck column: 'x' is not a column number (1, 2, ...)"),
        ("#separator:ab\nA\tB\n", "t.txt:1: #separator: 'ab' is not a separator"),
        ("#separator:tab\n#html:true\n", "t.txt:3: the file holds no notes"),
        ('#separator:comma\n"unclosed,quote\n', None),
        ('#separator:comma\nA,B\n"unclosed,quote\nC,D\n',
         "t.txt:3: not a valid note: a '\"' opens a field that is never closed"),
    ],
)  # fmt: skip
def test_each_mistake(text: str, problem: str | None) -> None:
    result = IMPORTER.read(text.encode(), "t.txt")
    if problem is None:
        assert result.problems
    else:
        assert problem in messages(result.problems)


def test_a_note_that_cannot_be_imported_is_left_out_and_the_others_imported() -> None:
    text = "#separator:tab\nOne\tfirst\nFront only\nThree\tthird\n"
    result = IMPORTER.read(text.encode(), "t.txt")
    assert result.problems == ()
    assert messages(result.left_out) == ["t.txt:3: a Basic note needs a front and a back"]
    assert result.doc is not None
    assert [(q.line, q.prompt) for q in result.doc.questions] == [(2, "One"), (4, "Three")]
    assert result.ok_without_left_out


def test_a_file_of_notes_left_out_only_is_not_also_empty() -> None:
    result = IMPORTER.read(b"#separator:tab\nFront only\n", "t.txt")
    assert result.problems == ()
    assert messages(result.left_out) == ["t.txt:2: a Basic note needs a front and a back"]
    assert result.doc is not None
    assert not result.ok_without_left_out


def test_header_lines() -> None:
    report = Report("t.txt")
    header = read_header(
        [
            "#separator:semicolon",
            "#html:false",
            "#columns:Front;Back;GUID;Tags",
            "#tags:one two",
            "#colour:red",
            "A;B;g;t",
        ],
        report,
    )
    assert (header.separator, header.html, header.columns, header.tags, header.lines) == (
        ";",
        False,
        ["Front", "Back", "GUID", "Tags"],
        ["one", "two"],
        5,
    )
    assert messages(report.warnings) == ["t.txt:5: unknown header '#colour:' is ignored"]


def test_columns_header_names_the_special_columns() -> None:
    text = "#separator:comma\n#html:false\n#columns:Front,Back,Tags,Deck\nQ?,<b>A</b>,t1 t2,D::E\n"
    result = IMPORTER.read(text.encode(), "t.txt")
    assert result.problems == ()
    assert result.doc is not None
    (question,) = result.doc.questions
    # with #html:false the back is plain text: nothing is stripped
    assert (question.spec, question.tags, question.topic) == (
        {"answers": ["<b>A</b>"]},
        ("t1", "t2"),
        "d-e",
    )
    assert [t.title for t in result.doc.topics] == ["D / E"]


def test_extra_fields_are_warned_about() -> None:
    result = IMPORTER.read(b"#separator:tab\n#notetype:Basic\nQ\tA\tmore\n", "t.txt")
    assert messages(result.warnings) == ["t.txt:3: fields after the first 2 are dropped: 'Q'"]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        # Plain notes, no header: recognised before GIFT, whose marks a note may hold.
        (b"# exported by hand\n::Q:: {=a}\tanswer\nSecond\tB\n", "anki_text"),
        (b"Capital of France?\tParis\n$CATEGORY: x\tcategory\n", "anki_text"),
        (b"# only a comment\nQ;A\nR;B\n", "anki_text"),
        (b"Q; with {=a ~b}\nR; {=c ~d}\n", "gift"),  # GIFT's marks win over semicolons
        (b"Q\nA. a; b\nB. c\nANSWER: A\n", "aiken"),  # semicolons on some lines only
        (b"\t::Q:: {=a}\n\t::R:: {T}\n", "gift"),  # tabs that only indent
    ],
)
def test_plain_anki_text_is_recognised_before_gift(content: bytes, name: str) -> None:
    chosen = importer_for("notes.txt", content)
    assert chosen is not None
    assert chosen.name == name


def test_comment_lines_are_skipped_and_semicolons_guessed() -> None:
    data = b'# notes for the test\nWhat is "H2O"?;Water\n# "a quote that never closes\nKiwi;bird\n'
    result = IMPORTER.read(data, "notes.txt")
    assert result.problems == result.left_out == ()
    assert result.doc is not None
    assert [(q.line, q.prompt, q.spec) for q in result.doc.questions] == [
        (2, 'What is "H2O"?', {"answers": ["Water"]}),
        (4, "Kiwi", {"answers": ["bird"]}),
    ]


def test_cloze_cards_and_hints_as_the_package_reader_gives_them() -> None:
    text = (
        "#separator:tab\n#notetype:Cloze\n#guid column:1\n"
        "one\t{{c1::Rome::a city}} and {{c1::Milan}} are in Italy\t\n"
        "two\t{{c2::Bern::a|b}} is in {{c1::Switzerland::a country}}\t\n"
    )
    result = IMPORTER.read(text.encode(), "t.txt")
    assert result.problems == ()
    assert result.left_out == ()
    assert result.doc is not None
    digest = "anki-" + hashlib.sha256(b"two").hexdigest()[:12]
    assert [(q.id, q.spec["text"]) for q in result.doc.questions] == [
        # One card number: one question, the note's id.
        ("anki-" + hashlib.sha256(b"one").hexdigest()[:12],
         "[[Rome]] (hint: a city) and [[Milan]] are in Italy"),
        # Card 1 hides c1 and shows c2's answer; card 2 the other way round.
        (digest + "-c1", "Bern is in [[Switzerland]] (hint: a country)"),
        (digest + "-c2", "[[Bern]] is in Switzerland"),  # a hint holding '|' would break it
    ]  # fmt: skip
    assert messages(result.warnings) == [
        "t.txt:4: the hint 'a city' is written after its gap, as '(hint: a city)': the app's "
        "gaps have no hints",
        "t.txt:5: the hint 'a|b' is not kept: it holds '[[', ']]' or '|'",
        "t.txt:5: the hint 'a country' is written after its gap, as '(hint: a country)': the "
        "app's gaps have no hints",
    ]
    assert validate_imported(result.doc) == []


def test_a_card_number_too_long_for_a_number_is_text_not_a_crash() -> None:
    huge = "9" * 5000  # int() refuses more than 4300 digits
    text = f"#separator:tab\n#notetype:Cloze\n{{{{c{huge}::x}}}} and {{{{c2::y}}}}\t\n"
    result = IMPORTER.read(text.encode(), "t.txt")
    assert result.doc is not None
    (question,) = result.doc.questions
    assert question.spec["text"] == f"{{{{c{huge}::x}}}} and [[y]]"
