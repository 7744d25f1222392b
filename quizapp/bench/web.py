"""``python -m quizapp.bench web``: the app's main pages under load, against bare Flask.

One run builds (or, with ``--reuse``, finds) the data of ``quizapp.bench.webdata`` in the
database given, then serves the app and a bare Flask "hello" app (``quizapp.bench.hello``) with
the same gunicorn (sync workers, the same ``--workers``), each on a free port of 127.0.0.1, and
loads them from this process: ``clients`` threads, each logged in through the real login form,
send requests one after the other for ``duration`` seconds per endpoint (at most
``MAX_REQUESTS``; each request times out after ``timeout`` seconds). Only ratios to hello mean
much on a shared machine.

Endpoints (each: requests/s, p50 and p99 latency, requests/s over hello's):

* ``home``: GET / as the large learner (``LARGE_EMAIL``, 50,000 answers);
* ``question``: GET the current question of a started session;
* ``answer``: the study loop: GET the question (not timed), POST an answer, mostly the
  right one (timed; requests/s counts answers, so it includes the time of the GETs);
* ``start_session``: POST /study/start (due questions);
* ``class_overview``, ``class_questions``: the instructor's pages of the class of 500;
* ``login``: POST the login form (Argon2 is slow by design).

Growth: the learner endpoints again for the small learner (5,000 answers over the same sets)
and the class pages for the class of 50: p50 large over p50 small. The class of 5,000: a few
requests of each class page, and the peak resident memory of the workers while they ran.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from quizapp.bench.webdata import (
    INSTRUCTOR_EMAIL,
    LARGE_EMAIL,
    PASSWORD,
    SMALL_EMAIL,
    BenchData,
    BuildConfig,
    BuildReport,
    FiguresReport,
    answer_variants,
    build_data,
    compute_figures,
    figures_stored,
    find_bench_data,
    question_specs,
)
from quizapp.grading import get_type

__all__ = [
    "ENDPOINTS",
    "Measurement",
    "WebOptions",
    "WebReport",
    "format_web",
    "percentile",
    "run_web",
    "web_json",
]

ENDPOINTS = (
    "home",
    "question",
    "answer",
    "start_session",
    "class_overview",
    "class_questions",
    "login",
)
LEARNER_ENDPOINTS = ENDPOINTS[:4]
CLASS_ENDPOINTS = ENDPOINTS[4:6]
MAX_REQUESTS = 100_000
CLASS_5000_REQUESTS = 3
RIGHT_ANSWERS = 0.85
USER_AGENT = "quizapp-bench"
SECRET_KEY = "quizapp-bench-web-secret-key-not-for-production"

_CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_QUESTION_RE = re.compile(r'name="question_id" value="(\d+)"')
_SESSION_RE = re.compile(r"/study/(\d+)$")


# Figures ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, linearly interpolated (numpy's default).

    Raises:
        ValueError: ``values`` is empty or ``q`` is outside [0, 100].
    """
    if not values:
        raise ValueError("no values")
    if not 0.0 <= q <= 100.0:
        raise ValueError("q must be in [0, 100]")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Measurement:
    """The measured requests of one endpoint: latencies (s) of those that succeeded."""

    name: str
    latencies: tuple[float, ...]
    elapsed: float
    errors: int = 0
    timeouts: int = 0
    first_error: str = ""

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def p50_ms(self) -> float | None:
        return percentile(self.latencies, 50) * 1000 if self.latencies else None

    @property
    def p99_ms(self) -> float | None:
        return percentile(self.latencies, 99) * 1000 if self.latencies else None

    def figures(self, hello_rps: float) -> dict[str, float | None]:
        """requests/s, p50 and p99 (ms) and requests/s over hello's, rounded."""
        return {
            "rps": round(self.rps, 2),
            "p50_ms": _round(self.p50_ms),
            "p99_ms": _round(self.p99_ms),
            "ratio": round(self.rps / hello_rps, 5) if hello_rps > 0 else None,
        }

    def counts(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": len(self.latencies),
            "errors": self.errors,
            "timeouts": self.timeouts,
        }
        if self.first_error:
            out["first_error"] = self.first_error
        return out


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def growth_ratio(large: Measurement | None, small: Measurement | None) -> float | None:
    """p50 of the large case over p50 of the small one (None when either has no p50)."""
    if large is None or small is None or large.p50_ms is None or not small.p50_ms:
        return None
    return round(large.p50_ms / small.p50_ms, 3)


@dataclass
class WebReport:
    """Everything one run measured, and what it measured it on."""

    hello: list[Measurement] = field(default_factory=list)
    endpoints: dict[str, Measurement] = field(default_factory=dict)
    small: dict[str, Measurement] = field(default_factory=dict)
    typical: dict[str, Measurement] = field(default_factory=dict)
    class_5000: dict[str, Any] = field(default_factory=dict)
    build: BuildReport | None = None
    figures: FiguresReport | None = None
    setup: dict[str, Any] = field(default_factory=dict)
    app_errors: dict[str, Any] = field(default_factory=dict)

    @property
    def hello_rps(self) -> float:
        """The mean of hello's runs (one at the start, one at the end)."""
        rates = [m.rps for m in self.hello]
        return sum(rates) / len(rates) if rates else 0.0

    def growth(self) -> dict[str, float | None]:
        return {
            name: growth_ratio(self.endpoints.get(name), self.small.get(name))
            for name in LEARNER_ENDPOINTS + CLASS_ENDPOINTS
        }


def web_json(report: WebReport) -> str:
    """The report as JSON: baseline, endpoints, growth, and the rest as extra keys."""
    hello = report.hello_rps
    every = {**report.endpoints, **{f"{k}_small": v for k, v in report.small.items()}}
    every.update({f"{k}_typical": v for k, v in report.typical.items()})
    out: dict[str, Any] = {
        "baseline": {
            "hello_rps": round(hello, 2),
            "hello_runs_rps": [round(m.rps, 2) for m in report.hello],
        },
        "endpoints": {name: m.figures(hello) for name, m in report.endpoints.items()},
        "growth": report.growth(),
        "small": {name: m.figures(hello) for name, m in report.small.items()},
        "typical": {name: m.figures(hello) for name, m in report.typical.items()},
        "class_5000": report.class_5000,
        "requests": {name: m.counts() for name, m in every.items()},
        "build_seconds": None if report.build is None else round(report.build.total_seconds, 1),
        "figures_seconds": (
            None if report.figures is None else round(sum(report.figures.seconds.values()), 1)
        ),
        "setup": report.setup,
        "app_errors": report.app_errors,
    }
    return json.dumps(out, indent=2)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def format_web(report: WebReport) -> str:
    """The readable table."""
    hello = report.hello_rps
    setup = report.setup
    lines = [
        f"web: {setup.get('workers')} gunicorn sync workers, {setup.get('clients')} clients, "
        f"{setup.get('duration')} s per endpoint, app at {setup.get('commit')}",
    ]
    if report.build is not None:
        lines.append(
            f"data built in {report.build.total_seconds:.0f} s: "
            + ", ".join(f"{v:,} {k}" for k, v in report.build.counts.items())
        )
    if report.figures is not None:
        lines.append(
            f"figures: {report.figures.rebuilt:,} learners rebuilt, "
            f"{sum(report.figures.fitted.values())} models stored in "
            f"{sum(report.figures.seconds.values()):.0f} s"
        )
    runs = ", ".join(f"{m.rps:.0f}" for m in report.hello)
    lines += [
        f"hello (bare Flask): {hello:.0f} req/s (runs: {runs})",
        "",
        f"{'endpoint':<18}{'who':<26}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}"
        f"{'x hello':>10}{'growth':>9}  notes",
    ]
    growth = report.growth()
    rows: list[tuple[str, str, Measurement, float | None]] = []
    for name, m in report.endpoints.items():
        rows.append((name, setup.get("who", {}).get(name, ""), m, growth.get(name)))
    for name, m in report.small.items():
        rows.append((name, setup.get("who_small", {}).get(name, ""), m, None))
    for name, m in report.typical.items():
        rows.append((name, "typical learners", m, None))
    for name, who, m, ratio in rows:
        notes = []
        if m.timeouts:
            notes.append(f"{m.timeouts} timed out")
        if m.errors:
            notes.append(f"{m.errors} errors ({m.first_error})")
        lines.append(
            f"{name:<18}{who:<26}{m.rps:>9.1f}{_ms(m.p50_ms):>10}{_ms(m.p99_ms):>10}"
            f"{m.rps / hello if hello else 0:>10.4f}"
            f"{'' if ratio is None else f'{ratio:.2f}':>9}  {'; '.join(notes)}"
        )
    lines.append("growth: p50 of the large case over p50 of the small one")
    big = report.class_5000
    if big:
        lines += ["", f"class of {big.get('members', '?')} learners:"]
        for name in CLASS_ENDPOINTS:
            times = ", ".join(_ms(t) for t in big.get(f"{name}_ms", []))
            lines.append(f"  {name}: {times or '-'} ms  {big.get(f'{name}_note', '')}".rstrip())
        lines.append(
            f"  worker resident memory: before {_ms(big.get('rss_before_mib'))} MiB, "
            f"peak {_ms(big.get('peak_rss_mib'))} MiB (VmHWM {_ms(big.get('vmhwm_mib'))} MiB)"
        )
    if report.app_errors:
        last = str(report.app_errors.get("last", "")).splitlines()[-1:] or [""]
        count = report.app_errors["tracebacks"]
        lines.append(f"the app logged {count} traceback(s), the last: {last[0]}")
    return "\n".join(lines)


# Answers ------------------------------------------------------------------------------------


def _answer_forms(
    specs: Mapping[int, tuple[str, dict[str, Any]]],
) -> dict[int, list[list[tuple[str, str]]]]:
    """Per question: the form of the right answer first, then of wrong ones."""
    return {
        qid: [get_type(qtype).form_fields(r) for r, _ in answer_variants(qtype, spec)]
        for qid, (qtype, spec) in specs.items()
    }


# HTTP ---------------------------------------------------------------------------------------


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


def _csrf(page: str) -> str:
    match = _CSRF_RE.search(page)
    if match is None:
        raise UnexpectedResponse("no CSRF token in the page")
    return match.group(1)


def login(client: Client, email: str) -> str:
    """Log in through the form; return a CSRF token valid for the session."""
    page, _ = client.expect("GET", "/auth/login", 200)
    token = _csrf(page.body)
    fields = [("email", email), ("password", PASSWORD), ("csrf_token", token)]
    client.expect("POST", "/auth/login", 302, fields)
    return token


def start_session(client: Client, token: str, mode: str = "due") -> int:
    """Start a study session; return its id."""
    response, _ = client.expect(
        "POST", "/study/start", 302, [("mode", mode), ("csrf_token", token)]
    )
    match = _SESSION_RE.search(response.location)
    if match is None:
        raise UnexpectedResponse(f"POST /study/start went to {response.location!r}")
    return int(match.group(1))


def _question_page(client: Client, session_id: int) -> tuple[int, str] | None:
    """The question the session shows (id, CSRF token), None once the session is over."""
    page, _ = client.expect("GET", f"/study/{session_id}", 200)
    match = _QUESTION_RE.search(page.body)
    return None if match is None else (int(match.group(1)), _csrf(page.body))


def session_with_question(client: Client, token: str) -> int:
    """A new session that has a question to show: due ones, else the weakest topics."""
    for mode in ("due", "weak"):
        session_id = start_session(client, token, mode)
        if _question_page(client, session_id) is not None:
            return session_id
    raise UnexpectedResponse("no question to study: both due and weak sessions are empty")


# gunicorn -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """A gunicorn master and its sync workers on a free port of 127.0.0.1."""

    def __init__(
        self,
        app: str,
        workers: int,
        env: Mapping[str, str],
        timeout: float,
        logs: Path,
        name: str,
    ) -> None:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
        if gunicorn is None:
            raise RuntimeError("gunicorn is not installed next to the interpreter")
        self.port = _free_port()
        self.workers = workers
        self.log = logs / f"{name}.log"
        self.proc = subprocess.Popen(
            [
                gunicorn,
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                str(math.ceil(timeout) + 5),
                "--error-logfile",
                str(self.log),
                "--capture-output",
                "--no-control-socket",
                app,
            ],
            env=dict(env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches this process; it stops the server
        )

    def wait_ready(self, path: str, seconds: float = 60.0) -> None:
        """Wait until the server answers ``path`` to a burst of concurrent requests (so that
        every worker has loaded the app)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.proc.poll() is None:
            probes = [Client(self.port, 10.0) for _ in range(4 * self.workers)]
            try:
                with ThreadPoolExecutor(max_workers=len(probes)) as pool:
                    list(pool.map(lambda c: c.expect("GET", path, 200), probes))
                return
            except (RequestTimeout, UnexpectedResponse):
                time.sleep(0.3)
        tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
        raise RuntimeError(f"gunicorn did not start serving {path}:\n{tail}")

    def worker_pids(self) -> list[int]:
        """The pids of the master's children (its workers)."""
        pid = self.proc.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def tracebacks(self) -> tuple[int, str]:
        """How many tracebacks the server logged, and the last one."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        blocks = text.split("Traceback (most recent call last):")
        if len(blocks) < 2:
            return 0, ""
        last = [line for line in blocks[-1].splitlines() if line.strip()]
        end = next((i for i, line in enumerate(last) if not line.startswith((" ", "\t"))), 0)
        return len(blocks) - 1, "\n".join(last[max(0, end - 7) : end + 3])

    def stop(self) -> None:
        """Stop the master and its workers (TERM, then KILL of the process group)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            with suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=20)
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # any worker left behind
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)


def _status_kib(pid: int, key: str) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return None


@contextmanager
def _servers(
    database_url: str, workers: int, timeout: float
) -> Iterator[tuple[Server, Server, Path]]:
    """The app and hello servers, stopped whatever happens."""
    with tempfile.TemporaryDirectory(prefix="quizapp-bench-web-") as tmp:
        root = Path(tmp)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "QUIZAPP_DATABASE_URL": database_url,
            "QUIZAPP_SECRET_KEY": SECRET_KEY,
            "QUIZAPP_INSTANCE_PATH": str(root / "instance"),
        }
        started: list[Server] = []
        try:
            hello = Server("quizapp.bench.hello:app", workers, env, timeout, root, "hello")
            started.append(hello)
            app = Server("quizapp:create_app()", workers, env, timeout, root, "app")
            started.append(app)
            hello.wait_ready("/")
            app.wait_ready("/auth/login")
            yield hello, app, root
        finally:
            for server in started:
                server.stop()


# Load ---------------------------------------------------------------------------------------

Step = Callable[[], float]
"""One measured request (with any unmeasured ones it needs); returns its latency in seconds."""


def run_load(
    name: str,
    steps: Sequence[Step],
    duration: float,
    stop: threading.Event,
    max_requests: int = MAX_REQUESTS,
) -> Measurement:
    """Run each step in its own thread, over and over, for ``duration`` seconds."""
    latencies: list[list[float]] = [[] for _ in steps]
    errors: list[str] = []
    timeouts = [0]
    count = [0]
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + duration

    def loop(i: int) -> None:
        while not stop.is_set() and time.monotonic() < deadline:
            with lock:
                if count[0] >= max_requests:
                    return
                count[0] += 1
            try:
                latencies[i].append(steps[i]())
            except RequestTimeout:
                with lock:
                    timeouts[0] += 1
            except UnexpectedResponse as exc:
                with lock:
                    errors.append(str(exc))
                time.sleep(0.05)

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(len(steps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    return Measurement(
        name,
        tuple(x for per_client in latencies for x in per_client),
        elapsed,
        errors=len(errors),
        timeouts=timeouts[0],
        first_error=errors[0] if errors else "",
    )


def _warm(steps: Sequence[Step]) -> None:
    """Run every step once, not measured (connections, caches, first-request work)."""

    def once(step: Step) -> None:
        with suppress(RequestTimeout, UnexpectedResponse):
            step()

    with ThreadPoolExecutor(max_workers=len(steps)) as pool:
        list(pool.map(once, steps))


def _settle(app: Server, timeout: float) -> None:
    """After timeouts, wait until every worker is free again (a stuck one gets restarted)."""
    deadline = time.monotonic() + timeout + 30
    while time.monotonic() < deadline:
        try:
            probes = [Client(app.port, 3.0) for _ in range(max(1, len(app.worker_pids())))]
            with ThreadPoolExecutor(max_workers=len(probes)) as pool:
                list(pool.map(lambda c: c.expect("GET", "/auth/login", 200), probes))
            return
        except (RequestTimeout, UnexpectedResponse):
            time.sleep(1.0)


# Scenarios ----------------------------------------------------------------------------------


@dataclass
class _Learner:
    """A logged-in client of one learner, with its study session."""

    client: Client
    token: str
    session_id: int = 0


class Scenarios:
    """The steps of every endpoint, for clients logged in as the benchmark's users."""

    def __init__(
        self, port: int, timeout: float, forms: Mapping[int, list[list[tuple[str, str]]]]
    ) -> None:
        self.port = port
        self.timeout = timeout
        self.forms = forms
        self.rng = random.Random(7)

    def client(self) -> Client:
        return Client(self.port, self.timeout)

    def learners(self, emails: Sequence[str]) -> list[_Learner]:
        out = []
        for email in emails:
            client = self.client()
            out.append(_Learner(client, login(client, email)))
        return out

    @staticmethod
    def get(client: Client, path: str) -> Step:
        return lambda: client.expect("GET", path, 200)[1]

    def question(self, learner: _Learner) -> Step:
        learner.session_id = session_with_question(learner.client, learner.token)
        path = f"/study/{learner.session_id}"

        def step() -> float:
            page, latency = learner.client.expect("GET", path, 200)
            if _QUESTION_RE.search(page.body) is None:
                raise UnexpectedResponse(f"GET {path}: no question (the session is over)")
            return latency

        return step

    def start_session(self, learner: _Learner) -> Step:
        fields = [("mode", "due"), ("csrf_token", learner.token)]
        return lambda: learner.client.expect("POST", "/study/start", 302, fields)[1]

    def answer(self, learner: _Learner) -> Step:
        def step() -> float:
            shown = None
            if learner.session_id:
                shown = _question_page(learner.client, learner.session_id)
            if shown is None:
                learner.session_id = session_with_question(learner.client, learner.token)
                shown = _question_page(learner.client, learner.session_id)
                if shown is None:
                    raise UnexpectedResponse("a new session shows no question")
            question_id, token = shown
            forms = self.forms.get(question_id)
            if forms is None:
                raise UnexpectedResponse(f"question {question_id} is not in the benchmark's bank")
            right = self.rng.random() < RIGHT_ANSWERS
            form = forms[0] if right else self.rng.choice(forms[1:])
            fields = [
                *form,
                ("question_id", str(question_id)),
                ("shown_at", str(int(time.time() * 1000) - 8_000)),
                ("csrf_token", token),
            ]
            path = f"/study/{learner.session_id}/answer"
            return learner.client.expect("POST", path, 303, fields)[1]

        return step

    def login(self, emails: Sequence[str]) -> Step:
        """POST the login form with a session that is not logged in (its cookies kept)."""
        client = self.client()
        token = _csrf(client.expect("GET", "/auth/login", 200)[0].body)
        turn = iter(range(10**9))

        def step() -> float:
            email = emails[next(turn) % len(emails)]
            fields = [("email", email), ("password", PASSWORD), ("csrf_token", token)]
            return client.expect("POST", "/auth/login", 302, fields, keep_cookies=False)[1]

        return step


# The run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebOptions:
    """The command's options (see ``python -m quizapp.bench web --help``)."""

    database_url: str
    workers: int = 2
    clients: int = 4
    duration: float = 10.0
    timeout: float = 60.0
    scale: float = 1.0
    learners: int | None = None
    reviews: int | None = None
    processes: int = 2
    reuse: bool = False
    build_only: bool = False
    fit_others: int = 300
    fit_budget: float = 90.0

    def config(self) -> BuildConfig:
        config = BuildConfig(processes=self.processes)
        if self.scale != 1.0:
            config = config.scaled(self.scale)
        return replace(
            config,
            learners=self.learners or config.learners,
            reviews=self.reviews or config.reviews,
        )


def _commit() -> str:
    """The app's commit (``+dirty`` with uncommitted changes), if this is a git checkout."""
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty=+dirty", "--abbrev=10"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _each(
    make: Callable[[_Learner], Step], who: Callable[[], list[_Learner]]
) -> Callable[[], list[Step]]:
    """Set-up of one step per logged-in client."""
    return lambda: [make(x) for x in who()]


def _page(path: str) -> Callable[[_Learner], Step]:
    return lambda user: Scenarios.get(user.client, path)


class _Run:
    """One measuring run against started servers."""

    def __init__(
        self,
        options: WebOptions,
        data: BenchData,
        hello: Server,
        app: Server,
        report: WebReport,
    ) -> None:
        self.options = options
        self.data = data
        self.hello = hello
        self.app = app
        self.report = report
        self.stop = threading.Event()
        self.clients: list[Client] = []
        forms = _answer_forms(question_specs(options.database_url))
        self.scenarios = Scenarios(app.port, options.timeout, forms)

    def measure(
        self, name: str, make_steps: Callable[[], Sequence[Step]], label: str = ""
    ) -> Measurement:
        """Set up the clients' steps (logins, sessions), warm them up, then measure them.

        A setup that fails is recorded as the endpoint's error; the run goes on.
        """
        _log(f"  {label or name} ...")
        try:
            steps = make_steps()
        except (RequestTimeout, UnexpectedResponse) as exc:
            _log(f"    could not set up: {exc}")
            _settle(self.app, self.options.timeout)
            return Measurement(name, (), 0.0, errors=1, first_error=f"setup: {exc}")
        _warm(steps)
        result = run_load(name, steps, self.options.duration, self.stop)
        if result.timeouts:
            _settle(self.app, self.options.timeout)
        note = f" ({result.timeouts} timed out)" if result.timeouts else ""
        _log(f"    {result.rps:.1f} req/s, p50 {_ms(result.p50_ms)} ms{note}")
        return result

    @property
    def n(self) -> int:
        return self.options.clients

    def logged_in(self, emails: Sequence[str]) -> Callable[[], list[_Learner]]:
        """Clients logged in as ``emails``, once, when first asked for."""
        done: list[_Learner] = []

        def get() -> list[_Learner]:
            if not done:
                done.extend(self.scenarios.learners(emails))
                self.clients += [x.client for x in done]
            return done

        return get

    def hello_run(self) -> None:
        steps = [Scenarios.get(Client(self.hello.port, 10.0), "/") for _ in range(self.n)]
        self.report.hello.append(self.measure("hello", lambda: steps))

    def learner(self, email: str, into: dict[str, Measurement], label: str) -> None:
        learners = self.logged_in([email] * self.n)
        scenarios = self.scenarios
        into["home"] = self.measure("home", _each(_page("/"), learners), f"home, {label}")
        for name, make in (
            ("question", scenarios.question),
            ("start_session", scenarios.start_session),
            ("answer", scenarios.answer),
        ):
            into[name] = self.measure(name, _each(make, learners), f"{name}, {label}")

    def course(self, course_id: int, into: dict[str, Measurement], label: str) -> None:
        teachers = self.logged_in([INSTRUCTOR_EMAIL] * self.n)
        for name, path in (
            ("class_overview", f"/courses/{course_id}"),
            ("class_questions", f"/courses/{course_id}/questions"),
        ):
            into[name] = self.measure(name, _each(_page(path), teachers), f"{name}, {label}")

    def class_5000(self) -> None:
        """A few requests of each page of the huge class, and the workers' memory meanwhile."""
        course_id = self.data.classes[2]
        teacher = self.scenarios.learners([INSTRUCTOR_EMAIL])[0]
        self.clients.append(teacher.client)
        pids = self.app.worker_pids()
        out: dict[str, Any] = {"members": self.data.class_sizes[2]}
        out["rss_before_mib"] = _round(max((_status_kib(p, "VmRSS") or 0) for p in pids) / 1024)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                for pid in self.app.worker_pids():
                    peak[0] = max(peak[0], _status_kib(pid, "VmRSS") or 0)
                done.wait(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            for name, path in (
                ("class_overview", f"/courses/{course_id}"),
                ("class_questions", f"/courses/{course_id}/questions"),
            ):
                _log(f"  {name}, class of 5,000 ...")
                times: list[float] = []
                for _ in range(CLASS_5000_REQUESTS):
                    try:
                        times.append(teacher.client.expect("GET", path, 200)[1] * 1000)
                    except (RequestTimeout, UnexpectedResponse) as exc:
                        out[f"{name}_note"] = str(exc)
                        _settle(self.app, self.options.timeout)
                        break
                out[f"{name}_ms"] = [round(t, 1) for t in times]
                _log(f"    {', '.join(f'{t:.0f}' for t in times) or '-'} ms")
        finally:
            done.set()
            sampler.join()
        out["peak_rss_mib"] = _round(peak[0] / 1024)
        hwm = [_status_kib(p, "VmHWM") or 0 for p in self.app.worker_pids()]
        out["vmhwm_mib"] = _round(max(hwm, default=0) / 1024)
        self.report.class_5000 = out

    def run(self) -> None:
        self.hello_run()
        self.learner(LARGE_EMAIL, self.report.endpoints, "large learner")
        self.course(self.data.classes[0], self.report.endpoints, "class of 500")
        emails = self.data.typical_emails
        self.report.endpoints["login"] = self.measure(
            "login", lambda: [self.scenarios.login(emails) for _ in range(self.n)]
        )
        self.learner(SMALL_EMAIL, self.report.small, "small learner")
        self.course(self.data.classes[1], self.report.small, "class of 50")
        typical = self.logged_in([emails[i % len(emails)] for i in range(self.n)])
        self.report.typical["home"] = self.measure(
            "home", _each(_page("/"), typical), "home, typical learners"
        )
        try:
            self.class_5000()
        except (RequestTimeout, UnexpectedResponse) as exc:
            self.report.class_5000 = {"members": self.data.class_sizes[2], "error": str(exc)}
        self.hello_run()

    def close(self) -> None:
        self.stop.set()
        for client in self.clients:
            client.close()


def _data(options: WebOptions, report: WebReport) -> BenchData:
    """Build the data (or find it with ``--reuse``) and the learners' stored figures."""
    url = options.database_url
    config = options.config()
    if options.reuse:
        data = find_bench_data(url)
    else:
        _log(f"building the data: {config}")
        report.build = build_data(url, config, _log)
        _log(f"built in {report.build.total_seconds:.0f} s")
        data = find_bench_data(url)
    if not figures_stored(url):
        _log("computing the learners' figures")
        report.figures = compute_figures(
            url,
            [data.large_user, data.small_user],
            fit_others=options.fit_others,
            fit_budget_seconds=options.fit_budget,
            processes=config.processes,
            log=_log,
        )
    return data


def run_web(options: WebOptions) -> WebReport:
    """Build or find the data, then serve and measure (nothing measured with ``build_only``).

    Raises:
        DataExistsError: the database has accounts and ``reuse`` was not given.
        LookupError: ``reuse`` was given but the database has no benchmark data.
    """
    report = WebReport()
    data = _data(options, report)
    if options.build_only:
        return report
    report.setup = {
        "workers": options.workers,
        "clients": options.clients,
        "duration": options.duration,
        "timeout": options.timeout,
        "commit": _commit(),
        "heavy_reviews": list(data.heavy_reviews),
        "class_sizes": list(data.class_sizes),
        "who": {
            **dict.fromkeys(LEARNER_ENDPOINTS, f"learner, {data.heavy_reviews[0]:,} answers"),
            **dict.fromkeys(CLASS_ENDPOINTS, f"class of {data.class_sizes[0]:,}"),
            "login": "typical learners",
        },
        "who_small": {
            **dict.fromkeys(LEARNER_ENDPOINTS, f"learner, {data.heavy_reviews[1]:,} answers"),
            **dict.fromkeys(CLASS_ENDPOINTS, f"class of {data.class_sizes[1]:,}"),
        },
    }
    _log(f"serving with {options.workers} gunicorn workers")
    with _servers(options.database_url, options.workers, options.timeout) as (hello, app, _):
        run = _Run(options, data, hello, app, report)
        try:
            run.run()
        finally:
            run.close()
            count, last = app.tracebacks()
            if count:
                report.app_errors = {"tracebacks": count, "last": last}
                _log(f"the app logged {count} traceback(s); the last one ends:\n{last}")
    return report
