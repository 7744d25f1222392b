"""CSV and .xlsx: the documented columns for all eight types, rows left out, export."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from quizapp.bank.model import QuestionDoc, SetDoc, SourceRef
from quizapp.bank.yamlformat import parse_set
from quizapp.formats import xlsx
from quizapp.formats.cells import (
    escape_item,
    join_list,
    read_match,
    read_numeric,
    split_list,
    unescape_item,
    write_numeric,
)
from quizapp.formats.csv_format import EXPORTER, IMPORTER
from quizapp.formats.textfile import unclosed_quote
from quizapp.formats.xlsx import IMPORTER as XLSX
from tests.formats.support import FIXTURES, messages, read_fixture, validate_imported

README = Path(__file__).resolve().parents[2] / "questions" / "README.md"
NO_SOURCE = SourceRef("", "")

# row (a record: the cloze's cell runs over two lines and is still row 7), id, topic, type,
# title, prompt, spec, explanation, tags, source
QUESTIONS: list[tuple[int, str, str, str, str, str, dict[str, Any], str, tuple[str, ...],
                      SourceRef]] = [
    (2, "capital", "geography", "single_choice", "Capital", "What is the capital of France?",
     {"choices": [{"text": "Paris", "correct": True, "feedback": "Right."},
                  {"text": "London", "feedback": "No, England's."}, {"text": "Berlin"}]},
     "Paris is the capital.", ("geo", "easy"), NO_SOURCE),
    (3, "pipes", "geography", "single_choice", "", "Which is written with a pipe?",
     {"choices": [{"text": "a | b", "correct": True}, {"text": "*starred"}, {"text": "plain"}]},
     "A pipe is escaped as \\|.", (), NO_SOURCE),
    (4, "signs", "med", "multiple_response", "", "Which are signs of myeloma?",
     {"choices": [{"text": "Hypercalcemia", "correct": True}, {"text": "Anemia", "correct": True},
                  {"text": "Rash", "feedback": "Not a sign."}], "scoring": "all_or_nothing"},
     "Hypercalcemia and anemia.", (),
     SourceRef("Introduction", "Its typical signs are hypercalcemia and anemia.")),
    (5, "sun", "med", "true_false", "", "The sun is a star.",
     {"answer": True, "feedback_true": "Right.", "feedback_false": "No: it is."},
     "It is a star.", (), NO_SOURCE),
    (6, "target", "med", "short_answer", "", "Which antigen is the main target?",
     {"answers": ["BCMA", "B cell maturation antigen"], "match": {"case": True, "typos": 0}},
     "BCMA.", (), NO_SOURCE),
    (7, "cloze", "med", "cloze", "", "",
     {"text": "A patient's own T cells are first [[extracted]], then\n"
              "[[engineered|genetically engineered]].", "match": {"punctuation": True}},
     "Extracted then engineered.", (), NO_SOURCE),
    (8, "abbrev", "med", "matching", "", "Match each abbreviation.",
     {"pairs": [{"left": "MM", "right": "Multiple myeloma"},
                {"left": "CAR", "right": "Chimeric antigen receptor"}],
      "distractors": ["Bone cell marrow antibody"]},
     "Spelled out in the text.", (), NO_SOURCE),
    (9, "steps", "med", "ordering", "", "Put the steps in order.",
     {"items": ["Extract", "Engineer", "Amplify", "Infuse"], "scoring": "partial"},
     "In this order.", (), NO_SOURCE),
    (10, "karmma", "med", "numeric", "", "What percentage responded?",
     {"answer": 73, "tolerance": 0, "unit": "%"}, "73% responded.", (), NO_SOURCE),
    (11, "decimal", "numbers", "numeric", "", "Half of three?",
     {"answer": 1.5, "tolerance": 0.1}, "It is 1.5.", (), NO_SOURCE),
    (12, "range", "numbers", "numeric", "", "A number between 70 and 75?",
     {"range": [70, 75]}, "Any of them.", (), NO_SOURCE),
    (13, "both", "numbers", "numeric", "", "About 73?",
     {"answer": 73, "range": [70, 75]}, "73 or near.", (), NO_SOURCE),
    (14, "script", "numbers", "true_false", "", "Is <script>alert(1)</script> kept as text?",
     {"answer": True}, "It is: the web layer sanitises it.", (), NO_SOURCE),
]  # fmt: skip


def expected(row: tuple[Any, ...]) -> QuestionDoc:
    _, qid, topic, qtype, title, prompt, spec, explanation, tags, source = row
    return QuestionDoc(qid, topic, qtype, prompt, spec, explanation, source, title, tags)


@pytest.fixture(scope="module")
def imported() -> SetDoc:
    result = read_fixture("csv", "questions.csv")
    assert result.problems == ()
    assert result.doc is not None
    return result.doc


def test_the_csv_fixture_has_every_type(imported: SetDoc) -> None:
    assert {q.type for q in imported.questions} == {
        "single_choice",
        "multiple_response",
        "true_false",
        "short_answer",
        "cloze",
        "matching",
        "ordering",
        "numeric",
    }
    assert [(t.id, t.title) for t in imported.topics] == [
        ("geography", "Geography"),
        ("med", "Medicine"),
        ("numbers", "Numbers"),
    ]


@pytest.mark.parametrize("row", QUESTIONS, ids=[r[1] for r in QUESTIONS])
def test_each_row_becomes_its_question(imported: SetDoc, row: tuple[Any, ...]) -> None:
    question = next(q for q in imported.questions if q.id == row[1])
    assert question == expected(row)
    assert question.line == row[0]


def test_the_csv_fixture_passes_the_validator(imported: SetDoc) -> None:
    assert validate_imported(imported) == []


def test_a_topic_cell_is_its_title_as_written() -> None:
    data = (
        "type,prompt,answer,topic\n"
        "true_false,A?,true,Bio / Cells\n"
        "true_false,B?,true,Chem / Cells\n"
        "true_false,C?,true,Input/Output\n"
        "true_false,D?,true,Bio  /  Cells\n"
    )
    doc = IMPORTER.read(data.encode(), "t.csv").doc
    assert doc is not None
    # " / " separates the levels of a nested topic (as on the home page); "/" alone does not.
    assert [(t.id, t.title) for t in doc.topics] == [
        ("bio-cells", "Bio / Cells"),
        ("chem-cells", "Chem / Cells"),
        ("input-output", "Input/Output"),
    ]
    assert [q.topic for q in doc.questions] == [
        "bio-cells",
        "chem-cells",
        "input-output",
        "bio-cells",
    ]


def _readme_block(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


def _readme_yaml_questions() -> tuple[QuestionDoc, ...]:
    header, *questions = _readme_block("yaml")
    body = "".join("".join(f"  {line}" for line in q.splitlines(True)) for q in questions)
    doc = parse_set(header + body).doc
    assert doc is not None
    return doc.questions


def test_the_readme_csv_example_is_the_readme_yaml_example() -> None:
    (example,) = _readme_block("csv")
    result = IMPORTER.read(example.encode(), "README.csv")
    assert result.problems == ()
    assert result.doc is not None
    assert result.doc.questions == _readme_yaml_questions()
    assert [(t.id, t.title) for t in result.doc.topics] == [
        ("introduction", "Introduction"),
        ("principle", "The principle of CAR-T"),
        ("products", "Products and results"),
    ]


BROKEN = [
    "broken.csv:2: no choice is marked right: put * before the right one, e.g. *Paris",
    "broken.csv:3: unknown type 'singel_choice' (types: single_choice, multiple_response, "
    "true_false, short_answer, cloze, matching, ordering, numeric)",
    "broken.csv:4: answer 'about three' is not a number, a number ± tolerance, or a range such "
    "as 70..75",
    "broken.csv:5: answer must be true or false, not 'maybe'",
    "broken.csv:6: feedback 'Nice.' goes with a right answer, which has none: give feedback to "
    "partly right answers and to * (any other answer)",
    "broken.csv:7: answer is empty: list the accepted answers separated by |",
    "broken.csv:8: 3 feedbacks for 2 choices",
    "broken.csv:9: choices has no pairs: write left -> right | left -> right",
    "broken.csv:10: answer is empty: write the text with its gaps as [[answer]]",
    "broken.csv:11: choices is empty: list the items in the right order, separated by |",
    "broken.csv:12: feedback of a true/false question: the one for 'true' | the one for 'false'",
    "broken.csv:14: the row has more cells than the header has columns",
    "broken.csv:15: type is missing (types: single_choice, multiple_response, true_false, "
    "short_answer, cloze, matching, ordering, numeric)",
]


def test_broken_csv_leaves_out_every_broken_row_with_its_number() -> None:
    result = read_fixture("csv", "broken.csv")
    assert result.problems == ()
    assert messages(result.left_out) == BROKEN
    assert result.doc is not None
    # Row l would be fine but for its extra cell: it is left out too.
    assert result.doc.questions == ()
    assert not result.ok_without_left_out


def test_an_unknown_column_is_reported_and_nothing_read() -> None:
    result = read_fixture("csv", "unknown-column.csv")
    columns = (
        "id, topic, topic_id, type, title, prompt, choices, answer, feedback, scoring, match, "
        "unit, explanation, tags, source_section, source_quote"
    )
    assert messages(result.problems) == [
        f"unknown-column.csv:1: unknown column 'promt' (columns: {columns})",
        f"unknown-column.csv:1: unknown column 'colour' (columns: {columns})",
        "unknown-column.csv:1: the header has no column 'prompt'",
    ]
    assert result.doc is not None
    assert result.doc.questions == ()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "t.csv:1: the file is empty: it needs a header row and question rows"),
        (b"type,prompt\n", "t.csv:2: the file has a header but no questions"),
        (b"type,Type,prompt\n", "t.csv:1: column 'type' is given twice"),
        (b"type,prompt\nnumeric,Q\xe9?\n",
         "t.csv:2: not UTF-8 text (byte 0xe9 at column 10): save the file as UTF-8"),
        (b"type,prompt,answer\ntrue_false,Q,true\ntrue_false,\"R,true\ntrue_false,S,false\n",
         "t.csv:3: not valid CSV: a '\"' opens a cell that is never closed"),
    ],
)  # fmt: skip
def test_file_level_problems(data: bytes, problem: str) -> None:
    assert problem in messages(IMPORTER.read(data, "t.csv").problems)


def test_a_bad_match_cell_leaves_the_row_out() -> None:
    data = b"type,prompt,answer,match\nshort_answer,Q,a,case=maybe;colour=red\n"
    result = IMPORTER.read(data, "t.csv")
    assert result.problems == ()
    assert (
        "t.csv:2: match setting 'case=maybe' is not one of case=, accents=, punctuation= (true "
        "or false) or typos= (auto, 0, 1 or 2)"
    ) in messages(result.left_out)
    assert result.doc is not None
    assert result.doc.questions == ()


def test_a_broken_row_is_left_out_and_the_others_imported() -> None:
    data = (
        b"id,type,prompt,answer\n"
        b"a,true_false,First?,true\n"
        b"b,true_false,Second?,maybe\n"
        b"c,numeric,Third?,3\n"
    )
    result = IMPORTER.read(data, "t.csv")
    assert result.problems == ()
    assert messages(result.left_out) == ["t.csv:3: answer must be true or false, not 'maybe'"]
    assert result.doc is not None
    assert [q.id for q in result.doc.questions] == ["a", "c"]
    assert result.ok_without_left_out


def test_a_row_with_more_cells_than_columns_is_left_out() -> None:
    data = b"id,type,prompt,answer\na,true_false,First?,true,extra\nb,true_false,Two?,false\n"
    result = IMPORTER.read(data, "t.csv")
    assert messages(result.left_out) == [
        "t.csv:2: the row has more cells than the header has columns"
    ]
    assert result.doc is not None
    assert [q.id for q in result.doc.questions] == ["b"]


def test_a_file_of_broken_rows_only_is_not_also_empty() -> None:
    result = IMPORTER.read(b"type,prompt,answer\ntrue_false,Q,maybe\n", "t.csv")
    assert result.problems == ()
    assert len(result.left_out) == 1
    assert not result.ok_without_left_out


@pytest.mark.parametrize("separator", [";", "\t"])
def test_semicolon_and_tab_separated_files_read_alike(imported: SetDoc, separator: str) -> None:
    rows = list(csv.reader(io.StringIO((FIXTURES / "questions.csv").read_text(), newline="")))
    out = io.StringIO()
    csv.writer(out, delimiter=separator).writerows(rows)
    result = IMPORTER.read(out.getvalue().encode(), "questions.csv")
    assert result.problems == ()
    assert result.doc is not None
    assert result.doc.questions == imported.questions


def test_header_names_ignore_case_spaces_and_dashes() -> None:
    data = b"\xef\xbb\xbfID,Type,Prompt,Answer,Source Quote,source-section\r\n"
    data += b"x,Short answer,Q?,yes,A quote,A section\r\n"
    result = IMPORTER.read(data, "t.csv")
    assert result.problems == ()
    assert result.doc is not None
    (question,) = result.doc.questions
    assert (question.id, question.type, question.source) == (
        "x",
        "short_answer",
        SourceRef("A section", "A quote"),
    )


def test_rows_without_ids_get_ids_from_their_content() -> None:
    data = b"type,title,prompt,answer\nshort_answer,T,Capital?,Paris\n"
    result = IMPORTER.read(data, "t.csv")
    assert result.doc is not None
    # the same content id as a GIFT question with this title and prompt
    assert result.doc.questions[0].id == "q-19664f6751ea"


@pytest.mark.parametrize(
    ("cell", "items"),
    [
        ("", []),
        ("a", ["a"]),
        (" a | b |c ", ["a", "b", "c"]),
        ("a || c", ["a", "", "c"]),
        ("a \\| b | c", ["a \\| b", "c"]),
        ("\\\\| x", ["\\\\", "x"]),
        ("end\\", ["end\\"]),
    ],
)
def test_split_list(cell: str, items: list[str]) -> None:
    assert split_list(cell) == items


@pytest.mark.parametrize(
    "text", ["a | b", "*star", "back\\slash", "\\|", "C:\\path", "end\\", "\\*", "plain"]
)
def test_list_items_survive_escaping(text: str) -> None:
    cell = join_list(["*" + escape_item(text, star=True), escape_item(text)])
    items = split_list(cell)
    assert items[0].startswith("*")
    assert [unescape_item(items[0][1:].strip()), unescape_item(items[1])] == [text, text]


@pytest.mark.parametrize(
    ("cell", "spec"),
    [
        ("73", {"answer": 73}),
        ("-2.5", {"answer": -2.5}),
        ("1,5", {"answer": 1.5}),
        ("1e3", {"answer": 1000.0}),
        ("73 ± 0.5", {"answer": 73, "tolerance": 0.5}),
        ("73 +- 2", {"answer": 73, "tolerance": 2}),
        ("73+/-2", {"answer": 73, "tolerance": 2}),
        ("70..75", {"range": [70, 75]}),
        ("-5 .. -1", {"range": [-5, -1]}),
        ("1.5..2.5", {"range": [1.5, 2.5]}),
        ("73 (70..75)", {"answer": 73, "range": [70, 75]}),
        ("three", None),
        ("", None),
        ("± 2", None),
        ("73 (70..75", None),
        ("7 3", None),
    ],
)
def test_read_numeric(cell: str, spec: dict[str, Any] | None) -> None:
    assert read_numeric(cell) == spec


@pytest.mark.parametrize(
    "spec",
    [
        {"answer": 73},
        {"answer": 0.1, "tolerance": 0.05},
        {"range": [-5, 5]},
        {"answer": 73, "range": [70, 75]},
        {"answer": 1e-7},
    ],
)
def test_write_numeric_is_read_back(spec: dict[str, Any]) -> None:
    assert read_numeric(write_numeric(spec)) == spec


def test_read_match() -> None:
    assert read_match("case=TRUE; typos=1;;accents = no") == (
        {"case": True, "typos": 1, "accents": False},
        [],
    )


def test_export_writes_the_header_and_a_bom(imported: SetDoc) -> None:
    data = EXPORTER.write(imported)
    assert data.startswith(b"\xef\xbb\xbfid,topic,topic_id,type,title,prompt,choices,answer,")


def test_export_and_import_give_the_same_questions(imported: SetDoc) -> None:
    result = EXPORTER.export(imported)
    assert (result.skipped, result.warnings) == ((), ())
    back = IMPORTER.read(result.data, "questions.csv")
    assert back.problems == ()
    assert back.doc is not None
    assert back.doc.questions == imported.questions
    assert back.doc.topics == imported.topics


def test_export_defuses_cells_a_spreadsheet_would_run(imported: SetDoc) -> None:
    question = imported.questions[0]
    doc = _with(imported, prompt='=HYPERLINK("http://x")', explanation="@SUM(1)")
    text = EXPORTER.write(doc).decode("utf-8-sig")
    assert ',"=HYPERLINK' not in text
    assert ' =HYPERLINK(""http://x"")' in text
    back = IMPORTER.read(text.encode(), "t.csv").doc
    assert back is not None
    assert (back.questions[0].prompt, back.questions[0].explanation) == (
        '=HYPERLINK("http://x")',
        "@SUM(1)",
    )
    assert back.questions[0].id == question.id


def _with(doc: SetDoc, **fields: Any) -> SetDoc:
    import dataclasses

    first = dataclasses.replace(doc.questions[0], **fields)
    return dataclasses.replace(doc, questions=(first,))


def test_export_leaves_out_a_pair_it_cannot_write(imported: SetDoc) -> None:
    matching = next(q for q in imported.questions if q.type == "matching")
    import dataclasses

    odd = dataclasses.replace(matching, spec={**matching.spec, "distractors": ["a -> b"]})
    result = EXPORTER.export(dataclasses.replace(imported, questions=(odd,)))
    assert messages(result.skipped) == [
        "questions.csv:8: question 'abbrev' is left out: a left-hand item or a distractor "
        "contains '->'"
    ]


# --- .xlsx -----------------------------------------------------------------------------------


def _typed(cell: str) -> object:
    """What a spreadsheet user would have typed: numbers and TRUE as such, the rest as text."""
    if re.fullmatch(r"-?\d+", cell):
        return int(cell)
    if cell == "TRUE":
        return True
    return cell or None


def workbook_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fixture_rows() -> list[list[object]]:
    text = (FIXTURES / "questions.csv").read_text(encoding="utf-8")
    return [[_typed(c) for c in row] for row in csv.reader(io.StringIO(text, newline=""))]


def test_an_xlsx_sheet_reads_like_the_csv(imported: SetDoc) -> None:
    rows = fixture_rows()
    karmma = next(r for r in rows if r[0] == "karmma")
    karmma[7] = 73  # a number cell, not the text "73 ± 0"
    data = workbook_bytes(rows)
    result = XLSX.read(data, "questions.xlsx")
    assert result.problems == ()
    assert result.doc is not None
    want = [q if q.id != "karmma" else _no_tolerance(q) for q in imported.questions]
    assert list(result.doc.questions) == want
    assert [q.line for q in result.doc.questions] == [q.line for q in imported.questions]


def _no_tolerance(question: QuestionDoc) -> QuestionDoc:
    import dataclasses

    spec = {k: v for k, v in question.spec.items() if k != "tolerance"}
    return dataclasses.replace(question, spec=spec)


def test_xlsx_problems_are_reported_by_row() -> None:
    data = workbook_bytes(
        [["type", "prompt", "answer"], ["numeric", "Q", "lots"], [None], ["true_false", "Q", 1.5]]
    )
    result = XLSX.read(data, "t.xlsx")
    assert result.problems == ()
    assert messages(result.left_out) == [
        "t.xlsx:2: answer 'lots' is not a number, a number ± tolerance, or a range such as 70..75",
        "t.xlsx:4: answer must be true or false, not '1.5'",
    ]


def test_xlsx_a_broken_row_is_left_out_and_the_others_imported() -> None:
    data = workbook_bytes(
        [
            ["id", "type", "prompt", "answer"],
            ["a", "true_false", "Q", True],
            ["b", "numeric", "N", "lots"],
            ["c", "numeric", "M", 2],
        ]
    )
    result = XLSX.read(data, "t.xlsx")
    assert result.problems == ()
    assert [(p.line, p.message[:22]) for p in result.left_out] == [(3, "answer 'lots' is not a")]
    assert result.doc is not None
    assert [q.id for q in result.doc.questions] == ["a", "c"]


def test_xlsx_reads_booleans_and_floats_as_typed() -> None:
    data = workbook_bytes(
        [["type", "prompt", "answer"], ["true_false", "Q", False], ["numeric", "N", 0.25]]
    )
    doc = XLSX.read(data, "t.xlsx").doc
    assert doc is not None
    assert [dict(q.spec) for q in doc.questions] == [{"answer": False}, {"answer": 0.25}]


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"not a zip at all", "t.xlsx:0: not an .xlsx workbook (not a readable zip archive: "),
        (b"", "t.xlsx:0: not an .xlsx workbook (not a readable zip archive: "),
        (_zip({"hello.txt": b"hi"}), "t.xlsx:0: not a readable .xlsx workbook: "),
    ],
)
def test_a_file_that_is_no_workbook_is_refused(data: bytes, start: str) -> None:
    result = XLSX.read(data, "t.xlsx")
    assert result.doc is None
    (problem,) = messages(result.problems)
    assert problem.startswith(start)


def test_a_truncated_workbook_is_refused() -> None:
    data = workbook_bytes([["type", "prompt"], ["true_false", "Q"]])
    result = XLSX.read(data[: len(data) // 2], "t.xlsx")
    assert result.doc is None
    assert len(result.problems) == 1


def test_a_workbook_that_would_unpack_too_big_is_refused_unopened(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(xlsx, "MAX_UNPACKED", 1024 * 1024)
    bomb = _zip({"xl/worksheets/sheet1.xml": b"\0" * (2 * 1024 * 1024)})
    assert len(bomb) < 10_000
    assert messages(XLSX.read(bomb, "t.xlsx").problems) == [
        "t.xlsx:0: the workbook would unpack to more than 1 MB"
    ]


def test_a_workbook_with_too_many_parts_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ENTRIES", 3)
    data = _zip({f"part{i}.xml": b"<a/>" for i in range(4)})
    assert messages(XLSX.read(data, "t.xlsx").problems) == [
        "t.xlsx:0: the workbook has more than 3 parts"
    ]


def test_an_empty_sheet_is_reported() -> None:
    assert messages(XLSX.read(workbook_bytes([]), "t.xlsx").problems) == [
        "t.xlsx:1: the sheet is empty: it needs a header row and question rows"
    ]


@pytest.mark.parametrize(
    ("text", "unclosed"),
    [
        ('a,"b\nc,d\n', True),
        ('x\n"abc', True),
        ('"a,""",b\n', False),
        ('a,b"c\n', False),
        ('a,"b"c\n', False),
        ('a,"x,""y\n""",z\n', False),
        ('"",""\n', False),
    ],
)
def test_an_unclosed_quote_is_found(text: str, unclosed: bool) -> None:
    assert unclosed_quote(text, ",") is unclosed


PARTIAL_CSV = """\
id,topic,type,prompt,choices,answer,feedback
one,T,single_choice,Capital?,*Paris | %50%Lyon | \\%20 off,,| Close.
many,T,multiple_response,Which?,*%70%a | *%30%b | %-50%c | d,,
short,T,short_answer,Capital?,,Paris | %50%paris france | *,| Which city? | It is Paris.
number,T,numeric,Steps?,,4 | %50%3 ± 0 | %25%2..5 | *,| One is missing. | | Count them.
"""


def test_partial_credit_is_read_from_the_cells_as_gift_writes_it() -> None:
    result = IMPORTER.read(PARTIAL_CSV.encode(), "p.csv")
    assert (result.problems, result.left_out) == ((), ())
    assert result.doc is not None
    specs = {q.id: dict(q.spec) for q in result.doc.questions}
    assert specs["one"] == {
        "choices": [
            {"text": "Paris", "correct": True},
            {"text": "Lyon", "credit": 0.5, "feedback": "Close."},
            {"text": "%20 off"},  # an escaped % is text
        ]
    }
    assert [c.get("credit") for c in specs["many"]["choices"]] == [0.7, 0.3, -0.5, None]
    assert specs["short"] == {
        "answers": ["Paris"],
        "partial": [{"text": "paris france", "credit": 0.5, "feedback": "Which city?"}],
        "otherwise": "It is Paris.",
    }
    assert specs["number"] == {
        "answer": 4,
        "partial": [
            {"answer": 3, "tolerance": 0, "credit": 0.5, "feedback": "One is missing."},
            {"range": [2, 5], "credit": 0.25},
        ],
        "otherwise": "Count them.",
    }
    assert validate_imported(result.doc) == []
    again = IMPORTER.read(EXPORTER.write(result.doc), "again.csv")
    assert again.doc is not None
    assert again.doc.questions == result.doc.questions


def test_feedback_on_a_right_answer_has_no_place() -> None:
    text = "id,topic,type,prompt,answer,feedback\nq,T,short_answer,Capital?,Paris,Nice.\n"
    result = IMPORTER.read(text.encode(), "f.csv")
    assert [p.message for p in result.left_out] == [
        "feedback 'Nice.' goes with a right answer, which has none: give feedback to partly "
        "right answers and to * (any other answer)"
    ]
