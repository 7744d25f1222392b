"""Issue 13's scenario in Chromium: an instructor uploads a Moodle XML file with an essay, a
cloze with a drop-down gap and a nested category; the essay is left out with its reason, the
instructor agrees, and a learner answers the drop-down gap in the study page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from quizapp.extensions import db
from quizapp.models import Question, QuestionSet, ReviewLog, Role, Topic, User
from tests.browser.conftest import LiveServer, screenshot, serious_violations
from tests.browser.test_instructor_import import (
    learner_joins_a_class_of,
    log_in,
    upload_for_preview,
)
from tests.browser.test_learner_journey import current_question

pytestmark = pytest.mark.browser

MOODLE = """\
<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Haematology/Myeloma</text></category>
  </question>
  <question type="essay">
    <name><text>Explain CAR-T</text></name>
    <questiontext format="html"><text>Explain how CAR-T therapy works.</text></questiontext>
  </question>
  <question type="cloze">
    <name><text>Where the cells come from</text></name>
    <questiontext format="html"><text><![CDATA[<p>CAR-T cells are made from T cells
      {1:MULTICHOICE:=extracted from the patient~given by a donor~grown from stem cells}.</p>
    ]]></text></questiontext>
  </question>
</quiz>
"""


def test_a_moodle_file_is_imported_without_its_essay_and_its_drop_down_gap_is_answered(
    page: Page,
    live_server: LiveServer,
    make_user: Callable[..., User],
    tmp_path: Path,
    axe_source: str,
) -> None:
    make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Tess")
    make_user("learner@example.org", name="Lee")
    url = live_server.url
    upload = tmp_path / "myeloma.xml"
    upload.write_text(MOODLE)

    log_in(page, url, "teacher@example.org")
    upload_for_preview(page, upload, "myeloma")

    expect(
        page.get_by_role("heading", name="1 question will be imported, 1 left out")
    ).to_be_visible()
    left_out = page.locator("section", has=page.get_by_role("heading", name=re.compile("left out")))
    expect(left_out).to_contain_text("myeloma.xml:6")
    expect(left_out).to_contain_text("essay")
    assert serious_violations(page, axe_source) == []
    screenshot(page, "moodle-import-left-out-1280")
    page.get_by_role("button", name="Publish 1 question, leave 1 out").click()
    expect(page.get_by_role("status").first).to_contain_text("1 question left out")

    db.session.rollback()  # a new transaction sees what the server committed
    question_set = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == "myeloma"))
    assert question_set is not None
    topics = db.session.scalars(sa.select(Topic.title).where(Topic.set_id == question_set.id))
    assert list(topics) == ["Haematology / Myeloma"]

    learner_joins_a_class_of(page, url, question_set.title, "Myeloma 101")
    # The topic sits under its category on the home page.
    expect(page.get_by_role("rowheader", name="Haematology")).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile("^Myeloma"))).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Study")).click()

    question = current_question(page)
    assert isinstance(question, Question)
    assert question.qtype == "cloze"
    gap = page.get_by_label("Gap 1 of 1")
    expect(gap).to_have_js_property("tagName", "SELECT")
    assert serious_violations(page, axe_source) == []
    screenshot(page, "moodle-cloze-drop-down-1280")
    gap.select_option(label="extracted from the patient")
    page.get_by_role("button", name=re.compile("^Check")).click()
    expect(page.locator(".verdict")).to_contain_text("Right")
    db.session.rollback()
    review = db.session.scalar(sa.select(ReviewLog))
    assert review is not None
    assert (review.outcome, review.response) == ("correct", [0])
