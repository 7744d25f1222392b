"""Issue 16 in Chromium: a long name at 360 px, and the browser's time zone at sign-up."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from quizapp.extensions import db
from quizapp.models import User
from tests.browser.conftest import CHROMIUM_ARGS, LiveServer

pytestmark = pytest.mark.browser


def sign_up(page: Page, live_server: LiveServer, name: str) -> None:
    page.goto(live_server.url + "/auth/register")
    page.get_by_label("Name").fill(name)
    page.get_by_label("E-mail").fill("grace@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-password")
    page.get_by_label("Repeat the password").fill("a-long-password")
    page.get_by_role("button", name="Create account").click()


def test_a_long_name_does_not_widen_a_phone_page(page: Page, live_server: LiveServer) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    name = "Grace" + "x" * 75
    sign_up(page, live_server, name)
    expect(page.get_by_role("heading", name=f"Hello, {name}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_sign_up_takes_the_browser_time_zone(browser: Browser, live_server: LiveServer) -> None:
    assert CHROMIUM_ARGS  # the shared launch options hold for this context too
    context = browser.new_context(timezone_id="Europe/Paris")
    try:
        page = context.new_page()
        sign_up(page, live_server, "Grace")
        expect(page.get_by_role("heading", name="Hello, Grace")).to_be_visible()
    finally:
        context.close()
    db.session.expire_all()
    user = db.session.scalar(sa.select(User))
    assert user is not None
    assert user.timezone == "Europe/Paris"
