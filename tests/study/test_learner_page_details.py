"""Small points of the learner's pages found in a browser (issue 16), checked in the HTML."""

from __future__ import annotations

import re
from pathlib import Path

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import Browserless
from tests.study.test_pages import answer_current, start


def _scroll_regions(page: str) -> list[str]:
    return re.findall(r'<div class="table-wrap"[^>]*>', page)


def test_the_topic_table_is_a_named_focusable_scroll_region(logged_in: Browserless) -> None:
    page = logged_in.get("/").get_data(as_text=True)
    (wrap,) = _scroll_regions(page.split('id="topics-heading"')[1].split("</form>")[0])
    assert 'tabindex="0"' in wrap
    assert 'role="region"' in wrap
    assert 'aria-label="Recall per topic' in wrap
    assert 'aria-describedby="topics-scroll-hint"' in wrap
    assert 'id="topics-scroll-hint"' in page


def test_history_scrolls_in_a_region_and_links_back(logged_in: Browserless) -> None:
    url = start(logged_in)
    feedback_url = answer_current(logged_in, url, {"choice": "1"})
    feedback = logged_in.get(feedback_url).get_data(as_text=True)
    match = re.search(
        r'<a class="history-link" href="([^"]+)">History of this question</a>', feedback
    )
    assert match, feedback
    history_url = match.group(1).replace("&amp;", "&")
    session_id = url.rstrip("/").rsplit("/", 1)[1]
    assert f"session={session_id}" in history_url

    history = logged_in.get(history_url).get_data(as_text=True)
    (wrap,) = _scroll_regions(history)
    assert 'tabindex="0"' in wrap
    assert 'role="region"' in wrap
    assert "aria-label=" in wrap
    assert f'href="{url}">← Back to your study session</a>' in history

    # Reached without a session (a bookmark, another page): back to home.
    plain = logged_in.get(history_url.split("?")[0]).get_data(as_text=True)
    assert 'href="/">← Back to home</a>' in plain


def test_a_long_name_may_wrap(logged_in: Browserless, learner: User) -> None:
    learner.display_name = "Bartholomew" * 7
    db.session.commit()
    page = logged_in.get("/").get_data(as_text=True)
    name = "Bartholomew" * 7
    assert f'<h1 class="user-name">Hello, {name}</h1>' in page
    css = (Path(__file__).parents[2] / "static/css/app.css").read_text()
    assert re.search(r"\.user-name \{[^}]*overflow-wrap: anywhere", css)
