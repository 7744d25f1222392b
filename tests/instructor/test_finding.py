"""Finding a set's questions (text, topic, type, tag, retired) and the bulk actions on the
selected ones (move, retire, restore, tag), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from quizapp.extensions import db
from quizapp.instructor import finding
from quizapp.instructor.finding import Filters
from quizapp.learners.models import ItemStats, TopicStats
from quizapp.models import (
    Enrollment,
    Question,
    QuestionMemory,
    QuestionSet,
    Role,
    Topic,
    User,
)
from quizapp.study import answering
from tests.conftest import Browserless

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PAGE = "/instructor/sets/cells/questions"
BULK = "/instructor/sets/cells/questions/bulk"

# uid, topic, type, title, prompt, explanation, spec, tags, active
QUESTIONS: list[tuple[str, str, str, str, str, str, dict[str, Any], list[str], bool]] = [
    (
        "t-cell",
        "basics",
        "short_answer",
        "",
        "Which cell does CAR-T therapy modify?",
        "Lymphocytes are taken from the Blood.",
        {"answers": ["T cell"]},
        ["exam"],
        True,
    ),
    (
        "marrow",
        "basics",
        "true_false",
        "Bone marrow",
        "Red blood cells are made in the bone marrow.",
        "",
        {"answer": True},
        ["exam", "easy"],
        True,
    ),
    (
        "platelets",
        "advanced",
        "true_false",
        "",
        "Platelets have a nucleus.",
        "They are fragments of cells.",
        {"answer": False},
        [],
        True,
    ),
    (
        "old-one",
        "advanced",
        "short_answer",
        "",
        "An old question about blood groups.",
        "",
        {"answers": ["O"]},
        ["exam"],
        False,
    ),
]


@pytest.fixture
def teacher(make_user: Callable[..., User]) -> User:
    return make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Ms Teacher")


@pytest.fixture
def other_teacher(make_user: Callable[..., User]) -> User:
    return make_user("other@example.org", role=Role.INSTRUCTOR, name="Mr Other")


def make_set(uid: str, owner: User) -> QuestionSet:
    qs = QuestionSet(uid=uid, title=uid.title(), owner_id=owner.id)
    db.session.add(qs)
    db.session.flush()
    topics = {
        key: Topic(set_id=qs.id, uid=key, title=key.title(), position=position)
        for position, key in enumerate(("basics", "advanced"))
    }
    db.session.add_all(topics.values())
    db.session.flush()
    for position, (
        q_uid,
        topic,
        qtype,
        title,
        prompt,
        explanation,
        spec,
        tags,
        active,
    ) in enumerate(QUESTIONS):
        db.session.add(
            Question(
                set_id=qs.id,
                topic_id=topics[topic].id,
                uid=q_uid,
                qtype=qtype,
                title=title,
                prompt=prompt,
                explanation=explanation,
                spec=spec,
                tags=tags,
                position=position,
                is_active=active,
            )
        )
    db.session.commit()
    return qs


@pytest.fixture
def bank(app: Flask, teacher: User) -> QuestionSet:
    return make_set("cells", teacher)


@pytest.fixture
def other_bank(app: Flask, other_teacher: User) -> QuestionSet:
    return make_set("others", other_teacher)


def question(uid: str, set_uid: str = "cells") -> Question:
    found = db.session.scalar(
        sa.select(Question)
        .join(QuestionSet, QuestionSet.id == Question.set_id)
        .where(Question.uid == uid, QuestionSet.uid == set_uid)
    )
    assert found is not None
    return found


def topic(uid: str, set_uid: str = "cells") -> Topic:
    found = db.session.scalar(
        sa.select(Topic)
        .join(QuestionSet, QuestionSet.id == Topic.set_id)
        .where(Topic.uid == uid, QuestionSet.uid == set_uid)
    )
    assert found is not None
    return found


def found(bank: QuestionSet, **filters: Any) -> list[str]:
    return [q.uid for q in finding.search_questions(bank, Filters(**filters)).questions]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("blood", ["t-cell", "marrow"]),  # explanation, prompt; case aside
        ("BONE marrow", ["marrow"]),  # every word must appear (title and prompt)
        ("marrow nucleus", []),
        ("fragments", ["platelets"]),
        ("platelets", ["platelets"]),
        ("t-cell", ["t-cell"]),  # the question's uid
        ("100%", []),  # LIKE's wildcards are plain characters
    ],
)
def test_search_by_text(bank: QuestionSet, query: str, expected: list[str]) -> None:
    assert found(bank, text=query) == expected


def test_search_by_topic_type_tag_and_retired(bank: QuestionSet, other_bank: QuestionSet) -> None:
    assert found(bank) == ["t-cell", "marrow", "platelets"]
    assert found(bank, retired=True) == ["t-cell", "marrow", "platelets", "old-one"]
    assert found(bank, topic_id=topic("advanced").id) == ["platelets"]
    assert found(bank, qtype="true_false") == ["marrow", "platelets"]
    assert found(bank, tag="exam") == ["t-cell", "marrow"]
    assert found(bank, tag="exam", retired=True) == ["t-cell", "marrow", "old-one"]
    assert found(bank, tag="ex") == []  # a whole tag, not a part of one
    assert found(bank, text="blood", retired=True, qtype="short_answer") == ["t-cell", "old-one"]
    assert finding.set_tags(bank) == ["easy", "exam"]


def test_results_are_paginated(bank: QuestionSet) -> None:
    page = finding.search_questions(bank, Filters(retired=True), page=2, per_page=3)
    assert ([q.uid for q in page.questions], page.total, page.page, page.pages) == (
        ["old-one"],
        4,
        2,
        2,
    )
    # A page past the last is the last.
    assert finding.search_questions(bank, Filters(), page=9, per_page=2).page == 2


@pytest.fixture
def teacher_agent(user_agent: Browserless, teacher: User) -> Browserless:
    user_agent.login(teacher.email)
    return user_agent


def test_the_page_finds_and_shows_questions(teacher_agent: Browserless, bank: QuestionSet) -> None:
    index = teacher_agent.get("/instructor/").get_data(as_text=True)
    assert f'href="{PAGE}"' in index

    page = teacher_agent.get(f"{PAGE}?q=blood&type=true_false").get_data(as_text=True)
    assert "1 question found." in page
    assert "Red blood cells are made in the bone marrow." in page
    assert "Which cell" not in page
    assert "<td>True or false</td>" in page
    assert '<option value="exam">exam</option>' in page
    retired = teacher_agent.get(f"{PAGE}?retired=1&tag=exam").get_data(as_text=True)
    assert "3 questions found." in retired
    assert "An old question about blood groups." in retired
    assert "T cell" in retired  # the correct answer


def ids(*uids: str, set_uid: str = "cells") -> list[str]:
    return [str(question(uid, set_uid).id) for uid in uids]


def bulk(agent: Browserless, data: dict[str, Any]) -> str:
    response = agent.submit(PAGE, data, action=BULK)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(PAGE)
    return agent.get(response.headers["Location"]).get_data(as_text=True)


def test_moving_questions_moves_learners_memory_and_figures(
    teacher_agent: Browserless,
    bank: QuestionSet,
    other_bank: QuestionSet,
    make_user: Callable[..., User],
) -> None:
    learner = make_user("learner@example.org")
    db.session.add(Enrollment(user_id=learner.id, set_id=bank.id))
    db.session.commit()
    answering.answer_question(learner, question("t-cell"), "T cell", duration_ms=5000, now=T0)
    db.session.commit()
    basics, advanced = topic("basics"), topic("advanced")

    def per_topic() -> dict[int, int]:
        db.session.expire_all()
        rows = db.session.scalars(sa.select(TopicStats).where(TopicStats.user_id == learner.id))
        return {row.topic_id: row.answers for row in rows if row.answers}

    assert per_topic() == {basics.id: 1}

    page = bulk(
        teacher_agent,
        {
            "action": "move",
            "to_topic": str(advanced.id),
            "question": ids("t-cell", "marrow", "platelets") + ids("t-cell", set_uid="others"),
        },
    )

    assert "2 questions moved to &#39;Advanced&#39;." in page
    db.session.expire_all()
    assert question("t-cell").topic_id == advanced.id
    assert question("marrow").topic_id == advanced.id
    assert question("t-cell", "others").topic_id == topic("basics", "others").id  # ignored
    memory = db.session.scalar(
        sa.select(QuestionMemory).where(QuestionMemory.user_id == learner.id)
    )
    item = db.session.scalar(sa.select(ItemStats).where(ItemStats.user_id == learner.id))
    assert memory is not None
    assert item is not None
    assert (memory.topic_id, item.topic_id) == (advanced.id, advanced.id)
    # The learner's per-topic figures were rebuilt (the job runs eagerly in the tests).
    assert per_topic() == {advanced.id: 1}


def test_retiring_and_restoring_keep_history(
    teacher_agent: Browserless, bank: QuestionSet, other_bank: QuestionSet
) -> None:
    page = bulk(
        teacher_agent,
        {
            "action": "retire",
            "question": ids("t-cell", "old-one") + ids("marrow", set_uid="others"),
        },
    )
    assert "1 question retired." in page
    db.session.expire_all()
    assert not question("t-cell").is_active
    assert question("marrow", "others").is_active
    assert found(bank) == ["marrow", "platelets"]

    page = bulk(teacher_agent, {"action": "restore", "question": ids("t-cell", "old-one")})
    assert "2 questions restored." in page
    db.session.expire_all()
    assert question("t-cell").is_active
    assert question("old-one").is_active


def test_adding_and_removing_a_tag(
    teacher_agent: Browserless, bank: QuestionSet, other_bank: QuestionSet
) -> None:
    page = bulk(
        teacher_agent,
        {
            "action": "add_tag",
            "tag_name": "  week  one ",
            "question": ids("t-cell", "platelets") + ids("platelets", set_uid="others"),
        },
    )
    assert "2 questions tagged &#39;week one&#39;." in page
    db.session.expire_all()
    assert question("t-cell").tags == ["exam", "week one"]
    assert question("platelets").tags == ["week one"]
    assert question("platelets", "others").tags == []
    assert found(bank, tag="week one") == ["t-cell", "platelets"]

    page = bulk(
        teacher_agent,
        {
            "action": "remove_tag",
            "tag_name": "exam",
            "question": ids("t-cell", "marrow", "platelets"),
        },
    )
    assert "Tag &#39;exam&#39; removed from 2 questions." in page
    db.session.expire_all()
    assert question("t-cell").tags == ["week one"]
    assert question("marrow").tags == ["easy"]

    page = bulk(teacher_agent, {"action": "add_tag", "tag_name": " ", "question": ids("marrow")})
    assert "Give the tag." in page
    db.session.expire_all()
    assert question("marrow").tags == ["easy"]


def test_a_topic_of_another_set_is_refused(
    teacher_agent: Browserless, bank: QuestionSet, other_bank: QuestionSet
) -> None:
    foreign = topic("advanced", "others")
    page = bulk(
        teacher_agent, {"action": "move", "to_topic": str(foreign.id), "question": ids("t-cell")}
    )
    assert "Choose a topic of this set" in page
    db.session.expire_all()
    assert question("t-cell").topic_id == topic("basics").id


def test_another_instructor_gets_403(
    user_agent: Browserless, bank: QuestionSet, other_teacher: User
) -> None:
    user_agent.login(other_teacher.email)
    assert user_agent.get(PAGE).status_code == 403
    response = user_agent.submit(
        "/instructor/", {"action": "retire", "question": ids("t-cell")}, action=BULK
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert question("t-cell").is_active


def test_the_bulk_form_needs_its_csrf_token(
    app: Flask, teacher_agent: Browserless, bank: QuestionSet
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    response = teacher_agent.client.post(BULK, data={"action": "retire", "question": ids("t-cell")})
    assert response.status_code == 400
    db.session.expire_all()
    assert question("t-cell").is_active
