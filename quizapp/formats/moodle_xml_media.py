"""Moodle XML's embedded files: the ``media:NAME`` references, their limits and the shelf.

Moodle embeds a question's files as base64 ``<file>`` elements and refers to them as
``@@PLUGINFILE@@/name`` (Moodle 1.9 gave a question one picture, ``<image_base64>``, named by
its path in ``<image>``); in the app an image is ``media:NAME`` (``MEDIA_SCHEME``).
``MediaShelf`` gives each file of an import a unique, safe name (Anki's reader uses it too);
``referenced`` keeps the files that the imported questions show.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from quizapp.bank.model import QuestionDoc, SetDoc
from quizapp.formats.base import MediaFile

MEDIA_SCHEME = "media:"
"""Images are referred to as ``media:NAME`` in the text (``<img src="media:cell.png">``),
where NAME is a ``MediaFile.name`` of the same import; the web layer maps it to the URL it
serves the stored file at."""

MAX_MEDIA_FILE_BYTES = 16 * 1024 * 1024
"""A larger embedded file is left out (and reported)."""
MAX_MEDIA_TOTAL_BYTES = 64 * 1024 * 1024
"""Embedded files beyond this total are left out (and reported)."""

MAX_MEDIA_NAME = 120
"""Longest name an embedded file is stored under (a longer one is cut, keeping its extension)."""

PLUGINFILE = "@@PLUGINFILE@@"

MEDIA_REF = re.compile(re.escape(PLUGINFILE) + r"/([^\"'\s<>)]+)")
MEDIA_OUT = re.compile(re.escape(MEDIA_SCHEME) + r"([A-Za-z0-9._-]+)")
_NOT_MEDIA_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class MediaShelf:
    """The embedded files met so far, named uniquely, and the bytes they hold in all."""

    files: dict[str, MediaFile] = field(default_factory=dict)
    total: int = 0

    def add(self, wanted: str, data: bytes) -> str:
        """Store ``data`` under a safe form of ``wanted``; return the name it is stored as."""
        base = _NOT_MEDIA_NAME.sub("_", wanted.rsplit("/", 1)[-1]).strip("._") or "file"
        if len(base) > MAX_MEDIA_NAME:  # the stored name's column takes 255 characters
            stem, dot, ext = base.rpartition(".")
            ext = ext[:16] if dot and stem else ""
            base = base[: MAX_MEDIA_NAME - len(ext) - 1].rstrip("._") + (f".{ext}" if ext else "")
        name = base
        existing = self.files.get(name)
        if existing is not None and existing.data != data:
            stem, dot, ext = base.rpartition(".")
            digest = hashlib.sha256(data).hexdigest()[:8]
            name = f"{stem}-{digest}.{ext}" if dot and stem else f"{base}-{digest}"
        if name not in self.files:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.files[name] = MediaFile(name, content_type, data)
            self.total += len(data)
        return name


_PICTURE_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF8", "gif"),
    (b"BM", "bmp"),
)


def picture_name(encoded: str) -> str:
    """Name a picture that came without one (``image`` and the extension its bytes tell)."""
    try:
        head = base64.b64decode(encoded[:16], validate=True)
    except (binascii.Error, ValueError):
        return "image"
    kind = next((ext for magic, ext in _PICTURE_TYPES if head.startswith(magic)), "")
    return f"image.{kind}" if kind else "image"


def referenced(doc: SetDoc, media: MediaShelf) -> tuple[MediaFile, ...]:
    """Return the files that the imported questions show (a skipped question's are dropped)."""
    texts = [_all_text(q) for q in doc.questions]
    used = {name for text in texts for name in MEDIA_OUT.findall(text)}
    return tuple(f for name, f in media.files.items() if name in used)


def _all_text(question: QuestionDoc) -> str:
    """Return the prompt, explanation and every text of the spec, joined."""
    pieces = [question.prompt, question.explanation]
    stack: list[object] = [question.spec]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            pieces.append(item)
        elif isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return "\n".join(pieces)
