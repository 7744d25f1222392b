"""The password policy: long enough, not a common password, not the account's own name."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from quizapp.auth.policy import (
    COMMON_REASON,
    EMAIL_REASON,
    NAME_REASON,
    common_passwords,
    password_problems,
)
from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import PASSWORD, Browserless


def test_the_list_holds_the_10000_most_common_passwords() -> None:
    passwords = common_passwords()
    assert isinstance(passwords, frozenset)
    assert len(passwords) == 10_000
    assert {"123456", "password", "12345678", "qwerty", "iloveyou"} <= passwords
    assert all(p == p.lower() and p.strip() == p and p for p in passwords)
    assert common_passwords() is passwords  # read once


@pytest.mark.parametrize(
    ("password", "email", "name", "reasons"),
    [
        ("correct horse battery", "lee@example.org", "Lee", []),
        ("short", "lee@example.org", "Lee", ["The password must have at least 8 characters."]),
        ("12345678", "lee@example.org", "Lee", [COMMON_REASON]),
        ("PassWord1", "lee@example.org", "Lee", [COMMON_REASON]),  # case does not help
        ("Zanzibar-is-far", "zanzibar@example.org", "Z", [EMAIL_REASON]),
        ("my ZANZIBAR pass", "Zanzibar@example.org", "", [EMAIL_REASON]),
        ("quentin rocks 42", "q@example.org", "Quentin", [NAME_REASON]),
        ("i am Ada Lovelace!", "ada@example.org", "Ada Lovelace", [EMAIL_REASON, NAME_REASON]),
        # A name made the display name by default is reported once, as the e-mail's name.
        ("zanzibar1234", "zanzibar@example.org", "zanzibar", [EMAIL_REASON]),
        # Names of one or two characters would refuse too much.
        ("totally fine words", "al@example.org", "Al", []),
        ("password", "pa@example.org", "Pa", [COMMON_REASON]),
    ],
)
def test_password_problems(password: str, email: str, name: str, reasons: list[str]) -> None:
    assert password_problems(password, email=email, display_name=name) == reasons


def _register(agent: Browserless, email: str, password: str, name: str = "") -> tuple[int, str]:
    resp = agent.submit(
        "/auth/register",
        {"display_name": name, "email": email, "password": password, "confirm": password},
    )
    return resp.status_code, resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "name", "password", "reason"),
    [
        ("ada@example.org", "Ada", "password1", COMMON_REASON),
        ("ada@example.org", "Ada", "QWERTYUIOP", COMMON_REASON),
        ("zanzibar@example.org", "Z", "zanzibar2024", EMAIL_REASON),
        ("q@example.org", "Quentin", "Quentin-the-great", NAME_REASON),
    ],
)
def test_registration_says_why_a_password_is_refused(
    user_agent: Browserless, email: str, name: str, password: str, reason: str
) -> None:
    status, page = _register(user_agent, email, password, name)
    assert status == 400
    assert f'<p class="error" id="password-error">{reason}</p>' in page
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_registration_accepts_a_good_password(user_agent: Browserless) -> None:
    status, _ = _register(user_agent, "ada@example.org", "analytical engines", "Ada")
    assert status == 302


def test_a_password_change_says_why_a_password_is_refused(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    make_user("zanzibar@example.org")
    user_agent.login("zanzibar@example.org")
    resp = user_agent.submit(
        "/auth/password",
        {"current": PASSWORD, "password": "Zanzibar-pass", "confirm": "Zanzibar-pass"},
    )
    assert resp.status_code == 400
    assert "It contains your e-mail name." in resp.get_data(as_text=True)
    user_agent.submit("/", {}, action="/auth/logout")
    assert user_agent.login("zanzibar@example.org", PASSWORD).status_code == 302
