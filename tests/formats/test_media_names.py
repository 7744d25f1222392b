"""Names of files embedded in packages: safe characters, and short enough to store."""

from __future__ import annotations

import pytest

from quizapp.formats.moodle_xml_media import MAX_MEDIA_NAME, MediaShelf


@pytest.mark.parametrize(
    ("wanted", "stored"),
    [
        ("pic.png", "pic.png"),
        ("../../etc/pic.png", "pic.png"),
        ("a\x00b\x1b.png", "a_b_.png"),
        ("...", "file"),
        ("p" * 500 + ".jpeg", "p" * (MAX_MEDIA_NAME - 5) + ".jpeg"),
        ("q" * 500, "q" * (MAX_MEDIA_NAME - 1)),
    ],
)
def test_media_names_are_safe_and_bounded(wanted: str, stored: str) -> None:
    assert MediaShelf().add(wanted, b"data") == stored


def test_two_long_names_cut_alike_stay_two_files() -> None:
    shelf = MediaShelf()
    first = shelf.add("x" * 300 + "1.png", b"one")
    second = shelf.add("x" * 300 + "2.png", b"two")
    assert first != second
    assert len(second) <= MAX_MEDIA_NAME + 9
    assert {shelf.files[first].data, shelf.files[second].data} == {b"one", b"two"}
