"""HTML and plain text: HTML to plain text, for answers that are compared as typed (an Anki
card's back, say); plain text and Markdown to the app's question text, shown as written.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from quizapp.richtext import has_html, markdown_html

_BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
_HIDDEN = frozenset({"script", "style"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """Return the text of ``markup``: tags gone, entities decoded, line breaks kept.

    The content of ``script`` and ``style`` elements is not text and goes too; spaces are
    collapsed within each line and empty lines dropped.
    """
    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def one_line(markup: str) -> str:
    """Return the text of ``markup`` on one line."""
    return " ".join(html_text(markup).split())


_ONE_PARAGRAPH = re.compile(r"<p>((?:(?!</?p>).)*)</p>\s*", re.DOTALL)


def plain_as_rich(text: str) -> str:
    """Return plain ``text`` as question text that shows exactly as written.

    The app shows a text without tags as it is (escaped), and a text with tags as HTML. Plain
    text that looks like HTML (``<b>``, ``<html class="x">``) is escaped and held in a
    ``<span>``: the web layer reads it as HTML, its cleaner drops the span, and what shows is
    the text as written. Any other text is kept as it is.
    """
    if not has_html(text):
        return text
    return f"<span>{html.escape(text, quote=False)}</span>"


def rich_as_plain(text: str) -> str:
    """Return question text as the plain text it shows (the reverse of ``plain_as_rich``)."""
    return html_text(text) if has_html(text) else text


def markdown_as_rich(text: str) -> str:
    """Return Markdown ``text`` as question text: rendered as HTML, one paragraph unwrapped."""
    rendered = markdown_html(text)
    single = _ONE_PARAGRAPH.fullmatch(rendered)
    shown = single.group(1) if single else rendered.strip()
    # Without a tag, the web layer would escape the entities once more: keep what they show.
    return shown if has_html(shown) else plain_as_rich(html.unescape(shown))
