"""The class pages and exports cost the same number of SQL statements for 3 learners as for 30:
no query per member, whatever the class holds (fitted parameters, time zones, retries)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from quizapp.courses.membership import new_join_code
from quizapp.courses.models import Course, CourseSet
from quizapp.extensions import db
from quizapp.models import Question, QuestionSet, User
from quizapp.scheduler.params import DEFAULT_PARAMETERS
from tests.conftest import Browserless
from tests.courses.conftest import Figures

PAGES = {
    "overview": "/courses/{id}",
    "questions": "/courses/{id}/questions",
    "results": "/courses/{id}/results.csv",
    "summary": "/courses/{id}/learners.csv",
}
ZONES = ["UTC", "Pacific/Kiritimati", "America/Los_Angeles", "Not/A_Zone"]
MOST = 19  # a class page's first view: its figures computed (recall now and a week ahead) and kept


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's transaction control (quizapp.db)
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def class_of(
    size: int,
    owner: User,
    course_set: QuestionSet,
    make_user: Callable[..., User],
    figures: Figures,
) -> Course:
    """A class of ``size`` learners who all answered every question, some more than once, in
    several time zones, every third with fitted parameters."""
    now = datetime.now(UTC)
    course = Course(owner_id=owner.id, title=f"Class of {size}", join_code=new_join_code())
    db.session.add(course)
    db.session.flush()
    db.session.add(CourseSet(course_id=course.id, set_id=course_set.id))
    questions = list(
        db.session.scalars(sa.select(Question).where(Question.set_id == course_set.id))
    )
    for n in range(size):
        learner = make_user(f"c{size}-{n}@example.org", name=f"Learner {n}")
        learner.timezone = ZONES[n % len(ZONES)]
        figures.member(course, learner)
        if n % 3 == 0:
            figures.fitted(learner, (*DEFAULT_PARAMETERS[:20], 0.3))
        for i, question in enumerate(questions):
            figures.answered(
                learner,
                question,
                first=float((n + i) % 2),
                picked=1 << ((n + i) % 2),
                attempts=1 + n % 3,
                last=1.0,
                at=now - timedelta(days=12),
                last_at=now - timedelta(days=n % 9),
                stability=1.0 + n,
            )
        for topic_id in {q.topic_id for q in questions}:
            figures.day(learner, topic_id, (now - timedelta(days=9)).date(), [1.0, 1.0])
            figures.day(learner, topic_id, (now - timedelta(days=2)).date(), [0.0, float(n % 2)])
    db.session.commit()
    return course


def statements_per_page(agent: Browserless, course: Course, size: int) -> dict[str, int]:
    counts = {}
    url = {name: page.format(id=course.id) for name, page in PAGES.items()}
    # The class pages twice: the first view computes the class's figures and keeps them,
    # the second reads them back (quizapp.courses.snapshots).
    for name in [*PAGES, "overview again", "questions again"]:
        # Each request starts from a fresh session, as a real one does: nothing the test (or
        # the request before) loaded is reused.
        db.session.expire_all()
        with statements() as seen:
            response = agent.get(url[name.removesuffix(" again")])
            body = response.get_data(as_text=True)  # a streamed export runs its queries now
        assert response.status_code == 200, name
        counts[name] = len(seen)
        if name == "summary":
            assert len(list(csv.DictReader(io.StringIO(body)))) == size
    return counts


def test_class_pages_issue_as_many_statements_for_30_learners_as_for_3(
    instructor: User,
    course_set: QuestionSet,
    make_user: Callable[..., User],
    figures: Figures,
    browser_for: Callable[[User], Browserless],
) -> None:
    agent = browser_for(instructor)
    small = class_of(3, instructor, course_set, make_user, figures)
    large = class_of(30, instructor, course_set, make_user, figures)
    few = statements_per_page(agent, small, 3)
    many = statements_per_page(agent, large, 30)
    assert few == many
    assert max(few.values()) <= MOST, few
    assert few["overview again"] < few["overview"], few
    assert few["questions again"] < few["questions"], few
