"""An admin sends a reset link from the users page; the CLI prints one or sets a password."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskCliRunner

from quizapp.extensions import db
from quizapp.models import Role, User
from tests.auth.conftest import Inbox, reset_link_in
from tests.conftest import PASSWORD, Browserless

NEW_PASSWORD = "a brand new passphrase"


def test_an_admin_sends_a_reset_link(
    user_agent: Browserless, make_user: Callable[..., User], inbox: Inbox
) -> None:
    make_user("admin@example.org", role=Role.ADMIN)
    learner = make_user("lee@example.org")
    user_agent.login("admin@example.org")
    page = user_agent.get("/admin/users").get_data(as_text=True)
    action = f"/admin/users/{learner.id}/password-reset"
    assert f'action="{action}"' in page
    resp = user_agent.submit("/admin/users", {}, action=action, follow_redirects=True)
    assert "Sent lee@example.org a link to set a new password" in resp.get_data(as_text=True)

    path = urlsplit(reset_link_in(inbox.only_message_to("lee@example.org"))).path
    learner_agent = Browserless(user_agent.client.application.test_client())
    learner_agent.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert learner_agent.login("lee@example.org", NEW_PASSWORD).status_code == 302


def test_a_failed_mail_is_reported_to_the_admin(
    app: Flask, user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    make_user("admin@example.org", role=Role.ADMIN)
    learner = make_user("lee@example.org")
    app.config.update(QUIZAPP_SMTP_HOST="127.0.0.1", QUIZAPP_SMTP_PORT=1)  # nothing listens
    user_agent.login("admin@example.org")
    resp = user_agent.submit(
        "/admin/users",
        {},
        action=f"/admin/users/{learner.id}/password-reset",
        follow_redirects=True,
    )
    assert "could not be sent" in resp.get_data(as_text=True)


def test_only_admins_send_reset_links(
    user_agent: Browserless, make_user: Callable[..., User], inbox: Inbox
) -> None:
    make_user("teacher@example.org", role=Role.INSTRUCTOR)
    learner = make_user("lee@example.org")
    user_agent.login("teacher@example.org")
    resp = user_agent.submit("/", {}, action=f"/admin/users/{learner.id}/password-reset")
    assert resp.status_code == 403
    assert inbox.messages == []


def test_cli_prints_a_link_that_works(
    app: Flask, runner: FlaskCliRunner, user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    make_user("lee@example.org")
    result = runner.invoke(args=["users", "reset-password", "LEE@example.org"])
    assert result.exit_code == 0, result.output
    link = result.stdout.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:5000/auth/reset/")
    assert "QUIZAPP_BASE_URL is not set" in result.stderr
    path = urlsplit(link).path
    assert (
        user_agent.submit(path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )
    assert user_agent.login("lee@example.org", NEW_PASSWORD).status_code == 302

    app.config["QUIZAPP_BASE_URL"] = "https://quiz.example.org"
    result = runner.invoke(args=["users", "reset-password", "lee@example.org"])
    assert result.stdout.strip().splitlines()[-1].startswith("https://quiz.example.org/auth/reset/")


def test_cli_sets_a_password_checked_by_the_policy(
    app: Flask, runner: FlaskCliRunner, user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    user = make_user("lee@example.org")
    elsewhere = Browserless(app.test_client())
    elsewhere.login("lee@example.org")

    result = runner.invoke(
        args=["users", "reset-password", "lee@example.org", "--password", "qwerty123"]
    )
    assert result.exit_code == 1
    assert "This is one of the 10,000 most common passwords." in result.output
    result = runner.invoke(
        args=["users", "reset-password", "lee@example.org", "--password", "lee-rocks"]
    )
    assert result.exit_code == 1
    assert "It contains your e-mail name." in result.output
    assert user_agent.login("lee@example.org", PASSWORD).status_code == 302

    result = runner.invoke(
        args=["users", "reset-password", "lee@example.org", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert "every login of the account has ended" in result.output
    assert elsewhere.get("/account/settings").status_code == 302
    assert user_agent.login("lee@example.org", NEW_PASSWORD).status_code == 302
    db.session.refresh(user)
    assert user.session_version == 1


def test_cli_names_an_unknown_account(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "reset-password", "nobody@example.org"])
    assert result.exit_code == 1
    assert "No account with the e-mail nobody@example.org" in result.output
