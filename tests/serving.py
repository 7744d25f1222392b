"""A real server for the tests that need one: gunicorn with several workers on the test
database, and a small HTTP client that keeps its cookies and does not follow redirects."""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, csrf_token_from


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    port: int
    access_log: Path
    error_log: Path  # gunicorn's and the app's log (tracebacks of failed requests)


@contextmanager
def gunicorn(
    database_url: str,
    instance: Path,
    *,
    workers: int = 3,
    env: Mapping[str, str] | None = None,
) -> Iterator[Server]:
    """Serve ``quizapp:create_app()`` with ``workers`` gunicorn workers until the block ends."""
    gunicorn_bin = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn_bin is None:
        pytest.fail("gunicorn is not installed next to the interpreter")
    port = free_port()
    log = instance.parent / f"access-{port}.log"
    errors = instance.parent / f"errors-{port}.log"
    error_file = errors.open("wb")
    proc = subprocess.Popen(
        [
            gunicorn_bin,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
            "--access-logformat",
            "%(p)s %(s)s %(U)s",
            "--no-control-socket",
            "quizapp:create_app()",
        ],
        env={
            "PATH": "/usr/bin:/bin",
            "QUIZAPP_DATABASE_URL": database_url,
            "QUIZAPP_SECRET_KEY": "shared-by-every-worker",
            "QUIZAPP_INSTANCE_PATH": str(instance),
            **(env or {}),
        },
        stdout=subprocess.DEVNULL,
        stderr=error_file,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                error_file.close()
                pytest.fail(f"gunicorn did not start: {errors.read_text()}")
            time.sleep(0.2)
    try:
        yield Server(url, port, log, errors)
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
        error_file.close()


@dataclass(frozen=True)
class Reply:
    status: int
    location: str
    body: str


class WebClient:
    """One browser: its own cookies, one connection at a time, redirects not followed."""

    def __init__(self, server: Server, timeout: float = 30.0) -> None:
        self.server = server
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, fields: Sequence[tuple[str, str]] | None = None
    ) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=self.timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(list(fields))
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            location = urllib.parse.urlsplit(response.headers.get("Location", "")).path
            return Reply(response.status, location, text)
        finally:
            conn.close()

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, fields: Sequence[tuple[str, str]]) -> Reply:
        return self.request("POST", path, fields)

    def login(self, email: str, password: str = PASSWORD) -> None:
        token = csrf_token_from(self.get("/auth/login").body)
        reply = self.post(
            "/auth/login", [("email", email), ("password", password), ("csrf_token", token)]
        )
        assert reply.status == 302, f"login of {email}: HTTP {reply.status}"
