"""The draft form's "How many questions", and the review page's blanks and sentence groups."""

from __future__ import annotations

import re

from quizapp.extensions import db
from quizapp.instructor.models import Draft
from quizapp.models import User
from tests.conftest import Browserless
from tests.instructor.test_drafts import SEED, instructor, the_draft, upload

__all__ = ["instructor"]  # the fixture, imported to be used here

PEP = SEED.parents[1] / "tests" / "bank" / "fixtures" / "documents" / "pep-0257.rst"


def test_how_many_questions_is_honoured(user_agent: Browserless, instructor: User) -> None:
    resp = upload(user_agent, "pep.rst", PEP.read_bytes(), title="Docstrings", limit="4")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert len(the_draft().payload["questions"]) == 4


def test_how_many_questions_must_be_a_positive_number(
    user_agent: Browserless, instructor: User
) -> None:
    resp = upload(user_agent, "pep.rst", PEP.read_bytes(), limit="0")
    assert resp.status_code == 200
    assert "Number must be between 1 and 500" in resp.get_data(as_text=True)
    assert db.session.query(Draft).count() == 0


def test_each_cloze_blank_is_highlighted(user_agent: Browserless, instructor: User) -> None:
    resp = upload(user_agent, "car-t.txt", SEED.read_bytes(), title="CAR-T")
    page = user_agent.get(resp.headers["Location"]).get_data(as_text=True)
    cloze = [q for q in the_draft().payload["questions"] if q["entry"]["type"] == "cloze"]
    assert cloze
    for q in cloze:
        for gap in re.findall(r"\[\[(.+?)\]\]", q["entry"]["text"]):
            answer = gap.split("|")[0]
            blank = (
                f'<mark class="draft-blank"><span class="visually-hidden">blank: </span>{answer}'
            )
            assert blank in page.replace("&#39;", "'")


def test_drafts_of_one_sentence_are_listed_together(
    user_agent: Browserless, instructor: User
) -> None:
    upload(user_agent, "car-t.txt", SEED.read_bytes(), title="CAR-T")
    draft = the_draft()
    questions = draft.payload["questions"]
    # An instructor's edit can make a second draft of a sentence; it joins the first one.
    twin = {**questions[-1], "key": "twin", "entry": {**questions[0]["entry"], "id": "twin"}}
    draft.payload = {**draft.payload, "questions": [*questions, twin]}
    db.session.commit()
    page = user_agent.get(f"/instructor/drafts/{draft.id}").get_data(as_text=True)
    assert "2 drafts of one sentence:" in page
    group = page.split("2 drafts of one sentence:", 1)[1].split("</ol>", 1)[0]
    assert f'id="q-{questions[0]["key"]}"' in group
    assert 'id="q-twin"' in group
