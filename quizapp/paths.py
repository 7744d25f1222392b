"""Where the app finds the folders that live at the repository root.

The layout keeps ``templates/``, ``static/``, ``migrations/`` and ``questions/`` beside the
package. A wheel carries copies inside the package (``quizapp/_data/``, see pyproject.toml), so
an installed app looks there first and a checkout falls back to the repository root.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_data"
_CHECKOUT = PACKAGE_DIR.parent


def resource_dir(name: str) -> Path:
    """Return the folder ``name`` from the installed package data or the checkout."""
    bundled = _BUNDLED / name
    if bundled.is_dir():
        return bundled
    return _CHECKOUT / name


def templates_dir() -> Path:
    return resource_dir("templates")


def static_dir() -> Path:
    return resource_dir("static")


def migrations_dir() -> Path:
    return resource_dir("migrations")


def questions_dir() -> Path:
    return resource_dir("questions")
