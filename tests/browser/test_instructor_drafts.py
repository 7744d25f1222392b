"""An instructor drafts a question set from a document in Chromium, reviews it and publishes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.models import Question, QuestionSet, Role, User
from tests.browser.conftest import LiveServer, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

DOCUMENT = Path(__file__).resolve().parents[2] / "questions" / "car-t-myeloma.source.txt"


def test_draft_review_edit_and_publish(
    page: Page, live_server: LiveServer, make_user: Callable[..., User]
) -> None:
    make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Tess")
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("E-mail").fill("teacher@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Teach").click()
    page.get_by_role("link", name="Draft a set from a document").click()

    page.get_by_label("Document").set_input_files(str(DOCUMENT))
    page.get_by_label("Title of the set").fill("CAR-T drafts")
    page.get_by_role("button", name="Draft questions").click()
    expect(page.get_by_role("status").first).to_contain_text("questions drafted")
    items = page.locator(".draft-item")
    assert items.count() >= 3  # one draft per fact worth asking: a few, not dozens

    first, second, third = items.nth(0), items.nth(1), items.nth(2)
    first.get_by_role("button", name=re.compile("^Keep")).click()
    expect(page.locator(".draft-item").nth(0)).to_have_class(re.compile("status-kept"))
    page.locator(".draft-item").nth(1).get_by_role("button", name=re.compile("^Keep")).click()
    page.locator(".draft-item").nth(2).get_by_role("button", name=re.compile("^Discard")).click()
    expect(page.locator(".draft-item").nth(2)).to_have_class(re.compile("status-discarded"))
    del first, second, third

    # Edit the first kept draft with its type's form: a broken quote is refused beside its
    # field, then fixed.
    page.locator(".draft-item").nth(0).get_by_role("link", name=re.compile("^Edit")).click()
    box = page.locator("[name=quote]")
    original = box.input_value()
    box.fill("Words that the document never says")
    page.get_by_role("button", name="Save to the draft").click()
    expect(page.locator("#f-quote-error")).to_contain_text("source quote is not in the document")
    page.locator("[name=quote]").fill(original)
    page.get_by_role("button", name="Save to the draft").click()
    expect(page.get_by_text("Question saved.")).to_be_visible()
    screenshot(page, "instructor-drafts-1280")

    page.get_by_role("button", name="Publish 2 kept questions").click()
    expect(page.get_by_role("status").first).to_contain_text("Published")
    expect(page.get_by_role("row", name=re.compile("CAR-T drafts"))).to_be_visible()
    db.session.rollback()  # a new transaction sees what the server committed
    qs = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == "car-t-drafts"))
    assert qs is not None
    count = db.session.scalar(sa.select(sa.func.count(Question.id)).where(Question.set_id == qs.id))
    assert count == 2
