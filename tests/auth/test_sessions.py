"""Revocable logins: logout, a new password and "log out everywhere else" end the other copies."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import PASSWORD, Browserless

COOKIE = "quizapp_session"


def _copy_login(source: FlaskClient, app: Flask) -> FlaskClient:
    """A second browser holding a copy of ``source``'s session cookie (a stolen cookie)."""
    cookie = source.get_cookie(COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def _logged_in(client: FlaskClient) -> bool:
    return client.get("/account/settings").status_code == 200


@pytest.fixture
def lee(make_user: Callable[..., User], user_agent: Browserless) -> User:
    """Lee, logged in with ``user_agent`` (this browser)."""
    user = make_user("lee@example.org")
    user_agent.login("lee@example.org")
    return user


@pytest.fixture
def other(app: Flask, lee: User) -> Browserless:
    """Another browser where Lee is logged in too."""
    browser = Browserless(app.test_client())
    browser.login(lee.email)
    return browser


def test_the_cookie_names_the_session_version(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    user = make_user("lee@example.org")
    user_agent.login("lee@example.org")
    with user_agent.client.session_transaction() as session:
        assert session["_user_id"] == f"{user.id}:0"


def test_a_cookie_copied_before_logout_stops_working(
    app: Flask, user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    user = make_user("lee@example.org")
    user_agent.login("lee@example.org")
    thief = _copy_login(user_agent.client, app)
    assert _logged_in(thief)
    user_agent.submit("/", {}, action="/auth/logout")
    assert not _logged_in(user_agent.client)
    assert not _logged_in(thief)
    db.session.refresh(user)
    assert user.session_version == 1


def test_a_new_password_logs_out_the_other_sessions_but_not_this_one(
    app: Flask, user_agent: Browserless, other: Browserless, lee: User
) -> None:
    thief = _copy_login(user_agent.client, app)
    resp = user_agent.submit(
        "/auth/password",
        {"current": PASSWORD, "password": "brand-new-pass", "confirm": "brand-new-pass"},
        follow_redirects=True,
    )
    assert "You are logged out everywhere else." in resp.get_data(as_text=True)
    assert _logged_in(user_agent.client)
    assert not _logged_in(other.client)
    assert not _logged_in(thief)
    assert other.login("lee@example.org", "brand-new-pass").status_code == 302


def test_a_refused_password_change_ends_nothing(
    user_agent: Browserless, other: Browserless, lee: User
) -> None:
    resp = user_agent.submit(
        "/auth/password",
        {"current": "wrong", "password": "brand-new-pass", "confirm": "brand-new-pass"},
    )
    assert resp.status_code == 400
    assert _logged_in(other.client)
    db.session.refresh(lee)
    assert lee.session_version == 0


def test_log_out_everywhere_else(user_agent: Browserless, other: Browserless, lee: User) -> None:
    page = user_agent.get("/account/settings").get_data(as_text=True)
    assert "Log out everywhere else" in page
    resp = user_agent.submit(
        "/account/settings", {}, action="/account/sessions/end-others", follow_redirects=True
    )
    assert "You are logged out everywhere else." in resp.get_data(as_text=True)
    assert _logged_in(user_agent.client)
    assert not _logged_in(other.client)
    # The session that stayed can do it again, and then log out.
    user_agent.submit("/account/settings", {}, action="/account/sessions/end-others")
    assert _logged_in(user_agent.client)
    user_agent.submit("/", {}, action="/auth/logout")
    assert not _logged_in(user_agent.client)


def test_log_out_everywhere_else_needs_post_and_csrf(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    make_user("lee@example.org")
    user_agent.login("lee@example.org")
    assert user_agent.get("/account/sessions/end-others").status_code == 405
    assert user_agent.client.post("/account/sessions/end-others").status_code == 400


def test_a_cookie_from_before_versions_no_longer_logs_in(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    user = make_user("lee@example.org")
    user_agent.login("lee@example.org")
    with user_agent.client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # what cookies held before the version was added
    assert not _logged_in(user_agent.client)
