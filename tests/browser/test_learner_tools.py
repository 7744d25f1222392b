"""Issue 16's scenario in Chromium, with the keyboard: a learner studies; the topics marked
weak on the home page, each with its reason, are exactly those the weak-topics session draws
from; the summary's "Review these now" serves exactly the missed questions; suspending,
burying, flagging and a leech all work from the keyboard."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.models import (
    Enrollment,
    Question,
    QuestionFlag,
    QuestionMemory,
    QuestionSet,
    StudySession,
    User,
)
from quizapp.scheduler import SessionQueue
from quizapp.study.holds import LEECH_LAPSES
from tests.browser.conftest import LiveServer, serious_violations
from tests.browser.test_instructor_import import log_in
from tests.browser.test_learner_journey import answer, bank_loaded, current_question

pytestmark = pytest.mark.browser
__all__ = ["bank_loaded"]  # the fixture, used by name


def _session(page: Page) -> StudySession:
    db.session.rollback()
    session_id = int(re.search(r"/study/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    session = db.session.get(StudySession, session_id)
    assert session is not None
    return session


def _study_to_the_end(page: Page, leech: int, axe_source: str) -> list[int]:
    """Answer every question wrongly the first time and rightly the next (the leech wrongly,
    once: it is then suspended); the ids missed, in order."""
    seen: list[int] = []
    while True:
        page.wait_for_selector("form[data-answer-form], #summary-heading")
        if page.locator("#summary-heading").count():
            return seen
        question = current_question(page)
        first = question.id not in seen
        if first:
            seen.append(question.id)
        answer(page, question, right=not first)
        if question.id == leech:
            expect(page.get_by_role("alert")).to_contain_text(
                f"forgotten this question {LEECH_LAPSES} times"
            )
            assert serious_violations(page, axe_source) == []
        page.keyboard.press("Enter")  # on to the next question
        page.wait_for_selector(".verdict", state="detached")


def test_weak_topics_review_of_the_missed_and_holds_with_the_keyboard(
    page: Page,
    live_server: LiveServer,
    bank_loaded: None,
    make_user: Callable[..., User],
    axe_source: str,
) -> None:
    learner = make_user("kim@example.org", name="Kim")
    learner.new_per_day = 4
    bank = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == "car-t-myeloma"))
    assert bank is not None
    db.session.add(Enrollment(user_id=learner.id, set_id=bank.id))
    # A question forgotten 7 times already, due now: one more lapse makes it a leech.
    leech = db.session.scalars(
        sa.select(Question).where(Question.set_id == bank.id, Question.qtype == "single_choice")
    ).all()[-1]
    db.session.add(
        QuestionMemory(
            user_id=learner.id,
            question_id=leech.id,
            topic_id=leech.topic_id,
            stability=2.0,
            difficulty=8.0,
            state=2,
            due=utcnow() - timedelta(days=1),
            last_review=utcnow() - timedelta(days=3),
            reps=20,
            lapses=LEECH_LAPSES - 1,
        )
    )
    db.session.commit()
    url = live_server.url
    log_in(page, url, learner.email)
    expect(page.get_by_role("heading", name="Hello, Kim")).to_be_visible()

    # A session with the keyboard: the leech is forgotten once more and leaves the session.
    page.get_by_role("button", name=re.compile(r"^Study")).focus()
    page.keyboard.press("Enter")
    missed = _study_to_the_end(page, leech.id, axe_source)
    assert leech.id in missed
    expect(page.get_by_text("What you missed")).to_be_visible()
    session = _session(page)
    db.session.refresh(session)
    assert leech.id not in SessionQueue.from_dict(session.queue).pending  # a leech leaves

    # The home page's weak topics, each with its reason, are what "weak" sessions draw from.
    page.get_by_role("link", name="Home", exact=True).click()
    weak_rows = page.locator("tr.weak-row[data-topic]")
    weak = {int(t) for t in weak_rows.evaluate_all("rows => rows.map(r => r.dataset.topic)")}
    assert weak
    expect(weak_rows.locator(".weak-reason").first).to_contain_text("expected recall in a week")
    assert weak_rows.locator(".weak-reason").count() == len(weak)
    assert serious_violations(page, axe_source) == []
    page.get_by_role("button", name="Review my weak topics").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("form[data-answer-form]")
    queue = SessionQueue.from_dict(_session(page).queue).pending
    drawn = set(
        db.session.scalars(sa.select(Question.topic_id).where(Question.id.in_(list(queue))))
    )
    assert drawn == weak

    # Back to the finished session's summary: "Review these now" serves exactly the missed
    # questions (the leech, suspended, left out).
    page.goto(f"{url}/study/{session.id}")
    page.get_by_role(
        "button", name=re.compile(r"^Review (this question|these \d+ questions) now$")
    ).click()
    page.wait_for_selector("form[data-answer-form]")
    review = SessionQueue.from_dict(_session(page).queue).pending
    assert list(review) == [q for q in missed if q != leech.id]

    # Suspend, bury and flag from the keyboard, on the feedback of the first three.
    held: dict[str, int] = {}
    for key in ("s", "b", "f"):
        question = current_question(page)
        answer(page, question, right=True)
        held[key] = question.id
        if key == "f":
            page.keyboard.press("f")
            expect(page.locator("#flag-comment")).to_be_focused()
            page.keyboard.type("The second choice says the same as the first.")
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
            expect(page.get_by_role("status").filter(has_text="your note is on")).to_be_visible()
        else:
            page.keyboard.press(key)
            page.wait_for_selector("form[data-answer-form], .summary, h1")
    db.session.rollback()
    rows = {
        row.question_id: row
        for row in db.session.scalars(
            sa.select(QuestionMemory).where(QuestionMemory.user_id == learner.id)
        )
    }
    assert rows[held["s"]].suspended_reason == "learner"
    assert rows[held["b"]].buried_until is not None
    assert rows[leech.id].suspended_reason == "leech"
    flags = db.session.scalars(sa.select(QuestionFlag)).all()
    assert [(f.question_id, f.user_id) for f in flags] == [(held["f"], learner.id)]
    page.goto(f"{url}/study/held")
    expect(page.get_by_text("Leech", exact=True)).to_be_visible()
    expect(page.get_by_text("Suspended by you.")).to_be_visible()
    expect(page.get_by_text(re.compile("Buried until"))).to_be_visible()
    assert serious_violations(page, axe_source) == []
