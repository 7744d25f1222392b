"""Moodle category paths and the app's topic titles: one rule for Moodle XML and GIFT.

A topic's title is its whole path, the levels joined by `` / `` (``LEVEL_SEPARATOR``, the
separator the learner's home page groups topics by: ``quizapp.study.progress``). Moodle writes
a category as a path: ``$course$/top/Bio/Cells``.

Reading a path (``category_levels``, ``category_title``):

- the levels are split at each single ``/``; ``//`` is a ``/`` inside a level's name
  (``Input//Output`` is the one level "Input/Output");
- a first level that is a Moodle context marker (``$course$``, ``$system$``, ``$module$``,
  ``$quiz$``, ``$cat1$``, ``$coursecategory$``: ``$`` + letters and digits + ``$``, any case)
  goes, and so does Moodle's ``top`` after it (or first, without a marker);
- each level is trimmed, inner white space made one space; empty levels go;
- ``$course$/top/Iota/Kappa`` and ``Iota/Kappa`` both give "Iota / Kappa".

Writing a title (``category_path``) is the reverse: the title is split at `` / ``, a ``/``
left inside a level is doubled, and the path starts with ``$course$/top/``. A title read from
a path is written back as that path (up to the context, white space and empty levels), so an
export then import keeps the title.

Only the category fields of Moodle XML and GIFT are paths. The other text formats keep a
topic cell as written (CSV/xlsx: "Bio / Cells" is nested, "Input/Output" is one level);
Aiken has no topics.
"""

from __future__ import annotations

import re

LEVEL_SEPARATOR = " / "
"""Between the levels of a topic title (``quizapp.study.progress.TOPIC_PATH_SEPARATOR``)."""
CONTEXT = "$course$"
TOP = "top"
_CONTEXT_MARKER = re.compile(r"\$[a-z][a-z0-9]*\$", re.IGNORECASE)
_ESCAPED = "\x00"


def category_levels(path: str) -> list[str]:
    """Return the levels of a Moodle category path, without its context marker and ``top``."""
    raw = path.replace("//", _ESCAPED).split("/")
    levels = [" ".join(level.replace(_ESCAPED, "/").split()) for level in raw]
    levels = [level for level in levels if level]
    if levels and _CONTEXT_MARKER.fullmatch(levels[0]):
        levels = levels[1:]
    if levels and levels[0].lower() == TOP:
        levels = levels[1:]
    return levels


def category_title(path: str) -> str:
    """Return a Moodle category path as a topic title (``''`` for the top category)."""
    return LEVEL_SEPARATOR.join(category_levels(path))


def category_path(title: str, context: str = CONTEXT) -> str:
    """Return the Moodle category path of a topic title: ``$course$/top/A/B`` for "A / B"."""
    levels = title_levels(title)
    return "/".join([context, TOP, *(level.replace("/", "//") for level in levels)])


def title_levels(title: str) -> list[str]:
    """Return the levels of a topic title: split at `` / `` only (``x/y`` is one level)."""
    levels = (" ".join(level.split()) for level in title.split(LEVEL_SEPARATOR))
    return [level for level in levels if level]
