"""Authorization walk: every route of the app, requested by every kind of person with the ids
of what someone else owns, against a table of the statuses expected.

The people: anonymous, two learners (A and B), two instructors (A and B) and an admin. Side A
is learner A and instructor A, side B the same for B: each instructor owns an unpublished set
(a topic, a question, an image), a draft, a pending import and a class; each learner is in
their instructor's class and has a study session with an answer in it. Every route's URL is
filled with the *other* side's ids (the admin and the anonymous visitor get side A's), so:

- anonymous: sent to the login page, unless the page is public;
- learners and instructors: 403 or 404 for what belongs to the other side, never a 200 that
  shows it (every page they get is searched for the other side's marker) and never a 5xx;
- the admin: may open every set, draft, upload and class, but no one's study sessions.

Each request that may change something (a POST) gets freshly made objects of the other side,
so what one request deletes or publishes does not change what the next one finds. CSRF is
off for the walk (the forms' own tests check it). A route that is not in ``EXPECTED`` fails
the test: classify every new route here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from quizapp.courses.membership import new_join_code
from quizapp.courses.models import Course, CourseMember, CourseSet
from quizapp.extensions import db
from quizapp.instructor import drafts
from quizapp.instructor.models import Draft
from quizapp.models import (
    Enrollment,
    MediaAsset,
    PendingImport,
    Question,
    QuestionSet,
    ReviewLog,
    Role,
    StudySession,
    Topic,
    User,
)
from quizapp.quizzes.models import Quiz, QuizAttempt
from quizapp.scheduler import SessionQueue
from tests.conftest import PASSWORD

LOGIN = "login"  # a redirect to the login page
Status = int | str

# Columns: anonymous, learner (A and B), instructor (A and B), admin.
EXPECTED: dict[str, tuple[Status, int, int, int]] = {
    # public pages and files
    "GET /": (200, 200, 200, 200),
    "GET /static/<path:filename>": (200, 200, 200, 200),
    "GET /auth/login": (200, 302, 302, 302),
    "GET /auth/register": (200, 302, 302, 302),
    "GET /auth/forgot": (200, 200, 200, 200),
    # a reset link is its own credential: a forged one is refused for everyone
    "GET /auth/reset/<token>": (400, 400, 400, 400),
    "POST /auth/reset/<token>": (400, 400, 400, 400),
    # one's own account
    "POST /auth/logout": (LOGIN, 302, 302, 302),
    "GET /auth/password": (LOGIN, 200, 200, 200),
    "GET /account/settings": (LOGIN, 200, 200, 200),
    "GET /account/export": (LOGIN, 200, 200, 200),
    "GET /account/delete": (LOGIN, 200, 200, 200),
    "POST /account/sessions/end-others": (LOGIN, 302, 302, 302),
    # admin pages: another account's id
    "GET /admin/users": (LOGIN, 403, 403, 200),
    "POST /admin/users/<int:user_id>/role": (LOGIN, 403, 403, 302),
    "POST /admin/users/<int:user_id>/password-reset": (LOGIN, 403, 403, 302),
    # the catalogue; joining or leaving another's unpublished set
    "GET /sets": (LOGIN, 200, 200, 200),
    "POST /sets/<uid>/join": (LOGIN, 404, 404, 404),
    "POST /sets/<uid>/exam": (LOGIN, 404, 404, 404),
    "POST /sets/<uid>/leave": (LOGIN, 404, 404, 404),
    # a question, a set's media: the visibility rule
    "GET /study/questions/<int:question_id>/history": (LOGIN, 404, 404, 200),
    "GET /media/<set_uid>/<path:name>": (LOGIN, 404, 404, 200),
    # study sessions and answers are their learner's alone, admins included
    "POST /study/start": (LOGIN, 302, 302, 302),
    "GET /study/<int:session_id>": (LOGIN, 403, 403, 403),
    "POST /study/<int:session_id>/answer": (LOGIN, 403, 403, 403),
    "GET /study/<int:session_id>/reviews/<int:review_id>": (LOGIN, 403, 403, 403),
    "POST /study/<int:session_id>/reviews/<int:review_id>/override": (LOGIN, 403, 403, 403),
    "POST /study/<int:session_id>/undo": (LOGIN, 403, 403, 403),
    "POST /study/<int:session_id>/missed": (LOGIN, 403, 403, 403),
    # classes: learners may only join one
    "GET /courses/join": (LOGIN, 200, 200, 200),
    "GET /courses/": (LOGIN, 403, 200, 200),
    "GET /courses/<int:course_id>": (LOGIN, 403, 403, 200),
    "GET /courses/<int:course_id>/questions": (LOGIN, 403, 403, 200),
    "GET /courses/<int:course_id>/results.csv": (LOGIN, 403, 403, 200),
    "GET /courses/<int:course_id>/learners.csv": (LOGIN, 403, 403, 200),
    "POST /courses/<int:course_id>/sets": (LOGIN, 403, 403, 302),
    "POST /courses/<int:course_id>/sets/<int:set_id>/remove": (LOGIN, 403, 403, 302),
    # instructor pages: one's own sets, drafts and uploads
    "GET /instructor/": (LOGIN, 403, 200, 200),
    "GET /instructor/drafts/new": (LOGIN, 403, 200, 200),
    "GET /instructor/imports/new": (LOGIN, 403, 200, 200),
    "GET /instructor/drafts/<int:draft_id>": (LOGIN, 403, 403, 200),
    "GET /instructor/drafts/<int:draft_id>/questions/<key>": (LOGIN, 403, 403, 200),
    # (the admin gets past the check; the walk's hand-made question fails the validator)
    "POST /instructor/drafts/<int:draft_id>/questions/<key>": (LOGIN, 403, 403, 422),
    "POST /instructor/drafts/<int:draft_id>/questions/<key>/status": (LOGIN, 403, 403, 302),
    "POST /instructor/drafts/<int:draft_id>/publish": (LOGIN, 403, 403, 302),
    "POST /instructor/drafts/<int:draft_id>/delete": (LOGIN, 403, 403, 302),
    # another's upload is a 404, like a missing one
    "GET /instructor/imports/<int:pending_id>": (LOGIN, 403, 404, 200),
    "GET /instructor/imports/<int:pending_id>/status": (LOGIN, 403, 404, 200),
    "POST /instructor/imports/<int:pending_id>/publish": (LOGIN, 403, 404, 302),
    "POST /instructor/imports/<int:pending_id>/discard": (LOGIN, 403, 404, 302),
    "GET /instructor/sets/<set_uid>/export": (LOGIN, 403, 403, 200),
    "GET /instructor/sets/<set_uid>/export/<fmt>": (LOGIN, 403, 403, 200),
    "GET /instructor/sets/<set_uid>/typed-answers": (LOGIN, 403, 403, 200),
    "POST /instructor/sets/<set_uid>/questions/<int:question_id>/accept": (LOGIN, 403, 403, 302),
    "GET /instructor/sets/<set_uid>/questions": (LOGIN, 403, 403, 200),
    "POST /instructor/sets/<set_uid>/questions/bulk": (LOGIN, 403, 403, 302),
    "GET /instructor/sets/<set_uid>/questions/new": (LOGIN, 403, 403, 200),
    "POST /instructor/sets/<set_uid>/questions/new": (LOGIN, 403, 403, 302),
    "GET /instructor/sets/<set_uid>/questions/<int:question_id>/edit": (LOGIN, 403, 403, 200),
    "POST /instructor/sets/<set_uid>/questions/<int:question_id>/edit": (LOGIN, 403, 403, 302),
    "POST /instructor/sets/<set_uid>/questions/preview": (LOGIN, 403, 403, 200),
    "GET /instructor/sets/<set_uid>/questions/<int:question_id>/versions": (LOGIN, 403, 403, 200),
    "POST /instructor/sets/<set_uid>/questions/<int:question_id>/versions/<int:change_id>/undo": (
        LOGIN,
        403,
        403,
        302,
    ),
    # Quizzes: a quiz is seen by its class (and whoever manages the class); an attempt by
    # its learner (and, once submitted, its review by the class's manager).
    "GET /quizzes/": (LOGIN, 200, 200, 200),
    "GET /quizzes/<int:quiz_id>": (LOGIN, 404, 404, 200),
    "POST /quizzes/<int:quiz_id>/start": (LOGIN, 404, 404, 302),
    "GET /quizzes/attempts/<int:attempt_id>/<int:n>": (LOGIN, 404, 404, 404),
    "POST /quizzes/attempts/<int:attempt_id>/<int:n>": (LOGIN, 404, 404, 404),
    "GET /quizzes/attempts/<int:attempt_id>/summary": (LOGIN, 404, 404, 404),
    "POST /quizzes/attempts/<int:attempt_id>/submit": (LOGIN, 404, 404, 404),
    "GET /quizzes/attempts/<int:attempt_id>/review": (LOGIN, 404, 404, 302),
    "POST /quizzes/attempts/<int:attempt_id>/missed": (LOGIN, 404, 404, 404),
    "GET /quizzes/mine/new": (LOGIN, 200, 200, 200),
    # A class's quizzes, for its instructor.
    "GET /quizzes/classes/<int:course_id>": (LOGIN, 403, 403, 200),
    "GET /quizzes/classes/<int:course_id>/new": (LOGIN, 403, 403, 200),
    "POST /quizzes/classes/<int:course_id>/new": (LOGIN, 403, 403, 302),
    "GET /quizzes/<int:quiz_id>/edit": (LOGIN, 403, 403, 200),
    "POST /quizzes/<int:quiz_id>/edit": (LOGIN, 403, 403, 302),
    "GET /quizzes/<int:quiz_id>/results": (LOGIN, 403, 403, 200),
    "POST /quizzes/<int:quiz_id>/accommodations": (LOGIN, 403, 403, 302),
    "POST /quizzes/<int:quiz_id>/preview": (LOGIN, 403, 403, 302),
    "GET /quizzes/classes/<int:course_id>/gradebook.csv": (LOGIN, 403, 403, 200),
    # A learner's holds on their own questions.
    "POST /study/<int:session_id>/reviews/<int:review_id>/suspend": (LOGIN, 404, 404, 404),
    "POST /study/<int:session_id>/reviews/<int:review_id>/bury": (LOGIN, 404, 404, 404),
    "POST /study/<int:session_id>/reviews/<int:review_id>/flag": (LOGIN, 404, 404, 404),
    "GET /study/held": (LOGIN, 200, 200, 200),
    "POST /study/held/<int:question_id>/unsuspend": (LOGIN, 404, 404, 404),
}

# What a POST sends (besides the ids in its URL): enough for the form to be valid, so that
# only the permission check stands between the request and the change.
FORMS: dict[str, Callable[[Owned], dict[str, str]]] = {
    "admin.set_user_role": lambda o: {f"u{o.learner_id}-role": "learner"},
    "courses.assign": lambda o: {"set_id": str(o.set_id)},
    "instructor.draft_status": lambda o: {"status": "kept"},
    "instructor.accept_answer": lambda o: {"part": "0", "answer": "Zanzibar"},
    "instructor.bulk_questions": lambda o: {"question": str(o.question_id), "action": "retire"},
    "study.answer": lambda o: {"question_id": str(o.question_id), "answer": "true"},
    "study.override": lambda o: {"kind": "knew"},
    "study.start": lambda o: {"mode": "due"},
    "editor.new": lambda o: {
        "type": "true_false",
        "topic": "t1",
        "prompt": "New?",
        "truth": "false",
    },
    "editor.edit": lambda o: {"topic": "t1", "prompt": "Changed?", "truth": "true"},
    "editor.preview": lambda o: {"type": "true_false", "prompt": "Shown?", "truth": "true"},
    "quizzes.question": lambda o: {"choice": "1", "go": "next"},
    "study.flag": lambda o: {"comment": "Two choices say the same."},
    "quizzes.create": lambda o: {
        "title": "Quiz",
        "points": "1",
        "max_attempts": "1",
        "fixed": str(o.question_id),
    },
    "quizzes.edit": lambda o: {
        "title": "Quiz",
        "points": "1",
        "max_attempts": "1",
        "fixed": str(o.question_id),
    },
    "quizzes.accommodations": lambda o: {
        "user_id": str(o.learner_id),
        "extra_minutes": "5",
        "extra_attempts": "1",
    },
}

CSV = b"id,topic,type,prompt,choices,answer\nq1,Geography,short_answer,Capital of Italy?,,Rome\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@dataclass(frozen=True)
class Side:
    """The people of one side and the marker every page about their things holds."""

    letter: str
    learner: User
    instructor: User

    @property
    def marker(self) -> str:
        return f"{self.letter}-secret"


@dataclass(frozen=True)
class Owned:
    """The ids of what one side owns."""

    learner_id: int
    set_id: int
    set_uid: str
    question_id: int
    course_id: int
    draft_id: int
    draft_key: str
    pending_id: int
    session_id: int
    review_id: int
    quiz_id: int
    attempt_id: int


_serial = itertools.count(1)


def make_owned(side: Side) -> Owned:
    """A fresh unpublished set of the side's instructor, with all that hangs on it."""
    n = next(_serial)
    mark = side.marker
    qs = QuestionSet(
        uid=f"set-{side.letter.lower()}-{n}",
        title=f"Set {mark}",
        owner_id=side.instructor.id,
        is_published=False,
    )
    topic = Topic(uid="t1", title=f"Topic {mark}", question_set=qs)
    question = Question(
        uid="q1",
        question_set=qs,
        topic=topic,
        qtype="true_false",
        prompt=f"Prompt {mark}",
        spec={"answer": True},
    )
    course = Course(owner_id=side.instructor.id, title=f"Class {mark}", join_code=new_join_code())
    draft = Draft(
        owner_id=side.instructor.id,
        set_uid=f"draft-{side.letter.lower()}-{n}",
        title=f"Draft {mark}",
        source_name=f"notes-{mark}.txt",
        source_text=f"Notes {mark}.",
        payload={
            "topics": [{"id": "t1", "title": f"Topic {mark}", "section": ""}],
            "questions": [
                {
                    "key": "q1",
                    "status": "pending",
                    "entry": {
                        "id": "q1",
                        "topic": "t1",
                        "type": "true_false",
                        "prompt": f"Drafted {mark}",
                        "answer": True,
                    },
                }
            ],
        },
    )
    pending = PendingImport(
        owner_id=side.instructor.id, filename=f"upload-{mark}.csv", set_uid="", data=CSV
    )
    session = StudySession(user_id=side.learner.id, mode="due", queue={})
    db.session.add_all([qs, topic, question, course, draft, pending, session])
    db.session.flush()
    session.queue = SessionQueue((question.id,)).to_dict()
    session.current_question_id = question.id
    review = ReviewLog(
        user_id=side.learner.id,
        question_id=question.id,
        response=True,
        outcome="correct",
        score=1.0,
        rating=3,
        session_id=session.id,
        session_step=0,
    )
    media = MediaAsset(
        set_id=qs.id,
        name="pic.png",
        content_type="image/png",
        sha256="0" * 64,
        data=PNG,
        size=len(PNG),
    )
    db.session.add_all(
        [
            media,
            CourseSet(course_id=course.id, set_id=qs.id),
            CourseMember(course_id=course.id, user_id=side.learner.id),
            Enrollment(user_id=side.learner.id, set_id=qs.id),
            review,
        ]
    )
    quiz = Quiz(
        course_id=course.id,
        owner_id=side.instructor.id,
        title=f"Quiz {mark}",
        draw=[{"question_id": question.id}],
    )
    db.session.add(quiz)
    db.session.flush()
    attempt = QuizAttempt(
        quiz_id=quiz.id, user_id=side.learner.id, number=1, seed=1, question_ids=[question.id]
    )
    db.session.add(attempt)
    db.session.commit()
    return Owned(
        learner_id=side.learner.id,
        set_id=qs.id,
        set_uid=qs.uid,
        question_id=question.id,
        course_id=course.id,
        draft_id=draft.id,
        draft_key="q1",
        pending_id=pending.id,
        session_id=session.id,
        review_id=review.id,
        quiz_id=quiz.id,
        attempt_id=attempt.id,
    )


# How each URL parameter is filled from the other side's ids.
PARAMETERS: dict[str, Callable[[Owned], object]] = {
    "user_id": lambda o: o.learner_id,
    "uid": lambda o: o.set_uid,
    "set_uid": lambda o: o.set_uid,
    "set_id": lambda o: o.set_id,
    "name": lambda o: "pic.png",
    "fmt": lambda o: "yaml",
    "question_id": lambda o: o.question_id,
    "course_id": lambda o: o.course_id,
    "draft_id": lambda o: o.draft_id,
    "key": lambda o: o.draft_key,
    "pending_id": lambda o: o.pending_id,
    "session_id": lambda o: o.session_id,
    "review_id": lambda o: o.review_id,
    "change_id": lambda o: 1,
    "quiz_id": lambda o: o.quiz_id,
    "attempt_id": lambda o: o.attempt_id,
    "n": lambda o: 1,
    "token": lambda o: "not-a-reset-token",
    "filename": lambda o: "css/app.css",
}


@dataclass(frozen=True)
class Visit:
    """One request of the walk: ``key`` as in ``EXPECTED``."""

    key: str
    method: str
    rule: Rule


def visits(app: Flask) -> Iterator[Visit]:
    """Every rule with GET, and with POST when it takes only POST or acts on an object."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = rule.methods or set()
        if "GET" in methods:
            yield Visit(f"GET {rule.rule}", "GET", rule)
        if "POST" in methods and ("GET" not in methods or rule.arguments):
            yield Visit(f"POST {rule.rule}", "POST", rule)


def url_for_visit(visit: Visit, owned: Owned) -> str:
    missing = sorted(set(visit.rule.arguments) - PARAMETERS.keys())
    assert not missing, f"{visit.key}: no value for {missing}: add them to PARAMETERS"
    values = {name: PARAMETERS[name](owned) for name in visit.rule.arguments}
    built = visit.rule.build(values)
    assert built is not None, visit.key
    return built[1]


class Visitor:
    """One person's browser; logged in once, and again only when a request ended the login
    (logging out, ending other sessions), so every request starts from the same cookie."""

    def __init__(self, app: Flask, user: User | None) -> None:
        self.client: FlaskClient = app.test_client()
        self.cookie_name = str(app.config["SESSION_COOKIE_NAME"])
        self.user = user
        self.cookie = ""
        self.version = -1
        if user is not None:
            self._login()

    @staticmethod
    def forget_previous_request() -> None:
        # The test's app context is every request's: drop what Flask-Login and Flask-WTF
        # cached on ``g`` for the previous one.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    def _current_version(self) -> int:
        assert self.user is not None
        version = db.session.scalar(sa.select(User.session_version).where(User.id == self.user.id))
        return int(version or 0)

    def _login(self) -> None:
        assert self.user is not None
        self.forget_previous_request()
        self.client.delete_cookie(self.cookie_name)
        resp = self.client.post(
            "/auth/login", data={"email": self.user.email, "password": PASSWORD}
        )
        resp.close()
        assert resp.status_code == 302, resp.status
        cookie = self.client.get_cookie(self.cookie_name)
        assert cookie is not None
        self.cookie = cookie.value
        self.version = self._current_version()

    def request(self, method: str, url: str, data: dict[str, str]) -> Any:
        if self.user is not None:
            if self._current_version() != self.version:
                self._login()
            self.client.set_cookie(self.cookie_name, self.cookie)
        self.forget_previous_request()
        return self.client.open(url, method=method, data=data)


PERSONAS: dict[str, tuple[int, str, str]] = {
    # name: (column in EXPECTED, who, whose things the URLs name)
    "anonymous": (0, "", "A"),
    "learner A": (1, "learner A", "B"),
    "learner B": (1, "learner B", "A"),
    "instructor A": (2, "instructor A", "B"),
    "instructor B": (2, "instructor B", "A"),
    "admin": (3, "admin", "A"),
}


KINDS = ("learner", "instructor")


@pytest.fixture
def walk_app(app: Flask) -> Flask:
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def sides(make_user: Callable[..., User]) -> dict[str, Side]:
    made = {}
    for letter in "AB":
        learner = make_user(
            f"learner-{letter.lower()}@example.org", name=f"Learner {letter}-secret"
        )
        instructor = make_user(
            f"teacher-{letter.lower()}@example.org",
            role=Role.INSTRUCTOR,
            name=f"Teacher {letter}-secret",
        )
        made[letter] = Side(letter, learner, instructor)
    return made


def test_every_route_is_classified(walk_app: Flask) -> None:
    """A new route must be added to EXPECTED (and its parameters to PARAMETERS)."""
    keys = [visit.key for visit in visits(walk_app)]
    unclassified = [key for key in keys if key not in EXPECTED]
    assert not unclassified, "classify these routes in EXPECTED: " + ", ".join(unclassified)
    gone = sorted(EXPECTED.keys() - set(keys))
    assert not gone, "these routes are gone (renamed?): update EXPECTED: " + ", ".join(gone)
    for visit in visits(walk_app):
        missing = sorted(set(visit.rule.arguments) - PARAMETERS.keys())
        assert not missing, f"{visit.key}: add {missing} to PARAMETERS"


# URL parameters that name something a person owns (the others name no one's: a file of
# the app, an export format, a reset token, which is its own credential).
OWNED_PARAMETERS = PARAMETERS.keys() - {"filename", "fmt", "token", "name"}


def test_the_table_lets_no_one_at_anothers_things(walk_app: Flask) -> None:
    """Whatever is classified, another's things are 403 or 404 for learners and instructors,
    anonymous visitors are sent to log in, and no route may answer 5xx."""
    for visit in visits(walk_app):
        row = EXPECTED.get(visit.key)
        if row is None:
            continue
        assert all(isinstance(s, str) or s < 500 for s in row), visit.key
        if set(visit.rule.arguments) & OWNED_PARAMETERS:
            anonymous, learner, instructor, _admin = row
            assert anonymous == LOGIN, visit.key
            assert learner in (403, 404), visit.key
            assert instructor in (403, 404), visit.key


def _outcome(resp: Any) -> Status:
    if resp.status_code == 302 and re.match(r"(https?://[^/]+)?/auth/login", resp.location):
        return LOGIN
    return int(resp.status_code)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_walk_every_route_with_anothers_ids(
    walk_app: Flask, sides: dict[str, Side], make_user: Callable[..., User], persona: str
) -> None:
    column, who, other_letter = PERSONAS[persona]
    people = {f"{kind} {s.letter}": getattr(s, kind) for s in sides.values() for kind in KINDS}
    people["admin"] = make_user("admin@example.org", role=Role.ADMIN, name="Admin")
    user = people.get(who)
    other = sides[other_letter]
    standing = {letter: make_owned(side) for letter, side in sides.items()}
    visitor = Visitor(walk_app, user)
    wrong: list[str] = []
    shown: list[str] = []
    for visit in visits(walk_app):
        if visit.key not in EXPECTED:
            continue  # reported by test_every_route_is_classified
        # A POST may change what its URL names: it gets things of its own.
        fresh = visit.method == "POST" and visit.rule.arguments and user is not None
        owned = make_owned(other) if fresh else standing[other_letter]
        url = url_for_visit(visit, owned)
        form = FORMS[visit.rule.endpoint](owned) if visit.rule.endpoint in FORMS else {}
        resp = visitor.request(visit.method, url, form)
        body = resp.get_data()  # a streamed body is read while its request is open
        resp.close()
        db.session.rollback()  # what the request left open, if anything
        got, expected = _outcome(resp), EXPECTED[visit.key][column]
        if got != expected:
            wrong.append(f"{visit.key} ({url}): {got}, expected {expected}")
        if resp.status_code < 300 and persona != "admin" and other.marker.encode() in body:
            shown.append(f"{visit.key} ({url}) shows side {other.letter}'s data")
    problems = wrong + shown
    assert not problems, f"{persona}:\n" + "\n".join(problems)


def test_an_instructor_cannot_assign_anothers_unpublished_set_to_their_class(
    walk_app: Flask, sides: dict[str, Side]
) -> None:
    """Mixed ids: instructor A's own class, instructor B's unpublished set."""
    own, others = make_owned(sides["A"]), make_owned(sides["B"])
    visitor = Visitor(walk_app, sides["A"].instructor)
    resp = visitor.request("POST", f"/courses/{own.course_id}/sets", {"set_id": str(others.set_id)})
    assert resp.status_code == 302
    assert db.session.get(CourseSet, (own.course_id, others.set_id)) is None
    assert db.session.get(Enrollment, (sides["A"].learner.id, others.set_id)) is None


def test_an_instructor_cannot_publish_a_draft_over_anothers_set(
    walk_app: Flask, sides: dict[str, Side]
) -> None:
    """Mixed ids: instructor A's own draft, aimed at the id of instructor B's set."""
    others = make_owned(sides["B"])
    document = (Path(__file__).parents[1] / "questions" / "car-t-myeloma.source.txt").read_bytes()
    draft = drafts.create_draft(
        sides["A"].instructor, "notes.txt", document, "Mine", others.set_uid
    )
    drafts.set_status(draft, draft.payload["questions"][0]["key"], drafts.KEPT)
    db.session.commit()
    visitor = Visitor(walk_app, sides["A"].instructor)
    resp = visitor.request("POST", f"/instructor/drafts/{draft.id}/publish", {})
    assert resp.status_code == 302
    visitor.forget_previous_request()
    page = visitor.client.get(resp.location).get_data(as_text=True)  # with the flashed message
    assert "taken by a set you do not own" in page
    question_set = db.session.get(QuestionSet, others.set_id)
    assert question_set is not None
    db.session.refresh(question_set)
    assert question_set.owner_id == sides["B"].instructor.id
    assert question_set.title == "Set B-secret"
