"""Uploaded files as the instructor pages receive them: the bytes, and a name safe to keep.

The name a browser sends is whatever the sender wants: folders (``../../x``), control
characters (a NUL byte, which PostgreSQL refuses in a text column), terminal escapes, bidi
overrides, thousands of characters. Every upload goes through ``receive_upload`` before its
name is shown, stored or used to choose an importer.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

MAX_NAME = 120  # characters kept of a name (the columns that hold one take 200 or 255)
MAX_EXTENSION = 16


@dataclass(frozen=True)
class Upload:
    """One uploaded file: ``name`` is readable (what the sender called it, kept to its last
    part, without control characters, bounded) and its extension is ``secure_filename``'s."""

    name: str
    data: bytes


def _printable(text: str) -> str:
    """``text`` without control, format, surrogate or private characters; every kind of
    space or line break becomes one space."""
    kept = []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if category.startswith("Z") or char in "\t\n\r\v\f":
            kept.append(" ")
        elif not category.startswith("C"):
            kept.append(char)
    return " ".join("".join(kept).split())


def upload_name(raw: str | None, default: str = "upload") -> str:
    """A readable, safe name for an upload called ``raw`` (``default`` if nothing is left).

    The last part of the path is kept, control characters removed; the extension (which
    chooses the importer) is made by ``secure_filename``: ASCII letters, digits, ``_-.``.
    """
    text = _printable(raw or "").replace("\\", "/")
    name = text.rsplit("/", 1)[-1].strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = secure_filename(extension)[:MAX_EXTENSION].strip("._")
    stem = stem.strip(" .") or default
    suffix = f".{extension}" if extension else ""
    return stem[: MAX_NAME - len(suffix)].rstrip(" .") + suffix


def receive_upload(storage: FileStorage, default: str = "upload") -> Upload:
    """Read an uploaded file and give it a safe name."""
    return Upload(upload_name(storage.filename, default), storage.read())
