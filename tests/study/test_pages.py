"""The study pages without JavaScript: plain forms from start to summary."""

from __future__ import annotations

import re
from collections.abc import Callable

import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.models import QuestionMemory, ReviewLog, StudySession, User
from tests.conftest import Browserless


def start(agent: Browserless, mode: str = "due", topic_id: int | None = None) -> str:
    data = {"mode": mode} | ({"topic_id": str(topic_id)} if topic_id else {})
    resp = agent.submit("/", data, action="/study/start")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return str(resp.headers["Location"])


def current_question_id(page: str) -> int:
    match = re.search(r'name="question_id" value="(\d+)"', page)
    assert match, page
    return int(match.group(1))


def test_home_shows_topics_and_study_button(logged_in: Browserless) -> None:
    page = logged_in.get("/").get_data(as_text=True)
    assert "Recall per topic" in page
    assert "Review my weak topics" in page
    assert page.count('name="topic_id"') == 7
    assert 'data-stat="new">20<' in page  # the default daily limit of new questions


def test_a_session_from_question_to_summary(logged_in: Browserless, learner: User) -> None:
    url = start(logged_in)
    page = logged_in.get(url).get_data(as_text=True)
    assert "Question 1 of 20" in page
    qid = current_question_id(page)
    # Submitting nothing is refused with a message and changes nothing.
    resp = logged_in.submit(url, {"question_id": str(qid)}, action=url + "/answer")
    assert resp.status_code == 400
    assert "Give an answer first." in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(ReviewLog.id))) == 0

    resp = logged_in.submit(
        url,
        {"question_id": str(qid), "choice": "0", "answer": "x", "gap-0": "x"},
        action=url + "/answer",
    )
    assert resp.status_code == 303
    feedback = logged_in.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Correct answer:" in feedback
    assert "From the source document, section" in feedback
    assert re.search(r"Next review in|comes back later|due again", feedback)
    state = db.session.scalar(sa.select(QuestionMemory).where(QuestionMemory.question_id == qid))
    assert state is not None
    session = db.session.scalar(sa.select(StudySession))
    assert session is not None
    assert session.answered == 1


def answer_current(agent: Browserless, url: str, data: dict[str, str]) -> str:
    page = agent.get(url).get_data(as_text=True)
    qid = current_question_id(page)
    resp = agent.submit(url, {"question_id": str(qid), **data}, action=url + "/answer")
    assert resp.status_code == 303
    return str(resp.headers["Location"])


def test_override_undo_and_history_with_plain_forms(logged_in: Browserless) -> None:
    url = start(logged_in)
    # The first question of the bank is single choice; choice 1 is a wrong one.
    feedback_url = answer_current(logged_in, url, {"choice": "1"})
    page = logged_in.get(feedback_url).get_data(as_text=True)
    assert "Wrong" in page
    assert re.search(
        r"It comes back later in this session, and is due again in \d+ (minute|hour)s?\.", page
    )
    review = db.session.scalar(sa.select(ReviewLog))
    assert review is not None
    state_after_wrong = db.session.scalar(sa.select(QuestionMemory))
    assert state_after_wrong is not None
    due_wrong = state_after_wrong.due

    resp = logged_in.submit(feedback_url, {"kind": "knew"}, action=feedback_url + "/override")
    assert resp.status_code == 303
    page = logged_in.get(feedback_url).get_data(as_text=True)
    assert "You marked this answer “I knew it”." in page
    db.session.expire_all()
    review = db.session.get(ReviewLog, review.id)
    assert review is not None
    assert review.override == "knew"
    assert review.auto_rating == 1
    assert review.rating >= 3
    state = db.session.scalar(sa.select(QuestionMemory))
    assert state is not None
    assert state.due > due_wrong

    history = logged_in.get(f"/study/questions/{review.question_id}/history")
    assert "I knew it" in history.get_data(as_text=True)

    resp = logged_in.submit(feedback_url, {}, action=url + "/undo", follow_redirects=True)
    assert "Answer undone" in resp.get_data(as_text=True)
    assert current_question_id(resp.get_data(as_text=True)) == review.question_id
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(QuestionMemory.id))) == 0
    assert db.session.scalar(sa.select(ReviewLog.undone_at)) is not None


def test_settings_are_validated(logged_in: Browserless, learner: User) -> None:
    resp = logged_in.submit(
        "/account/settings",
        {"target_retention": "0.99", "new_per_day": "-1", "timezone": "Mars/Olympus"},
    )
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "between 0.70 and 0.97" in page
    assert "from 0 to 1000" in page
    assert "Not a valid choice" in page
    resp = logged_in.submit(
        "/account/settings",
        {"target_retention": "0.85", "new_per_day": "5", "timezone": "Europe/Paris"},
        follow_redirects=True,
    )
    assert "Settings saved." in resp.get_data(as_text=True)
    db.session.refresh(learner)
    assert (learner.target_retention, learner.new_per_day, learner.timezone) == (
        0.85,
        5,
        "Europe/Paris",
    )
    # The workload table is computed for the new target.
    assert re.search(r"0\.85 <span class=\"pill\">yours</span>", resp.get_data(as_text=True))


def test_leave_and_join_again(logged_in: Browserless) -> None:
    page = logged_in.get("/sets").get_data(as_text=True)
    assert "Joined" in page
    resp = logged_in.submit("/sets", {}, action="/sets/car-t-myeloma/leave", follow_redirects=True)
    assert "You left" in resp.get_data(as_text=True)
    assert "Browse question sets" in logged_in.get("/").get_data(as_text=True)
    resp = logged_in.submit("/sets", {}, action="/sets/car-t-myeloma/join", follow_redirects=True)
    assert "You joined" in resp.get_data(as_text=True)


def test_another_learners_session_is_forbidden(
    logged_in: Browserless, make_user: Callable[..., User]
) -> None:
    url = start(logged_in)
    logged_in.submit("/", {}, action="/auth/logout")
    make_user("other@example.org")
    logged_in.login("other@example.org")
    assert logged_in.get(url).status_code == 403


def test_topics_named_by_a_path_are_listed_under_their_group(
    logged_in: Browserless, learner: User
) -> None:
    from quizapp.models import Topic

    topics = db.session.scalars(sa.select(Topic).order_by(Topic.position)).all()
    topics[0].title = "Haematology / Myeloma / Origins"
    topics[1].title = "Haematology / Myeloma / Therapy"
    topics[2].title = "Haematology / Lymphoma"
    db.session.commit()
    page = logged_in.get("/").get_data(as_text=True)
    groups = re.findall(r'<th scope="rowgroup" colspan="8">([^<]+)</th>', page)
    assert groups[:2] == ["Haematology / Myeloma", "Haematology"]
    body = page[page.index("Haematology / Myeloma</th>") :]
    assert re.search(r'<th scope="row">Origins', body)
    assert re.search(r'<th scope="row">Lymphoma', body)
    # The button still names the whole path.
    assert 'aria-label="Review this topic: Haematology / Myeloma / Therapy"' in page
    assert page.count('name="topic_id"') == 7


def test_the_summary_lists_what_was_missed_and_reviews_it_again(
    logged_in: Browserless, learner: User
) -> None:
    from datetime import timedelta

    from quizapp.db import utcnow
    from quizapp.grading import get_type
    from quizapp.study import answering, sessions

    now = utcnow()
    session = sessions.start_session(learner, "due", now=now)
    first = sessions.current_question(session, now=now)
    assert first is not None
    answering.answer_question(learner, first, "zzz", duration_ms=4000, now=now, session=session)
    second = sessions.current_question(session, now=now)
    assert second is not None
    right = get_type(second.qtype).sample_responses(second.spec)[0]
    later = now + timedelta(seconds=30)
    answering.answer_question(learner, second, right, duration_ms=4000, now=later, session=session)
    session.queue = {**session.queue, "pending": []}  # the learner stops here
    session.current_question_id = None
    session_id = session.id
    db.session.commit()

    page = logged_in.get(f"/study/{session_id}").get_data(as_text=True)
    assert "What you missed" in page
    assert page.count("See the answer and why") == 1
    resp = logged_in.submit(f"/study/{session_id}", {}, action=f"/study/{session_id}/missed")
    assert resp.status_code == 302
    again = logged_in.get(resp.headers["Location"]).get_data(as_text=True)
    assert current_question_id(again) == first.id
    assert "What I missed" in again
    assert "Question 1 of 1" in again
