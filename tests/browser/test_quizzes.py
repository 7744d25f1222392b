"""Issue 15's scenarios in Chromium: an instructor sets a timed quiz drawing 2 questions from
each of 3 topics; one learner takes it, reloads mid-way, flags one, submits with one
unanswered and sees the score; a second learner's time runs out and the server submits the
attempt; the gradebook has both; fixing a key regrades both attempts. And a learner's
"Quiz me" on their weak topics, end to end, showing in the topic's recall."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.models import Enrollment, Question, QuestionSet, Role, Topic, User
from quizapp.quizzes.models import QuizAttempt
from tests.browser.conftest import LiveServer, screenshot, serious_violations
from tests.browser.test_instructor_import import log_in

pytestmark = pytest.mark.browser

TOPICS = ("Europe", "Asia", "Africa")
WRONG = "Atlantis"


def _answer(question: Question) -> str:
    return str(question.spec["answers"][0])


def _make_class(make_user: Callable[..., User]) -> tuple[Course, QuestionSet, list[User]]:
    teacher = make_user("teacher@example.org", role=Role.INSTRUCTOR, name="Tess")
    learners = [make_user(f"learner{n}@example.org", name=f"Learner {n}") for n in (1, 2)]
    qs = QuestionSet(uid="capitals", title="Capitals", owner_id=teacher.id, language="en")
    db.session.add(qs)
    db.session.flush()
    for t, name in enumerate(TOPICS):
        topic = Topic(set_id=qs.id, uid=name.lower(), title=name, position=t)
        db.session.add(topic)
        db.session.flush()
        # Three questions a topic: two drawn from each, so two attempts share one at least.
        for n, city in enumerate(("Alpha", "Bravo", "Charlie")):
            db.session.add(
                Question(
                    set_id=qs.id,
                    topic_id=topic.id,
                    uid=f"{name.lower()}-{n}",
                    qtype="short_answer",
                    prompt=f"Which city is number {n + 1} of {name}?",
                    spec={"answers": [f"{city}{name}"]},
                    explanation=f"{city}{name} is number {n + 1}.",
                    position=t * 10 + n,
                )
            )
    course = Course(owner_id=teacher.id, title="Geography", join_code="GEOG2026")
    db.session.add(course)
    db.session.flush()
    db.session.add(CourseSet(course_id=course.id, set_id=qs.id))
    for learner in learners:
        db.session.add(CourseMember(course_id=course.id, user_id=learner.id))
        db.session.add(Enrollment(user_id=learner.id, set_id=qs.id))
    db.session.commit()
    return course, qs, learners


def _prompt_question(page: Page) -> Question:
    prompt = page.locator("#prompt").inner_text().strip()
    db.session.rollback()
    question = db.session.scalar(sa.select(Question).where(Question.prompt == prompt))
    assert question is not None, prompt
    return question


def test_a_timed_class_quiz_from_setting_to_regrading(
    browser: Browser,
    page: Page,
    live_server: LiveServer,
    make_user: Callable[..., User],
    axe_source: str,
) -> None:
    course, _qs, (first, second) = _make_class(make_user)
    url = live_server.url

    # The instructor sets the quiz: 2 questions of each topic, 20 minutes.
    log_in(page, url, "teacher@example.org")
    expect(page.get_by_role("link", name="Teach")).to_be_visible()
    page.goto(f"{url}/courses/{course.id}")
    page.get_by_role("link", name="Quizzes", exact=True).last.click()
    page.get_by_role("link", name="New quiz").click()
    page.get_by_label("Title", exact=True).fill("Capitals, week 1")
    for name in TOPICS:
        page.get_by_label(f"{name} (Capitals)").fill("2")
    page.get_by_label("Time limit (minutes)").fill("20")
    assert serious_violations(page, axe_source) == []
    page.get_by_role("button", name="Create quiz").click()
    expect(page.get_by_role("status").first).to_contain_text("“Capitals, week 1” created")

    # The first learner: answers, reloads, finds them; flags one; leaves one unanswered.
    learner = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    lp = learner.new_page()
    log_in(lp, url, first.email)
    expect(lp.get_by_role("link", name="Quizzes")).to_be_visible()
    lp.get_by_role("link", name="Quizzes").click()
    lp.get_by_role("link", name="Capitals, week 1").click()
    lp.get_by_role("button", name="Start the quiz").click()
    expect(lp.get_by_text("Question 1 of 6")).to_be_visible()
    expect(lp.locator("[data-clock]")).to_have_text(re.compile(r"^(20:00|19:\d\d)$"))
    assert serious_violations(lp, axe_source) == []
    screenshot(lp, "quiz-question-360")
    assert lp.evaluate("document.documentElement.scrollWidth") <= 360
    answered: dict[int, str] = {}
    for n in range(1, 6):
        question = _prompt_question(lp)
        given = _answer(question) if n != 2 else WRONG
        lp.get_by_label("Your answer").fill(given)
        answered[question.id] = given
        if n == 3:
            lp.get_by_label("Flag this question to come back to it").check()
        if n == 3:
            # Saved as it is given: the page says so, and a reload finds it.
            expect(lp.locator("[data-save-status]")).to_contain_text("Saved at")
            lp.reload()
            expect(lp.get_by_label("Your answer")).to_have_value(given)
            expect(lp.get_by_label("Flag this question to come back to it")).to_be_checked()
        lp.get_by_role("button", name="Next →").click()
        expect(lp.get_by_text(f"Question {n + 1} of 6")).to_be_visible()
    lp.get_by_role("button", name="Question 1, answered").click()
    expect(lp.get_by_label("Your answer")).to_have_value(next(iter(answered.values())))
    lp.get_by_role("button", name="Finish the attempt…").click()
    expect(lp.get_by_role("alert")).to_contain_text("1 question not answered")
    expect(lp.get_by_text("Flagged:")).to_be_visible()
    assert serious_violations(lp, axe_source) == []
    lp.get_by_role("button", name="Submit all and finish").click()
    expect(lp.get_by_text("Score: 4 / 6")).to_be_visible()
    learner.close()

    # The second learner answers everything wrongly and leaves; the time runs out.
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    op = other.new_page()
    log_in(op, url, second.email)
    expect(op.get_by_role("link", name="Quizzes")).to_be_visible()
    op.goto(f"{url}/quizzes/")
    op.get_by_role("link", name="Capitals, week 1").click()
    op.get_by_role("button", name="Start the quiz").click()
    for n in range(1, 7):
        expect(op.get_by_text(f"Question {n} of 6")).to_be_visible()
        op.get_by_label("Your answer").fill(WRONG)
        if n < 6:
            op.get_by_role("button", name="Next →").click()
    op.get_by_role("button", name="Finish the attempt…").click()
    expect(op.get_by_text("Every question has an answer.")).to_be_visible()
    other.close()
    db.session.rollback()
    late = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == second.id))
    assert late is not None
    assert late.is_open
    late.deadline = utcnow() - timedelta(seconds=1)  # twenty minutes later
    db.session.commit()

    # The instructor's results: the server submitted the second attempt; the gradebook.
    page.goto(f"{url}/quizzes/classes/{course.id}")
    page.get_by_role("link", name="Capitals, week 1", exact=True).click()
    expect(page.get_by_text("the timer (time ran out)")).to_be_visible()
    csv_text = page.request.get(f"{url}/quizzes/classes/{course.id}/gradebook.csv").text()
    rows = list(csv.reader(io.StringIO(csv_text)))
    by_email = {row[1]: row for row in rows[1:]}
    assert set(by_email) == {first.email, second.email}
    assert float(by_email[first.email][-1]) == 4
    assert float(by_email[second.email][-1]) == 0

    # A key fixed in the editor ("Atlantis" accepted for a question both were asked)
    # regrades both attempts.
    db.session.rollback()
    attempts = db.session.scalars(sa.select(QuizAttempt).order_by(QuizAttempt.id)).all()
    shared = [q for q in attempts[0].question_ids if q in attempts[1].question_ids]
    wrong_in_first = [q for q in shared if answered.get(q) == WRONG]
    fixed_id = (wrong_in_first or shared)[0]
    page.goto(f"{url}/instructor/sets/capitals/questions/{fixed_id}/edit")
    answers = page.get_by_label(re.compile("Accepted answers"))
    answers.fill(answers.input_value() + "\n" + WRONG)
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    db.session.rollback()
    regraded = {
        a.user_id: a.score
        for a in db.session.scalars(sa.select(QuizAttempt).order_by(QuizAttempt.id))
    }
    assert regraded[second.id] == 1
    assert regraded[first.id] == (5 if fixed_id in wrong_in_first else 4)


def test_quiz_me_on_weak_topics_shows_in_the_topics_recall(
    page: Page, live_server: LiveServer, make_user: Callable[..., User], axe_source: str
) -> None:
    _, _, (learner, _) = _make_class(make_user)
    url = live_server.url
    log_in(page, url, learner.email)
    expect(page.get_by_role("link", name="Quizzes")).to_be_visible()
    europe = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile("Europe")))
    expect(europe.locator("[data-coverage]")).to_have_text("0/3")
    page.get_by_role("link", name="Quizzes").click()
    page.get_by_role("link", name="Quiz me").click()
    assert serious_violations(page, axe_source) == []
    for name in TOPICS:
        box = page.get_by_role("checkbox", name=re.compile(name))
        if name != "Europe":
            box.uncheck()
        else:
            box.check()
    page.get_by_label("Number of questions").fill("3")
    page.get_by_role("button", name="Start the quiz").click()
    for n in range(1, 4):
        expect(page.get_by_text(f"Question {n} of 3")).to_be_visible()
        question = _prompt_question(page)
        page.get_by_label("Your answer").fill(_answer(question) if n < 3 else WRONG)
        page.get_by_role("button", name="Next →" if n < 3 else "Finish the attempt…").click()
    page.get_by_role("button", name="Submit all and finish").click()
    expect(page.get_by_text("Score: 2 / 3")).to_be_visible()
    expect(page.get_by_role("button", name="Study the 1 question I missed now")).to_be_visible()
    page.get_by_role("link", name="Home").click()
    europe = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile("Europe")))
    expect(europe.locator("[data-coverage]")).to_have_text("3/3")
    expect(europe.locator("[data-recall]")).not_to_have_attribute("data-recall", "")
