"""Registering, logging in and out, changing passwords, CSRF."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask.testing import FlaskClient

from quizapp.extensions import db
from quizapp.models import Role, User
from tests.conftest import PASSWORD, Browserless


def test_register_creates_a_learner_and_logs_in(user_agent: Browserless) -> None:
    resp = user_agent.submit(
        "/auth/register",
        {
            "display_name": "Ada",
            "email": "Ada@Example.org",
            "password": "s3cret-pass",
            "confirm": "s3cret-pass",
        },
        follow_redirects=True,
    )
    assert resp.status_code == 200
    assert "Hello, Ada" in resp.get_data(as_text=True)
    user = db.session.scalar(sa.select(User))
    assert user is not None
    assert user.email == "ada@example.org"
    assert user.role is Role.LEARNER
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret-pass" not in user.password_hash


def test_register_refuses_a_taken_email(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    make_user("taken@example.org")
    resp = user_agent.submit(
        "/auth/register",
        {"email": "TAKEN@example.org", "password": "another-pass", "confirm": "another-pass"},
    )
    assert resp.status_code == 400
    assert "already exists" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_register_reports_each_bad_field(user_agent: Browserless) -> None:
    resp = user_agent.submit(
        "/auth/register", {"email": "not-an-email", "password": "short", "confirm": "other"}
    )
    page = resp.get_data(as_text=True)
    assert "Invalid email address" in page
    assert "at least 8 characters" in page
    assert "The passwords do not match." in page
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_login_with_wrong_password_says_so_clearly(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    make_user("lee@example.org")
    resp = user_agent.login("lee@example.org", "wrong password")
    assert resp.status_code == 401
    assert "Wrong e-mail or password" in resp.get_data(as_text=True)
    assert user_agent.get("/instructor/").status_code == 302  # still anonymous


def test_login_with_unknown_email_gives_the_same_message(user_agent: Browserless) -> None:
    resp = user_agent.login("nobody@example.org", "whatever-pass")
    assert resp.status_code == 401
    assert "Wrong e-mail or password" in resp.get_data(as_text=True)


def test_login_then_logout(user_agent: Browserless, make_user: Callable[..., User]) -> None:
    make_user("lee@example.org", name="Lee")
    resp = user_agent.login("lee@example.org")
    assert resp.status_code == 302
    assert "Hello, Lee" in user_agent.get("/").get_data(as_text=True)
    resp = user_agent.submit("/", {}, action="/auth/logout", follow_redirects=True)
    assert "You are logged out." in resp.get_data(as_text=True)
    assert "Hello, Lee" not in user_agent.get("/").get_data(as_text=True)


def test_login_redirects_only_inside_the_site(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    make_user("lee@example.org")
    token_page = "/auth/login?next=//evil.example/x"
    resp = user_agent.submit(token_page, {"email": "lee@example.org", "password": PASSWORD})
    assert resp.headers["Location"] == "/"


def test_post_without_csrf_token_is_refused(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    make_user("lee@example.org")
    resp = client.post("/auth/login", data={"email": "lee@example.org", "password": PASSWORD})
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True)
    resp = client.post("/auth/logout")
    assert resp.status_code == 400


def test_logout_is_post_only(user_agent: Browserless, make_user: Callable[..., User]) -> None:
    make_user("lee@example.org")
    user_agent.login("lee@example.org")
    assert user_agent.get("/auth/logout").status_code == 405


def test_change_password(user_agent: Browserless, make_user: Callable[..., User]) -> None:
    make_user("lee@example.org")
    user_agent.login("lee@example.org")
    resp = user_agent.submit(
        "/auth/password",
        {"current": "not it", "password": "brand-new-pass", "confirm": "brand-new-pass"},
    )
    assert resp.status_code == 400
    assert "current password is not correct" in resp.get_data(as_text=True)
    resp = user_agent.submit(
        "/auth/password",
        {"current": PASSWORD, "password": "brand-new-pass", "confirm": "brand-new-pass"},
        follow_redirects=True,
    )
    assert "Your password has been changed." in resp.get_data(as_text=True)
    user_agent.submit("/", {}, action="/auth/logout")
    assert user_agent.login("lee@example.org", PASSWORD).status_code == 401
    assert user_agent.login("lee@example.org", "brand-new-pass").status_code == 302


def test_pages_need_a_login(client: FlaskClient) -> None:
    resp = client.get("/auth/password")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/auth/login?next=")
