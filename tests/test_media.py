"""Question text from uploads is cleaned before learners see it; stored images served safely."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.models import Enrollment, MediaAsset, QuestionSet, Role, User
from quizapp.richtext import clean_html, render_rich
from quizapp.sets.imports import publish_upload
from tests.conftest import Browserless

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def media_url(name: str) -> str:
    return f"/media/the-set/{name}"


@pytest.mark.parametrize(
    ("html", "kept", "gone"),
    [
        ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>", "script"),
        (
            '<img src="media:a.png" onerror="alert(1)">',
            '<img src="/media/the-set/a.png">',
            "onerror",
        ),
        ('<b onclick="x()">bold</b>', "<b>bold</b>", "onclick"),
        ('<img src="https://evil.example/x.png">x', "x", "evil.example"),
        ('<img src="//evil.example/x.png">x', "x", "evil.example"),
        ('<img src="data:image/png;base64,AAAA">x', "x", "data:"),
        ('<a href="javascript:alert(1)">link</a>', "link</a>", "javascript"),
        (
            '<a href="https://example.org" target="_blank">l</a>',
            'rel="noopener noreferrer"',
            "target",
        ),
        ('<p style="color:red">s</p>', "<p>s</p>", "style"),
        ("<iframe src='https://x'></iframe><p>k</p>", "<p>k</p>", "iframe"),
        ("<table><tr><td>1</td></tr></table>", "<td>1</td>", "script"),
        (
            '<audio controls src="media:hum.mp3"></audio>',
            '<audio src="/media/the-set/hum.mp3"',
            "media:",
        ),
        ('<audio src="media:hum.mp3" autoplay onplay="x()"></audio>', "controls", "autoplay"),
        ('<audio controls src="https://evil.example/a.mp3">no</audio>x', "x", "audio"),
        ('<audio controls src="//evil.example/a.mp3"></audio>x', "x", "evil.example"),
        ('<audio controls src="data:audio/mpeg;base64,AAAA"></audio>x', "x", "data:"),
        ('<audio controls><source src="https://evil.example/a.mp3"></audio>x', "x", "audio"),
    ],
)
def test_html_is_cleaned_to_the_safe_subset(html: str, kept: str, gone: str) -> None:
    cleaned = clean_html(html, media_url)
    assert kept in cleaned
    assert gone not in cleaned


def test_plain_text_is_escaped_and_html_is_cleaned() -> None:
    assert str(render_rich("2 < 3 & 4 > 1", media_url)) == "2 &lt; 3 &amp; 4 &gt; 1"
    assert str(render_rich("What is <b>bold</b>?", media_url)) == "What is <b>bold</b>?"
    assert str(render_rich(None, media_url)) == ""


HOSTILE_GIFT = r"""::Hostile::[html]<p>Pick <b>one</b><script>alert('x')</script>
<img src\="https\://evil.example/track.png"><img src\="x" onerror\="alert(2)"></p> {
=<i>Right</i><script>alert(3)</script>\#<em>Good</em><img src\=x onerror\=alert(4)>
~Wrong
}
"""


class _ActiveContent(HTMLParser):
    """Collect what could run or load from elsewhere: scripts, handlers, foreign images."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.found.append(f"<script> {values}")
        self.found += [f"{tag} {name}" for name in values if name.startswith("on")]
        if tag == "img" and not (values.get("src") or "").startswith("/media/"):
            self.found.append(f"<img> {values}")


def active_content(page: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(page)
    return parser.found


@pytest.fixture
def instructor(make_user: Callable[..., User]) -> User:
    return make_user("teacher@example.org", role=Role.INSTRUCTOR)


def test_hostile_upload_never_reaches_the_learners_page(
    user_agent: Browserless, make_user: Callable[..., User], instructor: User
) -> None:
    publish_upload("hostile.gift", HOSTILE_GIFT.encode(), instructor)
    db.session.commit()
    question_set = db.session.scalar(sa.select(QuestionSet))
    assert question_set is not None
    learner = make_user("learner@example.org")
    db.session.add(Enrollment(user_id=learner.id, set_id=question_set.id))
    db.session.commit()
    user_agent.login(learner.email)
    resp = user_agent.submit("/", {"mode": "due"}, action="/study/start")
    url = resp.headers["Location"]
    page = user_agent.get(url).get_data(as_text=True)
    assert "Pick <b>one</b>" in page
    assert "<i>Right</i>" in page
    qid = re.search(r'name="question_id" value="(\d+)"', page)
    assert qid
    resp = user_agent.submit(
        url, {"question_id": qid.group(1), "choice": "0"}, action=url + "/answer"
    )
    feedback = user_agent.get(resp.headers["Location"]).get_data(as_text=True)
    for shown in (page, feedback):
        assert active_content(shown) == []
        assert "evil.example" not in shown


def store(question_set: QuestionSet, name: str, content_type: str, data: bytes) -> None:
    db.session.add(
        MediaAsset(
            set_id=question_set.id,
            name=name,
            content_type=content_type,
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            size=len(data),
        )
    )
    db.session.commit()


@pytest.fixture
def stored_set(instructor: User) -> QuestionSet:
    question_set = QuestionSet(uid="pics", title="Pictures", owner=instructor)
    db.session.add(question_set)
    db.session.commit()
    store(question_set, "cell.png", "image/png", PNG)
    store(question_set, "drawing.svg", "image/svg+xml", b"<svg><script>alert(1)</script></svg>")
    store(question_set, "notes.html", "text/html", b"<script>alert(1)</script>")
    store(question_set, "hum.mp3", "audio/mpeg", b"ID3")
    store(question_set, "hum.wav", "audio/x-wav", b"RIFF")
    return question_set


def test_images_are_served_with_their_type_and_a_long_cache(
    user_agent: Browserless, make_user: Callable[..., User], stored_set: QuestionSet
) -> None:
    learner = make_user()
    user_agent.login(learner.email)
    resp = user_agent.get("/media/pics/cell.png")
    assert resp.status_code == 200
    assert resp.data == PNG
    assert resp.headers["Content-Type"] == "image/png"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in resp.headers["Cache-Control"]
    assert "Content-Disposition" not in resp.headers


def test_svg_is_sandboxed_and_other_types_are_downloads(
    user_agent: Browserless, make_user: Callable[..., User], stored_set: QuestionSet
) -> None:
    user_agent.login(make_user().email)
    svg = user_agent.get("/media/pics/drawing.svg")
    assert svg.status_code == 200
    assert svg.headers["Content-Security-Policy"] == "sandbox"
    other = user_agent.get("/media/pics/notes.html")
    assert other.status_code == 200
    assert other.headers["Content-Disposition"] == "attachment"
    assert other.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "content_type"), [("hum.mp3", "audio/mpeg"), ("hum.wav", "audio/wav")]
)
def test_sounds_are_served_inline_for_the_audio_player(
    user_agent: Browserless,
    make_user: Callable[..., User],
    stored_set: QuestionSet,
    name: str,
    content_type: str,
) -> None:
    user_agent.login(make_user().email)
    resp = user_agent.get(f"/media/pics/{name}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == content_type  # a .wav's audio/x-wav by its own name
    assert "Content-Disposition" not in resp.headers
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_media_needs_an_account_and_a_visible_set(
    user_agent: Browserless, make_user: Callable[..., User], stored_set: QuestionSet
) -> None:
    assert user_agent.get("/media/pics/cell.png").status_code == 302  # to the login page
    user_agent.login(make_user().email)
    assert user_agent.get("/media/pics/missing.png").status_code == 404
    assert user_agent.get("/media/other/cell.png").status_code == 404
    stored_set.is_published = False
    db.session.commit()
    assert user_agent.get("/media/pics/cell.png").status_code == 404


def _moodle_with_image() -> bytes:
    encoded = base64.b64encode(PNG).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse">
    <name><text>Cell</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>A cell: <img src="@@PLUGINFILE@@/cell.png" alt="a cell"></p>]]></text>
      <file name="cell.png" path="/" encoding="base64">{encoded}</file>
    </questiontext>
    <idnumber>cell</idnumber>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
</quiz>
""".encode()


def test_an_uploaded_image_is_stored_and_shown_to_learners(
    user_agent: Browserless, make_user: Callable[..., User], instructor: User
) -> None:
    user_agent.login(instructor.email)
    resp = user_agent.submit(
        "/instructor/imports/new",
        {"upload": (io.BytesIO(_moodle_with_image()), "cells.xml"), "set_id": "cells"},
        content_type="multipart/form-data",
    )
    preview_url = resp.headers["Location"]
    assert "1 media file (pictures, sounds) will be stored" in user_agent.get(preview_url).get_data(
        as_text=True
    )
    user_agent.submit(preview_url, {}, action=preview_url + "/publish")
    asset = db.session.scalar(sa.select(MediaAsset))
    assert asset is not None
    assert (asset.name, asset.content_type, asset.data) == ("cell.png", "image/png", PNG)
    user_agent.submit("/", {}, action="/auth/logout")

    learner = make_user("learner@example.org")
    question_set = db.session.scalar(sa.select(QuestionSet).where(QuestionSet.uid == "cells"))
    assert question_set is not None
    db.session.add(Enrollment(user_id=learner.id, set_id=question_set.id))
    db.session.commit()
    user_agent.login(learner.email)
    url = user_agent.submit("/", {"mode": "due"}, action="/study/start").headers["Location"]
    page = user_agent.get(url).get_data(as_text=True)
    src = re.search(r'<img src="([^"]+)" alt="a cell">', page)
    assert src is not None
    # The file's digest is in the URL, so a new version of the image is a new URL.
    assert src.group(1) == f"/media/cells/cell.png?v={asset.sha256[:16]}"
    image = user_agent.get(src.group(1))
    assert image.status_code == 200
    assert image.data == PNG
    assert active_content(page) == []
