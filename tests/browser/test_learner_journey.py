"""A new learner's first session, in Chromium, with the keyboard only.

Register, join the bundled set, lower the daily limit in the settings, answer a question of
every type with the keyboard, get one wrong and see it come back, undo an answer, finish the
session, watch the per-topic figures change, and drill the weakest topic. Screenshots at 360
and 1280 px go to test-artifacts/; axe-core checks each kind of page.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.grading.arrange import options as matching_options
from quizapp.grading.registry import REGISTRY
from quizapp.grading.typed import read_cloze
from quizapp.models import Question, ReviewLog
from quizapp.sets.loader import load_bundled_bank
from tests.browser.conftest import LiveServer, screenshot, serious_violations

pytestmark = pytest.mark.browser

WRONG_FIRST = {
    "intro-origin",
    "principle-steps-order",
    "principle-steps-cloze",
    "principle-receptor-target",
}


@pytest.fixture
def bank_loaded(app: object) -> None:
    load_bundled_bank()
    db.session.commit()


def register(page: Page, url: str) -> None:
    page.goto(url + "/auth/register")
    page.get_by_label("Name").fill("Kim")
    page.get_by_label("E-mail").fill("kim@example.org")
    page.get_by_label("Password", exact=True).fill("tulips in spring")
    page.get_by_label("Repeat the password").fill("tulips in spring")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello, Kim")).to_be_visible()


def current_question(page: Page) -> Question:
    page.wait_for_selector("form[data-answer-form]")
    qid = int(page.locator('input[name="question_id"]').get_attribute("value") or 0)
    db.session.rollback()  # a new transaction sees what the server committed
    question = db.session.get(Question, qid)
    assert question is not None
    return question


def keys_for_choices(page: Page, wanted: set[int]) -> None:
    values = page.locator("form[data-answer-form] .choice input").evaluate_all(
        "els => els.map(e => Number(e.value))"
    )
    for position, value in enumerate(values):
        if value in wanted:
            page.keyboard.press(str(position + 1))


def answer(page: Page, q: Question, right: bool) -> None:
    """Answer the question on screen with the keyboard, rightly or not."""
    spec = q.spec
    kind = q.qtype
    if kind in ("single_choice", "multiple_response"):
        correct = {i for i, c in enumerate(spec["choices"]) if c.get("correct")}
        wrong = {i for i in range(len(spec["choices"])) if i not in correct}
        keys_for_choices(page, correct if right else {min(wrong)})
        page.keyboard.press("Enter")
    elif kind == "true_false":
        keys_for_choices(page, {1 if spec["answer"] == right else 0})
        page.keyboard.press("Enter")
    elif kind in ("short_answer", "numeric"):
        text = spec["answers"][0] if kind == "short_answer" else str(spec["answer"])
        page.keyboard.type(text if right else "zzz")
        page.keyboard.press("Enter")
    elif kind == "cloze":
        gaps = read_cloze(spec["text"]).gaps
        for i, gap in enumerate(gaps):
            page.keyboard.type(gap[0] if right else "zzz")
            if i < len(gaps) - 1:
                page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    elif kind == "matching":
        shown = page.locator("#match-0 option").evaluate_all("els => els.map(e => e.value)")
        for i in range(len(spec["pairs"])):
            target = str(i if right else (i + 1) % len(matching_options(spec)))
            for _ in range(shown.index(target)):
                page.keyboard.press("ArrowDown")
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # Tab left the last select: focus is on the button
    elif kind == "ordering":
        count = len(spec["items"])
        order = list(range(count)) if right else list(reversed(range(count)))
        for position, index in enumerate(order):
            item = page.locator(f'.order-item[data-index="{index}"]')
            item.locator(".handle").focus()
            current = item.evaluate("li => [...li.parentElement.children].indexOf(li)")
            for _ in range(current - position):
                page.keyboard.press("Alt+ArrowUp")
        page.get_by_role("button", name=re.compile("Check answer")).focus()
        page.keyboard.press("Enter")
    else:  # pragma: no cover - every type of the bank is handled above
        raise AssertionError(kind)
    page.wait_for_selector(".verdict")


def test_first_session_with_the_keyboard(
    page: Page, live_server: LiveServer, bank_loaded: None, axe_source: str
) -> None:
    url = live_server.url
    register(page, url)

    page.get_by_role("link", name="Sets", exact=True).click()
    page.get_by_role("button", name="Join CAR-T cell therapy in multiple myeloma").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You joined")).to_be_visible()

    page.get_by_role("link", name="Settings", exact=True).click()
    assert serious_violations(page, axe_source) == []
    page.get_by_label("New questions per day").fill("18")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Settings saved.")).to_be_visible()

    page.get_by_role("link", name="Home", exact=True).click()
    intro_row = page.locator("tr[data-topic]").filter(has_text="Introduction")
    expect(intro_row.locator("[data-coverage]")).to_have_text("0/6")
    assert serious_violations(page, axe_source) == []

    page.get_by_role("button", name=re.compile(r"^Study")).focus()
    page.keyboard.press("Enter")

    page.wait_for_selector("form[data-answer-form]")
    # A marker on the window survives only if no page is reloaded between questions.
    page.evaluate("window.__sameDocument = true")
    asked: list[str] = []
    types: set[str] = set()
    undone = False
    shots = False
    while True:
        page.wait_for_selector("form[data-answer-form], #summary-heading")
        if page.locator("#summary-heading").count():
            break
        q = current_question(page)
        assert not asked or asked[-1] != q.uid, f"{q.uid} asked twice in a row"
        right = not (q.uid in WRONG_FIRST and q.uid not in asked)
        if not shots and q.qtype == "multiple_response":
            assert serious_violations(page, axe_source) == []
            page.set_viewport_size({"width": 360, "height": 740})
            screenshot(page, "question-360")
            page.set_viewport_size({"width": 1280, "height": 800})
            screenshot(page, "question-1280")
        asked.append(q.uid)
        types.add(q.qtype)
        answer(page, q, right)
        if not shots and q.qtype == "multiple_response":
            assert serious_violations(page, axe_source) == []
            screenshot(page, "feedback-1280")
            page.set_viewport_size({"width": 360, "height": 740})
            screenshot(page, "feedback-360")
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.set_viewport_size({"width": 1280, "height": 800})
            shots = True
        if not right:
            expect(page.locator(".verdict")).to_contain_text(re.compile("Wrong|Partly"))
            expect(page.locator(".next-review")).to_contain_text("later in this session")
        else:
            expect(page.locator(".verdict")).to_contain_text("Right")
        if q.uid == "intro-symptoms" and not undone:
            page.keyboard.press("u")
            expect(page.get_by_text("Answer undone")).to_be_visible()
            assert current_question(page).uid == "intro-symptoms"
            asked.pop()
            undone = True
            db.session.rollback()  # a new transaction sees what the server committed
            log = db.session.scalar(sa.select(ReviewLog).where(ReviewLog.undone_at.is_not(None)))
            assert log is not None
            assert log.question.uid == "intro-symptoms"
            continue
        page.keyboard.press("Enter")  # next question

    assert undone
    assert page.evaluate("window.__sameDocument === true"), "a question reloaded the page"
    # Every question type of the bundled bank, answered with the keyboard: the review gives
    # nothing honest to compute (numeric) or to pair (matching).
    assert types == set(REGISTRY) - {"matching", "numeric"}
    for uid in WRONG_FIRST:
        first, again = asked.index(uid), asked.index(uid, asked.index(uid) + 1)
        assert again > first + 1, f"{uid} did not come back later"
    expect(page.get_by_role("heading", name="Session finished")).to_be_visible()
    expect(page.locator("main")).to_contain_text("You answered")

    page.get_by_role("link", name="Back to home").click()
    expect(intro_row.locator("[data-coverage]")).to_have_text("6/6")
    recall = intro_row.locator("[data-recall]").get_attribute("data-recall")
    assert recall
    assert float(recall) > 0.5
    screenshot(page, "home-after-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot(page, "home-after-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 800})

    weak_rows = page.locator("tr[data-topic]").filter(has=page.locator(".tag-weak"))
    weak_titles = {
        text.split("\n")[0].replace(" weak", "").strip()
        for text in weak_rows.locator("th").all_inner_texts()
    }
    # 18 new questions cover the first three topics and half of the clinical trials: half a
    # topic studied once is below target a week on (and so, a week on, is much of the rest).
    assert "Clinical trial data" in weak_titles
    page.get_by_role("button", name="Review my weak topics").focus()
    page.keyboard.press("Enter")
    q = current_question(page)
    assert q.topic.title in weak_titles
    expect(page.locator(".progress")).to_contain_text("My weak topics")
