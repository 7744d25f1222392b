"""Moodle's short-answer wildcard read in the app's terms."""

from __future__ import annotations

import pytest

from quizapp.formats.gift import GiftImporter
from quizapp.formats.wildcards import read_wildcard
from quizapp.grading import get_type


@pytest.mark.parametrize(
    ("text", "answer", "noted"),
    [
        ("stem cell", "stem cell", False),
        ("transplant*", "transplant", True),  # a word's other endings
        ("stem cell transplant*", "stem cell transplant", True),
        ("5\\* rating", "5* rating", False),  # an escaped star is a star
        ("colou*r", "colou*r", True),  # inside a word: cannot be said, kept
        ("immune escape *", "immune escape *", True),  # anything after: cannot be said
        ("*cell", "*cell", True),
        ("a*b*", "a*b*", True),
        ("ab*", "ab*", True),  # too short to be a word's stem
    ],
)
def test_a_star_ending_a_word_becomes_the_word(text: str, answer: str, noted: bool) -> None:
    read = read_wildcard(text)
    assert read.answer == answer
    assert bool(read.note) is noted


def test_the_word_for_a_trailing_wildcard_takes_what_moodle_would_take_of_its_forms() -> None:
    grade = get_type("short_answer").grade
    spec = {"answers": [read_wildcard("transplant*").answer]}
    for response in ("transplant", "transplants", "transplanted", "transplantation"):
        assert grade(spec, response).score == 1.0, response
    # Moodle's star would take these too; the app does not (another word, not a form).
    assert grade(spec, "transplanter of organs").score == 0.0


def test_gift_and_moodle_xml_read_a_trailing_wildcard_alike() -> None:
    result = GiftImporter().read(b"::Q:: Which procedure? {=stem cell transplant*}", "t.gift")
    assert result.doc is not None
    assert result.doc.questions[0].spec["answers"] == ["stem cell transplant"]
    assert "read as 'transplant'" in result.warnings[0].message


def test_moodle_xml_reads_a_trailing_wildcard_as_the_word() -> None:
    from quizapp.formats.moodle_xml import IMPORTER

    xml = (
        b'<quiz><question type="shortanswer"><name><text>Q</text></name>\n'
        b"<questiontext><text>Which procedure?</text></questiontext>\n"
        b'<answer fraction="100"><text>stem cell transplant*</text></answer>\n'
        b'<answer fraction="100"><text>SCT</text></answer></question></quiz>'
    )
    result = IMPORTER.read(xml, "m.xml")
    assert result.doc is not None
    assert result.doc.questions[0].spec["answers"] == ["stem cell transplant", "SCT"]
    assert [(w.line, "read as 'transplant'" in w.message) for w in result.warnings] == [(3, True)]
