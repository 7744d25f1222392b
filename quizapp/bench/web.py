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

The parts: ``webclient`` (the HTTP client), ``webserve`` (gunicorn), ``webload`` (the load
generator), ``webscenarios`` (each endpoint's steps) and ``webreport`` (the figures, JSON and
table); the data is ``webdata``'s.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from quizapp.bench.webclient import Client, RequestTimeout, UnexpectedResponse
from quizapp.bench.webconfig import INSTRUCTOR_EMAIL, LARGE_EMAIL, SMALL_EMAIL, BuildConfig
from quizapp.bench.webdata import BenchData, build_data, find_bench_data, question_specs
from quizapp.bench.webfigures import compute_figures, figures_stored
from quizapp.bench.webload import Step, run_load, settle, warm
from quizapp.bench.webreport import (
    CLASS_ENDPOINTS,
    LEARNER_ENDPOINTS,
    Measurement,
    WebReport,
    ms,
    rounded,
)
from quizapp.bench.webscenarios import Learner, Scenarios, answer_forms
from quizapp.bench.webserve import Server, servers, status_kib

__all__ = ["WebOptions", "run_web"]

CLASS_5000_REQUESTS = 3


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
    make: Callable[[Learner], Step], who: Callable[[], list[Learner]]
) -> Callable[[], list[Step]]:
    """Set-up of one step per logged-in client."""
    return lambda: [make(x) for x in who()]


def _page(path: str) -> Callable[[Learner], Step]:
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
        forms = answer_forms(question_specs(options.database_url))
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
            settle(self.app, self.options.timeout)
            return Measurement(name, (), 0.0, errors=1, first_error=f"setup: {exc}")
        warm(steps)
        result = run_load(name, steps, self.options.duration, self.stop)
        if result.timeouts:
            settle(self.app, self.options.timeout)
        note = f" ({result.timeouts} timed out)" if result.timeouts else ""
        _log(f"    {result.rps:.1f} req/s, p50 {ms(result.p50_ms)} ms{note}")
        return result

    @property
    def n(self) -> int:
        return self.options.clients

    def logged_in(self, emails: Sequence[str]) -> Callable[[], list[Learner]]:
        """Clients logged in as ``emails``, once, when first asked for."""
        done: list[Learner] = []

        def get() -> list[Learner]:
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
        out["rss_before_mib"] = rounded(max((status_kib(p, "VmRSS") or 0) for p in pids) / 1024)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                for pid in self.app.worker_pids():
                    peak[0] = max(peak[0], status_kib(pid, "VmRSS") or 0)
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
                        settle(self.app, self.options.timeout)
                        break
                out[f"{name}ms"] = [round(t, 1) for t in times]
                _log(f"    {', '.join(f'{t:.0f}' for t in times) or '-'} ms")
        finally:
            done.set()
            sampler.join()
        out["peak_rss_mib"] = rounded(peak[0] / 1024)
        hwm = [status_kib(p, "VmHWM") or 0 for p in self.app.worker_pids()]
        out["vmhwm_mib"] = rounded(max(hwm, default=0) / 1024)
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
    with servers(options.database_url, options.workers, options.timeout) as (hello, app, _):
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
