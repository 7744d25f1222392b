"""What every import and export format provides, and how a file finds its importer.

An importer turns the bytes of an uploaded file into a ``SetDoc`` (the hub of
``quizapp.bank.model``) and reports every problem as ``file:line: message``; an exporter turns
a ``SetDoc`` into bytes. Both are pure: no Flask, no database, and an importer never raises on
bad input (any bytes give problems, not an exception).

``problems`` and ``warnings`` differ in what they say about the set that came back:

- a *problem* means something in the file was not imported, or is wrong (an essay question, an
  unclosed brace, a choice list without a correct answer): the file needs fixing;
- a *warning* means the question was imported, but not exactly as written (a GIFT weight the
  app's scoring cannot express, a per-answer feedback the type has no room for): the message
  says what was changed.

Several importers may claim one extension (``.txt`` holds GIFT, Aiken or an Anki text export):
``choose_importer`` then asks each of them how sure it is that the content is its format
(``Importer.sniff``) and takes the surest, the first registered on a tie.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from quizapp.bank.model import Problem, SetDoc

SNIFF_BYTES = 65536
"""How much of the start of a file ``sniff`` is shown."""


@dataclass(frozen=True)
class MediaFile:
    """A file that came with the questions (an image in a package), named as the text refers."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ImportResult:
    """What reading one file gave.

    Attributes:
        doc: the set, or None when the file could not be read as this format at all. It
            holds every question that could be read; those in ``left_out`` are not in it.
        problems: what is wrong with the file as a whole (it cannot be imported), each at its
            line (or entry).
        media: files the questions refer to by name.
        warnings: what was imported, but not exactly as written.
        left_out: questions that cannot be imported (a type the app lacks, an error inside
            the question), one problem each at the question's line: the rest of the file can
            be imported without them, if the instructor agrees.
    """

    doc: SetDoc | None
    problems: tuple[Problem, ...]
    media: tuple[MediaFile, ...] = ()
    warnings: tuple[Problem, ...] = ()
    left_out: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is a set and nothing in the file needs fixing or leaving out."""
        return self.doc is not None and not self.problems and not self.left_out

    @property
    def ok_without_left_out(self) -> bool:
        """True when the file can be imported once the questions in ``left_out`` are left
        out (and at least one question remains)."""
        return self.doc is not None and not self.problems and bool(self.doc.questions)


@dataclass(frozen=True)
class ExportResult:
    """What writing one set gave.

    Attributes:
        data: the file's content.
        skipped: questions the format cannot hold, each named (the line is the question's
            line in the set's own file, when it came from one).
        warnings: questions written, but not exactly (e.g. a scoring mode the format lacks).
    """

    data: bytes
    skipped: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()


class Importer(ABC):
    """Reads one file format into a ``SetDoc``."""

    name: ClassVar[str]
    """The registry key, e.g. ``gift``."""
    label: ClassVar[str]
    """Shown to people, e.g. ``Moodle GIFT``."""
    extensions: ClassVar[tuple[str, ...]]
    """Lower-case file name endings with their dot, e.g. ``(".gift", ".txt")``."""

    @abstractmethod
    def read(self, data: bytes, filename: str, *, set_id: str | None = None) -> ImportResult:
        """Read ``data`` (the content of a file called ``filename``).

        Args:
            data: the file's bytes, whatever they are.
            filename: the name used in problems and, for formats without one, to name the set.
            set_id: the id to give the set; by default the file's own id, or one made from
                ``filename`` for formats without ids.
        """

    def sniff(self, head: str) -> int:
        """Say how sure it is that a file starting with ``head`` is in this format.

        Only asked when several importers claim a file's extension. 0 means "not this format";
        the default, 1, means "the extension fits"; a format with a telltale mark answers more
        when it sees it (see each importer for its rule).
        """
        return 1


Media = Mapping[str, bytes]
"""A set's media files, by name."""


class Exporter(ABC):
    """Writes a ``SetDoc`` in one file format."""

    name: ClassVar[str]
    label: ClassVar[str]
    extension: ClassVar[str]
    """The file name ending with its dot, e.g. ``.gift``."""
    media_type: ClassVar[str]
    """The HTTP content type of the file, e.g. ``text/plain; charset=utf-8``."""

    embeds_media: ClassVar[bool] = False
    """Whether the file carries the set's media (pictures) itself."""

    @abstractmethod
    def export(self, doc: SetDoc, media: Media | None = None) -> ExportResult:
        """Write ``doc``, naming every question the format cannot hold or holds only in part.

        ``media``: the set's files by name, for a format that ``embeds_media`` (the others
        ignore it and refer to the pictures by name).
        """

    def write(self, doc: SetDoc) -> bytes:
        """Return ``doc`` in this format (what ``export`` reports is left out)."""
        return self.export(doc).data


_Format = TypeVar("_Format", Importer, Exporter)


def by_name(entries: Iterable[_Format]) -> dict[str, _Format]:
    """Return the entries keyed by their ``name``; a name given twice is a programming error."""
    table: dict[str, _Format] = {}
    for entry in entries:
        if entry.name in table:
            raise ValueError(f"two formats are called {entry.name!r}")
        table[entry.name] = entry
    return table


def extension_of(filename: str, known: Iterable[str]) -> str:
    """Return the longest of the ``known`` endings that ``filename`` has ('' for none)."""
    lowered = filename.lower()
    return max((e for e in known if lowered.endswith(e)), key=len, default="")


def choose_importer(
    importers: Mapping[str, Importer], filename: str, data: bytes = b""
) -> Importer | None:
    """Return the importer for a file by its extension, asking ``sniff`` where several claim it.

    Returns None when no importer knows the extension.
    """
    known = {e for importer in importers.values() for e in importer.extensions}
    ending = extension_of(filename, known)
    claims = [i for i in importers.values() if ending and ending in i.extensions]
    if len(claims) <= 1:
        return claims[0] if claims else None
    head = data[:SNIFF_BYTES].decode("utf-8", errors="replace").removeprefix("\ufeff")
    scores = [importer.sniff(head) for importer in claims]
    return claims[scores.index(max(scores))]
