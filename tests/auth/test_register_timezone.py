"""Sign-up takes the browser's time zone when a script sent a known one (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import Browserless

FORM = {
    "display_name": "Ada",
    "email": "ada@example.org",
    "password": "s3cret-pass",
    "confirm": "s3cret-pass",
}


def test_the_form_carries_a_hidden_zone_field_and_its_script(user_agent: Browserless) -> None:
    page = user_agent.get("/auth/register").get_data(as_text=True)
    field = re.search(r"<input[^>]*data-browser-timezone[^>]*>", page)
    assert field is not None
    assert 'name="timezone"' in field.group(0)
    assert 'type="hidden"' in field.group(0)
    assert '<script src="/static/js/timezone.js" defer></script>' in page
    script = (Path(__file__).parents[2] / "static/js/timezone.js").read_text()
    assert "Intl.DateTimeFormat().resolvedOptions().timeZone" in script


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("Europe/Paris", "Europe/Paris"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Mars/Olympus_Mons", "UTC"),
        ("../../etc/passwd", "UTC"),
        ("", "UTC"),
        (None, "UTC"),  # no script: the field is sent empty or not at all
    ],
)
def test_the_account_gets_the_browser_zone_if_known(
    user_agent: Browserless, sent: str | None, stored: str
) -> None:
    data = FORM | ({"timezone": sent} if sent is not None else {})
    resp = user_agent.submit("/auth/register", data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    user = db.session.scalar(sa.select(User))
    assert user is not None
    assert user.timezone == stored
