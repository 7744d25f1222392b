"""The servers of ``python -m quizapp.bench web``: gunicorn (sync workers) serving the app and the
bare Flask "hello" app on free ports of 127.0.0.1, and their workers' memory."""

from __future__ import annotations

import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

from quizapp.bench.webclient import Client, RequestTimeout, UnexpectedResponse

SECRET_KEY = "quizapp-bench-web-secret-key-not-for-production"


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


def status_kib(pid: int, key: str) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return None


@contextmanager
def servers(
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
