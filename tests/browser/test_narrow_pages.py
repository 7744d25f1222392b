"""Issue 16: no page scrolls sideways on a 320 px phone, and axe finds nothing serious on any.
Every main page of a learner, an instructor and a visitor is opened at 320 px; a table too wide
scrolls inside its own region, never the page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.extensions import db
from quizapp.models import Enrollment, Question, QuestionSet, Role, User
from quizapp.quizzes.models import Quiz
from quizapp.sets.loader import load_bundled_bank
from tests.browser.conftest import LiveServer, serious_violations
from tests.browser.test_instructor_import import log_in

pytestmark = pytest.mark.browser

WIDTH = 320
LONG = "Maximiliana-Konstantinopolitanische Donaudampfschifffahrtsgesellschaft"


AXE: list[str] = []  # the serious and critical findings of axe on every page opened


def _too_wide(page: Page, url: str, axe_source: str) -> str | None:
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    AXE.extend(f"{url}: {finding}" for finding in serious_violations(page, axe_source))
    return None if width <= WIDTH else f"{url}: {width} px"


def _setup(make_user: Callable[..., User]) -> tuple[QuestionSet, Course, Quiz, Question]:
    teacher = make_user("teacher@example.org", role=Role.INSTRUCTOR, name=LONG)
    make_user("admin@example.org", role=Role.ADMIN, name=LONG)
    learner = make_user("learner@example.org", name=LONG)
    load_bundled_bank()
    db.session.flush()
    bank = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == "car-t-myeloma"))
    assert bank is not None
    bank.owner_id = teacher.id  # the instructor's own, so that every page of theirs opens
    course = Course(owner_id=teacher.id, title=f"{LONG} class", join_code="NARROW26")
    db.session.add(course)
    db.session.flush()
    db.session.add_all(
        [
            CourseSet(course_id=course.id, set_id=bank.id),
            CourseMember(course_id=course.id, user_id=learner.id),
            Enrollment(user_id=learner.id, set_id=bank.id),
        ]
    )
    question = db.session.scalars(sa.select(Question).where(Question.set_id == bank.id)).first()
    assert question is not None
    quiz = Quiz(
        course_id=course.id,
        owner_id=teacher.id,
        title=f"{LONG} quiz",
        draw=[{"question_id": question.id}],
    )
    db.session.add(quiz)
    db.session.commit()
    return bank, course, quiz, question


def test_no_page_scrolls_sideways_at_320_px_and_axe_finds_nothing_serious(
    browser: Browser, live_server: LiveServer, make_user: Callable[..., User], axe_source: str
) -> None:
    AXE.clear()
    bank, course, quiz, question = _setup(make_user)
    url = live_server.url
    context = browser.new_context(viewport={"width": WIDTH, "height": 640}, bypass_csp=True)
    page = context.new_page()
    wide = [
        found
        for path in ("/", "/auth/login", "/auth/register")
        if (found := _too_wide(page, url + path, axe_source))
    ]

    log_in(page, url, "learner@example.org")
    expect(page.get_by_role("link", name="Home")).to_be_visible()
    page.goto(url + "/")
    page.get_by_role("button", name="Study", exact=False).first.click()
    study = page.url
    page.locator("form[data-answer-form] input[name=choice]").first.check()
    page.locator("form[data-answer-form] button[type=submit]").click()
    feedback = page.url
    page.goto(url + f"/quizzes/{quiz.id}")
    page.get_by_role("button", name="Start the quiz").click()
    attempt_page = page.url
    learner_pages = [
        "/",
        "/sets",
        "/quizzes/",
        f"/quizzes/{quiz.id}",
        "/quizzes/mine/new",
        "/study/held",
        "/account/settings",
        f"/study/questions/{question.id}/history",
    ]
    for path in learner_pages:
        if found := _too_wide(page, url + path, axe_source):
            wide.append(found)
    for full in (study, feedback, attempt_page):
        if found := _too_wide(page, full, axe_source):
            wide.append(found)
    # The attempt's confirmation page, then its review once submitted.
    attempt_id = attempt_page.rstrip("/").split("/")[-2]
    if found := _too_wide(page, f"{url}/quizzes/attempts/{attempt_id}/summary", axe_source):
        wide.append(found)
    page.get_by_role("button", name="Submit all and finish").click()
    expect(page.get_by_text("Your attempt is submitted.")).to_be_visible()
    if found := _too_wide(page, page.url, axe_source):
        wide.append(found)
    context.close()

    context = browser.new_context(viewport={"width": WIDTH, "height": 640}, bypass_csp=True)
    page = context.new_page()
    log_in(page, url, "teacher@example.org")
    expect(page.get_by_role("link", name="Teach")).to_be_visible()
    instructor_pages = [
        "/instructor/",
        "/instructor/imports/new",
        "/instructor/drafts/new",
        f"/instructor/sets/{bank.uid}/questions",
        f"/instructor/sets/{bank.uid}/questions/new",
        f"/instructor/sets/{bank.uid}/questions/new?type=cloze",
        f"/instructor/sets/{bank.uid}/questions/{question.id}/edit",
        f"/instructor/sets/{bank.uid}/questions/{question.id}/versions",
        f"/instructor/sets/{bank.uid}/typed-answers",
        "/courses/",
        f"/courses/{course.id}",
        f"/courses/{course.id}/questions",
        f"/quizzes/classes/{course.id}",
        f"/quizzes/classes/{course.id}/new",
        f"/quizzes/{quiz.id}/edit",
        f"/quizzes/{quiz.id}/results",
    ]
    for path in instructor_pages:
        if found := _too_wide(page, url + path, axe_source):
            wide.append(found)
    context.close()

    context = browser.new_context(viewport={"width": WIDTH, "height": 640}, bypass_csp=True)
    page = context.new_page()
    log_in(page, url, "admin@example.org")
    expect(page.get_by_role("link", name="Admin")).to_be_visible()
    if found := _too_wide(page, url + "/admin/users", axe_source):
        wide.append(found)
    context.close()
    assert not wide, "pages wider than 320 px:\n" + "\n".join(wide)
    assert not AXE, "axe, serious or critical:\n" + "\n".join(AXE)
