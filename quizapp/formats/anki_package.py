"""The .apkg zip archive, read within limits: entries, zstd, ``meta`` and the media map.

Every size is distrusted: the entry count, each entry's and the total uncompressed size, the
compression ratio (zip bombs) and the zstd output (read in bounded chunks, whatever the frame
header claims). ``Limits`` holds them all (the collection's too); ``Refused`` says why a
package cannot be read. The small protobufs of ``meta`` and of the media map are decoded here,
and ``collection_name`` picks the collection that ``meta`` names.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import zstandard

MAX_ENTRIES = 20_000
"""Most entries a package may have (notes' media files included)."""
MAX_ENTRY_BYTES = 256 * 1024 * 1024
"""Largest uncompressed size of one entry, and of a zstd-compressed collection once unpacked."""
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
"""Largest uncompressed size of all entries together."""
MAX_RATIO = 200
"""Largest compression ratio of an entry above ``RATIO_FLOOR`` bytes (a zip bomb's is higher)."""
RATIO_FLOOR = 1024 * 1024
MAX_MEDIA_BYTES = 16 * 1024 * 1024
"""Largest media file kept (a larger one is left out, with a warning)."""
MAX_NOTES = 50_000
"""Most notes read from a collection."""
MAX_SQL_STEPS = 500_000_000
"""Most SQLite virtual-machine steps the reading may take (a crafted database cannot stall it)."""

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_COLLECTIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
LATEST = 3


@dataclass(frozen=True)
class Limits:
    """The limits a package is read within (the module constants by default)."""

    entries: int = MAX_ENTRIES
    entry_bytes: int = MAX_ENTRY_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: int = MAX_RATIO
    ratio_floor: int = RATIO_FLOOR
    media_bytes: int = MAX_MEDIA_BYTES
    notes: int = MAX_NOTES
    sql_steps: int = MAX_SQL_STEPS


class Refused(Exception):
    """The package cannot be read; ``message`` says why (at ``line``, 0 for the package)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


# --- protobuf -----------------------------------------------------------------------------------


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """Read a base-128 varint at ``pos``; return it and the position after it."""
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def protobuf_fields(data: bytes) -> Iterator[tuple[int, int | bytes]]:
    """Yield ``(field number, value)`` of a protobuf message: ints for varints, bytes for
    length-delimited fields; fixed-width fields are skipped. Raises ValueError if malformed."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
            yield number, value
        elif wire == 2:
            size, pos = _varint(data, pos)
            if pos + size > len(data):
                raise ValueError("truncated field")
            yield number, data[pos : pos + size]
            pos += size
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
            if pos > len(data):
                raise ValueError("truncated field")
        else:
            raise ValueError(f"unsupported wire type {wire}")


def int_field(data: bytes, number: int, default: int = 0) -> int:
    found = default
    for key, value in protobuf_fields(data):
        if key == number and isinstance(value, int):
            found = value
    return found


def meta_version(data: bytes) -> int:
    """Return the package version in a ``meta`` entry (field 1; 0 when absent)."""
    return int_field(data, 1)


def media_entries(data: bytes) -> dict[str, str]:
    """Return the zip entry of each media file of a current package's (decompressed) map.

    The map is a list (field 1) of entries: name (1), size (2), sha1 (3) and, for a package
    converted from a legacy one, the zip entry's number (255); by default an entry's number
    is its place in the list.
    """
    found: dict[str, str] = {}
    for index, (key, value) in enumerate(protobuf_fields(data)):
        if key != 1 or not isinstance(value, bytes):
            continue
        name, number = "", index
        for inner_key, inner in protobuf_fields(value):
            if inner_key == 1 and isinstance(inner, bytes):
                name = inner.decode("utf-8", errors="replace")
            elif inner_key == 255 and isinstance(inner, int):
                number = inner
        if name:
            found[name] = str(number)
    return found


# --- bounded unpacking --------------------------------------------------------------------------


def unzstd(data: bytes, limit: int, what: str) -> bytes:
    """Decompress zstd ``data`` to at most ``limit`` bytes, in chunks: the frame header's
    content size is not trusted (``decompress(max_output_size=...)`` would believe it)."""
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
    out = bytearray()
    try:
        while chunk := reader.read(min(1 << 20, limit + 1 - len(out))):
            out += chunk
            if len(out) > limit:
                raise Refused(f"{what} unpacks to more than {limit} bytes (limit)")
    except zstandard.ZstdError as exc:
        raise Refused(f"{what} is not valid zstd data ({exc})") from exc
    return bytes(out)


class Package:
    """The zip archive, checked against the limits before anything is unpacked."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.limits = limits
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            NotImplementedError,  # a version or feature of zip the module lacks
            ValueError,
            OSError,
            EOFError,
        ) as exc:
            if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
                raise Refused(
                    "the package is damaged or truncated: its zip directory cannot be read"
                ) from exc
            raise Refused("not an Anki package: an .apkg file is a zip archive") from exc
        self.infos = {info.filename: info for info in infos}
        self.check(infos)

    def check(self, infos: list[zipfile.ZipInfo]) -> None:
        limits = self.limits
        if len(infos) > limits.entries:
            raise Refused(f"the package has {len(infos)} entries (limit {limits.entries})")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise Refused(f"entry '{info.filename}' is encrypted")
            if info.file_size > limits.entry_bytes:
                raise Refused(
                    f"entry '{info.filename}' unpacks to {info.file_size} bytes "
                    f"(limit {limits.entry_bytes})"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.ratio_floor and ratio > limits.ratio:
                raise Refused(
                    f"entry '{info.filename}' is compressed {ratio:.0f} to 1 (limit "
                    f"{limits.ratio}): the package looks like a zip bomb"
                )
            total += info.file_size
        if total > limits.total_bytes:
            raise Refused(
                f"the package unpacks to {total} bytes in all (limit {limits.total_bytes})"
            )

    def __contains__(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str, limit: int) -> bytes:
        """Return an entry's bytes, reading at most ``limit`` (whatever its header says)."""
        try:
            with self.zip.open(self.infos[name]) as entry:
                data = entry.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise Refused(f"entry '{name}' is damaged or truncated ({exc})") from exc
        except NotImplementedError as exc:
            raise Refused(f"entry '{name}' uses a compression this reader lacks") from exc
        if len(data) > limit:
            raise Refused(f"entry '{name}' unpacks to more than {limit} bytes (limit)")
        return data


def collection_name(package: Package) -> tuple[str, int]:
    """Return the collection entry to read and the package version, from ``meta`` first."""
    if "meta" in package:
        try:
            version = meta_version(package.read("meta", 1024))
        except ValueError as exc:
            raise Refused(f"the package's meta entry is not readable ({exc})") from exc
        if version > LATEST:
            raise Refused(
                f"the package was made by a newer Anki (package version {version}); export it "
                "again with 'Support older Anki versions' ticked"
            )
        if version in _COLLECTIONS:
            name = _COLLECTIONS[version]
            if name not in package:
                raise Refused(f"the package's meta names {name}, which it does not hold")
            return name, version
    for name in ("collection.anki21", "collection.anki2"):
        if name in package:
            return name, 0
    raise Refused("the package holds no Anki collection (collection.anki21b, .anki21, .anki2)")
