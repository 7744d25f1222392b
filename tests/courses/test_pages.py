"""Courses through the browser: create a class, join it with its code, follow the results."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.test import TestResponse

from quizapp.courses.membership import JOIN_CODE_ALPHABET, normalize_code
from quizapp.courses.models import Course, CourseMember, CourseSet, CourseSnapshot
from quizapp.courses.routes import LEARNERS_PER_PAGE
from quizapp.courses.snapshots import INLINE_MS
from quizapp.extensions import db
from quizapp.models import Enrollment, Question, QuestionSet, Role, User
from quizapp.study.answering import answer_question, undo_last_answer
from tests.conftest import Browserless
from tests.courses.conftest import PersonBrowser

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
Browser = Callable[[User], Browserless]


def question(uid: str) -> Question:
    found = db.session.scalar(sa.select(Question).where(Question.uid == uid))
    assert found is not None
    return found


def create_course(agent: Browserless, title: str = "Haematology B") -> Course:
    response = agent.submit("/courses/", {"title": title})
    assert response.status_code == 302
    course = db.session.scalar(sa.select(Course).where(Course.title == title))
    assert course is not None
    assert response.headers["Location"].endswith(f"/courses/{course.id}")
    return course


def assign(agent: Browserless, course: Course, qs: QuestionSet) -> None:
    page = f"/courses/{course.id}"
    response = agent.submit(page, {"set_id": qs.id}, action=f"{page}/sets")
    assert response.status_code == 302


def join(agent: Browserless, code: str) -> TestResponse:
    return agent.submit("/courses/join", {"code": code})


@pytest.fixture
def teacher(instructor: User, browser_for: Browser) -> Browserless:
    return browser_for(instructor)


@pytest.fixture
def course(teacher: Browserless, course_set: QuestionSet) -> Course:
    course = create_course(teacher)
    assign(teacher, course, course_set)
    return course


@pytest.fixture
def learners(make_user: Callable[..., User], browser_for: Browser, course: Course) -> list[User]:
    """Three learners who joined the class with its code."""
    people = [make_user(f"l{n}@example.org", name=f"Learner {n}") for n in (1, 2, 3)]
    for person in people:
        assert join(browser_for(person), course.join_code).status_code == 302
    return people


def test_creating_a_course_gives_an_unambiguous_code(teacher: Browserless) -> None:
    course = create_course(teacher)
    assert len(course.join_code) == 8
    assert set(course.join_code) <= set(JOIN_CODE_ALPHABET)
    assert not set("0O1IL") & set(JOIN_CODE_ALPHABET)
    page = teacher.get(f"/courses/{course.id}").get_data(as_text=True)
    assert course.join_code in page
    assert course.join_code in teacher.get("/courses/").get_data(as_text=True)


def test_a_course_needs_a_title(teacher: Browserless) -> None:
    response = teacher.submit("/courses/", {"title": "  "})
    assert response.status_code == 400
    assert "Give the class a name." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0


def test_joining_enrolls_in_the_course_sets(
    course: Course, course_set: QuestionSet, make_user: Callable[..., User], browser_for: Browser
) -> None:
    learner = make_user("new@example.org")
    agent = browser_for(learner)
    typed = f"{course.join_code[:4].lower()}-{course.join_code[4:].lower()}"
    response = join(agent, typed)
    assert response.status_code == 302
    page = agent.get("/courses/join").get_data(as_text=True)
    assert "You joined “Haematology B”: 1 question sets added" in page
    assert "Haematology B" in page
    assert "Class set" in page
    assert db.session.get(CourseMember, (course.id, learner.id)) is not None
    assert db.session.get(Enrollment, (learner.id, course_set.id)) is not None
    # Joining again changes nothing.
    join(agent, course.join_code)
    assert "You are already in" in agent.get("/courses/join").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseMember)) == 1


def test_a_wrong_code_says_so_and_writes_nothing(
    course: Course, make_user: Callable[..., User], browser_for: Browser
) -> None:
    agent = browser_for(make_user("lost@example.org"))
    wrong = "ABCDEFGH" if course.join_code != "ABCDEFGH" else "HGFEDCBA"
    response = join(agent, wrong)
    assert response.status_code == 400
    assert "No class has this code. Check it with your instructor." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CourseMember)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == 0
    empty = join(agent, "")
    assert empty.status_code == 400
    assert "Type the code your instructor gave you." in empty.get_data(as_text=True)


def test_normalize_code() -> None:
    assert normalize_code(" k7qm-3xpa ") == "K7QM3XPA"


def test_assigning_a_set_enrolls_the_members_and_unassigning_keeps_them(
    teacher: Browserless, learners: list[User], course: Course, make_user: Callable[..., User]
) -> None:
    other = QuestionSet(uid="published", title="Published set", is_published=True)
    db.session.add(other)
    db.session.commit()
    assign(teacher, course, other)
    for learner in learners:
        assert db.session.get(Enrollment, (learner.id, other.id)) is not None
    page = f"/courses/{course.id}"
    response = teacher.submit(page, {}, action=f"{page}/sets/{other.id}/remove")
    assert response.status_code == 302
    assert db.session.get(CourseSet, (course.id, other.id)) is None
    assert db.session.get(Enrollment, (learners[0].id, other.id)) is not None


def test_another_instructors_hidden_set_cannot_be_assigned(
    teacher: Browserless, course: Course, make_user: Callable[..., User]
) -> None:
    rival = make_user("rival@example.org", role=Role.INSTRUCTOR)
    hidden = QuestionSet(uid="hidden", title="Hidden set", owner_id=rival.id, is_published=False)
    db.session.add(hidden)
    db.session.commit()
    page = f"/courses/{course.id}"
    assert "Hidden set" not in teacher.get(page).get_data(as_text=True)
    teacher.submit(page, {"set_id": hidden.id}, action=f"{page}/sets")
    assert db.session.get(CourseSet, (course.id, hidden.id)) is None
    assert "Choose one of the sets offered." in teacher.get(page).get_data(as_text=True)


def answer_the_quiz(learners: list[User]) -> None:
    """First attempts (q1, q2, q3): L1 (1, 0, 1), L2 (0, 1, 1), L3 (0, 1, 0), and noise."""
    l1, l2, l3 = learners
    plan = [
        (l1, "q1", 0), (l1, "q2", False), (l1, "q3", 0),
        (l2, "q1", 1), (l2, "q2", True), (l2, "q3", 0),
        (l3, "q1", 2), (l3, "q2", True), (l3, "q3", 1),
    ]  # fmt: skip
    for n, (learner, uid, response) in enumerate(plan):
        answer_question(
            learner, question(uid), response, duration_ms=4000, now=T0 + timedelta(minutes=n)
        )
    later = T0 + timedelta(days=1)
    # A retry counts as an attempt but not in the item analysis.
    answer_question(l2, question("q1"), 0, duration_ms=3000, now=later)
    # An undone answer counts nowhere.
    answer_question(l3, question("q3"), 0, duration_ms=3000, now=later + timedelta(minutes=1))
    undo_last_answer(l3, now=later + timedelta(minutes=2))
    db.session.commit()


def stats_row(html: str, uid: str) -> str:
    match = re.search(rf'<tr id="q-{question(uid).id}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {uid}"
    return re.sub(r"\s+", " ", match.group(1))


def test_question_statistics_after_learners_answer(
    teacher: Browserless, learners: list[User], course: Course
) -> None:
    answer_the_quiz(learners)
    html = teacher.get(f"/courses/{course.id}/questions").get_data(as_text=True)
    # q1: scores (1, 0, 0), rest of the test (1, 2, 1): r = (-1/3) / (2/3) = -0.5.
    q1 = stats_row(html, "q1")
    assert '<td class="num">3</td> <td class="num">33%</td> <td class="num">-0.50</td>' in q1
    assert "Beta: 1" in q1
    assert "Gamma: 1" in q1
    assert "Alpha" not in q1
    assert "negative discrimination" in q1
    # q2: scores (0, 1, 1), rest (2, 1, 0): r = -1 / sqrt(2/3 * 2) = -0.87; False picked once.
    q2 = stats_row(html, "q2")
    assert '<td class="num">3</td> <td class="num">67%</td> <td class="num">-0.87</td>' in q2
    assert "False: 1" in q2
    # q3: scores (1, 1, 0), rest (1, 1, 1) does not vary: no index, no flag.
    q3 = stats_row(html, "q3")
    assert '<td class="num">3</td> <td class="num">67%</td> <td class="num">—</td>' in q3
    assert "Yankee: 1" in q3
    assert "pill" not in q3


def test_results_csv(teacher: Browserless, learners: list[User], course: Course) -> None:
    answer_the_quiz(learners)
    response = teacher.get(f"/courses/{course.id}/results.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 9  # 3 learners x 3 questions
    by_key = {(r["email"], r["question_id"]): r for r in rows}
    retried = by_key[("l2@example.org", "q1")]
    assert retried == {
        "email": "l2@example.org",
        "name": "Learner 2",
        "set": "class-set",
        "question_id": "q1",
        "question": "Question q1",
        "attempts": "2",
        "first_score": "0.000",
        "last_score": "1.000",
        "last_answered_at": "2026-11-03T10:00:00+00:00",
    }
    undone = by_key[("l3@example.org", "q3")]
    assert (undone["attempts"], undone["first_score"], undone["last_score"]) == (
        "1",
        "0.000",
        "0.000",
    )

    summary = teacher.get(f"/courses/{course.id}/learners.csv")
    people = {r["email"]: r for r in csv.DictReader(io.StringIO(summary.get_data(as_text=True)))}
    assert people["l2@example.org"]["questions"] == "3"
    assert people["l2@example.org"]["questions_answered"] == "3"
    assert people["l2@example.org"]["attempts"] == "4"
    assert people["l2@example.org"]["mean_first_score"] == "0.667"
    assert people["l2@example.org"]["mean_last_score"] == "1.000"
    assert people["l1@example.org"]["mean_first_score"] == "0.667"


def test_csv_cells_cannot_become_formulas(
    teacher: Browserless, course: Course, make_user: Callable[..., User], browser_for: Browser
) -> None:
    sneaky = make_user("sneaky@example.org", name="=HYPERLINK(1)")
    join(browser_for(sneaky), course.join_code)
    text = teacher.get(f"/courses/{course.id}/learners.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text
    assert ",=HYPERLINK" not in text


def test_overview_shows_members_topics_and_who_falls_behind(
    teacher: Browserless, learners: list[User], course: Course
) -> None:
    now = datetime.now(UTC)
    falling = learners[0]
    for days, response in ((10, 0), (9, 0), (2, 1), (1, 1)):
        answer_question(
            falling, question("q1"), response, duration_ms=4000, now=now - timedelta(days=days)
        )
    # A wrong answer five days ago: far below the 90% target.
    answer_question(learners[1], question("q3"), 1, duration_ms=4000, now=now - timedelta(days=5))
    db.session.commit()
    html = re.sub(r"\s+", " ", teacher.get(f"/courses/{course.id}").get_data(as_text=True))
    assert "Learners (3)" in html
    for n in (1, 2, 3):
        assert f"l{n}@example.org" in html
    assert '<th scope="row">Basics</th> <td>Class set</td> <td class="num">1 / 3</td>' in html
    # One of Basics' two questions studied by one learner of three: coverage 1/6.
    assert '<td class="num">17%</td>' in html
    rows = learner_rows(html)
    assert "falling on Basics: 100% → 0%" in rows["Learner 1"]
    below = re.search(r"below target on Advanced: (\d+)% \(target 90%\)", rows["Learner 2"])
    assert below, "Learner 2 is not listed below target"
    assert int(below.group(1)) < 90
    assert "below" not in rows["Learner 3"]
    assert "falling" not in rows["Learner 3"]
    assert "Falling behind (2)" in html
    only = learner_rows(teacher.get(f"/courses/{course.id}?show=behind").get_data(as_text=True))
    assert sorted(only) == ["Learner 1", "Learner 2"]


def learner_rows(html: str) -> dict[str, str]:
    """The learners table's rows by the learner's name (the row's text, spaces squeezed)."""
    table = re.search(r'<table class="learners-table">(.*?)</table>', html, re.S)
    assert table, "no learners table"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        name = re.search(r'<th scope="row">([^<]*)', row)
        if name:
            rows[name.group(1).strip()] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
    return rows


def test_a_large_class_is_shown_a_page_at_a_time(
    teacher: Browserless, course: Course, make_user: Callable[..., User]
) -> None:
    for n in range(LEARNERS_PER_PAGE + 3):
        person = make_user(f"p{n:03d}@example.org", name=f"Pupil {n:03d}")
        db.session.add(CourseMember(course_id=course.id, user_id=person.id))
    db.session.commit()
    first = teacher.get(f"/courses/{course.id}").get_data(as_text=True)
    assert f"Learners ({LEARNERS_PER_PAGE + 3})" in first
    assert len(learner_rows(first)) == LEARNERS_PER_PAGE
    assert "Page 1 of 2" in first
    assert 'rel="next"' in first
    second = teacher.get(f"/courses/{course.id}?page=2").get_data(as_text=True)
    assert sorted(learner_rows(second)) == ["Pupil 050", "Pupil 051", "Pupil 052"]
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second
    # A page past the end shows the last one.
    assert learner_rows(teacher.get(f"/courses/{course.id}?page=99").get_data(as_text=True))


def test_class_figures_are_kept_and_follow_every_answer_of_a_small_class(
    teacher: Browserless, learners: list[User], course: Course
) -> None:
    page = f"/courses/{course.id}"
    assert "Falling behind (0)" in teacher.get(page).get_data(as_text=True)
    kept = db.session.get(CourseSnapshot, (course.id, "overview"))
    assert kept is not None
    computed = kept.computed_at
    db.session.expire_all()
    teacher.get(page)  # nothing changed: the stored figures are shown
    again = db.session.get(CourseSnapshot, (course.id, "overview"))
    assert again is not None
    assert again.computed_at == computed
    now = datetime.now(UTC)
    answer_question(learners[1], question("q3"), 1, duration_ms=4000, now=now - timedelta(days=5))
    db.session.commit()
    # A small class's figures are computed again as soon as a member answers.
    assert "Falling behind (1)" in teacher.get(page).get_data(as_text=True)


def test_a_large_class_sees_its_last_figures_while_a_job_computes_new_ones(
    teacher: Browserless, learners: list[User], course: Course
) -> None:
    page = f"/courses/{course.id}"
    teacher.get(page)
    kept = db.session.get(CourseSnapshot, (course.id, "overview"))
    assert kept is not None
    kept.compute_ms = INLINE_MS + 1  # as if computing them took long
    db.session.commit()
    now = datetime.now(UTC)
    answer_question(learners[1], question("q3"), 1, duration_ms=4000, now=now - timedelta(days=5))
    db.session.commit()
    html = re.sub(r"\s+", " ", teacher.get(page).get_data(as_text=True))
    # The page shows the figures it has, says so, and the job (run after the view's commit
    # in the tests' eager job mode) stores new ones for the next view.
    assert "Falling behind (0)" in html
    assert "newer ones are being computed" in html
    assert "Falling behind (1)" in teacher.get(page).get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    ["/courses/{id}", "/courses/{id}/questions", "/courses/{id}/results.csv",
     "/courses/{id}/learners.csv"],
)  # fmt: skip
def test_only_the_owner_sees_a_course(
    url: str,
    course: Course,
    learners: list[User],
    make_user: Callable[..., User],
    browser_for: Browser,
    app: Flask,
) -> None:
    target = url.format(id=course.id)
    other_teacher = browser_for(make_user("other@example.org", role=Role.INSTRUCTOR))
    assert other_teacher.get(target).status_code == 403
    assert browser_for(learners[0]).get(target).status_code == 403
    admin = browser_for(make_user("admin@example.org", role=Role.ADMIN))
    assert admin.get(target).status_code == 200
    assert PersonBrowser(app.test_client()).get(target).status_code == 302  # to log in


def test_learners_cannot_create_or_change_courses(
    course: Course, course_set: QuestionSet, learners: list[User], browser_for: Browser
) -> None:
    agent = browser_for(learners[0])
    assert agent.get("/courses/").status_code == 403
    token_page = "/courses/join"
    response = agent.submit(token_page, {"title": "Mine"}, action="/courses/")
    assert response.status_code == 403
    response = agent.submit(
        token_page, {}, action=f"/courses/{course.id}/sets/{course_set.id}/remove"
    )
    assert response.status_code == 403
    assert db.session.get(CourseSet, (course.id, course_set.id)) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 1


def test_another_instructor_cannot_change_the_course(
    course: Course, course_set: QuestionSet, make_user: Callable[..., User], browser_for: Browser
) -> None:
    rival = browser_for(make_user("rival@example.org", role=Role.INSTRUCTOR))
    page = f"/courses/{course.id}"
    response = rival.submit("/courses/", {}, action=f"{page}/sets/{course_set.id}/remove")
    assert response.status_code == 403
    assert db.session.get(CourseSet, (course.id, course_set.id)) is not None


def test_nav_links(
    teacher: Browserless, course: Course, learners: list[User], browser_for: Browser
) -> None:
    classes = re.compile(r'<a href="([^"]+)"[^>]*>Classes</a>')
    assert classes.findall(teacher.get("/").get_data(as_text=True)) == ["/courses/"]
    learner_sets = browser_for(learners[0]).get("/sets").get_data(as_text=True)
    assert classes.findall(learner_sets) == ["/courses/join"]
    assert 'href="/courses/join">Join a class</a>' in learner_sets


def test_question_statistics_show_the_class_estimate_the_scheduler_uses(
    teacher: Browserless, learners: list[User], course: Course
) -> None:
    answer_the_quiz(learners)
    q1, q2 = question("q1"), question("q2")
    # what quizapp.classmodel keeps on the rows: q1 from 7 learners, q2 from too few
    q1.class_easiness, q1.class_mean, q1.class_learners = -1.0, 0.5, 7
    q2.class_easiness, q2.class_mean, q2.class_learners = 1.0, 0.5, 4
    db.session.commit()
    html = teacher.get(f"/courses/{course.id}/questions").get_data(as_text=True)
    assert "Known at first (all learners)" in html
    # sigmoid(0.5 - 1.0) = 38 %
    assert '<td class="num">38% <span class="muted">(7)</span></td>' in stats_row(html, "q1")
    assert '<td class="num">-0.87</td> <td class="num">—</td>' in stats_row(html, "q2")
