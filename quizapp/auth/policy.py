"""Which passwords are refused, and why: too short, too common, or made of the account's name.

Pure functions (no Flask, no database), used by registration, password changes, resets and the
admin and command-line paths alike.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = [
    "COMMON_REASON",
    "EMAIL_REASON",
    "MIN_PASSWORD_LENGTH",
    "NAME_REASON",
    "common_passwords",
    "password_problems",
]

MIN_PASSWORD_LENGTH = 8
# A name shorter than this would refuse too many good passwords ("al" is in "totally").
MIN_NAME_LENGTH = 3

COMMON_REASON = "This is one of the 10,000 most common passwords."
EMAIL_REASON = "It contains your e-mail name."
NAME_REASON = "It contains your name."


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the 10,000 most common passwords (lower-case), read once."""
    text = files("quizapp.auth").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def password_problems(password: str, *, email: str = "", display_name: str = "") -> list[str]:
    """Every reason to refuse ``password`` for the account ``email`` / ``display_name``.

    Returns:
        Messages for the user, in a fixed order; empty when the password is acceptable.
    """
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    folded = password.casefold()
    if folded in common_passwords():
        problems.append(COMMON_REASON)
    local_part = email.strip().rpartition("@")[0] if "@" in email else email.strip()
    if _contains(folded, local_part):
        problems.append(EMAIL_REASON)
    if _contains(folded, display_name) and display_name.strip().casefold() != local_part.casefold():
        problems.append(NAME_REASON)
    return problems


def _contains(folded_password: str, name: str) -> bool:
    name = name.strip().casefold()
    return len(name) >= MIN_NAME_LENGTH and name in folded_password
