"""Taking a quiz in the browser without JavaScript: the list, starting, one question a page
with answers found again after a reload, flags, the confirmation page, submitting, the
server's deadline, the review as the quiz allows it, and "Quiz me"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.models import Question, ReviewLog, Topic, User
from quizapp.quizzes.models import QuizAnswer, QuizAttempt
from quizapp.study.progress import topic_views
from tests.conftest import Browserless
from tests.quizzes.conftest import Class, make_quiz


def _question_on(page: str) -> Question:
    match = re.search(r'id="prompt" class="prompt">([^<]+)</h2>', page)
    assert match, "no question on the page"
    question = db.session.scalar(sa.select(Question).where(Question.prompt == match.group(1)))
    assert question is not None
    return question


def _right(question: Question) -> str:
    return str(question.spec["answers"][0])


def _start(agent: Browserless, quiz_id: int) -> str:
    response = agent.submit(f"/quizzes/{quiz_id}", {}, action=f"/quizzes/{quiz_id}/start")
    assert response.status_code == 302
    return str(response.headers["Location"])


def test_a_learner_takes_a_quiz_reloads_flags_and_submits(
    user_agent: Browserless, klass: Class
) -> None:
    quiz = make_quiz(klass, time_limit_minutes=30)
    learner = klass.learners[0]
    user_agent.login(learner.email)
    listing = user_agent.get("/quizzes/").get_data(as_text=True)
    assert "Capitals quiz" in listing
    assert "Open" in listing
    first_url = _start(user_agent, quiz.id)
    attempt = db.session.scalars(sa.select(QuizAttempt)).one()
    assert first_url.endswith(f"/quizzes/attempts/{attempt.id}/1")
    page = user_agent.get(first_url).get_data(as_text=True)
    assert "Question 1 of 6" in page
    assert "data-deadline" in page
    first = _question_on(page)
    user_agent.submit(first_url, {"answer": _right(first), "go": "next"})
    # A reload (or another device) finds the answer given.
    again = user_agent.get(first_url).get_data(as_text=True)
    assert f'value="{_right(first)}"' in again
    assert 'aria-label="Question 1, answered"' in again
    # Question 2 answered wrongly and flagged; the others left.
    second_url = first_url[:-1] + "2"
    response = user_agent.submit(second_url, {"answer": "Atlantis", "flag": "on", "go": "summary"})
    assert response.headers["Location"].endswith("/summary")
    summary = user_agent.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 questions not answered" in summary
    assert "Flagged:" in summary
    assert "question 2" in summary
    done = user_agent.submit(
        response.headers["Location"], {}, action=f"/quizzes/attempts/{attempt.id}/submit"
    )
    review = user_agent.get(done.headers["Location"]).get_data(as_text=True)
    assert "Score: 1 / 6" in review
    assert "Not answered" in review
    assert "Correct answer:" in review
    # Submitted: nothing can change it, and a post is refused.
    late = user_agent.submit(
        f"/quizzes/attempts/{attempt.id}/review",
        {"answer": "anything", "go": "next"},
        action=f"/quizzes/attempts/{attempt.id}/3",
    )
    assert late.headers["Location"].endswith("/review")
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(QuizAnswer)
            .where(QuizAnswer.response.is_not(None))
        )
        == 2
    )


def test_the_server_submits_an_attempt_when_its_time_is_up(
    user_agent: Browserless, klass: Class
) -> None:
    quiz = make_quiz(klass, time_limit_minutes=5)
    user_agent.login(klass.learners[1].email)
    url = _start(user_agent, quiz.id)
    first = _question_on(user_agent.get(url).get_data(as_text=True))
    user_agent.submit(url, {"answer": _right(first), "go": "next"})
    attempt = db.session.scalars(sa.select(QuizAttempt)).one()
    # The deadline passes (the attempt's clock is moved back rather than the server's).
    attempt.deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = user_agent.submit(f"/quizzes/{quiz.id}", {"answer": "too late"}, action=url)
    assert response.headers["Location"].endswith("/review")
    db.session.expire_all()
    closed = db.session.get(QuizAttempt, attempt.id)
    assert closed is not None
    assert closed.submitted_by == "timer"
    assert closed.score == 1.0
    stored = db.session.get(QuizAnswer, (attempt.id, first.id))
    assert stored is not None
    assert stored.response == _right(first)  # the answer saved before the deadline stands
    review = user_agent.get(response.headers["Location"]).get_data(as_text=True)
    assert "when the time ran out" in review


def test_an_attempt_belongs_to_its_learner_and_a_quiz_to_its_class(
    app: Flask, user_agent: Browserless, klass: Class, make_user: Callable[..., User]
) -> None:
    quiz = make_quiz(klass)
    user_agent.login(klass.learners[0].email)
    url = _start(user_agent, quiz.id)
    other = Browserless(app.test_client())
    other.login(klass.learners[1].email)
    assert other.get(url).status_code == 404
    attempt = db.session.scalars(sa.select(QuizAttempt)).one()
    assert other.get(f"/quizzes/attempts/{attempt.id}/review").status_code == 404
    assert user_agent.get(f"/quizzes/attempts/{attempt.id}/1").status_code == 200
    stranger = Browserless(app.test_client())
    stranger.login(make_user("stranger@example.org").email)
    assert stranger.get(f"/quizzes/{quiz.id}").status_code == 404
    assert "Capitals quiz" not in stranger.get("/quizzes/").get_data(as_text=True)


def test_review_settings_hide_the_score_until_the_quiz_closes(
    user_agent: Browserless, klass: Class
) -> None:
    quiz = make_quiz(
        klass,
        closes_at=utcnow() + timedelta(days=1),
        review={
            "score": "after_close",
            "answers": "never",
            "correct": "never",
            "feedback": "never",
        },
    )
    user_agent.login(klass.learners[0].email)
    url = _start(user_agent, quiz.id)
    attempt = db.session.scalars(sa.select(QuizAttempt)).one()
    user_agent.submit(url, {}, action=f"/quizzes/attempts/{attempt.id}/submit")
    review = user_agent.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "Score:" not in review
    assert "after it closes" in review
    assert "Correct answer:" not in review
    quiz.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "Score: 0 / 6" in user_agent.get(f"/quizzes/attempts/{attempt.id}/review").get_data(
        as_text=True
    )


def test_quiz_me_on_weak_topics_counts_for_recall(user_agent: Browserless, klass: Class) -> None:
    from quizapp.models import Enrollment

    learner = klass.learners[0]
    db.session.add(Enrollment(user_id=learner.id, set_id=klass.question_set.id))
    db.session.commit()
    user_agent.login(learner.email)
    form = user_agent.get("/quizzes/mine/new").get_data(as_text=True)
    for topic in klass.topics:
        assert topic.title in form
    europe = klass.topics[0]
    response = user_agent.submit(
        "/quizzes/mine/new", {"topic": str(europe.id), "count": "3", "minutes": ""}
    )
    assert response.status_code == 302
    attempt = db.session.scalars(sa.select(QuizAttempt)).one()
    assert attempt.quiz.course_id is None
    assert len(attempt.question_ids) == 3
    for n in (1, 2, 3):
        url = f"/quizzes/attempts/{attempt.id}/{n}"
        question = _question_on(user_agent.get(url).get_data(as_text=True))
        answer = _right(question) if n < 3 else "wrong"
        user_agent.submit(url, {"answer": answer, "go": "next"})
    user_agent.submit(
        f"/quizzes/attempts/{attempt.id}/summary",
        {},
        action=f"/quizzes/attempts/{attempt.id}/submit",
    )
    review = user_agent.get(f"/quizzes/attempts/{attempt.id}/review").get_data(as_text=True)
    assert "Score: 2 / 3" in review
    assert "Study the 1 question I missed now" in review
    # The answers are reviews for the memory model: the topic now has studied questions.
    reviews = db.session.scalars(sa.select(ReviewLog).where(ReviewLog.user_id == learner.id)).all()
    assert len(reviews) == 3
    views = {v.topic_id: v for v in topic_views(learner, utcnow())}
    assert views[europe.id].studied == 3
    assert views[europe.id].recall_now is not None
    # The missed question can be studied at once.
    study = user_agent.submit(
        f"/quizzes/attempts/{attempt.id}/review",
        {},
        action=f"/quizzes/attempts/{attempt.id}/missed",
    )
    assert "/study/" in study.headers["Location"]


def test_quiz_me_says_what_is_wrong_with_its_form(user_agent: Browserless, klass: Class) -> None:
    from quizapp.models import Enrollment

    learner = klass.learners[0]
    db.session.add(Enrollment(user_id=learner.id, set_id=klass.question_set.id))
    db.session.commit()
    user_agent.login(learner.email)
    none = user_agent.submit("/quizzes/mine/new", {"count": "3"})
    assert none.status_code == 422
    assert "Pick at least one topic" in none.get_data(as_text=True)
    topic = db.session.scalars(sa.select(Topic)).first()
    assert topic is not None
    bad = user_agent.submit("/quizzes/mine/new", {"topic": str(topic.id), "count": "many"})
    assert "Number of questions: give a whole number from 1 to 50" in bad.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0
