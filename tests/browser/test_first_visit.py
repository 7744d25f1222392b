"""A newcomer registers, logs in, sees the home page and logs out, in Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from quizapp.models import User
from tests.browser.conftest import LiveServer, screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_register_login_home_logout(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Remember what you read.")).to_be_visible()
    page.get_by_role("link", name="Sign up").click()

    page.get_by_label("Name").fill("Grace")
    page.get_by_label("E-mail").fill("grace@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-password")
    page.get_by_label("Repeat the password").fill("a-long-password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Hello, Grace")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")

    page.get_by_role("navigation").get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail").fill("grace@example.org")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Grace")).to_be_visible()
    expect(page.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")
    screenshot(page, "home-1280")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Log in")).to_be_visible()


def test_wrong_password_is_explained(
    page: Page, live_server: LiveServer, make_user: Callable[..., User]
) -> None:
    make_user("lee@example.org")
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("E-mail").fill("lee@example.org")
    page.get_by_label("Password").fill(PASSWORD + "x")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Wrong e-mail or password"))


def test_phone_width_has_no_horizontal_scroll(
    page: Page, live_server: LiveServer, make_user: Callable[..., User]
) -> None:
    make_user("lee@example.org", name="Lee")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("E-mail").fill("lee@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Lee")).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360
    screenshot(page, "home-360")


def test_dark_mode_is_readable(page: Page, live_server: LiveServer) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto(live_server.url + "/")
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    fg = page.evaluate("getComputedStyle(document.body).color")
    assert bg == "rgb(18, 21, 28)"
    assert fg == "rgb(231, 234, 241)"
    screenshot(page, "welcome-dark")
