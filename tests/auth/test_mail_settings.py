"""SMTP settings from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.config import settings_from_env


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, (None, 25, False, None, "quizapp@localhost")),
        (
            {"QUIZAPP_SMTP_HOST": "mail.example.org", "QUIZAPP_MAIL_FROM": "quiz@example.org"},
            ("mail.example.org", 25, False, None, "quiz@example.org"),
        ),
        (
            {"QUIZAPP_SMTP_HOST": "mail.example.org", "QUIZAPP_SMTP_USER": "quiz"},
            ("mail.example.org", 587, True, "quiz", "quizapp@localhost"),
        ),
        (
            {"QUIZAPP_SMTP_HOST": "m", "QUIZAPP_SMTP_USER": "q", "QUIZAPP_SMTP_STARTTLS": "0"},
            ("m", 25, False, "q", "quizapp@localhost"),
        ),
        (
            {"QUIZAPP_SMTP_HOST": "m", "QUIZAPP_SMTP_STARTTLS": "1", "QUIZAPP_SMTP_PORT": "2525"},
            ("m", 2525, True, None, "quizapp@localhost"),
        ),
    ],
)
def test_smtp_settings(
    tmp_path: Path, environ: dict[str, str], expected: tuple[object, ...]
) -> None:
    config = settings_from_env({"QUIZAPP_SECRET_KEY": "k", **environ}, tmp_path)
    keys = ("HOST", "PORT", "STARTTLS", "USER")
    assert (*(config[f"QUIZAPP_SMTP_{k}"] for k in keys), config["QUIZAPP_MAIL_FROM"]) == expected
