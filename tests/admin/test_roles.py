"""Roles: learners cannot open instructor or admin pages; admins manage roles."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from quizapp.extensions import db
from quizapp.models import Role, User
from tests.conftest import Browserless


@pytest.mark.parametrize(
    ("role", "instructor_page", "admin_page"),
    [
        (Role.LEARNER, 403, 403),
        (Role.INSTRUCTOR, 200, 403),
        (Role.ADMIN, 200, 200),
    ],
)
def test_pages_by_role(
    user_agent: Browserless,
    make_user: Callable[..., User],
    role: Role,
    instructor_page: int,
    admin_page: int,
) -> None:
    make_user("someone@example.org", role=role)
    user_agent.login("someone@example.org")
    assert user_agent.get("/instructor/").status_code == instructor_page
    assert user_agent.get("/admin/users").status_code == admin_page


def test_forbidden_page_is_friendly(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    make_user("learner@example.org")
    user_agent.login("learner@example.org")
    resp = user_agent.get("/admin/users")
    assert resp.status_code == 403
    assert "Your account does not have access to this page." in resp.get_data(as_text=True)


def test_learner_cannot_change_roles_even_with_a_token(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    learner = make_user("learner@example.org")
    user_agent.login("learner@example.org")
    resp = user_agent.submit(
        "/", {f"u{learner.id}-role": "admin"}, action=f"/admin/users/{learner.id}/role"
    )
    assert resp.status_code == 403
    db.session.refresh(learner)
    assert learner.role is Role.LEARNER


def test_admin_promotes_a_learner(user_agent: Browserless, make_user: Callable[..., User]) -> None:
    make_user("boss@example.org", role=Role.ADMIN)
    learner = make_user("learner@example.org")
    user_agent.login("boss@example.org")
    resp = user_agent.submit(
        "/admin/users",
        {f"u{learner.id}-role": "instructor"},
        action=f"/admin/users/{learner.id}/role",
        follow_redirects=True,
    )
    assert "learner@example.org is now instructor." in resp.get_data(as_text=True)
    db.session.refresh(learner)
    assert learner.role is Role.INSTRUCTOR


def test_the_last_admin_cannot_be_demoted(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    boss = make_user("boss@example.org", role=Role.ADMIN)
    user_agent.login("boss@example.org")
    resp = user_agent.submit(
        "/admin/users",
        {f"u{boss.id}-role": "learner"},
        action=f"/admin/users/{boss.id}/role",
        follow_redirects=True,
    )
    assert "only admin" in resp.get_data(as_text=True)
    db.session.refresh(boss)
    assert boss.role is Role.ADMIN
