"""Moodle XML's text: the file parsed with each element's line, and HTML reduced to text.

The file is parsed with defusedxml: a file that declares entities (the "billion laughs" and
external-entity attacks) is refused as a whole, and nothing in it is fetched. ``XmlText`` is a
``<text>`` of the file as the reader meets it; ``html_to_text`` gives the plain text of the
HTML that Moodle writes in answers (Anki's reader uses it too).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, ClassVar

from defusedxml.common import (  # type: ignore[import-untyped, unused-ignore]
    DefusedXmlException,
)
from defusedxml.ElementTree import (  # type: ignore[import-untyped, unused-ignore]
    DefusedXMLParser,
)

ENTITIES_REFUSED = "XML with entity declarations is refused (security)"
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")


# --- XML with line numbers -------------------------------------------------------------------


class _LineTreeBuilder(ET.TreeBuilder):
    """Builds the tree and notes the line each element starts on (ElementTree keeps none)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.expat: Any = None

    def start(self, tag: str, attrs: dict[str, str], /) -> ET.Element:
        element = super().start(tag, attrs)
        # expat is at the element's start tag while it calls this handler.
        self.lines[element] = int(self.expat.CurrentLineNumber) if self.expat else 0
        return element


@dataclass(frozen=True)
class ParsedXml:
    """A parsed document and the line of each element; or why it could not be parsed."""

    root: ET.Element | None
    lines: Mapping[ET.Element, int]
    error: str = ""
    error_line: int = 0


def parse_xml(data: bytes) -> ParsedXml:
    """Parse ``data`` with entity declarations refused, noting each element's line."""
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False)
    builder.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        line = int(parser.parser.CurrentLineNumber)
        return ParsedXml(None, {}, ENTITIES_REFUSED, line)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 0
        return ParsedXml(None, {}, f"not well-formed XML: {exc}", line)
    except (ValueError, LookupError) as exc:  # an unknown encoding name, for one
        return ParsedXml(None, {}, f"the XML cannot be read: {exc}", 1)
    if not isinstance(root, ET.Element):
        return ParsedXml(None, {}, "the XML has no root element", 1)
    return ParsedXml(root, builder.lines)


# --- HTML and text -----------------------------------------------------------------------------


class _TextOfHtml(HTMLParser):
    """Collects the text of an HTML fragment: line breaks at <br> and block ends."""

    BLOCKS: ClassVar[frozenset[str]] = frozenset(
        {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.pieces.append("\n")
        elif tag == "img":
            self.images.append(dict(attrs).get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        # Line ends in the HTML source are spaces; only tags make lines.
        self.pieces.append(" ".join(data.split("\n")))


@dataclass(frozen=True)
class PlainText:
    """The text of a fragment and the images it held."""

    text: str
    images: tuple[str, ...] = ()


def html_to_text(fragment: str, *, lines: bool = False) -> PlainText:
    """Return the text of an HTML fragment; with ``lines``, <br> and blocks end lines."""
    reader = _TextOfHtml()
    reader.feed(fragment)
    reader.close()
    raw = "".join(reader.pieces)
    if lines:
        kept = [" ".join(line.split()) for line in raw.split("\n")]
        text = "\n".join(kept).strip("\n")
        text = re.sub(r"\n{2,}", "\n", text)
    else:
        text = " ".join(raw.split())
    return PlainText(text, tuple(reader.images))


def looks_like_html(text: str) -> bool:
    """True when ``text`` holds a tag or an entity (and so is written as Moodle's html)."""
    return bool(_HTML_TAG.search(text))


# --- the reader --------------------------------------------------------------------------------


@dataclass
class XmlText:
    """A ``<text>`` of the file with its format and the line it is on."""

    value: str
    format: str
    line: int

    @property
    def is_html(self) -> bool:
        return self.format == "html"
