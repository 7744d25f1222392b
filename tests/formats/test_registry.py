"""The registry: formats by name and extension, content sniffing, and the shared helpers."""

from __future__ import annotations

from typing import ClassVar

import pytest

from quizapp.bank.model import Problem, SetDoc
from quizapp.bank.validate import validate_set
from quizapp.formats import EXPORTERS, IMPORTERS, importer_for
from quizapp.formats.assemble import SetBuilder, file_stem
from quizapp.formats.base import (
    Importer,
    ImportResult,
    by_name,
    choose_importer,
    extension_of,
)
from quizapp.formats.ids import IdBook, clean_id, content_id, slug
from quizapp.formats.textfile import decode_text
from tests.formats.support import FIXTURES, read_fixture


def test_the_registries_list_every_format() -> None:
    assert list(IMPORTERS) == [
        "native",
        "gift",
        "aiken",
        "anki_text",
        "csv",
        "xlsx",
        "moodle_xml",
        "anki_package",
    ]
    assert list(EXPORTERS) == ["native", "gift", "moodle_xml", "csv", "aiken", "anki_package"]
    assert {name: e.extension for name, e in EXPORTERS.items()} == {
        "native": ".yaml",
        "gift": ".gift.txt",
        "moodle_xml": ".xml",
        "csv": ".csv",
        "aiken": ".aiken.txt",
        "anki_package": ".apkg",
    }
    texts = [e for name, e in EXPORTERS.items() if name != "anki_package"]
    assert all(e.media_type.endswith("charset=utf-8") for e in texts)
    assert EXPORTERS["anki_package"].media_type == "application/octet-stream"  # a zip


@pytest.mark.parametrize(
    ("filename", "content", "name"),
    [
        ("set.yaml", b"id: x", "native"),
        ("SET.YML", b"", "native"),
        ("quiz.gift", b"anything", "gift"),
        ("sheet.CSV", b"", "csv"),
        ("sheet.tsv", b"", "csv"),
        ("book.xlsx", b"", "xlsx"),
        ("folder/deep/quiz.aiken", b"", "aiken"),
        ("every-feature.txt", (FIXTURES / "every-feature.gift").read_bytes(), "gift"),
        ("quiz.txt", (FIXTURES / "quiz.aiken.txt").read_bytes(), "aiken"),
        ("notes.txt", (FIXTURES / "anki-notes.txt").read_bytes(), "anki_text"),
        ("plain.txt", (FIXTURES / "anki-plain.txt").read_bytes(), "anki_text"),
        ("cloze.txt", (FIXTURES / "anki-cloze.txt").read_bytes(), "anki_text"),
        ("t.txt", b"::Title:: Q {T}", "gift"),
        ("t.txt", b"Q {=a ~b}", "gift"),
        ("t.txt", b"$CATEGORY: x", "gift"),
        ("t.txt", b"Q\nA. a\nB. b\nANSWER: B\n", "aiken"),
        ("t.txt", b"\xef\xbb\xbf#separator:tab\nQ\tA\n", "anki_text"),
        ("t.txt", b"Front\tBack\nQ\tA\n", "anki_text"),
        ("t.txt", b"nothing telling", "gift"),
        ("t.txt", b"", "gift"),
        ("t.gift.txt", b"nothing telling", "gift"),
    ],
)
def test_importer_for_decides_by_extension_then_content(
    filename: str, content: bytes, name: str
) -> None:
    importer = importer_for(filename, content)
    assert importer is not None
    assert importer.name == name


@pytest.mark.parametrize("filename", ["notes.pdf", "noextension", "x.yaml.bak", ""])
def test_unknown_extensions_have_no_importer(filename: str) -> None:
    assert importer_for(filename, b"::T:: Q {T}") is None


class _Fake(Importer):
    name: ClassVar[str] = "fake"
    label: ClassVar[str] = "Fake"
    extensions: ClassVar[tuple[str, ...]] = (".txt",)

    def read(self, data: bytes, filename: str, *, set_id: str | None = None) -> ImportResult:
        return ImportResult(None, ())


def test_a_name_registered_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="two formats are called 'fake'"):
        by_name([_Fake(), _Fake()])


def test_a_tie_goes_to_the_first_registered() -> None:
    first, second = _Fake(), _Fake()
    assert choose_importer({"a": first, "b": second}, "x.txt", b"") is first


@pytest.mark.parametrize(
    ("filename", "ending"),
    [("a.gift.txt", ".gift.txt"), ("a.txt", ".txt"), ("A.TXT", ".txt"), ("a.md", "")],
)
def test_extension_of_takes_the_longest_known_ending(filename: str, ending: str) -> None:
    assert extension_of(filename, [".txt", ".gift.txt", ".gift"]) == ending


def test_import_result_is_ok_only_with_a_set_and_no_problems() -> None:
    doc = SetBuilder("x.gift").build()
    assert ImportResult(doc, ()).ok
    assert not ImportResult(doc, (Problem("x", 1, "m"),)).ok
    assert not ImportResult(None, ()).ok
    assert ImportResult(doc, (), warnings=(Problem("x", 1, "m"),)).ok


@pytest.mark.parametrize(
    ("data", "text", "problem"),
    [
        (b"plain\r\nwindows\rmac", "plain\nwindows\nmac", None),
        (b"\xef\xbb\xbfwith bom", "with bom", None),
        (b"one\ntwo \xff three", None, "f:2: not UTF-8 text (byte 0xff at column 5): save the "
         "file as UTF-8"),
        (b"\xff\xfea\x00", None, "f:1: the file is UTF-16 text: save it as UTF-8"),
        (b"a\nb\nc\x00d", None, "f:3: the file holds a NUL byte: it is not a text file"),
        (b"1\n2\n3\n4", None, "f:4: the file has more than 3 lines"),
        (b"1\n2\n3", "1\n2\n3", None),
    ],
)  # fmt: skip
def test_decode_text(data: bytes, text: str | None, problem: str | None) -> None:
    decoded = decode_text(data, "f", max_lines=3)
    assert decoded.text == text
    assert [str(p) for p in decoded.problems] == ([problem] if problem else [])


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("Biology / Cells", "biology-cells"),
        ("Éléments d'anatomie", "elements-d-anatomie"),
        ("  --  ", ""),
        ("日本語", ""),
        ("x" * 80, "x" * 60),
    ],
)
def test_slug(text: str, result: str) -> None:
    assert slug(text) == result


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("Q-1", "q-1"),
        ("Week 1/Q.7", "week-1-q.7"),
        ("_hidden.", "hidden"),
        ("...", ""),
        ("a" * 120, "a" * 100),
    ],
)
def test_clean_id(text: str, result: str) -> None:
    assert clean_id(text) == result


def test_content_id_ignores_spacing_only() -> None:
    assert content_id("T", "Capital?") == "q-19664f6751ea"
    assert content_id(" T ", "Capital?\n") == content_id("T", "Capital?")
    assert content_id("T", "Capital!") != content_id("T", "Capital?")


def test_id_book_numbers_repeats() -> None:
    book = IdBook()
    assert [book.take("a"), book.take("a"), book.keep("b"), book.take("b")] == [
        "a",
        "a-2",
        "b",
        "b-2",
    ]


@pytest.mark.parametrize(
    ("filename", "stem", "set_id"),
    [
        ("uploads/My Quiz (v2).gift", "My Quiz (v2)", "my-quiz-v2"),
        ("C:\\Users\\me\\week1.csv", "week1", "week1"),
        (".hidden", ".hidden", "hidden"),
        ("日本.txt", "日本", "imported-set"),
    ],
)
def test_sets_are_named_after_their_file(filename: str, stem: str, set_id: str) -> None:
    assert file_stem(filename) == stem
    doc: SetDoc = SetBuilder(filename).build()
    assert (doc.id, doc.title, doc.version, doc.file) == (set_id, stem, "1", filename)


def test_topics_are_found_by_title_and_by_the_id_given() -> None:
    builder = SetBuilder("x.csv", "given")
    assert builder.topic("Cells", given_id="c") == "c"
    assert builder.topic("", given_id="c") == "c"
    assert builder.topic("Cells") == "c"
    assert builder.topic("Other cells") == "other-cells"
    assert builder.topic("") == "general"
    doc = builder.build()
    assert doc.id == "given"
    assert [(t.id, t.title) for t in doc.topics] == [
        ("c", "Cells"),
        ("other-cells", "Other cells"),
        ("general", "General"),
    ]


def test_imported_sets_fail_only_the_document_rules_of_the_strict_validator() -> None:
    doc = read_fixture("gift", "every-feature.gift").doc
    assert doc is not None
    strict = {p.message.split(":")[0] for p in validate_set(doc)}
    assert strict == {
        "the source document is missing",
        "source section is missing",
        "source quote is missing",
        "explanation is missing",
    }
    assert validate_set(doc, require_source=False) == []
