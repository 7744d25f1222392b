"""An instructor imports a GIFT file in Chromium: an error at its line, the fix, publishing;
then a learner of the instructor's class answers, and the question statistics show it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.models import Question, QuestionSet, ReviewLog, Role, User
from tests.browser.conftest import LiveServer, screenshot, serious_violations
from tests.browser.test_learner_journey import answer, current_question
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

BROKEN = """\
$CATEGORY: Astronomy

// [id:sun]
::Sun::The sun is a <b>star</b>.{T#It is a planet?#Right: a star.}

// [id:moon]
::Moon::Which body orbits the Earth? {=the Moon ~Mars ~Venus
"""
FIXED = BROKEN.replace("~Venus\n", "~Venus}\n")


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")


def upload_for_preview(page: Page, path: Path, set_id: str = "") -> None:
    """From the instructor's pages, upload a file and ask for its preview."""
    page.get_by_role("link", name="Teach").click()
    page.get_by_role("link", name="Import a question set").click()
    page.get_by_label("Question-set file").set_input_files(str(path))
    if set_id:
        page.get_by_label("Set id").fill(set_id)
    page.get_by_role("button", name="Preview the import").click()


def learner_joins_a_class_of(page: Page, url: str, set_title: str, class_name: str) -> None:
    """The logged-in instructor makes a class for a set; learner@example.org joins it with its
    code and is left on their home page."""
    page.get_by_role("link", name="Classes").click()
    page.get_by_label("Name of the class").fill(class_name)
    page.get_by_role("button", name="Create class").click()
    page.get_by_label("Question set").select_option(label=set_title)
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("assigned; every member is now enrolled")).to_be_visible()
    code = page.locator(".join-code").inner_text()
    page.get_by_role("button", name="Log out").click()
    log_in(page, url, "learner@example.org")
    page.get_by_role("link", name="Classes").click()
    page.get_by_label("Class code").fill(code)
    page.get_by_role("button", name="Join class").click()
    page.get_by_role("link", name="Home", exact=True).click()


def test_import_fix_publish_and_study(
    page: Page,
    live_server: LiveServer,
    make_user: Callable[..., User],
    tmp_path: Path,
    axe_source: str,
) -> None:
    make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Tess")
    make_user("learner@example.org", name="Lee")
    url = live_server.url
    gift = tmp_path / "astronomy.gift"
    gift.write_text(BROKEN)

    log_in(page, url, "teacher@example.org")
    upload_for_preview(page, gift)

    # The broken question is left out at its line; the rest is published only on consent.
    expect(
        page.get_by_role("heading", name="1 question will be imported, 1 left out")
    ).to_be_visible()
    left_out = page.locator("section", has=page.get_by_role("heading", name=re.compile("left out")))
    expect(left_out).to_contain_text("astronomy.gift:7")
    expect(left_out).to_contain_text("unclosed brace")
    expect(page.get_by_role("button", name="Publish", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Publish 1 question, leave 1 out")).to_be_visible()
    assert serious_violations(page, axe_source) == []
    screenshot(page, "import-left-out-1280")

    # The teacher would rather fix the file: discard this upload and send the fixed one.
    page.get_by_role("button", name="Discard").click()
    gift.write_text(FIXED)
    upload_for_preview(page, gift, "astronomy")
    expect(page.get_by_role("heading", name="A new set: 2 questions")).to_be_visible()
    totals = page.get_by_role("row", name=re.compile("^Total"))
    expect(totals).to_contain_text("2")
    assert serious_violations(page, axe_source) == []
    screenshot(page, "import-preview-1280")
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 0

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").first).to_contain_text("2 questions (2 new")
    db.session.rollback()  # a new transaction sees what the server committed
    question_set = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == "astronomy"))
    assert question_set is not None

    # A class for the set; a learner joins it and answers one of the set's questions.
    learner_joins_a_class_of(page, url, question_set.title, "Astronomy 101")
    page.get_by_role("button", name=re.compile(r"^Study")).click()
    question = current_question(page)
    assert question.set_id == question_set.id
    if question.uid == "sun":
        # The question's HTML is shown as formatting, not as tags.
        expect(page.locator("#prompt b")).to_have_text("star")
    answer(page, question, right=True)
    expect(page.locator(".verdict")).to_contain_text("Right")
    db.session.rollback()  # a new transaction sees what the server committed
    assert db.session.scalar(sa.select(sa.func.count(ReviewLog.id))) == 1
    page.get_by_role("button", name="Log out").click()

    # The instructor's question statistics show that answer.
    log_in(page, url, "teacher@example.org")
    page.get_by_role("link", name="Classes").click()
    page.get_by_role("link", name="Astronomy 101").click()
    page.get_by_role("link", name="Question statistics").click()
    row = page.locator(f"#q-{question.id}")
    cells = row.locator("td.num")
    expect(cells.nth(0)).to_have_text("1")  # answers
    expect(cells.nth(1)).to_have_text("100%")  # facility
    other = "moon" if question.uid == "sun" else "sun"
    expect(page.get_by_role("row", name=re.compile(other))).to_contain_text("—")
    screenshot(page, "import-question-statistics-1280")
