"""Delete my account: confirmed with the password, everything about the user goes, nothing
else; refused while the account owns sets or classes, or is the last admin."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.test import TestResponse

from quizapp.account.deletion import DeletionRefused, delete_account
from quizapp.auth.services import AccountError
from quizapp.courses.models import Course
from quizapp.extensions import db
from quizapp.models import QuestionSet, Role, User
from tests.account.conftest import HistoryMaker, table_contents, user_references
from tests.conftest import PASSWORD, Browserless, csrf_token_from
from tests.races import race

PAGE = "/account/delete"


def confirm(agent: Browserless, password: str = PASSWORD, word: str = "DELETE") -> TestResponse:
    return agent.submit(PAGE, {"password": password, "confirm": word})


def rows_about(user_id: int) -> dict[str, int]:
    """How many rows of each table reference the user (by any column referencing users)."""
    counts: dict[str, int] = {}
    for table, column in user_references():
        n = db.session.scalar(sa.select(sa.func.count()).where(column == user_id)) or 0
        counts[table.name] = counts.get(table.name, 0) + n
    counts["users"] = (
        db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.id == user_id))
        or 0
    )
    return counts


def test_the_settings_page_links_to_the_export_and_the_deletion(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    user_agent.login(make_user().email)
    page = user_agent.get("/account/settings").get_data(as_text=True)
    assert 'href="/account/export"' in page
    assert f'href="{PAGE}"' in page


@pytest.mark.parametrize(
    ("password", "word"),
    [("wrong password!", "DELETE"), (PASSWORD, "delete"), (PASSWORD, ""), ("", "DELETE")],
)
def test_a_deletion_not_confirmed_changes_nothing(
    user_agent: Browserless,
    make_user: Callable[..., User],
    give_history: HistoryMaker,
    password: str,
    word: str,
) -> None:
    learner = make_user()
    give_history(learner)
    user_agent.login(learner.email)
    before = table_contents()

    response = confirm(user_agent, password, word)

    assert response.status_code == 400
    assert table_contents() == before
    assert user_agent.get("/account/settings").status_code == 200  # still logged in


def test_deletion_removes_every_row_about_the_learner_and_nothing_else(
    user_agent: Browserless,
    make_user: Callable[..., User],
    give_history: HistoryMaker,
    instructor: User,
) -> None:
    learner, other = make_user(), make_user()
    give_history(learner)
    give_history(other)
    learner_id, email = learner.id, learner.email
    about = rows_about(learner_id)
    # The learner has rows in every table about users but those of what they could own or
    # change (a question: instructors accept typed answers).
    assert {name for name, n in about.items() if n == 0} == {
        "question_sets",
        "question_changes",
        "courses",
    }
    expected = table_contents(without_user=learner_id)
    user_agent.login(email)

    response = confirm(user_agent)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert set(rows_about(learner_id).values()) == {0}
    # Every other row is as it was, to the last column.
    assert table_contents() == expected
    assert rows_about(other.id)["review_logs"] == 5  # 3 in study, one in each quiz
    # Logged out, and the account is gone.
    assert user_agent.get("/account/settings").status_code == 302
    assert user_agent.login(email).status_code == 401


def test_an_instructor_who_owns_sets_or_classes_is_refused_with_where_to_go(
    user_agent: Browserless, instructor: User, course: Course
) -> None:
    user_agent.login(instructor.email)
    page = user_agent.get(PAGE).get_data(as_text=True)
    assert "You own 1 question set:" in page
    assert "You own 1 class:" in page
    assert 'href="/instructor/"' in page
    assert 'href="/courses/"' in page
    assert 'name="password"' not in page  # nothing to confirm yet

    token = csrf_token_from(page)
    response = user_agent.client.post(
        PAGE, data={"password": PASSWORD, "confirm": "DELETE", "csrf_token": token}
    )
    assert response.status_code == 409
    assert db.session.get(User, instructor.id) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionSet)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 1


def test_an_instructor_who_owns_nothing_can_leave(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    teacher = make_user(role=Role.INSTRUCTOR)
    user_agent.login(teacher.email)
    assert confirm(user_agent).status_code == 302
    assert db.session.scalar(sa.select(User).where(User.email == teacher.email)) is None


def test_the_last_admin_is_refused_and_one_of_two_is_not(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    admin = make_user(role=Role.ADMIN)
    user_agent.login(admin.email)
    page = user_agent.get(PAGE).get_data(as_text=True)
    assert "You are the only administrator" in page
    assert 'href="/admin/users"' in page
    with pytest.raises(DeletionRefused):
        delete_account(admin, PASSWORD)
    db.session.rollback()

    make_user(role=Role.ADMIN)
    assert confirm(user_agent).status_code == 302
    admins = db.session.scalars(sa.select(User).where(User.role == Role.ADMIN)).all()
    assert len(admins) == 1


def test_the_service_checks_the_password_and_does_not_commit(
    make_user: Callable[..., User],
) -> None:
    learner = make_user()
    learner_id = learner.id
    with pytest.raises(AccountError, match="password is not correct"):
        delete_account(learner, "not my password")
    delete_account(learner, PASSWORD)
    db.session.rollback()
    assert db.session.get(User, learner_id) is not None


def test_wrong_passwords_are_throttled(
    user_agent: Browserless, make_user: Callable[..., User]
) -> None:
    user_agent.login(make_user().email)
    statuses = [confirm(user_agent, "guess number one").status_code for _ in range(11)]
    assert statuses == [400] * 10 + [429]


def test_the_deletion_page_needs_a_login(client: FlaskClient) -> None:
    assert client.get(PAGE).status_code == 302
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        PAGE, data={"password": PASSWORD, "confirm": "DELETE", "csrf_token": token}
    )
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_an_instructor_hands_over_sets_and_classes_then_can_leave(
    user_agent: Browserless,
    runner: FlaskCliRunner,
    make_user: Callable[..., User],
    instructor: User,
    course: Course,
    give_history: HistoryMaker,
) -> None:
    learner = make_user()
    give_history(learner)
    colleague = make_user("colleague@example.org", role=Role.INSTRUCTOR)
    refused = runner.invoke(args=["users", "hand-over", instructor.email, learner.email])
    assert refused.exit_code == 1
    assert "is not an instructor" in refused.output

    result = runner.invoke(args=["users", "hand-over", instructor.email, colleague.email])

    assert result.exit_code == 0, result.output
    assert "now owns 1 question set(s) and 1 class(es) more" in result.output
    user_agent.login(instructor.email)
    assert confirm(user_agent).status_code == 302
    owners = db.session.scalars(sa.select(QuestionSet.owner_id)).all()
    assert owners == [colleague.id]
    assert db.session.scalars(sa.select(Course.owner_id)).all() == [colleague.id]
    assert rows_about(learner.id)["course_members"] == 1  # the class and its members stay


def test_two_admins_deleting_themselves_at_once_leave_one(
    app: Flask, make_user: Callable[..., User]
) -> None:
    """The first deletion holds its transaction open; the second waits for the admins' locks,
    then sees itself the only admin left and is refused."""
    make_user("first@example.org", role=Role.ADMIN)
    make_user("second@example.org", role=Role.ADMIN)
    waited, outcomes = race(
        app,
        PAGE,
        ("first@example.org", "second@example.org"),
        lambda user: delete_account(user, PASSWORD),
        DeletionRefused,
        "deleted",
    )
    assert waited, "the second deletion did not wait for the first one's lock"
    assert outcomes == {"first@example.org": "deleted", "second@example.org": "refused"}
    db.session.rollback()
    admins = db.session.scalars(sa.select(User.email).where(User.role == Role.ADMIN)).all()
    assert admins == ["second@example.org"]
