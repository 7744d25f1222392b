"""Password reset by e-mail, through a real SMTP server: ask, receive, follow, set, log in."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from quizapp.auth import reset as reset_module
from quizapp.auth.reset import RESET_MAX_AGE_SECONDS, make_reset_token
from quizapp.extensions import db
from quizapp.jobs import wait_idle
from quizapp.mail import send_mail
from quizapp.models import User
from tests.auth.conftest import Inbox, reset_link_in
from tests.conftest import PASSWORD, Browserless, csrf_token_from

NEW_PASSWORD = "a brand new passphrase"
SENT = "If an account exists for"


def _ask_for_link(agent: Browserless, email: str) -> str:
    resp = agent.submit("/auth/forgot", {"email": email})
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _set_password(agent: Browserless, path: str, password: str = NEW_PASSWORD) -> Any:
    return agent.submit(path, {"password": password, "confirm": password})


def _post_password(agent: Browserless, path: str) -> Any:
    """Post a new password to ``path`` with a valid CSRF token (a form kept open in a tab)."""
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    return agent.submit("/auth/forgot", data, action=path)


def test_the_login_page_links_to_the_reset(client: FlaskClient) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot"' in page
    assert "Forgot your password?" in page


def test_reset_end_to_end(
    user_agent: Browserless, make_user: Callable[..., User], inbox: Inbox
) -> None:
    user = make_user("lee@example.org", name="Lee")
    page = _ask_for_link(user_agent, "Lee@Example.org")
    assert f"{SENT} Lee@Example.org, we sent a link" in page

    message = inbox.only_message_to("lee@example.org")
    assert message["Subject"] == "Set a new quizapp password"
    assert message["From"] == "quizapp@localhost"
    link = reset_link_in(message)
    assert link.startswith("http://localhost/auth/reset/")
    path = urlsplit(link).path

    form_page = user_agent.get(path)
    assert form_page.status_code == 200
    assert "lee@example.org" in form_page.get_data(as_text=True)
    resp = _set_password(user_agent, path)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/auth/login"
    assert "log in with it" in user_agent.get("/auth/login").get_data(as_text=True)

    assert user_agent.login("lee@example.org", PASSWORD).status_code == 401
    assert user_agent.login("lee@example.org", NEW_PASSWORD).status_code == 302
    db.session.refresh(user)
    assert user.session_version == 1


def test_a_link_works_once(
    user_agent: Browserless, make_user: Callable[..., User], inbox: Inbox
) -> None:
    make_user("lee@example.org")
    _ask_for_link(user_agent, "lee@example.org")
    path = urlsplit(reset_link_in(inbox.only_message_to("lee@example.org"))).path
    _set_password(user_agent, path)

    resp = user_agent.get(path)
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "already been used" in page
    assert 'href="/auth/forgot"' in page
    # Posting to it again (a form kept open in another tab) is refused the same way.
    assert _post_password(user_agent, path).status_code == 400
    assert user_agent.login("lee@example.org", NEW_PASSWORD).status_code == 302


def test_setting_the_password_ends_every_login(
    app: Flask, user_agent: Browserless, make_user: Callable[..., User], inbox: Inbox
) -> None:
    make_user("lee@example.org")
    elsewhere = Browserless(app.test_client())
    elsewhere.login("lee@example.org")
    assert elsewhere.get("/account/settings").status_code == 200
    _ask_for_link(user_agent, "lee@example.org")
    _set_password(user_agent, urlsplit(reset_link_in(inbox.messages[0])).path)
    assert elsewhere.get("/account/settings").status_code == 302


def test_an_expired_link_is_refused(
    app: Flask,
    user_agent: Browserless,
    make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = make_user("lee@example.org")
    signed_at = int(time.time()) - RESET_MAX_AGE_SECONDS - 5
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
        with app.test_request_context():
            token = make_reset_token(user)
    resp = user_agent.get(f"/auth/reset/{token}")
    assert resp.status_code == 400
    assert "This password reset link has expired" in resp.get_data(as_text=True)
    assert _post_password(user_agent, f"/auth/reset/{token}").status_code == 400
    # An hour minus a minute is still fine.
    signed_at = int(time.time()) - RESET_MAX_AGE_SECONDS + 60
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: signed_at)
        token = make_reset_token(user)
    assert user_agent.get(f"/auth/reset/{token}").status_code == 200


@pytest.mark.parametrize("token", ["garbage", "eyJ1c2VyIjoxfQ.forged.signature"])
def test_a_forged_link_is_refused(user_agent: Browserless, token: str) -> None:
    resp = user_agent.get(f"/auth/reset/{token}")
    assert resp.status_code == 400
    assert "not valid" in resp.get_data(as_text=True)


def test_a_token_signed_with_another_key_is_refused(
    app: Flask, user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    user = make_user("lee@example.org")
    app.config["SECRET_KEY"] = "another site"
    token = make_reset_token(user)
    app.config["SECRET_KEY"] = "test-secret"
    assert "not valid" in user_agent.get(f"/auth/reset/{token}").get_data(as_text=True)


def test_an_unknown_address_gets_the_same_page_and_no_mail(
    user_agent: Browserless, make_user: Callable[..., User], inbox: Inbox
) -> None:
    make_user("lee@example.org")
    unknown = _ask_for_link(user_agent, "nobody@example.org")
    known = _ask_for_link(user_agent, "lee@example.org")
    assert [m["To"] for m in inbox.messages] == ["lee@example.org"]

    def same(page: str, address: str) -> str:
        # The CSRF token (in the form and in a meta tag) carries the second it was made: two
        # pages a second apart differ there and nowhere else.
        page = re.sub(r'"[\w-]+\.[\w-]+\.[\w-]{20,}"', '"TOKEN"', page)
        return page.replace(address, "ADDRESS")

    assert same(unknown, "nobody@example.org") == same(known, "lee@example.org")


def test_a_mail_server_failure_gives_the_same_page(
    app: Flask,
    user_agent: Browserless,
    make_user: Callable[..., User],
    caplog: pytest.LogCaptureFixture,
) -> None:
    make_user("lee@example.org")
    app.config.update(QUIZAPP_SMTP_HOST="127.0.0.1", QUIZAPP_SMTP_PORT=1)  # nothing listens
    with caplog.at_level(logging.ERROR):
        page = _ask_for_link(user_agent, "lee@example.org")
    assert SENT in page
    assert "password reset mail to user" in caplog.text


def test_without_smtp_the_mail_goes_to_the_log(
    user_agent: Browserless, make_user: Callable[..., User], caplog: pytest.LogCaptureFixture
) -> None:
    make_user("lee@example.org")
    with caplog.at_level(logging.WARNING):
        _ask_for_link(user_agent, "lee@example.org")
    assert "No SMTP server is set" in caplog.text
    assert "http://localhost/auth/reset/" in caplog.text


def test_the_link_uses_the_base_url_when_set(
    app: Flask, user_agent: Browserless, make_user: Callable[..., User], inbox: Inbox
) -> None:
    app.config["QUIZAPP_BASE_URL"] = "https://quiz.example.org/school"
    make_user("lee@example.org")
    forged = {"base_url": "http://evil.test"}  # a request whose Host header is forged
    token = csrf_token_from(user_agent.get("/auth/forgot", **forged).get_data(as_text=True))
    resp = user_agent.client.post(
        "/auth/forgot", data={"email": "lee@example.org", "csrf_token": token}, **forged
    )
    assert resp.status_code == 200
    link = reset_link_in(inbox.only_message_to("lee@example.org"))
    assert link.startswith("https://quiz.example.org/school/auth/reset/")


def test_the_forgot_form_checks_the_address(user_agent: Browserless, inbox: Inbox) -> None:
    resp = user_agent.submit("/auth/forgot", {"email": "not an address"})
    assert resp.status_code == 400
    assert "Invalid email address" in resp.get_data(as_text=True)
    assert inbox.messages == []


def test_the_reset_form_refuses_a_weak_password_and_keeps_the_link(
    user_agent: Browserless, make_user: Callable[..., User], inbox: Inbox
) -> None:
    make_user("lee@example.org")
    _ask_for_link(user_agent, "lee@example.org")
    path = urlsplit(reset_link_in(inbox.messages[0])).path
    resp = _set_password(user_agent, path, "password123")
    assert resp.status_code == 400
    assert "This is one of the 10,000 most common passwords." in resp.get_data(as_text=True)
    assert _set_password(user_agent, path).status_code == 302


def test_the_mail_leaves_after_the_response_not_in_it(
    app: Flask,
    user_agent: Browserless,
    make_user: Callable[..., User],
    inbox: Inbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The forgot page talks to no mail server itself: the page takes as long whether or not
    the address has an account. The mail goes out from the job thread."""
    app.config["QUIZAPP_JOB_MODE"] = "thread"
    senders: list[int] = []

    def recording(*args: Any, **kwargs: Any) -> None:
        senders.append(threading.get_ident())
        send_mail(*args, **kwargs)

    monkeypatch.setattr(reset_module, "send_mail", recording)
    user = make_user("slow@example.org")
    page = _ask_for_link(user_agent, user.email)
    assert SENT in page
    assert wait_idle(30)
    assert reset_link_in(inbox.only_message_to(user.email))
    assert len(senders) == 1
    assert senders[0] != threading.get_ident()  # not the thread that served the page
