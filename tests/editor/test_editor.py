"""Writing and changing questions in the browser (without JavaScript): a form per type, the
validator's problems beside their fields, preview and "try it", versions and undo; a new
wording keeps learners' memory, a new answer restarts it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from quizapp.bank.validate import check_text
from quizapp.editor.fields import spec_values
from quizapp.extensions import db
from quizapp.grading import REGISTRY
from quizapp.models import (
    MediaAsset,
    Question,
    QuestionChange,
    QuestionMemory,
    QuestionSet,
    Role,
    Topic,
    User,
)
from tests.bank.test_readme_examples import example_set
from tests.conftest import Browserless

DOCUMENT = """CAR-T in brief

1. Introduction
Multiple myeloma is a malignant clonal disease of plasma cells that originates in the bone marrow.
Its typical signs are hypercalcemia, renal impairment, anemia and bone lesions.

2. Principle of CAR-T
A patient's own T cells are first extracted, then genetically engineered to express a chimeric
antigen receptor.
"""
QUOTE = (
    "Multiple myeloma is a malignant clonal disease of plasma cells that originates in the "
    "bone marrow."
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
BASE = "/instructor/sets/cart/questions"


@pytest.fixture
def teacher(make_user: Callable[..., User]) -> User:
    return make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Ms Teacher")


@pytest.fixture
def bank(app: Flask, teacher: User) -> QuestionSet:
    qs = QuestionSet(uid="cart", title="CAR-T", owner_id=teacher.id, source_text=DOCUMENT)
    db.session.add(qs)
    db.session.flush()
    db.session.add_all(
        [
            Topic(
                set_id=qs.id,
                uid="intro",
                title="Introduction",
                section="1. Introduction",
                position=0,
            ),
            Topic(
                set_id=qs.id,
                uid="principle",
                title="Principle",
                section="2. Principle of CAR-T",
                position=1,
            ),
        ]
    )
    db.session.commit()
    return qs


@pytest.fixture
def agent(user_agent: Browserless, teacher: User, bank: QuestionSet) -> Browserless:
    user_agent.login(teacher.email)
    return user_agent


def origin_form(**extra: str) -> dict[str, str]:
    return {
        "type": "single_choice",
        "title": "Origin",
        "topic": "intro",
        "prompt": "Where does multiple myeloma originate?",
        "choice-0-text": "The bone marrow",
        "choice-1-text": "The lymph nodes",
        "choice-1-feedback": "No: the text places it in the bone marrow.",
        "choice-2-text": "The spleen",
        "correct": "0",
        "explanation": "It is a disease of plasma cells, which live in the bone marrow.",
        "section": "1. Introduction",
        "quote": QUOTE,
        "tags": "basics, origin",
        **extra,
    }


def publish(agent: Browserless, form: dict[str, str], qtype: str = "single_choice") -> Question:
    url = f"{BASE}/new?type={qtype}"
    response = agent.submit(url, {**form, "action": "save"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    question = db.session.scalars(sa.select(Question).order_by(Question.id.desc())).first()
    assert question is not None
    return question


def field_problems(page: str, name: str) -> str:
    match = re.search(rf'<ul class="error" id="f-{re.escape(name)}-error">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""


def test_choosing_a_type_lists_all_eight(agent: Browserless) -> None:
    page = agent.get(f"{BASE}/new").get_data(as_text=True)
    for qtype in REGISTRY.values():
        assert f"type={qtype.name}" in page
        assert qtype.label in page


def test_a_new_question_is_published_with_its_first_version(agent: Browserless) -> None:
    question = publish(agent, origin_form())
    assert question.is_active
    assert question.uid == "origin"
    assert question.spec["choices"][0] == {"text": "The bone marrow", "correct": True}
    assert question.tags == ["basics", "origin"]
    change = db.session.scalar(
        sa.select(QuestionChange).where(QuestionChange.question_id == question.id)
    )
    assert change is not None
    assert change.change["kind"] == "create"
    page = agent.get(f"{BASE}/{question.id}/edit").get_data(as_text=True)
    assert 'value="The lymph nodes"' in page


def test_problems_are_shown_beside_their_fields_and_nothing_is_saved(agent: Browserless) -> None:
    form = origin_form(correct="", quote="Multiple myeloma is a benign disease.")
    response = agent.submit(f"{BASE}/new?type=single_choice", {**form, "action": "save"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "no choice is marked correct" in field_problems(page, "choice-0-text") + field_problems(
        page, "correct"
    )
    assert "source quote is not in the document" in field_problems(page, "quote")
    assert 'aria-invalid="true"' in page
    assert 'value="The spleen"' in page  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_the_preview_shows_the_question_and_try_it_grades_an_answer(agent: Browserless) -> None:
    url = f"{BASE}/new?type=single_choice"
    page = agent.submit(url, {**origin_form(), "action": "preview"}).get_data(as_text=True)
    preview = page.split('id="preview-heading"')[1]
    assert "Where does multiple myeloma originate?" in preview
    assert 'type="radio" name="choice"' in preview
    tried = agent.submit(url, {**origin_form(), "action": "try", "choice": "1"}).get_data(
        as_text=True
    )
    assert "Wrong" in tried
    assert "No: the text places it in the bone marrow." in tried
    right = agent.submit(url, {**origin_form(), "action": "try", "choice": "0"}).get_data(
        as_text=True
    )
    assert '<p class="verdict verdict-correct">' in right
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_a_new_wording_keeps_memory_and_a_new_answer_restarts_it(
    agent: Browserless, make_user: Callable[..., User]
) -> None:
    question = publish(agent, origin_form())
    learner = make_user("learner@example.org")
    from datetime import UTC, datetime

    db.session.add(
        QuestionMemory(
            user_id=learner.id,
            question_id=question.id,
            topic_id=question.topic_id,
            stability=10.0,
            difficulty=5.0,
            state=2,
            due=datetime(2030, 1, 1, tzinfo=UTC),
            last_review=datetime(2025, 1, 1, tzinfo=UTC),
            reps=3,
            lapses=0,
        )
    )
    db.session.commit()
    url = f"{BASE}/{question.id}/edit"
    reworded = origin_form(prompt="In which tissue does multiple myeloma originate?")
    response = agent.submit(url, {**reworded, "action": "save"}, follow_redirects=True)
    assert "Learners keep what they remember" in response.get_data(as_text=True)
    memories = sa.select(sa.func.count()).select_from(QuestionMemory)
    assert db.session.scalar(memories) == 1
    rekeyed = {**reworded, "correct": "2"}
    page = agent.submit(url, {**rekeyed, "action": "save"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "1 learner(s) start this question afresh" in page
    assert db.session.scalar(memories) == 0


def test_versions_list_changes_and_the_latest_can_be_undone(agent: Browserless) -> None:
    question = publish(agent, origin_form())
    url = f"{BASE}/{question.id}/edit"
    agent.submit(
        url, {**origin_form(prompt="In which tissue does it originate?"), "action": "save"}
    )
    versions = agent.get(f"{BASE}/{question.id}/versions").get_data(as_text=True)
    assert "Version 3" in versions
    assert "Changed wording" in versions
    assert "Ms Teacher" in versions
    latest = db.session.scalars(
        sa.select(QuestionChange).order_by(QuestionChange.id.desc())
    ).first()
    assert latest is not None
    response = agent.submit(
        f"{BASE}/{question.id}/versions",
        {},
        action=f"{BASE}/{question.id}/versions/{latest.id}/undo",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id).prompt == "Where does multiple myeloma originate?"  # type: ignore[union-attr]
    # An undo is a version too, and an earlier change cannot be undone past a later one.
    stale = agent.submit(
        f"{BASE}/{question.id}/versions",
        {},
        action=f"{BASE}/{question.id}/versions/{latest.id}/undo",
        follow_redirects=True,
    )
    assert "Only the latest change" in stale.get_data(as_text=True)
    assert "Undid a change" in agent.get(f"{BASE}/{question.id}/versions").get_data(as_text=True)


def test_undoing_a_new_question_retires_it(agent: Browserless) -> None:
    question = publish(agent, origin_form())
    change = db.session.scalar(
        sa.select(QuestionChange).where(QuestionChange.question_id == question.id)
    )
    assert change is not None
    agent.submit(
        f"{BASE}/{question.id}/versions",
        {},
        action=f"{BASE}/{question.id}/versions/{change.id}/undo",
    )
    db.session.expire_all()
    assert db.session.get(Question, question.id).is_active is False  # type: ignore[union-attr]


def test_markdown_math_and_an_uploaded_image(agent: Browserless) -> None:
    from io import BytesIO

    url = f"{BASE}/new?type=single_choice"
    token_page = agent.get(url).get_data(as_text=True)
    from tests.conftest import csrf_token_from

    form: dict[str, Any] = {
        **origin_form(prompt="Which tissue, given $x^2$?"),
        "action": "save",
        "csrf_token": csrf_token_from(token_page),
        "image": (BytesIO(PNG), "marrow scan.png"),
    }
    response = agent.client.post(url, data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    question = db.session.scalars(sa.select(Question)).one()
    asset = db.session.scalars(sa.select(MediaAsset)).one()
    assert asset.name.startswith("marrow-scan-")
    assert asset.content_type == "image/png"
    assert f"media:{asset.name}" in question.prompt
    page = agent.get(f"{BASE}/{question.id}/edit").get_data(as_text=True)
    assert "$x^2$" in page  # the Markdown as written comes back to the editor
    preview = agent.submit(
        f"{BASE}/{question.id}/edit", {**origin_form(prompt="Given $x^2$?"), "action": "preview"}
    )
    assert "<math" in preview.get_data(as_text=True)


def test_a_file_that_is_not_an_image_is_refused(agent: Browserless) -> None:
    from io import BytesIO

    from tests.conftest import csrf_token_from

    url = f"{BASE}/new?type=single_choice"
    token = csrf_token_from(agent.get(url).get_data(as_text=True))
    form: dict[str, Any] = {
        **origin_form(),
        "action": "save",
        "csrf_token": token,
        "image": (BytesIO(b"<script>alert(1)</script>"), "scan.png"),
    }
    response = agent.client.post(url, data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not an image the editor takes" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MediaAsset)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


EXAMPLES = check_text(example_set(), "README.md").doc


@pytest.mark.parametrize("qtype", sorted(REGISTRY))
def test_each_type_is_written_with_its_form(
    agent: Browserless, bank: QuestionSet, qtype: str
) -> None:
    assert EXAMPLES is not None
    example = next(q for q in EXAMPLES.questions if q.type == qtype)
    # The README's examples quote the bundled document: this set's document is given theirs.
    bank.source_text = EXAMPLES.source.text or None
    db.session.commit()
    topics = {t.uid: t for t in bank.topics}
    section = example.source.section
    topic = next((uid for uid, t in topics.items() if t.section == section), "intro")
    form = {
        "topic": topic,
        "prompt": example.prompt,
        "explanation": example.explanation,
        "section": "",
        "quote": "",
        **spec_values(qtype, example.spec),
    }
    bank.source_text = None  # no document: source optional, as for an imported set
    db.session.commit()
    question = publish(agent, form, qtype)
    assert question.qtype == qtype
    assert REGISTRY[qtype].answer_digest(question.spec) == REGISTRY[qtype].answer_digest(
        dict(example.spec)
    )


def test_someone_else_cannot_edit_the_set(
    user_agent: Browserless, make_user: Callable[..., User], bank: QuestionSet
) -> None:
    other = make_user("other@example.org", role=Role.INSTRUCTOR)
    user_agent.login(other.email)
    assert user_agent.get(f"{BASE}/new?type=single_choice").status_code == 403
