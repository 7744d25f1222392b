"""Hostile input: any bytes give problems, never an exception; limits hold; text stays text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.bank.model import SetDoc
from quizapp.formats import EXPORTERS, IMPORTERS
from quizapp.formats.base import ImportResult
from quizapp.formats.textfile import MAX_LINES
from quizapp.richtext import render_rich
from tests.formats.support import messages, validate_imported

TEXT_IMPORTERS = ["native", "gift", "aiken", "anki_text", "csv"]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_anyhow(name: str, data: bytes) -> ImportResult:
    """Read with the importer called ``name``, checking the shape of what comes back."""
    result = IMPORTERS[name].read(data, "fuzz.txt")
    assert isinstance(result, ImportResult)
    assert result.doc is None or isinstance(result.doc, SetDoc)
    listed = result.problems + result.warnings + result.left_out
    assert all(p.file == "fuzz.txt" and p.line >= 0 for p in listed)
    return result


def export_anyhow(doc: SetDoc | None) -> None:
    """Export an imported set that passes the validator with every exporter."""
    if doc is None or not doc.questions or validate_imported(doc):
        return
    for exporter in EXPORTERS.values():
        exporter.export(doc)


@pytest.mark.parametrize("name", list(IMPORTERS))
@FUZZ
@given(data=st.binary(max_size=3000))
def test_any_bytes_give_a_result(name: str, data: bytes) -> None:
    read_anyhow(name, data)


GIFT_PIECES = st.sampled_from(
    ["{", "}", "=", "~", "#", "####", "::", ":", "%", "%50%", "%-100%", "->", "\\", "\n", "\n\n",
     " ", "T", "F", "TRUE", "a", "1", ".", "..", "$CATEGORY: x/y", "// [id:Q]", "// [tag:t]",
     "[html]", "[[", "]]", "|", "<script>", "\r"]
)  # fmt: skip


@FUZZ
@given(pieces=st.lists(GIFT_PIECES, max_size=60))
def test_gift_like_text_never_raises(pieces: list[str]) -> None:
    result = read_anyhow("gift", "".join(pieces).encode())
    export_anyhow(result.doc)


CSV_PIECES = st.sampled_from(
    [",", ";", "|", "*", "\\", '"', "\n", "->", "..", "±", "1", "a", "true", "[[x]]", "=",
     "single_choice", "multiple_response", "true_false", "short_answer", "cloze", "matching",
     "ordering", "numeric", "case=true", " "]
)  # fmt: skip
HEADER = "id,type,prompt,choices,answer,feedback,scoring,match,unit,tags\n"


@FUZZ
@given(pieces=st.lists(CSV_PIECES, max_size=80))
def test_csv_like_text_never_raises(pieces: list[str]) -> None:
    result = read_anyhow("csv", (HEADER + "".join(pieces)).encode())
    export_anyhow(result.doc)


ANKI_PIECES = st.sampled_from(
    ["\t", "\n", '"', "{{c1::", "{{c2::", "::", "}}", "a", "<b>", "</b>", "&amp;", "Basic",
     "Cloze", "Odd", "#separator:tab\n", "#notetype column:1\n", "#deck column:9\n"]
)  # fmt: skip


@FUZZ
@given(pieces=st.lists(ANKI_PIECES, max_size=60))
def test_anki_like_text_never_raises(pieces: list[str]) -> None:
    result = read_anyhow("anki_text", "".join(pieces).encode())
    export_anyhow(result.doc)


AIKEN_LINES = st.sampled_from(["Q?", "A. a", "B) b", "C. c", "ANSWER: A", "ANSWER: Z", "", "A."])


@FUZZ
@given(lines=st.lists(AIKEN_LINES, max_size=30))
def test_aiken_like_text_never_raises(lines: list[str]) -> None:
    result = read_anyhow("aiken", "\n".join(lines).encode())
    export_anyhow(result.doc)


@pytest.mark.parametrize("name", TEXT_IMPORTERS)
def test_non_utf8_is_reported_with_its_line(name: str) -> None:
    data = "id,type,prompt\nq,true_false,caf\u00e9\n".encode("cp1252")
    result = IMPORTERS[name].read(data, "latin.txt")
    assert result.doc is None
    assert messages(result.problems) == [
        "latin.txt:2: not UTF-8 text (byte 0xe9 at column 17): save the file as UTF-8"
    ]


@pytest.mark.parametrize("name", TEXT_IMPORTERS)
def test_huge_line_counts_are_refused_before_parsing(name: str) -> None:
    result = IMPORTERS[name].read(b"x\n" * (MAX_LINES + 1), "huge.txt")
    assert result.doc is None
    assert messages(result.problems) == [
        f"huge.txt:{MAX_LINES + 1}: the file has more than {MAX_LINES} lines"
    ]


SCRIPT = "<script>alert(1)</script>"
SCRIPT_FILES = [
    ("gift", f"::S:: Is {SCRIPT} text? {{T}}"),
    ("csv", f"type,prompt,answer\ntrue_false,Is {SCRIPT} text?,true"),
    ("anki_text", f"#separator:tab\nIs {SCRIPT} text?\tyes"),
]


@pytest.mark.parametrize(("name", "text"), SCRIPT_FILES, ids=[n for n, _ in SCRIPT_FILES])
def test_a_script_tag_passes_through_as_text(name: str, text: str) -> None:
    result = IMPORTERS[name].read(text.encode(), "s.txt")
    assert result.problems == ()
    assert result.doc is not None
    assert result.doc.questions[0].prompt == f"Is {SCRIPT} text?"


PLAIN_SCRIPT_FILES = [
    ("aiken", f"Is {SCRIPT} text?\nA. yes\nB. no\nANSWER: A"),
    ("gift", f"::S:: [plain]Is {SCRIPT} text? {{T}}"),
]


@pytest.mark.parametrize(
    ("name", "text"), PLAIN_SCRIPT_FILES, ids=[n for n, _ in PLAIN_SCRIPT_FILES]
)
def test_a_script_tag_in_plain_text_is_escaped_and_shows_as_written(name: str, text: str) -> None:
    result = IMPORTERS[name].read(text.encode(), "s.txt")
    assert result.problems == ()
    assert result.doc is not None
    prompt = result.doc.questions[0].prompt
    assert prompt == "<span>Is &lt;script&gt;alert(1)&lt;/script&gt; text?</span>"
    assert render_rich(prompt, str) == "Is &lt;script&gt;alert(1)&lt;/script&gt; text?"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"id: x\ntitle: \x01", "y.yaml:2: not valid YAML: character U+0001 is not allowed"),
        (b"[" * 5000, "y.yaml:1: not valid YAML: nested too deeply"),
    ],
)
def test_yaml_that_pyyaml_refuses_outright_is_a_problem(data: bytes, problem: str) -> None:
    result = IMPORTERS["native"].read(data, "y.yaml")
    assert result.doc is None
    assert messages(result.problems) == [problem]


def test_a_flood_of_warnings_is_counted_not_listed() -> None:
    data = ("\\q" * 1500 + " {=a}").encode()
    result = IMPORTERS["gift"].read(data, "flood.gift")
    assert result.problems == ()
    assert len(result.warnings) == 1001
    assert str(result.warnings[-1]) == "flood.gift:1: ... and 500 more warnings"
