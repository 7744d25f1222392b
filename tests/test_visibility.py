"""The visibility rule: who may see a set, in its query form and its object form alike."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.extensions import db
from quizapp.models import Enrollment, MediaAsset, Question, QuestionSet, Role, Topic, User
from quizapp.visibility import can_manage, can_see_set, visible_sets
from tests.conftest import Browserless

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def make_set(uid: str, owner: User | None, published: bool) -> QuestionSet:
    qs = QuestionSet(uid=uid, title=f"Title of {uid}", owner_id=owner.id if owner else None)
    qs.is_published = published
    topic = Topic(uid="t", title="Topic", question_set=qs)
    question = Question(
        uid="q",
        question_set=qs,
        topic=topic,
        qtype="true_false",
        prompt=f"Prompt of {uid}",
        spec={"answer": True},
    )
    media = MediaAsset(
        question_set=qs,
        name="pic.png",
        content_type="image/png",
        sha256="0" * 64,
        data=PNG,
        size=len(PNG),
    )
    db.session.add_all([qs, topic, question, media])
    db.session.commit()
    return qs


@pytest.fixture
def people(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "stranger": make_user("stranger@example.org"),
        "enrolled": make_user("enrolled@example.org"),
        "in class": make_user("member@example.org"),
        "owner": make_user("owner@example.org", role=Role.INSTRUCTOR),
        "other instructor": make_user("other@example.org", role=Role.INSTRUCTOR),
        "class owner": make_user("teacher@example.org", role=Role.INSTRUCTOR),
        "admin": make_user("admin@example.org", role=Role.ADMIN),
    }


@pytest.fixture
def sets(people: dict[str, User]) -> dict[str, QuestionSet]:
    private = make_set("private", people["owner"], published=False)
    published = make_set("published", people["other instructor"], published=True)
    bundled = make_set("bundled", None, published=True)
    course = Course(owner_id=people["owner"].id, title="Class", join_code="ABCDEFGH")
    # assigned while it was published, say, to the class of another instructor
    other_class = Course(owner_id=people["class owner"].id, title="Other", join_code="HGFEDCBA")
    db.session.add_all([course, other_class])
    db.session.flush()
    db.session.add_all(
        [
            CourseSet(course_id=course.id, set_id=private.id),
            CourseSet(course_id=other_class.id, set_id=private.id),
            # a class member who has since left the set is still shown it
            CourseMember(course_id=course.id, user_id=people["in class"].id),
            Enrollment(user_id=people["enrolled"].id, set_id=private.id),
        ]
    )
    db.session.commit()
    return {"private": private, "published": published, "bundled": bundled}


SEES_PRIVATE = {
    "stranger": False,
    "enrolled": True,
    "in class": True,
    "owner": True,
    "other instructor": False,
    "class owner": True,
    "admin": True,
}


@pytest.mark.parametrize(("who", "sees_private"), SEES_PRIVATE.items())
def test_both_forms_of_the_rule_agree(
    people: dict[str, User], sets: dict[str, QuestionSet], who: str, sees_private: bool
) -> None:
    user = people[who]
    expected = {"published", "bundled"} | ({"private"} if sees_private else set())
    found = set(db.session.scalars(sa.select(QuestionSet.uid).where(visible_sets(user))))
    assert found == expected
    assert {uid for uid, qs in sets.items() if can_see_set(user, qs)} == expected


def test_anonymous_visitors_see_no_set(sets: dict[str, QuestionSet]) -> None:
    anonymous = AnonymousUserMixin()
    assert not db.session.scalars(sa.select(QuestionSet).where(visible_sets(anonymous))).all()
    assert not any(can_see_set(anonymous, qs) for qs in sets.values())
    assert not can_see_set(None, sets["published"])


def test_only_the_owner_and_admins_manage(people: dict[str, User]) -> None:
    owner_id = people["owner"].id
    assert {who for who, user in people.items() if can_manage(user, owner_id)} == {
        "owner",
        "admin",
    }
    # Something owned by no one (the bundled bank) is managed by admins only.
    assert {who for who, user in people.items() if can_manage(user, None)} == {"admin"}
    assert not can_manage(AnonymousUserMixin(), owner_id)


@pytest.mark.parametrize(("who", "sees_private"), SEES_PRIVATE.items())
def test_history_and_media_follow_the_rule(
    user_agent: Browserless,
    people: dict[str, User],
    sets: dict[str, QuestionSet],
    who: str,
    sees_private: bool,
) -> None:
    user_agent.login(people[who].email)
    question = db.session.scalar(sa.select(Question).where(Question.set_id == sets["private"].id))
    assert question is not None
    history = user_agent.get(f"/study/questions/{question.id}/history")
    media = user_agent.get("/media/private/pic.png")
    assert history.status_code == media.status_code == (200 if sees_private else 404)
    assert ("Prompt of private" in history.get_data(as_text=True)) is sees_private
    media.close()
    published = db.session.scalar(
        sa.select(Question).where(Question.set_id == sets["published"].id)
    )
    assert published is not None
    assert user_agent.get(f"/study/questions/{published.id}/history").status_code == 200
