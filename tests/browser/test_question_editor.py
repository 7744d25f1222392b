"""Issue 14's editor in Chromium: an instructor writes one question of each type (one with a
formula and an image, its quote taken by selecting the document), previews and tries it,
publishes, changes a wording (a learner's memory is kept) and an answer (restarted), and
undoes the change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.models import Question, QuestionMemory, QuestionSet, Role, Topic, User
from tests.browser.conftest import LiveServer, screenshot, serious_violations
from tests.browser.test_instructor_import import log_in

pytestmark = pytest.mark.browser

DOCUMENT = """CAR-T in brief

1. Introduction
Multiple myeloma is a malignant clonal disease of plasma cells that originates in the bone
marrow. Its typical signs are hypercalcemia, renal impairment, anemia and bone lesions.

2. Principle of CAR-T
A patient's own T cells are first extracted, then genetically engineered to express a
chimeric antigen receptor.
"""
ORIGIN = (
    "Multiple myeloma is a malignant clonal disease of plasma cells that originates in the "
    "bone marrow."
)
SIGNS = "Its typical signs are hypercalcemia, renal impairment, anemia and bone lesions."
STEPS = (
    "A patient's own T cells are first extracted, then genetically engineered to express a "
    "chimeric antigen receptor."
)
INTRO, PRINCIPLE = "1. Introduction", "2. Principle of CAR-T"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

# Each type's fields (by name) besides the topic, section and quote; the quote and section.
OTHERS: list[tuple[str, dict[str, str], str, str]] = [
    (
        "Multiple response",
        {
            "prompt": "Which are typical signs of multiple myeloma?",
            "choice-0-text": "Hypercalcemia",
            "choice-1-text": "Renal impairment",
            "choice-2-text": "Skin rash",
            "explanation": "The text lists hypercalcemia and renal impairment among the signs.",
        },
        INTRO,
        SIGNS,
    ),
    (
        "True or false",
        {
            "prompt": "True or false: the T cells come from a donor.",
            "explanation": "They are the patient's own T cells.",
        },
        PRINCIPLE,
        STEPS,
    ),
    (
        "Short answer",
        {
            "prompt": "In which tissue does multiple myeloma originate?",
            "answers": "bone marrow\nmarrow",
            "explanation": "It originates in the bone marrow.",
        },
        INTRO,
        ORIGIN,
    ),
    (
        "Fill in the gaps",
        {
            "text": "A patient's own T cells are first [[extracted]], then genetically "
            "[[engineered]].",
            "explanation": "The cells are taken, then engineered.",
        },
        PRINCIPLE,
        STEPS,
    ),
    (
        "Matching",
        {
            "prompt": "Match each with what the text says of it.",
            "pair-0-left": "Origin",
            "pair-0-right": "The bone marrow",
            "pair-1-left": "Cells affected",
            "pair-1-right": "Plasma cells",
            "explanation": "A disease of plasma cells, from the bone marrow.",
        },
        INTRO,
        ORIGIN,
    ),
    (
        "Ordering",
        {
            "prompt": "Put the first steps in order.",
            "items": "The T cells are extracted\nThey are genetically engineered",
            "explanation": "Extraction comes first, then engineering.",
        },
        PRINCIPLE,
        STEPS,
    ),
    (
        "Number",
        {
            "prompt": "How many typical signs does the text list?",
            "value": "4",
            "explanation": "Hypercalcemia, renal impairment, anemia and bone lesions.",
        },
        INTRO,
        SIGNS,
    ),
]


def _select_in_document(page: Page, quote: str) -> None:
    """Select ``quote`` in the document beside the editor, as a mouse would."""
    page.evaluate(
        """(quote) => {
          for (const node of document.querySelectorAll('.document-body')) {
            const text = node.firstChild;
            const flat = text.textContent.replace(/\\s/g, ' ');
            const at = flat.indexOf(quote);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(text, at);
            range.setEnd(text, at + quote.length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            return;
          }
          throw new Error('not in the document: ' + quote);
        }""",
        quote,
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_an_instructor_writes_every_type_previews_tries_edits_and_undoes(
    page: Page,
    live_server: LiveServer,
    make_user: Callable[..., User],
    tmp_path: Path,
    axe_source: str,
) -> None:
    teacher = make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Tess")
    learner = make_user("learner@example.org", name="Lee")
    qs = QuestionSet(
        uid="cart", title="CAR-T", owner_id=teacher.id, source_title="CAR-T", source_text=DOCUMENT
    )
    db.session.add(qs)
    db.session.flush()
    db.session.add_all(
        [
            Topic(set_id=qs.id, uid="intro", title="Introduction", section=INTRO, position=0),
            Topic(set_id=qs.id, uid="principle", title="Principle", section=PRINCIPLE, position=1),
        ]
    )
    db.session.commit()
    url = live_server.url
    image = tmp_path / "marrow.png"
    image.write_bytes(PNG)

    log_in(page, url, "teacher@example.org")
    expect(page.get_by_role("link", name="Teach")).to_be_visible()
    page.goto(f"{url}/instructor/sets/cart/questions")
    page.get_by_role("link", name="Write a question").click()
    page.get_by_role("link", name="Single choice").click()

    # A single choice with a formula, an image and a quote picked from the document.
    page.get_by_label("Question", exact=True).fill(
        "Where does the disease start, if $x^2$ cells are counted?"
    )
    page.get_by_label("Choice 1", exact=True).fill("The bone marrow")
    page.get_by_label("Choice 2", exact=True).fill("The spleen")
    page.locator("input[name=choice-1-feedback]").fill("No: the bone marrow.")
    page.locator("input[name=correct][value='0']").check()
    page.get_by_label("Explanation (why the answer is right; shown after answering)").fill(
        "It originates in the bone marrow."
    )
    _select_in_document(page, ORIGIN)
    page.get_by_role("button", name="Quote the selection").click()
    expect(page.locator("[name=quote]")).to_have_value(ORIGIN)
    expect(page.locator("[name=section]")).to_have_value(INTRO)
    # The live preview follows the form: the formula is MathML, the choices are there.
    preview = page.locator("[data-preview]")
    expect(preview.locator("math")).to_have_count(1)
    expect(preview.get_by_label("The spleen")).to_be_visible()
    preview.get_by_label("The spleen").check()
    page.get_by_role("button", name="Try it: check this answer").click()
    expect(preview.locator(".try-result")).to_contain_text("Wrong")
    expect(preview.locator(".try-result")).to_contain_text("No: the bone marrow.")
    assert serious_violations(page, axe_source) == []
    screenshot(page, "editor-single-choice-1280")
    page.get_by_label("Add an image (PNG, JPEG, GIF or WebP, up to 2 MB)").set_input_files(
        str(image)
    )
    page.get_by_role("button", name="Publish the question").click()
    expect(page.get_by_role("status").filter(has_text="published")).to_be_visible()
    db.session.rollback()
    first = db.session.scalars(sa.select(Question).order_by(Question.id)).one()
    assert "media:marrow-" in first.prompt
    expect(page.locator("[data-preview] img")).to_have_count(1)  # the image, served

    # The seven other types, each previewed, tried where it is quick, and published.
    for label, fields, section, quote in OTHERS:
        page.goto(f"{url}/instructor/sets/cart/questions/new")
        page.get_by_role("link", name=label, exact=True).click()
        for name, value in fields.items():
            page.locator(f"[name='{name}']").fill(value)
        if label == "Multiple response":
            page.locator("[name=choice-0-correct]").check()
            page.locator("[name=choice-1-correct]").check()
        if label == "True or false":
            page.locator("input[name=truth][value=false]").check()
        page.locator("[name=topic]").select_option("intro" if section == INTRO else "principle")
        page.locator("[name=section]").fill(section)
        page.locator("[name=quote]").fill(quote)
        page.get_by_role("button", name="Preview", exact=True).click()
        expect(page.locator("[data-preview] .question-card")).to_be_visible()
        if label == "Short answer":
            page.locator("[data-preview] [name=answer]").fill("marow")
            page.get_by_role("button", name="Try it: check this answer").click()
            expect(page.locator(".try-result")).to_contain_text("Right")
        page.get_by_role("button", name="Publish the question").click()
        expect(page.get_by_role("status").first).to_contain_text("published")
    db.session.rollback()
    kinds = db.session.scalars(sa.select(Question.qtype).where(Question.is_active)).all()
    assert sorted(kinds) == sorted(
        [
            "single_choice",
            "multiple_response",
            "true_false",
            "short_answer",
            "cloze",
            "matching",
            "ordering",
            "numeric",
        ]
    )

    # A learner remembers the first question; a new wording keeps that, a new answer not.
    db.session.add(
        QuestionMemory(
            user_id=learner.id,
            question_id=first.id,
            topic_id=first.topic_id,
            stability=12.0,
            difficulty=4.0,
            state=2,
            due=datetime(2031, 1, 1, tzinfo=UTC),
            last_review=datetime(2026, 1, 1, tzinfo=UTC),
            reps=3,
            lapses=0,
        )
    )
    db.session.commit()
    memories = sa.select(sa.func.count()).select_from(QuestionMemory)
    page.goto(f"{url}/instructor/sets/cart/questions/{first.id}/edit")
    page.get_by_label("Question", exact=True).fill("Where does multiple myeloma originate?")
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_role("status").first).to_contain_text("Learners keep what they remember")
    db.session.rollback()
    assert db.session.scalar(memories) == 1
    page.locator("input[name=correct][value='1']").check()
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_role("status").first).to_contain_text("1 learner(s) start this question")
    db.session.rollback()
    assert db.session.scalar(memories) == 0

    # The versions page shows who changed what; the latest change is undone.
    page.get_by_role("link", name="Versions and undo").click()
    expect(page.locator(".versions")).to_contain_text("Changed answer")
    expect(page.locator(".versions")).to_contain_text("Tess")
    assert serious_violations(page, axe_source) == []
    page.get_by_role("button", name="Undo this change").click()
    expect(page.get_by_role("status").first).to_contain_text("The change is undone")
    db.session.rollback()
    restored = db.session.get(Question, first.id)
    assert restored is not None
    assert restored.spec["choices"][0].get("correct") is True
    assert _flat(restored.prompt) == "Where does multiple myeloma originate?"
