"""Large uploads are checked off the request: the upload is stored, a job reads, checks and
previews it, and the preview page shows how far it is until then."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from quizapp.db import utcnow
from quizapp.extensions import db
from quizapp.jobs import JobArg
from quizapp.jobs.registry import run_unit
from quizapp.models import PendingImport, Question, Role, User
from quizapp.sets import imports
from quizapp.sets.imports import publish_upload
from tests.conftest import Browserless
from tests.instructor.bench_big_gift import big_gift
from tests.instructor.test_imports import FIXTURES, GIFT, V1, V2, count, publish, upload

Queued = list[tuple[str, tuple[JobArg, ...]]]


@pytest.fixture
def instructor(user_agent: Browserless, make_user: Callable[..., User]) -> User:
    user = make_user("teacher@example.org", role=Role.INSTRUCTOR)
    user_agent.login("teacher@example.org")
    return user


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test file counts as large (above the inline limit)."""
    monkeypatch.setattr(imports, "INLINE_LIMIT", 16)


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch, large: None) -> Queued:
    """Jobs are queued but not run (as when every worker is busy): the list of those queued."""
    queued: Queued = []
    monkeypatch.setattr(imports, "enqueue_after_commit", lambda name, *a: queued.append((name, a)))
    return queued


def the_pending() -> PendingImport:
    db.session.expire_all()
    pending: PendingImport | None = db.session.scalar(sa.select(PendingImport))
    assert pending is not None
    return pending


def run_check(app: Flask, pending_id: int) -> None:
    """Run the job as a worker does: its own unit of work (in its own session: the test's
    session, which the test client's requests share, lets go of the database first)."""
    db.session.rollback()
    run_unit(app, imports.CHECK_JOB, (pending_id,))


def text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))


def test_a_large_upload_is_stored_at_once_and_checked_by_the_job(
    app: Flask, user_agent: Browserless, instructor: User, held: Queued
) -> None:
    resp = upload(user_agent, "quiz.gift", GIFT.encode())
    assert resp.status_code == 302
    pending = the_pending()
    assert (pending.status, pending.progress, pending.checked) == ("checking", 0, None)
    assert held == [(imports.CHECK_JOB, (pending.id,))]

    preview_url = resp.headers["Location"]
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page
    assert re.search(r'<progress id="check-progress" max="100" value="0">', page)
    assert "Step 1 of 4: waiting for its turn" in text(page)
    assert ">Publish</button>" not in page
    assert ">Discard</button>" in page
    status = user_agent.get(preview_url + "/status").get_json()
    assert status == {
        "id": pending.id,
        "status": "checking",
        "progress": 0,
        "step": "waiting for its turn",
        "error": None,
        "preview_url": preview_url,
    }
    # Publishing before the check is refused.
    refused = publish(user_agent, preview_url)
    assert refused.headers["Location"].endswith(preview_url)
    assert count(Question) == 0

    run_check(app, pending.id)
    pending = the_pending()
    assert (pending.status, pending.progress, pending.error) == ("ready", 100, None)
    assert pending.checked is not None
    assert pending.report is not None
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert "http-equiv" not in page
    assert "read as Moodle GIFT" in page
    assert "A new set: 4 questions" in page
    assert user_agent.get(preview_url + "/status").get_json()["status"] == "ready"

    assert publish(user_agent, preview_url).status_code == 302
    assert count(Question) == 4
    assert count(PendingImport) == 0


def test_the_job_is_idempotent(
    app: Flask, user_agent: Browserless, instructor: User, held: Queued
) -> None:
    upload(user_agent, "quiz.gift", GIFT.encode())
    pending_id = the_pending().id
    run_check(app, pending_id)
    first = the_pending()
    done = (first.checked, first.report, first.status_at)
    run_check(app, pending_id)
    again = the_pending()
    assert (again.checked, again.report, again.status_at) == done
    # A run stopped after the check stored its set (a worker killed) is finished by the next.
    again.status, again.progress, again.report = "checking", imports.PREVIEWING, None
    db.session.commit()
    run_check(app, pending_id)
    finished = the_pending()
    assert (finished.status, finished.checked, finished.report) == ("ready", *done[:2])


def test_a_large_file_with_problems_shows_them_after_the_check(
    user_agent: Browserless, instructor: User, large: None
) -> None:
    # Eager jobs (the tests' setting): the check runs when the upload commits.
    resp = upload(user_agent, "broken.gift", (FIXTURES / "broken.gift").read_bytes())
    assert resp.status_code == 302
    preview_url = resp.headers["Location"]
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert "broken.gift:1: unclosed brace" in text(page)
    assert "nothing will be written" in page
    assert ">Publish</button>" not in page
    assert ">Discard</button>" in page
    resp = user_agent.submit(preview_url, {}, action=preview_url + "/discard")
    assert resp.status_code == 302
    assert count(PendingImport) == 0


def test_a_large_file_with_questions_left_out_asks_for_consent(
    user_agent: Browserless, instructor: User, large: None
) -> None:
    partial = GIFT + "\n// [id:essay]\n::Essay::Describe Paris. {}\n"
    preview_url = upload(user_agent, "quiz.gift", partial.encode()).headers["Location"]
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert "4 questions will be imported, 1 left out" in page
    assert "Publish 4 questions, leave 1 out</button>" in page
    publish(user_agent, preview_url, leave_out=True)
    assert count(Question) == 4


def test_a_job_that_breaks_marks_the_upload_failed(
    app: Flask,
    user_agent: Browserless,
    instructor: User,
    held: Queued,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    preview_url = upload(user_agent, "quiz.gift", GIFT.encode()).headers["Location"]
    pending_id = the_pending().id

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the importer tripped")

    monkeypatch.setattr(imports, "check_upload", broken)
    with pytest.raises(RuntimeError):
        run_check(app, pending_id)
    pending = the_pending()
    assert pending.status == "failed"
    assert pending.error is not None
    assert "RuntimeError" in pending.error
    status = user_agent.get(preview_url + "/status").get_json()
    assert (status["status"], status["error"]) == ("failed", pending.error)
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert "The file could not be checked" in page
    assert "RuntimeError" in page
    assert "http-equiv" not in page
    assert ">Publish</button>" not in page
    assert ">Discard</button>" in page

    # Run again (RQ retries a failed job): once the cause is gone, the same check succeeds.
    monkeypatch.undo()
    run_check(app, pending_id)
    assert the_pending().status == "ready"


def test_a_failed_upload_can_be_discarded(
    app: Flask,
    user_agent: Browserless,
    instructor: User,
    held: Queued,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    preview_url = upload(user_agent, "quiz.gift", GIFT.encode()).headers["Location"]
    monkeypatch.setattr(imports, "preview_checked", lambda *a: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        run_check(app, the_pending().id)
    assert the_pending().status == "failed"
    resp = user_agent.submit(preview_url, {}, action=preview_url + "/discard")
    assert resp.status_code == 302
    assert count(PendingImport) == 0


def test_an_upload_discarded_during_its_check_is_forgotten(
    app: Flask, user_agent: Browserless, instructor: User, held: Queued
) -> None:
    upload(user_agent, "quiz.gift", GIFT.encode())
    pending = the_pending()
    pending_id = pending.id
    db.session.delete(pending)
    db.session.commit()
    run_check(app, pending_id)  # nothing to check, nothing raised
    assert count(PendingImport) == 0


def test_a_stalled_check_is_queued_again(
    user_agent: Browserless, instructor: User, held: Queued
) -> None:
    preview_url = upload(user_agent, "quiz.gift", GIFT.encode()).headers["Location"]
    held.clear()
    user_agent.get(preview_url + "/status")
    assert held == []  # still fresh: the queued job will run
    pending = the_pending()
    pending.status_at = utcnow() - imports.CHECK_STALLED - timedelta(seconds=1)
    db.session.commit()
    user_agent.get(preview_url)
    assert held == [(imports.CHECK_JOB, (pending.id,))]


def test_a_stale_preview_is_worked_out_again(
    app: Flask, user_agent: Browserless, instructor: User, large: None
) -> None:
    publish_upload("capitals.csv", V1.encode(), instructor)
    db.session.commit()
    preview_url = upload(user_agent, "v2.csv", V2.encode(), set_id="capitals").headers["Location"]
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert "An update of your set: 3 questions" in page
    # The set changes after the check: its stored preview no longer holds.
    publish_upload("capitals.csv", V2.encode(), instructor, "capitals")
    db.session.commit()
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert "Step 4 of 4: working out what publishing would change" in text(page)
    page = user_agent.get(preview_url).get_data(as_text=True)
    total = re.search(r'<th scope="row">Total</th>((?:<td class="num">\d+</td>)+)', page)
    assert total is not None
    assert re.findall(r"\d+", total.group(1))[-1] == "3"
    assert "An update of your set: 3 questions" in page
    assert the_pending().status == "ready"


def test_the_status_of_another_instructors_upload_is_not_found(
    user_agent: Browserless, instructor: User, make_user: Callable[..., User], held: Queued
) -> None:
    preview_url = upload(user_agent, "quiz.gift", GIFT.encode()).headers["Location"]
    make_user("other@example.org", role=Role.INSTRUCTOR)
    user_agent.submit("/", {}, action="/auth/logout")
    user_agent.login("other@example.org")
    assert user_agent.get(preview_url + "/status").status_code == 404


def test_small_files_are_still_checked_in_the_request(
    user_agent: Browserless, instructor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: Queued = []
    monkeypatch.setattr(imports, "enqueue_after_commit", lambda name, *a: queued.append((name, a)))
    resp = upload(user_agent, "quiz.gift", GIFT.encode())
    assert resp.status_code == 302
    assert queued == []
    assert the_pending().status == "ready"


def test_the_preview_lists_a_bounded_number_of_questions(
    user_agent: Browserless, instructor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quizapp.instructor import transfer

    monkeypatch.setattr(transfer, "SHOWN_QUESTIONS", 2)
    preview_url = upload(user_agent, "quiz.gift", GIFT.encode()).headers["Location"]
    page = user_agent.get(preview_url).get_data(as_text=True)
    assert "The first 2 of 4." in page
    assert page.count('class="card draft-item"') == 2


def test_the_benchmark_file_is_read_whole(instructor: User) -> None:
    data, questions = big_gift(50_000)
    checked = imports.check_upload("big.gift", data, instructor)
    assert checked.checked
    assert checked.doc is not None
    assert len(checked.doc.questions) == questions
