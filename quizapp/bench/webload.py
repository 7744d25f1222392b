"""The load: each client's step run over and over in its own thread for a duration, measured;
warming up, and waiting for the workers to be free again after timeouts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

from quizapp.bench.webclient import Client, RequestTimeout, UnexpectedResponse
from quizapp.bench.webreport import Measurement
from quizapp.bench.webserve import Server

MAX_REQUESTS = 100_000


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


def warm(steps: Sequence[Step]) -> None:
    """Run every step once, not measured (connections, caches, first-request work)."""

    def once(step: Step) -> None:
        with suppress(RequestTimeout, UnexpectedResponse):
            step()

    with ThreadPoolExecutor(max_workers=len(steps)) as pool:
        list(pool.map(once, steps))


def settle(app: Server, timeout: float) -> None:
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
