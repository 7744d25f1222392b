"""Several gunicorn workers serve one user as one app: nothing lives in a worker's memory."""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import csrf_token_from
from tests.serving import gunicorn as serve

WORKERS = 3


@pytest.fixture
def gunicorn(app: Flask, database_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Serve the app with several gunicorn workers; yield its URL and its access log."""
    with serve(database_url, tmp_path / "instance", workers=WORKERS) as server:
        yield server.url, server.access_log


def test_a_logged_in_user_is_served_by_every_worker(gunicorn: tuple[str, Path]) -> None:
    url, log = gunicorn
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url + "/auth/register") as resp:
        page = resp.read().decode()
    form = {
        "display_name": "Wanda",
        "email": "wanda@example.org",
        "password": "several-workers",
        "confirm": "several-workers",
        "csrf_token": csrf_token_from(page),
    }
    with opener.open(url + "/auth/register", urllib.parse.urlencode(form).encode()) as resp:
        home = resp.read()
    assert b"Hello, Wanda" in home

    def fetch(_: int) -> bytes:
        with opener.open(url + "/", timeout=10) as resp:
            return bytes(resp.read())

    # Concurrent requests keep every worker busy, so each serves some of them.
    with ThreadPoolExecutor(max_workers=WORKERS * 2) as pool:
        pages = list(pool.map(fetch, range(WORKERS * 12)))
    assert all(b"Hello, Wanda" in p for p in pages)

    time.sleep(0.5)  # let the access log flush
    served_home = {
        line.split()[0]
        for line in log.read_text().splitlines()
        if re.fullmatch(r"<\d+> 200 /", line)
    }
    assert len(served_home) >= 2, f"only worker(s) {served_home} served the home page"
