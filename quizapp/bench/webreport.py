"""What ``python -m quizapp.bench web`` reports: each endpoint's measurement (requests/s, p50 and
p99 latency, requests/s over hello's), growth from the small case to the large one, as JSON or
a readable table."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from quizapp.bench.webdata import BuildReport
from quizapp.bench.webfigures import FiguresReport

__all__ = [
    "CLASS_ENDPOINTS",
    "ENDPOINTS",
    "LEARNER_ENDPOINTS",
    "Measurement",
    "WebReport",
    "format_web",
    "growth_ratio",
    "percentile",
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
            "p50_ms": rounded(self.p50_ms),
            "p99_ms": rounded(self.p99_ms),
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


def rounded(value: float | None, digits: int = 2) -> float | None:
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


def ms(value: float | None) -> str:
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
            f"{name:<18}{who:<26}{m.rps:>9.1f}{ms(m.p50_ms):>10}{ms(m.p99_ms):>10}"
            f"{m.rps / hello if hello else 0:>10.4f}"
            f"{'' if ratio is None else f'{ratio:.2f}':>9}  {'; '.join(notes)}"
        )
    lines.append("growth: p50 of the large case over p50 of the small one")
    big = report.class_5000
    if big:
        lines += ["", f"class of {big.get('members', '?')} learners:"]
        for name in CLASS_ENDPOINTS:
            times = ", ".join(ms(t) for t in big.get(f"{name}ms", []))
            lines.append(f"  {name}: {times or '-'} ms  {big.get(f'{name}_note', '')}".rstrip())
        lines.append(
            f"  worker resident memory: before {ms(big.get('rss_before_mib'))} MiB, "
            f"peak {ms(big.get('peak_rss_mib'))} MiB (VmHWM {ms(big.get('vmhwm_mib'))} MiB)"
        )
    if report.app_errors:
        last = str(report.app_errors.get("last", "")).splitlines()[-1:] or [""]
        count = report.app_errors["tracebacks"]
        lines.append(f"the app logged {count} traceback(s), the last: {last[0]}")
    return "\n".join(lines)
