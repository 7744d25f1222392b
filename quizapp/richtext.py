"""Question text that may hold HTML (from imported files), cleaned to a safe subset.

Imported prompts, choices, explanations and feedback can carry HTML written for Moodle or
Anki. What reaches a learner's page is that HTML cleaned by nh3 to a few formatting tags:
no script, no handler attribute, no style, and no resource from another site. Images and
audio players (``<audio controls src=...>``, as Anki's sounds are imported) are kept only
when they name a file stored with the set (``media:NAME``); remote and ``data:`` ones are
dropped (the Content-Security-Policy would block the remote ones anyway). Text without tags
is escaped as before.

Math is shown as MathML made here on the server (latex2mathml), so it needs no JavaScript:
``$...$`` and ``$$...$$`` in Markdown (``markdown_html``), and the LaTeX that Anki and Moodle
write (``[$]...[/$]``, ``[$$]...[/$$]``, ``[latex]...[/latex]``, ``\\(...\\)``, ``\\[...\\]``,
``$$...$$``) in any question text (``math_to_mathml``, called by ``render_rich``). The cleaner
keeps the MathML elements and their presentation attributes, nothing that links or runs.
LaTeX that cannot be converted is shown as its source in ``<code>``.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Sequence
from xml.etree.ElementTree import tostring

import nh3
from latex2mathml.converter import convert_to_element
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
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
MATHML_TAGS = frozenset(
    {
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mmultiscripts",
        "mprescripts",
        "mtable",
        "mtr",
        "mtd",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",
        "merror",
        "semantics",
        "annotation",
    }
)
"""MathML for formulas (Presentation MathML, what latex2mathml writes). Never ``annotation-xml``
(it may hold HTML) and never an ``href`` or ``style`` on any of them."""
_MATHML_TOKEN = {"mathvariant", "mathcolor", "displaystyle", "scriptlevel", "dir"}
MATHML_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(_MATHML_TOKEN) for tag in MATHML_TAGS - {"math", "annotation"}
}
MATHML_ATTRIBUTES["math"] = {"display", "xmlns", *_MATHML_TOKEN}
MATHML_ATTRIBUTES["annotation"] = {"encoding"}
MATHML_ATTRIBUTES["mo"] |= {
    "accent",
    "fence",
    "form",
    "largeop",
    "lspace",
    "rspace",
    "maxsize",
    "minsize",
    "movablelimits",
    "separator",
    "stretchy",
    "symmetric",
}
MATHML_ATTRIBUTES["mover"] |= {"accent"}
MATHML_ATTRIBUTES["munder"] |= {"accentunder"}
MATHML_ATTRIBUTES["munderover"] |= {"accent", "accentunder"}
MATHML_ATTRIBUTES["mfrac"] |= {"linethickness"}
MATHML_ATTRIBUTES["mspace"] |= {"width", "height", "depth"}
MATHML_ATTRIBUTES["mpadded"] |= {"width", "height", "depth", "lspace", "voffset"}
MATHML_ATTRIBUTES["menclose"] |= {"notation"}
MATHML_ATTRIBUTES["mtable"] |= {
    "columnalign",
    "columnlines",
    "columnspacing",
    "rowalign",
    "rowlines",
    "rowspacing",
    "frame",
}
MATHML_ATTRIBUTES["mtr"] |= {"columnalign", "rowalign"}
MATHML_ATTRIBUTES["mtd"] |= {"columnalign", "rowalign", "columnspan", "rowspan"}
ATTRIBUTES = {"img": {"src", "alt"}, "audio": {"src"}, "a": {"href"}, **MATHML_ATTRIBUTES}
MEDIA_TAGS = frozenset({"img", "audio"})
"""The tags whose ``src`` must name a file stored with the set."""
LINK_SCHEMES = ("http:", "https:", "mailto:")
MEDIA_PREFIX = "media:"

_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>|<!--")
# An <img> whose src was dropped shows nothing useful: take it out altogether.
_IMG_WITHOUT_SRC_RE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
# Nor does an audio player without its file: out with what it holds.
_AUDIO_WITHOUT_SRC_RE = re.compile(r"<audio(?![^>]*\ssrc=)[^>]*>.*?</audio>", re.S)

MediaUrl = Callable[[str], str]
"""Turns the name of a file stored with the set into the URL that serves it."""

MAX_LATEX = 4000
"""Longer LaTeX is shown as its source (a formula is far shorter; this bounds the work)."""
_CHAR_REF_RE = re.compile(r"&#x([0-9a-fA-F]{1,6});")


def _char(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return chr(code) if code <= 0x10FFFF else match.group(0)


def _as_code(latex: str) -> str:
    return f"<code>{html.escape(latex, quote=False)}</code>"


@functools.lru_cache(maxsize=2048)
def latex_mathml(latex: str, display: bool = False) -> str:
    """Return LaTeX math ``latex`` as a ``<math>`` element (``display``: as a block), or, when
    it cannot be converted, its source escaped in ``<code>``.

    latex2mathml's own string output puts text from the source unescaped into the markup
    (``\\text{<b>}``); here its element tree is written out again with everything escaped.
    """
    source = latex.strip()
    if not source or len(source) > MAX_LATEX:
        return _as_code(latex)
    try:
        element = convert_to_element(source, display="block" if display else "inline")
    except Exception:  # any error of the converter (or its recursion) means "not LaTeX we show"
        return _as_code(latex)
    # latex2mathml writes symbols as character references in the text ("&#x0221A;"), which
    # its own output unescapes once more; make them the characters they stand for instead.
    for node in element.iter():
        if node.text:
            node.text = _CHAR_REF_RE.sub(_char, node.text)
        if node.tail:
            node.tail = _CHAR_REF_RE.sub(_char, node.tail)
        for name, value in node.attrib.items():
            node.attrib[name] = _CHAR_REF_RE.sub(_char, value)
    return tostring(element, encoding="unicode")


# --- Markdown: $...$ and $$...$$ are math, found before emphasis, links or escapes see them.


def _math_inline(state: StateInline, silent: bool) -> bool:
    """``$x$`` (inline) and ``$$x$$`` (display) inside a paragraph.

    As in Pandoc, a single ``$`` opens only before a non-space, and closes only after a non-space
    and before no digit, so prices (``$5 and $10``) stay text. A backslash inside math keeps the
    next character (``\\$`` there is LaTeX's dollar); outside, ``\\$`` is CommonMark's escaped
    dollar, taken by the escape rule before this one sees a ``$``.
    """
    src, start, end = state.src, state.pos, state.posMax
    if src[start] != "$":
        return False
    display = src.startswith("$$", start)
    width = 2 if display else 1
    pos = start + width
    if not display and (pos >= end or src[pos].isspace()):
        return False
    while pos < end:
        char = src[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "$":
            if display:
                if pos + 2 <= end and src.startswith("$$", pos):
                    break
            elif not src[pos - 1].isspace() and not (pos + 1 < end and src[pos + 1].isdigit()):
                break
        pos += 1
    else:
        return False
    latex = src[start + width : pos]
    if not latex.strip():
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = latex
        token.markup = src[start : start + width]
    state.pos = pos + width
    return True


def _math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A paragraph of display math: lines from one starting ``$$`` to one ending ``$$``.

    Nothing in between is Markdown (a line ``- x`` or ``# y`` there is LaTeX). A blank line
    before the closing ``$$`` means it is no math block (the text stays a paragraph).
    """
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    first = state.src[
        state.bMarks[start_line] + state.tShift[start_line] : state.eMarks[start_line]
    ]
    if not first.startswith("$$"):
        return False
    rest = first[2:].rstrip()
    if rest.endswith("$$") and "$$" not in rest[:-2]:
        latex, last = rest[:-2], start_line
    elif "$$" in rest:
        return False
    else:
        lines = [rest]
        last = start_line + 1
        while True:
            if last >= end_line or state.isEmpty(last):
                return False
            line = state.src[state.bMarks[last] + state.tShift[last] : state.eMarks[last]]
            line = line.rstrip()
            if "$$" in line:
                if not line.endswith("$$") or "$$" in line[:-2]:
                    return False
                lines.append(line[:-2])
                break
            lines.append(line)
            last += 1
        latex = "\n".join(lines)
    if not latex.strip():
        return False
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = latex
    token.markup = "$$"
    token.map = [start_line, last + 1]
    state.line = last + 1
    return True


def _render_math(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    shown = latex_mathml(token.content, display=token.markup == "$$")
    return f"<p>{shown}</p>\n" if token.type == "math_block" else shown


def _render_text(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # A dollar that is text (``\\$``, or one that opens no math) is written as a character
    # reference, so that ``math_to_mathml`` never reads two of them as math when the page shows
    # the HTML.
    return escapeHtml(tokens[idx].content).replace("$", "&#36;")


# CommonMark, with HTML written in the Markdown shown as text rather than passed through,
# and math.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_MARKDOWN.inline.ruler.before("escape", "math_inline", _math_inline)
_MARKDOWN.block.ruler.before(
    "fence", "math_block", _math_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
)
_MARKDOWN.add_render_rule("math_inline", _render_math)
_MARKDOWN.add_render_rule("math_block", _render_math)
_MARKDOWN.add_render_rule("text", _render_text)

# --- LaTeX in question text (HTML) as Anki and Moodle write it.

_MATH_IN_HTML_RE = re.compile(
    # Left as they are: code, preformatted text and math already made; comments; any tag
    # (so a delimiter inside an attribute is never read).
    r"(?P<keep><(?P<kept>code|pre|math)\b[^>]*>.*?</(?P=kept)\s*>|<!--.*?-->|</?[a-z][^<>]*>)"
    r"|\[latex\](?P<latex>.*?)\[/latex\]"  # Anki: a LaTeX fragment
    r"|\[\$\$\](?P<anki_display>.*?)\[/\$\$\]"  # Anki: display math
    r"|\[\$\](?P<anki_inline>.*?)\[/\$\]"  # Anki: inline math
    r"|\\\[(?P<display>.*?)\\\]"  # MathJax (Anki, Moodle): display math
    r"|\\\((?P<inline>.*?)\\\)"  # MathJax (Anki, Moodle): inline math
    r"|(?<!\\)\$\$(?P<dollars>.*?)(?<!\\)\$\$",  # Moodle's TeX filter: display math
    re.IGNORECASE | re.DOTALL,
)
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ANY_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>")
# Math delimiters Anki's [latex] fragments often hold around the formula.
_FRAGMENT_MATH_RE = re.compile(
    r"\s*(?:\$\$(.*)\$\$|\$(.*)\$|\\\[(.*)\\\]|\\\((.*)\\\))\s*", re.DOTALL
)


def _latex_in_html(text: str) -> str:
    """The LaTeX that HTML ``text`` shows: line breaks kept, other tags dropped, entities read."""
    return html.unescape(_ANY_TAG_RE.sub("", _BR_RE.sub("\n", text))).replace("\xa0", " ")


def _math_match(match: re.Match[str]) -> str:
    if match.group("keep") is not None:
        return match.group(0)
    if match.group("latex") is not None:
        latex = _latex_in_html(match.group("latex"))
        inner = _FRAGMENT_MATH_RE.fullmatch(latex)
        if inner:
            found = [group for group in inner.groups() if group is not None]
            latex = found[0]
        return latex_mathml(latex, display=True)
    for name, display in (
        ("anki_display", True),
        ("anki_inline", False),
        ("display", True),
        ("inline", False),
        ("dollars", True),
    ):
        if match.group(name) is not None:
            return latex_mathml(_latex_in_html(match.group(name)), display=display)
    return match.group(0)  # pragma: no cover - every alternative is named above


def math_to_mathml(text: str) -> str:
    """Return question text (HTML) with its LaTeX as MathML, as Anki and Moodle would show it.

    Anki's ``[latex]...[/latex]``, ``[$]...[/$]`` and ``[$$]...[/$$]``, MathJax's ``\\(...\\)``
    and ``\\[...\\]`` and Moodle's ``$$...$$``. Tags (a ``<br>``) inside the LaTeX are taken out
    and entities read, as Anki does; code, preformatted text and existing math are left alone.
    What cannot be converted shows as its source, escaped, in ``<code>``. The result is HTML
    that still goes through ``clean_html``.
    """
    if "$" not in text and "\\" not in text and "[" not in text:
        return text
    return _MATH_IN_HTML_RE.sub(_math_match, text)


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
        tags=set(TAGS | MATHML_TAGS),
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
        return Markup(clean_html(math_to_mathml(value), media_url))  # cleaned by nh3 just above
    escaped = str(escape(value))
    with_math = math_to_mathml(escaped)
    if with_math == escaped:
        return Markup(escaped)  # escaped just above
    return Markup(clean_html(with_math, media_url))  # cleaned by nh3 just above
