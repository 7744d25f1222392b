"""The benchmark's HTTP client: one browser-like user (cookies, one connection at a time), the
login form, study sessions and the question a session shows."""

from __future__ import annotations

import http.client
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from quizapp.bench.webconfig import PASSWORD

USER_AGENT = "quizapp-bench"

_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QUESTION_RE = re.compile(r'name="question_id" value="(\d+)"')
_TOPIC_RE = re.compile(r'data-topic="(\d+)"')
_SESSION_RE = re.compile(r"/study/(\d+)$")


class RequestTimeout(Exception):
    """A request took longer than the client's timeout."""


class UnexpectedResponse(Exception):
    """The server answered, but not as the app should."""


@dataclass(frozen=True)
class Response:
    status: int
    location: str
    body: str


class Client:
    """One browser-like user: its cookies, one connection to 127.0.0.1 at a time."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self,
        method: str,
        path: str,
        fields: Sequence[tuple[str, str]] | None = None,
        *,
        keep_cookies: bool = True,
    ) -> Response:
        """Send one request (sync gunicorn workers close the connection after each)."""
        headers = {"User-Agent": USER_AGENT, "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except TimeoutError as exc:
            self.close()
            raise RequestTimeout(f"{method} {path}: no answer in {self.timeout:.0f} s") from exc
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise UnexpectedResponse(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if keep_cookies:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.will_close:
            self.close()
        return Response(response.status, response.headers.get("Location", ""), text)

    def expect(
        self,
        method: str,
        path: str,
        status: int,
        fields: Sequence[tuple[str, str]] | None = None,
        *,
        keep_cookies: bool = True,
    ) -> tuple[Response, float]:
        """Send a request, check its status; return the response and its latency (s)."""
        start = time.perf_counter()
        response = self.request(method, path, fields, keep_cookies=keep_cookies)
        latency = time.perf_counter() - start
        if response.status != status:
            raise UnexpectedResponse(f"{method} {path}: {response.status}, expected {status}")
        return response, latency


def csrf(page: str) -> str:
    match = _CSRF_RE.search(page)
    if match is None:
        raise UnexpectedResponse("no CSRF token in the page")
    return match.group(1)


def login(client: Client, email: str) -> str:
    """Log in through the form; return a CSRF token valid for the session."""
    page, _ = client.expect("GET", "/auth/login", 200)
    token = csrf(page.body)
    fields = [("email", email), ("password", PASSWORD), ("csrf_token", token)]
    client.expect("POST", "/auth/login", 302, fields)
    return token


def start_session(
    client: Client, token: str, mode: str = "due", topic_id: int | None = None
) -> int | None:
    """Start a study session; return its id (None: the mode had nothing to ask, and the app
    said so on the home page, as with no weak topic)."""
    fields = [("mode", mode), ("csrf_token", token)]
    if topic_id is not None:
        fields.append(("topic_id", str(topic_id)))
    response, _ = client.expect("POST", "/study/start", 302, fields)
    match = _SESSION_RE.search(response.location)
    if match is None:
        if urlsplit(response.location).path == "/":
            return None
        raise UnexpectedResponse(f"POST /study/start went to {response.location!r}")
    return int(match.group(1))


def question_page(client: Client, session_id: int) -> tuple[int, str] | None:
    """The question the session shows (id, CSRF token), None once the session is over."""
    page, _ = client.expect("GET", f"/study/{session_id}", 200)
    match = QUESTION_RE.search(page.body)
    return None if match is None else (int(match.group(1)), csrf(page.body))


def session_with_question(client: Client, token: str) -> int:
    """A new session that has a question to show: due ones, else the weak topics, else the
    first topic of the home page (a learner with nothing due and nothing weak)."""
    tries: list[tuple[str, int | None]] = [("due", None), ("weak", None)]
    home, _ = client.expect("GET", "/", 200)
    topics = _TOPIC_RE.findall(home.body)
    tries += [("topic", int(t)) for t in topics[:3]]
    for mode, topic_id in tries:
        session_id = start_session(client, token, mode, topic_id)
        if session_id is not None and question_page(client, session_id) is not None:
            return session_id
    raise UnexpectedResponse("no question to study: due, weak and topic sessions are empty")
