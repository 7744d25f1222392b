"""``python -m quizapp.bench quizload``: a class of learners starting the same quiz within a minute.

Issue 15's "Scale": 500 learners start the same quiz within one minute against gunicorn on
PostgreSQL, with no error, every saved answer stored once, and the p99 of saving an answer
within the budget of the study loop's answer (``bench web``'s ``answer``).

One run builds its data in an empty database (``quizload_data``), serves the app and the bare
"hello" app with gunicorn exactly as ``bench web`` does (sync workers), then:

1. hello for ``duration`` seconds (the machine's figure), and the study loop's answer: a few
   learners studying the set, each GETting its question (not timed) and POSTing an answer
   (timed), for ``duration`` seconds, as ``bench web``'s ``answer`` scenario;
2. the quiz: learner ``i`` begins at ``i * window / learners`` seconds; a bounded pool of
   ``clients`` threads sends every request (a learner whose turn has come waits for a free
   thread). Each learner logs in through the login form (``login_first``: all of them before
   the window), opens the quiz and starts it, and for each of its 6 questions GETs the page and
   POSTs an answer (``go=next``, timed: the save), half of them twice (a double post), then GETs
   the summary and submits, pausing ``think`` seconds (0.5-1.5 x) after each page. Any status
   or redirect other than the app's expected one is an error, and that learner stops there;
3. the database is checked: answers stored (``quiz_answers`` rows with a response) must equal
   the distinct (attempt, question) pairs answered, every learner's attempt is submitted, every
   stored answer became one review; then hello again.

Exit status 1 on any error (a request, a traceback in the app's log) or mismatch.
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa

from quizapp.bench.quizload_data import (
    PER_TOPIC,
    ROOMS,
    TOPICS,
    QuizData,
    build_quiz_data,
    room_of,
)
from quizapp.bench.webclient import (
    Client,
    RequestTimeout,
    Response,
    UnexpectedResponse,
    csrf,
)
from quizapp.bench.webconfig import PASSWORD
from quizapp.bench.webdata import question_specs
from quizapp.bench.webdb import bench_context
from quizapp.bench.webload import run_load, warm
from quizapp.bench.webreport import Measurement, percentile
from quizapp.bench.webscenarios import Scenarios, answer_forms
from quizapp.bench.webserve import servers
from quizapp.extensions import db
from quizapp.quizzes.models import QuizAnswer, QuizAttempt

__all__ = [
    "HttpClient",
    "QuizLoadOptions",
    "QuizRun",
    "check_stored",
    "format_quizload",
    "log_in",
    "quiz_steps",
    "run_quiz_load",
    "run_quizload",
]

QUESTIONS = TOPICS * PER_TOPIC
RIGHT_ANSWERS = 0.7
_ATTEMPT_RE = re.compile(r"/quizzes/attempts/(\d+)/(\d+)$")
_SPECIMEN_RE = re.compile(r"specimen (\d+) kept")


class HttpClient(Protocol):
    """What a learner's client does: ``webclient.Client``, or a Flask test client's adapter."""

    def expect(
        self,
        method: str,
        path: str,
        status: int,
        fields: Sequence[tuple[str, str]] | None = None,
    ) -> tuple[Response, float]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class QuizLoadOptions:
    """The command's options (see ``python -m quizapp.bench quizload --help``)."""

    database_url: str
    learners: int = 500
    window: float = 60.0
    clients: int = 12
    studiers: int = 4
    duration: float = 10.0
    workers: int = 2
    timeout: float = 60.0
    think: float = 0.0
    login_first: bool = False
    seed: int = 15


@dataclass
class LearnerRun:
    """What one learner did: its saves' latencies, the answers it posted, its first error."""

    email: str
    attempt_id: int = 0
    scheduled: float = 0.0  # seconds after the run's start the learner was due to start
    started: float = 0.0  # ... and when its attempt was started (the start's answer)
    timings: dict[str, list[float]] = field(default_factory=dict)  # seconds, by request kind
    answered: set[tuple[int, int]] = field(default_factory=set)  # (attempt, n)
    posts: int = 0
    doubled: int = 0
    submitted: bool = False
    error: str = ""


@dataclass
class QuizRun:
    """The quiz phase: every learner's run and the phase's duration."""

    learners: list[LearnerRun]
    seconds: float

    @property
    def errors(self) -> list[str]:
        return [f"{r.email}: {r.error}" for r in self.learners if r.error]

    def ms(self, kind: str) -> list[float]:
        return [s * 1000 for r in self.learners for s in r.timings.get(kind, ())]

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(k for r in self.learners for k in r.timings))

    @property
    def answered(self) -> set[tuple[int, int]]:
        return {pair for r in self.learners for pair in r.answered}


class _Timed:
    """A learner's client that keeps every request's latency by kind."""

    def __init__(self, client: HttpClient, run: LearnerRun) -> None:
        self.client = client
        self.run = run

    def __call__(
        self,
        kind: str,
        method: str,
        path: str,
        status: int,
        fields: Sequence[tuple[str, str]] | None = None,
    ) -> Response:
        response, latency = self.client.expect(method, path, status, fields)
        self.run.timings.setdefault(kind, []).append(latency)
        return response


def _redirect(response: Response, method: str, path: str, ends: str) -> None:
    if not response.location.endswith(ends):
        raise UnexpectedResponse(f"{method} {path} went to {response.location!r}, not {ends!r}")


def log_in(client: HttpClient, run: LearnerRun) -> None:
    """Log in through the form."""
    send = _Timed(client, run)
    page = send("login_page", "GET", "/auth/login", 200)
    fields = [("email", run.email), ("password", PASSWORD), ("csrf_token", csrf(page.body))]
    send("login", "POST", "/auth/login", 302, fields)


def quiz_steps(
    client: HttpClient,
    run: LearnerRun,
    quiz_id: int,
    rng: random.Random,
    clock: Callable[[], float],
    *,
    login: bool = True,
) -> Iterator[None]:
    """One learner's whole quiz, a pause (``yield``: the learner reads or thinks) after each
    page seen: log in (unless ``login`` is false: done before), start, answer every question
    (half of them posted twice), look at the summary, submit. Raises at the first unexpected
    answer."""
    send = _Timed(client, run)
    if login:
        log_in(client, run)
        yield
    page = send("quiz_page", "GET", f"/quizzes/{quiz_id}", 200)
    path = f"/quizzes/{quiz_id}/start"
    started = send("start", "POST", path, 302, [("csrf_token", csrf(page.body))])
    run.started = clock()
    match = _ATTEMPT_RE.search(started.location)
    if match is None:
        raise UnexpectedResponse(f"POST {path} went to {started.location!r}, not an attempt")
    run.attempt_id = attempt = int(match.group(1))
    twice = set(rng.sample(range(1, QUESTIONS + 1), QUESTIONS // 2))
    for n in range(1, QUESTIONS + 1):
        path = f"/quizzes/attempts/{attempt}/{n}"
        page = send("question", "GET", path, 200)
        yield
        shown = _SPECIMEN_RE.search(page.body)
        if shown is None:
            raise UnexpectedResponse(f"GET {path}: no question of the load test's set")
        right = room_of(int(shown.group(1)))
        room = right if rng.random() < RIGHT_ANSWERS else rng.choice(ROOMS)
        fields = [("answer", room), ("go", "next"), ("csrf_token", csrf(page.body))]
        then = f"/attempts/{attempt}/{n + 1}" if n < QUESTIONS else f"/attempts/{attempt}/summary"
        for _ in range(2 if n in twice else 1):
            response = send("save", "POST", path, 302, fields)
            _redirect(response, "POST", path, then)
            run.posts += 1
        run.doubled += n in twice
        run.answered.add((attempt, n))
    path = f"/quizzes/attempts/{attempt}/summary"
    page = send("summary", "GET", path, 200)
    yield
    path = f"/quizzes/attempts/{attempt}/submit"
    response = send("submit", "POST", path, 302, [("csrf_token", csrf(page.body))])
    _redirect(response, "POST", path, f"/attempts/{attempt}/review")
    run.submitted = True


def run_quiz_load(
    make_client: Callable[[], HttpClient],
    emails: Sequence[str],
    quiz_id: int,
    *,
    window: float,
    clients: int,
    think: float = 0.0,
    login_first: bool = False,
    seed: int = 15,
    stop: threading.Event | None = None,
) -> QuizRun:
    """Learner ``i`` begins at ``i * window / len(emails)`` seconds and pauses ``think`` seconds
    (0.5-1.5 x, at random) after each page; a pool of ``clients`` threads sends every request
    (bounded: a learner whose turn has come waits for a free thread). ``login_first``: every
    learner logs in before the window (not counted in the run's seconds)."""
    stop = stop or threading.Event()
    runs = [
        LearnerRun(email, scheduled=i * window / max(1, len(emails)))
        for i, email in enumerate(emails)
    ]
    users = [make_client() for _ in runs]
    rng = random.Random(seed)
    if login_first:
        turn = iter(range(len(runs)))
        lock = threading.Lock()

        def log_in_all() -> None:
            while not stop.is_set():
                with lock:
                    i = next(turn, None)
                if i is None:
                    return
                try:
                    log_in(users[i], runs[i])
                except (RequestTimeout, UnexpectedResponse) as exc:
                    runs[i].error = f"login: {exc}"

        _threads(clients, log_in_all)
    start = time.monotonic()

    def clock() -> float:
        return time.monotonic() - start

    order = itertools.count()
    due: list[tuple[float, int, int, Iterator[None]]] = []
    for i, run in enumerate(runs):
        if not run.error:
            steps = quiz_steps(
                users[i], run, quiz_id, random.Random(f"{seed}:{i}"), clock, login=not login_first
            )
            heapq.heappush(due, (run.scheduled, next(order), i, steps))
    left = [len(due)]
    cond = threading.Condition()

    def next_step() -> tuple[float, int, int, Iterator[None]] | None:
        with cond:
            while left[0] and not stop.is_set():
                wait = due[0][0] - clock() if due else 0.5
                if due and wait <= 0:
                    return heapq.heappop(due)
                cond.wait(min(wait, 0.5))
            return None

    def work() -> None:
        while (item := next_step()) is not None:
            _, _, i, steps = item
            try:
                next(steps)
            except StopIteration:
                pass
            except (RequestTimeout, UnexpectedResponse) as exc:
                runs[i].error = str(exc)
            else:
                with cond:
                    pause = think * (0.5 + rng.random())
                    heapq.heappush(due, (clock() + pause, next(order), i, steps))
                    cond.notify()
                continue
            users[i].close()
            with cond:
                left[0] -= 1
                cond.notify_all()

    _threads(clients, work)
    for user in users:
        user.close()
    return QuizRun(runs, clock())


def _threads(n: int, target: Callable[[], None]) -> None:
    threads = [threading.Thread(target=target, daemon=True) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@dataclass(frozen=True)
class Stored:
    """What the database holds for the quiz after the run."""

    attempts: int
    submitted: int
    answer_rows: int
    answers_stored: int  # rows with a response
    reviews: int  # distinct reviews the stored answers became
    per_attempt: dict[int, int]  # attempt -> answers with a response


def check_stored(url: str, quiz_id: int) -> Stored:
    """Count, straight from the database, what the quiz's attempts stored."""
    with bench_context(url):
        attempts = db.session.execute(
            sa.select(QuizAttempt.id, QuizAttempt.submitted_at).where(
                QuizAttempt.quiz_id == quiz_id
            )
        ).all()
        rows = db.session.execute(
            sa.select(QuizAnswer.attempt_id, QuizAnswer.response, QuizAnswer.review_log_id)
            .join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
            .where(QuizAttempt.quiz_id == quiz_id)
        ).all()
    per_attempt: dict[int, int] = {}
    for attempt_id, response, _ in rows:
        if response is not None:
            per_attempt[attempt_id] = per_attempt.get(attempt_id, 0) + 1
    return Stored(
        attempts=len(attempts),
        submitted=sum(1 for _, submitted in attempts if submitted is not None),
        answer_rows=len(rows),
        answers_stored=sum(per_attempt.values()),
        reviews=len({r for _, response, r in rows if response is not None and r is not None}),
        per_attempt=per_attempt,
    )


def mismatches(run: QuizRun, stored: Stored, learners: int) -> list[str]:
    """Every way the database disagrees with what the learners did."""
    out = []
    answered = run.answered
    if stored.answers_stored != len(answered):
        out.append(f"{stored.answers_stored} answers stored, {len(answered)} answered")
    posted: dict[int, int] = {}
    for attempt, _ in answered:
        posted[attempt] = posted.get(attempt, 0) + 1
    wrong = [a for a in posted if stored.per_attempt.get(a, 0) != posted[a]]
    if wrong:
        out.append(f"{len(wrong)} attempts store another number of answers than posted")
    if stored.submitted != learners:
        out.append(f"{stored.submitted} attempts submitted, {learners} learners")
    if stored.attempts != learners:
        out.append(f"{stored.attempts} attempts, {learners} learners")
    if stored.answer_rows != QUESTIONS * stored.submitted:
        out.append(f"{stored.answer_rows} answer rows, {QUESTIONS} x {stored.submitted} expected")
    if stored.reviews != stored.answers_stored:
        out.append(f"{stored.reviews} reviews from {stored.answers_stored} stored answers")
    return out


def _p(values: Sequence[float], q: float) -> float | None:
    return round(percentile(values, q), 1) if values else None


def quiz_figures(run: QuizRun, stored: Stored, learners: int, window: float) -> dict[str, Any]:
    """The quiz phase's figures (everything but the study loop and hello)."""
    saves = run.ms("save")
    started = sorted(r.started for r in run.learners if r.attempt_id)
    lag = [r.started - r.scheduled for r in run.learners if r.attempt_id]
    return {
        "learners": learners,
        "window_s": window,
        "errors": len(run.errors),
        "first_errors": run.errors[:5],
        "answers_posted": sum(r.posts for r in run.learners),
        "doubled_posts": sum(r.doubled for r in run.learners),
        "answers_answered": len(run.answered),
        "stored": {k: v for k, v in asdict(stored).items() if k != "per_attempt"},
        "mismatches": mismatches(run, stored, learners),
        "save_p50_ms": _p(saves, 50),
        "save_p99_ms": _p(saves, 99),
        "save_max_ms": round(max(saves), 1) if saves else None,
        "starts": len(started),
        "starts_per_s": round(len(started) / started[-1], 2) if started and started[-1] else None,
        "last_start_s": round(started[-1], 1) if started else None,
        "start_lag_max_s": round(max(lag), 1) if lag else None,
        "quiz_seconds": round(run.seconds, 1),
        "requests": {
            kind: {
                "count": len(run.ms(kind)),
                "p50_ms": _p(run.ms(kind), 50),
                "p99_ms": _p(run.ms(kind), 99),
                "mean_ms": round(sum(run.ms(kind)) / len(run.ms(kind)), 1),
            }
            for kind in run.kinds
        },
    }


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _measured(m: Measurement) -> dict[str, Any]:
    values = [x * 1000 for x in m.latencies]
    return {
        "rps": round(m.rps, 1),
        "p50_ms": _p(values, 50),
        "p99_ms": _p(values, 99),
        "count": len(values),
        "errors": m.errors + m.timeouts,
        "first_error": m.first_error,
    }


def run_quizload(options: QuizLoadOptions) -> dict[str, Any]:
    """Build the data, serve it, measure hello, the study answer and the quiz; check the
    database. Returns the report (``ok`` false on any error or mismatch).

    Raises:
        DataExistsError: the database already has accounts.
    """
    started = time.monotonic()
    _log(f"building {options.learners} learners and the quiz")
    data = build_quiz_data(options.database_url, options.learners, options.studiers, _log)
    forms = answer_forms(question_specs(options.database_url))
    report: dict[str, Any] = {
        "setup": {
            "workers": options.workers,
            "clients": options.clients,
            "studiers": options.studiers,
            "duration": options.duration,
            "think_s": options.think,
            "login_first": options.login_first,
            "build_seconds": round(data.seconds, 1),
        }
    }
    stop = threading.Event()
    _log(f"serving with {options.workers} gunicorn workers")
    with servers(options.database_url, options.workers, options.timeout) as (hello, app, _):
        hello_runs = []

        def hello_once() -> None:
            steps = [Scenarios.get(Client(hello.port, 10.0), "/") for _ in range(4)]
            m = run_load("hello", steps, options.duration, stop)
            _log(f"  hello: {m.rps:.0f} req/s")
            hello_runs.append(m)

        hello_once()
        study = _study(options, data, app.port, forms, stop)
        _log(f"  the quiz: {options.learners} learners over {options.window:.0f} s ...")
        run = run_quiz_load(
            lambda: Client(app.port, options.timeout),
            data.learner_emails,
            data.quiz_id,
            window=options.window,
            clients=options.clients,
            think=options.think,
            login_first=options.login_first,
            seed=options.seed,
            stop=stop,
        )
        _log(f"    done in {run.seconds:.1f} s, {len(run.errors)} errors")
        hello_once()
        tracebacks, last = app.tracebacks()
    stored = check_stored(options.database_url, data.quiz_id)
    quiz = quiz_figures(run, stored, options.learners, options.window)
    report["hello_rps"] = [round(m.rps, 1) for m in hello_runs]
    report["study_answer"] = study
    report["quiz"] = quiz
    budget = study.get("p99_ms")
    ratio = quiz["save_p99_ms"] / budget if budget and quiz["save_p99_ms"] is not None else None
    report["p99_ratio"] = round(ratio, 2) if ratio is not None else None
    report["within_budget"] = ratio is not None and ratio <= 1.0
    report["app_tracebacks"] = {"count": tracebacks, "last": last}
    report["ok"] = not quiz["errors"] and not quiz["mismatches"] and not tracebacks
    report["seconds"] = round(time.monotonic() - started, 1)
    return report


def _study(
    options: QuizLoadOptions,
    data: QuizData,
    port: int,
    forms: dict[int, list[list[tuple[str, str]]]],
    stop: threading.Event,
) -> dict[str, Any]:
    """The study loop's answer, as ``bench web`` measures it, for the learners studying."""
    _log(f"  the study loop's answer, {options.studiers} learners ...")
    scenarios = Scenarios(port, options.timeout, forms)
    try:
        learners = scenarios.learners(data.study_emails)
        steps = [scenarios.answer(x) for x in learners]
    except (RequestTimeout, UnexpectedResponse) as exc:
        return {"errors": 1, "first_error": f"setup: {exc}", "p99_ms": None}
    try:
        warm(steps)
        m = run_load("answer", steps, options.duration, stop)
    finally:
        for x in learners:
            x.client.close()
    out = _measured(m)
    _log(f"    {m.rps:.1f} answers/s, p50 {out['p50_ms']} ms, p99 {out['p99_ms']} ms")
    return out


def format_quizload(report: dict[str, Any], as_json: bool = False) -> str:
    """The report as JSON, or as a short table."""
    if as_json:
        return json.dumps(report, indent=2)
    quiz = report["quiz"]
    study = report["study_answer"]
    stored = quiz["stored"]
    hello = " / ".join(f"{x:.0f}" for x in report["hello_rps"])
    setup = report["setup"]
    lines = [
        f"quizload: {quiz['learners']} learners starting one quiz over {quiz['window_s']:.0f} s "
        f"({setup['workers']} gunicorn workers, {setup['clients']} client threads)",
        f"  hello (start / end)          {hello} req/s",
        f"  errors                       {quiz['errors']}"
        + (f"  first: {quiz['first_errors'][0]}" if quiz["first_errors"] else ""),
        f"  app tracebacks               {report['app_tracebacks']['count']}",
        f"  answers posted               {quiz['answers_posted']} "
        f"({quiz['doubled_posts']} posted twice)",
        f"  answered / stored            {quiz['answers_answered']} / "
        f"{stored['answers_stored']} (rows {stored['answer_rows']}, "
        f"reviews {stored['reviews']})",
        f"  submitted attempts           {stored['submitted']} of {quiz['learners']}",
        f"  quiz save p50 / p99          {quiz['save_p50_ms']} / {quiz['save_p99_ms']} ms "
        f"(max {quiz['save_max_ms']})",
        f"  study answer p50 / p99       {study.get('p50_ms')} / {study.get('p99_ms')} ms "
        f"({study.get('rps')} answers/s, {setup['studiers']} learners, "
        f"{setup['duration']:.0f} s)",
        f"  p99 quiz save / study answer {report['p99_ratio']} "
        f"({'within' if report['within_budget'] else 'OVER'} the budget)",
        f"  starts                       {quiz['starts']} in {quiz['last_start_s']} s "
        f"({quiz['starts_per_s']}/s; latest {quiz['start_lag_max_s']} s behind schedule)",
        f"  quiz phase / whole run       {quiz['quiz_seconds']} s / {report['seconds']} s",
        "  quiz requests (count, p50 / p99 / mean ms): "
        + ", ".join(
            f"{k} {v['count']}: {v['p50_ms']}/{v['p99_ms']}/{v['mean_ms']:.0f}"
            for k, v in quiz["requests"].items()
        ),
    ]
    lines += [f"  MISMATCH: {m}" for m in quiz["mismatches"]]
    if report["app_tracebacks"]["count"]:
        lines.append("  the app's last traceback ends:\n" + report["app_tracebacks"]["last"])
    lines.append("  OK" if report["ok"] else "  FAILED")
    return "\n".join(lines)
