"""Question text that may hold HTML (from imported files), cleaned to a safe subset.

Imported prompts, choices, explanations and feedback can carry HTML written for Moodle or
Anki. What reaches a learner's page is that HTML cleaned by nh3 to a few formatting tags:
no script, no handler attribute, no style, and no resource from another site. Images and
audio players (``<audio controls src=...>``, as Anki's sounds are imported) are kept only
when they name a file stored with the set (``media:NAME``); remote and ``data:`` ones are
dropped (the Content-Security-Policy would block the remote ones anyway). Text without tags
is escaped as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "sub",
        "sup",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
        "img",
        "audio",
        "a",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
    }
)
ATTRIBUTES = {"img": {"src", "alt"}, "audio": {"src"}, "a": {"href"}}
MEDIA_TAGS = frozenset({"img", "audio"})
"""The tags whose ``src`` must name a file stored with the set."""
LINK_SCHEMES = ("http:", "https:", "mailto:")
MEDIA_PREFIX = "media:"

_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>|<!--")
# An <img> whose src was dropped shows nothing useful: take it out altogether.
_IMG_WITHOUT_SRC_RE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
# Nor does an audio player without its file: out with what it holds.
_AUDIO_WITHOUT_SRC_RE = re.compile(r"<audio(?![^>]*\ssrc=)[^>]*>.*?</audio>", re.S)

# CommonMark, with HTML written in the Markdown shown as text rather than passed through.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})

MediaUrl = Callable[[str], str]
"""Turns the name of a file stored with the set into the URL that serves it."""


def has_html(text: str) -> bool:
    """Return whether ``text`` holds anything that looks like an HTML tag or comment."""
    return bool(_TAG_RE.search(text))


def markdown_html(text: str) -> str:
    """Return Markdown ``text`` as HTML (CommonMark; HTML written in it is escaped as text).

    For texts that say they are Markdown (GIFT's ``[markdown]``): the HTML is stored as the
    question's text and, like any, reaches a page only through ``clean_html``.
    """
    return str(_MARKDOWN.render(text))


def clean_html(text: str, media_url: MediaUrl) -> str:
    """Return ``text`` (HTML) reduced to the safe subset, ``media:`` images and audio pointed
    at the app (an audio player always shows its controls, and never plays by itself)."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag in MEDIA_TAGS and attribute == "src":
            if not value.startswith(MEDIA_PREFIX) or len(value) == len(MEDIA_PREFIX):
                return None
            return media_url(value[len(MEDIA_PREFIX) :])
        if tag == "a" and attribute == "href":
            return value if value.lower().startswith(LINK_SCHEMES) else None
        return value

    cleaned = nh3.clean(
        text,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        attribute_filter=keep,
        set_tag_attribute_values={"audio": {"controls": "controls", "preload": "none"}},
        url_schemes={"http", "https", "mailto", "media"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return _AUDIO_WITHOUT_SRC_RE.sub("", _IMG_WITHOUT_SRC_RE.sub("", cleaned))


def render_rich(text: object, media_url: MediaUrl) -> Markup:
    """Return question text ready for a template: cleaned HTML, or escaped plain text."""
    if isinstance(text, Markup):
        return text
    value = "" if text is None else str(text)
    if has_html(value):
        return Markup(clean_html(value, media_url))  # cleaned by nh3 just above
    return escape(value)
